"""Indicator scores and composites, with every expected number worked out by hand."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from outperform.scoring import (
    Adjustment,
    DeductionRule,
    FormulaRule,
    IndicatorSpec,
    InputError,
    LinearRule,
    RoleScore,
    SubjectInput,
    SubjectResult,
    TemplateSpec,
    apportion,
    compute_cycle,
    parse,
)
from outperform.scoring.tests.factories import (
    PROPERTY,
    ROLE_WEIGHTS,
    bands,
    single_indicator_template,
    subject_scoring,
)

D = Decimal


def one(template: TemplateSpec, subject: SubjectInput) -> SubjectResult:
    (result,) = compute_cycle(template, [subject])
    return result


def template(*indicators: IndicatorSpec, **kwargs: object) -> TemplateSpec:
    return TemplateSpec(indicators=indicators, role_weights=ROLE_WEIGHTS, bands=bands(),
                        **kwargs)  # type: ignore[arg-type]


Q1 = IndicatorSpec("Q1", D(60))
K1 = IndicatorSpec("K1", D(40), "quantitative", LinearRule(D(60), D(100)), metric="on_time_rate")

# --------------------------------------------------------------------------- weights


def test_apportion_examples() -> None:
    assert apportion([D(10), D(50), D(20)]) == (D("12.50"), D("62.50"), D("25.00"))
    # 100 / 3 each: 33.33 + 33.33 + 33.33 = 99.99; the missing hundredth goes to the first.
    assert apportion([D(10), D(10), D(10)]) == (D("33.34"), D("33.33"), D("33.33"))
    # exact shares 22.2222, 44.4444, 33.3333: floors 22.22 + 44.44 + 33.33 = 99.99,
    # remainders .22, .44, .33 -> the hundredth goes to the second.
    assert apportion([D(20), D(40), D(30)]) == (D("22.22"), D("44.45"), D("33.33"))
    assert apportion([D(0), D(5)]) == (D("0.00"), D("100.00"))
    with pytest.raises(ValueError, match="zero"):
        apportion([D(0), D(0)])


@PROPERTY
@given(st.lists(st.decimals(min_value=0, max_value=100, places=2), min_size=1, max_size=15)
       .filter(lambda ws: sum(ws) > 0))
def test_effective_weights_add_up_to_exactly_100(weights: list[Decimal]) -> None:
    effective = apportion(weights)
    assert sum(effective) == D(100)
    assert all(e == e.quantize(D("0.01")) for e in effective)
    total = sum(weights)
    for w, e in zip(weights, effective, strict=True):
        exact = w * 100 / total
        assert abs(e - exact) < D("0.01")  # each within one hundredth of its exact share
        if w == 0:
            assert e == 0  # an absent or zero weight never receives a leftover hundredth


# --------------------------------------------------------------------------- qualitative


def test_missing_role_is_left_out_and_the_others_renormalised() -> None:
    # No client rated. Present roles: self 10, supervisor 50, peer 20 (sum 80), renormalised
    # to self 12.5, supervisor 62.5, peer 25.
    # peer mean = (70 + 90 + 85) / 3 = 81.6666...
    # Q1 = 0.125 * 100 + 0.625 * 80 + 0.25 * 81.6666... = 12.5 + 50 + 20.41666... = 82.91666... -> 82.92
    # K1 = (90 - 60) / (100 - 60) * 100 = 75.00
    # composite = 82.92 * 0.60 + 75.00 * 0.40 = 49.752 + 30 = 79.752 -> 79.75
    subject = SubjectInput.from_scores("w1", [
        RoleScore("supervisor", "Q1", D(80)),
        RoleScore("peer", "Q1", D(70)), RoleScore("peer", "Q1", D(90)), RoleScore("peer", "Q1", D(85)),
        RoleScore("self", "Q1", D(100)),
    ], metrics={"on_time_rate": D(90)})
    result = one(template(Q1, K1), subject)
    q1, k1 = result.indicators
    assert q1.score == D("82.92")
    assert [(r.role, r.count, r.weight, r.effective_weight) for r in q1.roles] == [
        ("self", 1, D(10), D("12.50")), ("supervisor", 1, D(50), D("62.50")), ("peer", 3, D(20), D("25.00"))]
    assert q1.roles[2].total == D(245)
    assert round(q1.roles[2].mean, 4) == D("81.6667")
    assert (k1.raw_value, k1.score, k1.rule) == (D(90), D("75.00"), "linear: 60 → 0, 100 → 100, higher is better")
    assert result.weighted_score == D("79.752")
    assert result.composite == D("79.75")
    assert [r.contribution for r in result.indicators] == [D("49.752"), D("30")]
    assert result.not_applicable == ()
    assert result.grade == "C"  # 合格 60-80


def test_a_role_without_raters_does_not_count_as_zero() -> None:
    # Only the supervisor rated 80: the indicator is 80, not 80 * 50% = 40.
    result = one(template(IndicatorSpec("Q1", D(100))),
                 SubjectInput("w", ratings={"Q1": {"supervisor": (D(80),)}}))
    assert result.composite == D("80.00")
    (row,) = result.indicators
    assert [(r.role, r.effective_weight) for r in row.roles] == [("supervisor", D("100.00"))]


def test_per_indicator_role_weights_override() -> None:
    # Q2 is rated by supervisor 60 / client 40 only: 0.6 * 70 + 0.4 * 95 = 42 + 38 = 80.00.
    q2 = IndicatorSpec("Q2", D(100), role_weights={"supervisor": D(60), "client": D(40)})
    result = one(template(q2), SubjectInput("w", ratings={"Q2": {"client": (D(95),), "supervisor": (D(70),)}}))
    assert result.composite == D("80.00")
    # Roles are listed in template order, whatever order the input used.
    assert [r.role for r in result.indicators[0].roles] == ["supervisor", "client"]


def test_a_role_the_indicator_does_not_weight_is_shown_but_ignored() -> None:
    # self is not weighted on Q2: it is listed with weight 0 and does not move the score.
    q2 = IndicatorSpec("Q2", D(100), role_weights={"supervisor": D(100)})
    result = one(template(q2), SubjectInput("w", ratings={"Q2": {"supervisor": (D(70),), "self": (D(100),)}}))
    assert result.composite == D("70.00")
    assert [(r.role, r.weight, r.effective_weight) for r in result.indicators[0].roles] == [
        ("supervisor", D(100), D("100.00")), ("self", D(0), D("0.00"))]


def test_indicator_rated_only_by_unweighted_roles_is_not_applicable() -> None:
    q2 = IndicatorSpec("Q2", D(50), role_weights={"supervisor": D(100)})
    q3 = IndicatorSpec("Q3", D(50))
    result = one(template(q2, q3), SubjectInput("w", ratings={"Q2": {"self": (D(100),)},
                                                              "Q3": {"supervisor": (D(70),)}}))
    assert result.not_applicable == ("Q2",)
    assert result.composite == D("70.00")


def test_empty_rater_lists_count_as_not_rated() -> None:
    result = one(template(IndicatorSpec("Q1", D(100))),
                 SubjectInput("w", ratings={"Q1": {"supervisor": (D(80),), "peer": ()}}))
    assert result.composite == D("80.00")


def test_half_up_is_applied_to_the_exact_weighted_mean() -> None:
    # Four roles at 25 each; three of them have three raters whose means are repeating decimals:
    # supervisor 255.49 / 3, peer 255.49 / 3, client 255.52 / 3, self 85.
    # Sum of means = 766.5 / 3 + 85 = 255.5 + 85 = 340.5; * 0.25 = 85.125 exactly -> 85.13.
    # (Rounding each mean to 28 digits first would leave 85.1249999... and give 85.12.)
    roles = {"self": D(25), "supervisor": D(25), "peer": D(25), "client": D(25)}
    spec = TemplateSpec(indicators=(IndicatorSpec("Q", D(100)),), role_weights=roles, bands=bands())
    ratings = {"Q": {
        "supervisor": (D("85.16"), D("85.16"), D("85.17")),
        "peer": (D("85.16"), D("85.16"), D("85.17")),
        "client": (D("85.17"), D("85.17"), D("85.18")),
        "self": (D("85.00"),),
    }}
    assert one(spec, SubjectInput("w", ratings=ratings)).composite == D("85.13")


def test_half_up_of_a_two_rater_mean() -> None:
    # (84.98 + 84.99) / 2 = 84.985 -> 84.99 half up (half even would give 84.98).
    result = one(single_indicator_template(),
                 SubjectInput("w", ratings={"Q": {"supervisor": (D("84.98"), D("84.99"))}}))
    assert result.composite == D("84.99")


# --------------------------------------------------------------------------- quantitative


def test_not_applicable_indicator_is_left_out_and_weights_renormalised() -> None:
    # K2 (deduction on complaints) has no data. Q1 50 and K1 30 remain (sum 80) -> 62.5 and 37.5.
    # Q1 = 82.92 (as above), K1 = 75 -> 82.92 * 0.625 + 75 * 0.375 = 51.825 + 28.125 = 79.95.
    q1 = IndicatorSpec("Q1", D(50))
    k1 = IndicatorSpec("K1", D(30), "quantitative", LinearRule(D(60), D(100)), metric="on_time_rate")
    k2 = IndicatorSpec("K2", D(20), "quantitative", DeductionRule(D(10)), metric="complaints")
    subject = SubjectInput("w", ratings={"Q1": {"supervisor": (D(80),), "peer": (D(70), D(90), D(85)),
                                                "self": (D(100),)}},
                           metrics={"on_time_rate": D(90), "complaints": None})
    result = one(template(q1, k1, k2), subject)
    assert result.not_applicable == ("K2",)
    assert [r.effective_weight for r in result.indicators] == [D("62.50"), D("37.50"), D("0.00")]
    assert result.indicators[2].score is None
    assert result.indicators[2].contribution == 0
    assert result.weighted_score == D("79.95")
    assert result.composite == D("79.95")


def test_measure_formula_gives_the_actual_value() -> None:
    # on_time / due * 100 = 18 / 20 * 100 = 90 -> linear 60..100 -> 75.
    k = IndicatorSpec("K", D(100), "quantitative", LinearRule(D(60), D(100)),
                      measure=parse("on_time / due * 100"))
    result = one(template(k), SubjectInput("w", metrics={"on_time": D(18), "due": D(20)}))
    assert (result.indicators[0].raw_value, result.composite) == (D(90), D("75.00"))
    # due = 0: division by zero -> not applicable -> nothing left to score.
    empty = one(template(k), SubjectInput("w", metrics={"on_time": D(0), "due": D(0)}))
    assert (empty.composite, empty.grade, empty.not_applicable) == (None, None, ("K",))
    assert empty.grade_reason.startswith("no applicable indicator")


def test_formula_rule_indicator() -> None:
    k = IndicatorSpec("K", D(100), "quantitative", FormulaRule("100 - 15 * complaints"))
    assert one(template(k), SubjectInput("w", metrics={"complaints": D(3)})).composite == D("55.00")


def test_indicator_order_follows_the_template() -> None:
    k = IndicatorSpec("K", D(40), "quantitative", LinearRule(D(0), D(100)), metric="m")
    q = IndicatorSpec("Q", D(60))
    result = one(template(k, q), SubjectInput("w", ratings={"Q": {"supervisor": (D(50),)}}, metrics={"m": D(100)}))
    assert [r.code for r in result.indicators] == ["K", "Q"]
    assert result.composite == D("70.00")  # 100 * 0.4 + 50 * 0.6


# --------------------------------------------------------------------------- adjustments


@pytest.mark.parametrize(
    ("score", "adjustments", "cap", "expected_total", "expected"),
    [
        # 90 + min(8, 5) + (-2) = 93
        ("90", [("INNOV", "8", "5"), ("LATE", "-2", "5")], None, "3", "93.00"),
        # same, with the template's total cap of 2: 90 + 2 = 92
        ("90", [("INNOV", "8", "5"), ("LATE", "-2", "5")], "2", "2", "92.00"),
        # 95 + 5 + 3 = 103, clamped to the top of the scale
        ("95", [("A", "5", "5"), ("B", "3", "10")], None, "8", "100.00"),
        # 5 + max(-10, -20) = -5, clamped to 0
        ("5", [("PENALTY", "-20", "10")], None, "-10", "0.00"),
    ],
)
def test_adjustments_are_capped_and_the_total_clamped(
    score: str, adjustments: list[tuple[str, str, str]], cap: str | None, expected_total: str, expected: str,
) -> None:
    spec = single_indicator_template(adjustment_cap=None if cap is None else D(cap))
    items = tuple(Adjustment(code, D(value), D(c)) for code, value, c in adjustments)
    result = one(spec, subject_scoring("w", score, adjustments=items))
    assert result.adjustment_total == D(expected_total)
    assert result.composite == D(expected)
    assert result.weighted_score == D(score)
    first = result.adjustments[0]
    assert first.applied == max(-first.cap, min(first.value, first.cap))


def test_adjustment_cap_cannot_be_negative() -> None:
    with pytest.raises(InputError, match="cap must not be negative"):
        Adjustment("X", D(1), D(-1))


# --------------------------------------------------------------------------- input checks


def test_inputs_are_checked() -> None:
    with pytest.raises(InputError, match="must be a Decimal from 0 to 100"):
        SubjectInput("w", ratings={"Q": {"supervisor": (D(101),)}})
    with pytest.raises(InputError, match="must be a Decimal from 0 to 100"):
        SubjectInput("w", ratings={"Q": {"supervisor": (80.0,)}})  # type: ignore[dict-item]
    with pytest.raises(InputError, match="must be a list or tuple"):
        SubjectInput("w", ratings={"Q": {"supervisor": D(80)}})  # type: ignore[dict-item]
    with pytest.raises(InputError, match="finite Decimal or None"):
        SubjectInput("w", metrics={"m": D("NaN")})
    with pytest.raises(InputError, match="proration"):
        SubjectInput("w", proration=D(2))  # type: ignore[arg-type]
    with pytest.raises(InputError, match="subject_id"):
        SubjectInput("")
    with pytest.raises(InputError, match="ratings for Q9, which are not qualitative indicators"):
        one(single_indicator_template(), SubjectInput("w", ratings={"Q9": {"supervisor": (D(1),)}}))


# --------------------------------------------------------------------------- monotonicity


def _three_indicator_template() -> TemplateSpec:
    return template(
        IndicatorSpec("Q1", D(45)),
        IndicatorSpec("Q2", D(25), role_weights={"supervisor": D(70), "client": D(30)}),
        IndicatorSpec("K1", D(30), "quantitative", LinearRule(D(0), D(50))),
    )


SCORE = st.decimals(min_value=0, max_value=100, places=2)
RATERS = st.fixed_dictionaries(
    {"supervisor": st.lists(SCORE, min_size=1, max_size=2)},
    optional={"self": st.lists(SCORE, min_size=1, max_size=1), "peer": st.lists(SCORE, min_size=1, max_size=4),
              "client": st.lists(SCORE, min_size=1, max_size=2)},
)


@PROPERTY
@given(
    q1=RATERS, q2=RATERS, k1=st.decimals(min_value=-10, max_value=60, places=1),
    which=st.integers(min_value=0, max_value=20), bump=st.decimals(min_value=0, max_value=100, places=2),
)
def test_composite_is_monotone_in_every_single_score(
    q1: dict[str, list[Decimal]], q2: dict[str, list[Decimal]], k1: Decimal, which: int, bump: Decimal,
) -> None:
    spec = _three_indicator_template()
    q2 = {role: values for role, values in q2.items() if role in ("supervisor", "client")}
    ratings = {"Q1": q1, "Q2": q2}
    slots = [(code, role, i) for code, by_role in ratings.items() for role, values in by_role.items()
             for i in range(len(values))]
    base = one(spec, SubjectInput("w", ratings=ratings, metrics={"K1": k1}))
    assert base.composite is not None
    if which < len(slots):  # raise one rater's score
        code, role, i = slots[which]
        raised = {c: {r: list(v) for r, v in by_role.items()} for c, by_role in ratings.items()}
        raised[code][role][i] = max(raised[code][role][i], min(D(100), raised[code][role][i] + bump))
        higher = one(spec, SubjectInput("w", ratings=raised, metrics={"K1": k1}))
    else:  # raise the quantitative value
        higher = one(spec, SubjectInput("w", ratings=ratings, metrics={"K1": k1 + bump}))
    assert higher.composite is not None
    assert higher.composite >= base.composite
    assert sum(r.effective_weight for r in base.indicators) == D(100)
    for row in base.indicators:
        if row.roles:
            assert sum(r.effective_weight for r in row.roles) == D(100)
