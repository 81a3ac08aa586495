"""compute_cycle end to end: a worked group, bonus modes, determinism, refusals."""

import random
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from outperform.scoring import (
    Adjustment,
    BandsRule,
    ConfigError,
    DeductionRule,
    FormulaRule,
    GradeBand,
    IndicatorSpec,
    InputError,
    LinearRule,
    Quota,
    SubjectInput,
    TemplateSpec,
    ValueBand,
    Veto,
    compute_cycle,
    compute_cycle_detailed,
    parse,
    validate_template,
)
from outperform.scoring.tests.factories import (
    PROPERTY,
    ROLE_WEIGHTS,
    bands,
    single_indicator_template,
    subject_scoring,
)

D = Decimal
QUOTAS = (Quota("A", "max", D("0.2")), Quota("D", "min", D("0.2")))


def test_worked_group_with_forced_distribution_and_pool() -> None:
    # Five subjects, composites 95, 92, 92, 85, 55; 优秀 max 20% -> floor(5 * 0.2) = 1 place;
    # 不合格 min 20% -> ceil(1.0) = 1 place.
    # A: three are in band A, one place -> only 95 (no tie at the cut: 95 vs 92).
    # B: 92, 92 (moved down) and 85.  C: nobody.  D: 55, which also fills the minimum.
    # Ranks: 1, 2, 2, 4, 5.
    # Pool 100,000 fen, weights composite x coefficient:
    #   95 x 1.5 = 142.5; 92 x 1.2 = 110.4 (twice); 85 x 1.2 = 102; 55 x 0 = 0; total 465.3.
    #   exact shares 30625.403, 23726.628, 23726.628, 21921.341, 0 -> floors sum to 99,998;
    #   the 2 fen left go to the largest remainders: the two .628s.
    spec = single_indicator_template(grading="forced_distribution", quotas=QUOTAS, bonus="pool")
    subjects = [subject_scoring(sid, score) for sid, score in
                [("e", "55"), ("b", "92"), ("a", "95"), ("d", "85"), ("c", "92")]]
    detailed = compute_cycle_detailed(spec, subjects, pools_fen={"G": 100_000})
    results = {r.subject_id: r for r in detailed.results}
    assert [r.subject_id for r in detailed.results] == ["a", "b", "c", "d", "e"]  # subject_id order
    assert {s: (r.grade, r.rank, r.bonus_fen) for s, r in results.items()} == {
        "a": ("A", 1, 30_625),
        "b": ("B", 2, 23_727),
        "c": ("B", 2, 23_727),
        "d": ("B", 4, 21_921),
        "e": ("D", 5, 0),
    }
    assert results["b"].band_grade == "A"
    assert results["b"].coefficient == D("1.2")
    assert results["a"].group_size == 5
    summary = detailed.groups["G"]
    assert (summary.pool_fen, summary.paid_fen, summary.unallocated_fen) == (100_000, 100_000, 0)
    assert summary.forced_distribution
    assert [(p.grade_code, p.kind, p.places) for p in summary.places] == [("A", "max", 1), ("D", "min", 1)]
    assert dict(summary.counts) == {"A": 1, "B": 3, "D": 1}


def test_base_bonus_mode_with_proration() -> None:
    # 优秀 1.5 x 100,000 = 150,000; 良好 1.2 x 100,000 x 20/30 = 80,000; 不合格 0.
    spec = single_indicator_template(bonus="base")
    results = compute_cycle(spec, [
        subject_scoring("a", "95", base_bonus_fen=100_000),
        subject_scoring("b", "85", base_bonus_fen=100_000, proration=Fraction(20, 30)),
        subject_scoring("c", "50", base_bonus_fen=100_000),
    ])
    assert [r.bonus_fen for r in results] == [150_000, 80_000, 0]


def test_pool_with_every_weight_zero_is_reported_unallocated() -> None:
    spec = single_indicator_template(bonus="pool")
    detailed = compute_cycle_detailed(spec, [subject_scoring("a", "10"), subject_scoring("b", "20")],
                                      pools_fen={"G": 5_000})
    assert [r.bonus_fen for r in detailed.results] == [0, 0]
    assert (detailed.groups["G"].paid_fen, detailed.groups["G"].unallocated_fen) == (0, 5_000)


def test_pools_must_match_the_groups() -> None:
    spec = single_indicator_template(bonus="pool")
    with pytest.raises(InputError, match="no pools_fen"):
        compute_cycle(spec, [subject_scoring("a", "90")])
    with pytest.raises(InputError, match=r"missing \['G'\], no subjects for \['H'\]"):
        compute_cycle(spec, [subject_scoring("a", "90")], pools_fen={"H": 10})


def test_duplicate_subjects_are_refused() -> None:
    with pytest.raises(InputError, match="subject a appears twice"):
        compute_cycle(single_indicator_template(), [subject_scoring("a", "90"), subject_scoring("a", "80")])


def test_subject_without_any_applicable_indicator_is_not_graded() -> None:
    spec = single_indicator_template()
    results = compute_cycle(spec, [SubjectInput("a", "G"), subject_scoring("b", "70"),
                                   SubjectInput("c", "G", vetoes=(Veto("SEC"),))])
    a, b, c = results
    assert (a.composite, a.grade, a.rank, a.bonus_fen) == (None, None, None, 0)
    assert (b.rank, b.group_size) == (1, 1)
    assert (c.composite, c.grade, c.rank) == (None, "D", None)  # a veto grades even without scores


def test_invalid_template_is_refused_with_every_problem() -> None:
    spec = TemplateSpec(
        indicators=(IndicatorSpec("Q", D(60)), IndicatorSpec("Q", D(30)),
                    IndicatorSpec("K", D(5), "quantitative"), IndicatorSpec("R", D("0.125"))),
        role_weights={"supervisor": D(90)},
        bands=bands()[:3],
        grading="forced_distribution",
        quotas=(Quota("X", "max", D("0.2")), Quota("D", "max", D("0.1")), Quota("A", "min", D("1.5"))),
    )
    errors = validate_template(spec)
    expected = [
        "indicator code 'Q' is used twice",
        "indicator R: weight 0.125 has more than two decimal places",
        "indicator weights add up to 95.125, not 100",
        "quantitative indicator K needs a scoring rule",
        "role weights add up to 90, not 100",
        "the lowest grade starts at 60 but the scale starts at 0",
        "quota for unknown grade 'X'",
        "quota A: share 1.5 must be above 0 and at most 1",
        "minimum quotas add up to 150%, more than 100%",
    ]
    for message in expected:
        assert any(message in e for e in errors), (message, errors)
    with pytest.raises(ConfigError) as info:
        compute_cycle(spec, [])
    assert info.value.errors == tuple(errors)


def test_max_quota_on_the_lowest_grade_is_refused() -> None:
    spec = single_indicator_template(grading="forced_distribution", quotas=(Quota("D", "max", D("0.1")),))
    assert any("max quota on the lowest grade D cannot be enforced" in e for e in validate_template(spec))


def test_quotas_need_forced_distribution_and_vice_versa() -> None:
    assert any("quotas only apply" in e for e in validate_template(
        single_indicator_template(quotas=(Quota("A", "max", D("0.2")),))))
    assert any("needs at least one quota" in e for e in validate_template(
        single_indicator_template(grading="forced_distribution")))


# --------------------------------------------------------------------------- determinism


def full_template() -> TemplateSpec:
    return TemplateSpec(
        indicators=(
            IndicatorSpec("Q1", D(30)),
            IndicatorSpec("Q2", D(20), role_weights={"supervisor": D(60), "client": D(40)}),
            IndicatorSpec("K1", D(20), "quantitative", LinearRule(D(60), D(95)), measure=parse("done / due * 100")),
            IndicatorSpec("K2", D(10), "quantitative", BandsRule((ValueBand(None, D(80), D(50)),
                                                                 ValueBand(D(80), None, D(100)))), metric="csat"),
            IndicatorSpec("K3", D(10), "quantitative", DeductionRule(D(20)), metric="incidents"),
            IndicatorSpec("K4", D(10), "quantitative", FormulaRule("min(100, output / 2)")),
        ),
        role_weights=ROLE_WEIGHTS,
        bands=(GradeBand("A", "优秀", D(90), D(120), D("1.5")), GradeBand("B", "良好", D(75), D(90), D("1.2")),
               GradeBand("C", "合格", D(60), D(75), D(1)), GradeBand("D", "不合格", D(0), D(60), D(0))),
        scale_max=D(120),
        grading="forced_distribution",
        quotas=(Quota("A", "max", D("0.25")), Quota("D", "min", D("0.1"))),
        bonus="pool",
        adjustment_cap=D(15),
    )


SCORES = st.decimals(min_value=40, max_value=100, places=1)
OPTIONAL_METRIC = st.one_of(st.none(), st.decimals(min_value=0, max_value=200, places=0))


@st.composite
def subject_inputs(draw: st.DrawFn, index: int) -> SubjectInput:
    peers = draw(st.lists(SCORES, min_size=0, max_size=3))
    q1: dict[str, tuple[Decimal, ...]] = {"supervisor": (draw(SCORES),)}
    if peers:
        q1["peer"] = tuple(peers)
    ratings: dict[str, dict[str, tuple[Decimal, ...]]] = {
        "Q1": q1, "Q2": {"supervisor": (draw(SCORES),), "client": (draw(SCORES),)}}
    metrics = {"done": draw(OPTIONAL_METRIC), "due": draw(OPTIONAL_METRIC), "csat": draw(OPTIONAL_METRIC),
               "incidents": draw(OPTIONAL_METRIC), "output": draw(OPTIONAL_METRIC)}
    adjustments = (Adjustment("X", draw(st.decimals(min_value=-20, max_value=20, places=1)), D(10)),) \
        if draw(st.booleans()) else ()
    vetoes = (Veto("SEC"),) if draw(st.integers(0, 9)) == 0 else ()
    return SubjectInput(f"s{index:03d}", draw(st.sampled_from(["east", "west"])), ratings, metrics,
                        adjustments, vetoes, proration=draw(st.sampled_from([Fraction(1), Fraction(1, 2)])))


@st.composite
def cycles(draw: st.DrawFn) -> list[SubjectInput]:
    count = draw(st.integers(min_value=1, max_value=25))
    return [draw(subject_inputs(i)) for i in range(count)]


@PROPERTY
@given(subjects=cycles(), seed=st.integers(min_value=0, max_value=2**32))
def test_results_do_not_depend_on_input_order(subjects: list[SubjectInput], seed: int) -> None:
    spec = full_template()
    pools = {g: 1_000_003 for g in {s.group_key for s in subjects}}
    first = compute_cycle_detailed(spec, subjects, pools_fen=pools)
    shuffled = list(subjects)
    random.Random(seed).shuffle(shuffled)
    second = compute_cycle_detailed(spec, shuffled, pools_fen=pools)
    assert first == second
    assert [r.indicators for r in first.results] == [r.indicators for r in second.results]
    # The pool of every group is paid out exactly (or wholly unallocated if no weight).
    for key, summary in first.groups.items():
        paid = sum(r.bonus_fen for r in first.results if r.group_key == key)
        assert paid == summary.paid_fen
        assert summary.paid_fen + summary.unallocated_fen == pools[key]
    for r in first.results:
        if r.composite is not None:
            assert D(0) <= r.composite <= D(120)
            assert sum(row.effective_weight for row in r.indicators) == D(100)
            assert sum(row.contribution for row in r.indicators) == r.weighted_score


def test_results_are_plain_data() -> None:
    (result,) = compute_cycle(single_indicator_template(), [subject_scoring("a", "88")])
    row = result.indicators[0].to_dict()
    assert row["code"] == "Q" and row["roles"][0]["role"] == "supervisor"
    assert row["roles"][0]["scores"] == (D(88),)


def test_the_garbage_collector_is_left_as_found() -> None:
    import gc

    spec = single_indicator_template()
    subjects = [subject_scoring("a", "90")]
    assert gc.isenabled()
    compute_cycle(spec, subjects)
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
    gc.disable()
    try:
        compute_cycle(spec, subjects)
        assert not gc.isenabled()
    finally:
        gc.enable()
    # An application that froze objects of its own keeps them frozen.
    marker = [object()]
    gc.freeze()
    try:
        compute_cycle(spec, subjects)
        assert gc.get_freeze_count() > 0
        assert not any(o is marker for generation in range(3) for o in gc.get_objects(generation))
    finally:
        gc.unfreeze()
    with pytest.raises(InputError):
        compute_cycle(spec, [subject_scoring("a", "90"), subject_scoring("a", "80")])
    assert gc.isenabled()


def test_unchecked_input_gives_the_same_results_as_the_checked_one() -> None:
    from decimal import Decimal
    from fractions import Fraction

    from outperform.scoring import GradeBand, IndicatorSpec, SubjectInput, TemplateSpec, compute_cycle

    template = TemplateSpec(
        indicators=(IndicatorSpec("Q1", Decimal(60)), IndicatorSpec("Q2", Decimal(40))),
        role_weights={"self": Decimal(40), "supervisor": Decimal(60)},
        bands=(GradeBand("A", "优秀", Decimal(90), Decimal(100), Decimal("1.5")),
               GradeBand("B", "良好", Decimal(0), Decimal(90), Decimal(1))),
        bonus="base",
    )
    ratings = {"Q1": {"self": [Decimal(80)], "supervisor": [Decimal(90)]}, "Q2": {"self": [Decimal(70)]}}
    args = ("s1", "g", ratings, {}, (), (), 100000, Fraction(1, 2))
    checked = compute_cycle(template, [SubjectInput(*args)])
    fast = compute_cycle(template, [SubjectInput.unchecked(*args)])
    assert [(r.composite, r.grade, r.bonus_fen) for r in fast] == [(r.composite, r.grade, r.bonus_fen) for r in checked]
    # Q1 = (80×40 + 90×60)/100 = 86; Q2 = 70 (self alone); 86×0.6 + 70×0.4 = 51.6 + 28 = 79.60 → B;
    # bonus = 100000 × 1 × 1/2 = 50000
    assert (fast[0].composite, fast[0].grade, fast[0].bonus_fen) == (Decimal("79.60"), "B", 50000)
