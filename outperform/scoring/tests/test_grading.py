"""Grades by bands, vetoes, and forced distribution (with hand-worked groups)."""

from collections import Counter
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from outperform.scoring import (
    BandScale,
    GradeBand,
    Quota,
    SubjectInput,
    SubjectResult,
    TemplateSpec,
    Veto,
    competition_ranks,
    compute_cycle,
    compute_cycle_detailed,
    quota_places,
    validate_bands,
)
from outperform.scoring.grading import distribute
from outperform.scoring.tests.factories import PROPERTY, bands, single_indicator_template, subject_scoring

D = Decimal


def grades_of(results: list[SubjectResult]) -> dict[str, str | None]:
    return {r.subject_id: r.grade for r in results}


# --------------------------------------------------------------------------- bands


def test_band_lookup_including_the_edges() -> None:
    scale = BandScale(bands())
    codes = [scale.bands[scale.index(D(v))].code for v in ("0", "59.99", "60", "79.99", "80", "90", "100")]
    assert codes == ["D", "D", "C", "C", "B", "A", "A"]  # min inclusive, top of scale in the top band


def test_valid_bands_have_no_errors() -> None:
    assert validate_bands(bands()) == []


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ((), "at least one grade band is needed"),
        (bands()[:3], "the lowest grade starts at 60 but the scale starts at 0"),
        (bands()[1:], "the highest grade ends at 90 but the scale ends at 100"),
        ((bands()[0], GradeBand("B", "良好", D(85), D(90), D(1)), *bands()[2:]),
         "gap between grades 合格 60–80 and 良好 85–90: scores from 80 to 85 get no grade"),
        ((bands()[0], GradeBand("B", "良好", D(75), D(90), D(1)), *bands()[2:]),
         "grades 合格 60–80 and 良好 75–90 overlap"),
        ((*bands()[:3], GradeBand("A", "x", D(0), D(60), D(0))), "grade code 'A' is used twice"),
        ((*bands()[:3], GradeBand("D", "x", D(0), D(60), D(-1))), "coefficient must not be negative"),
        ((*bands()[:3], GradeBand("D", "x", D(60), D(0), D(0))), "min must be below max"),
    ],
)
def test_band_errors(broken: tuple[GradeBand, ...], message: str) -> None:
    errors = validate_bands(broken)
    assert any(message in e for e in errors), errors


def test_grade_by_bands_with_reason() -> None:
    results = compute_cycle(single_indicator_template(), [subject_scoring("a", "85"), subject_scoring("b", "59.99")])
    assert [(r.grade, r.band_grade, r.grade_reason) for r in results] == [
        ("B", "B", "band 良好 80–90"), ("D", "D", "band 不合格 0–60")]


def test_veto_forces_the_lowest_grade_but_keeps_the_composite() -> None:
    vetoed = subject_scoring("a", "95", vetoes=(Veto("SEC-01"), Veto("LATE", triggered=False)))
    (result,) = compute_cycle(single_indicator_template(), [vetoed])
    assert (result.composite, result.band_grade, result.grade) == (D("95.00"), "A", "D")
    assert result.vetoes == ("SEC-01",)
    assert result.grade_reason == "veto: SEC-01 → lowest grade 不合格"
    assert result.coefficient == D(0)
    assert result.rank == 1  # ranks follow the composite; the veto acts on the grade only


# --------------------------------------------------------------------------- quota places


@pytest.mark.parametrize(
    ("n", "kind", "share", "places"),
    [
        (10, "max", "0.2", 2),  # floor(2.0)
        (9, "max", "0.2", 1),  # floor(1.8)
        (4, "max", "0.2", 1),  # floor(0.8) = 0, but a positive max quota gives at least one place
        (1, "max", "0.2", 1),
        (0, "max", "0.2", 0),
        (10, "min", "0.05", 1),  # ceil(0.5)
        (20, "min", "0.05", 1),  # ceil(1.0)
        (21, "min", "0.05", 2),  # ceil(1.05)
        (0, "min", "0.05", 0),
    ],
)
def test_quota_places_rounding(n: int, kind: str, share: str, places: int) -> None:
    assert quota_places(n, kind, D(share)) == places


# --------------------------------------------------------------------------- forced distribution

TOP_20 = Quota("A", "max", D("0.2"))
BOTTOM_10 = Quota("D", "min", D("0.1"))


def forced(*quotas: Quota, min_group_size: int = 1) -> TemplateSpec:
    return single_indicator_template(grading="forced_distribution", quotas=quotas, min_group_size=min_group_size)


def group(*scores: str) -> list[SubjectInput]:
    return [subject_scoring(f"s{i:02d}", score) for i, score in enumerate(scores, start=1)]


def test_max_quota_moves_the_excess_down() -> None:
    # 10 subjects, 优秀 at most 20% -> floor(10 * 0.2) = 2 places. Four are in band A.
    # Ranked: 98, 96, 95, 93 | 85 ... -> the first two keep A, 95 and 93 move down to B.
    results = compute_cycle(forced(TOP_20), group("98", "96", "95", "93", "85", "84", "75", "70", "65", "61"))
    assert grades_of(results) == {"s01": "A", "s02": "A", "s03": "B", "s04": "B", "s05": "B", "s06": "B",
                                  "s07": "C", "s08": "C", "s09": "C", "s10": "C"}
    s03 = results[2]
    assert s03.band_grade == "A"
    assert s03.grade_reason == ("forced distribution: rank 3 of 10; quota 优秀 max 20% → 2 places; "
                                "moved down from band 优秀 90–100 to 良好")
    assert results[0].grade_reason == "forced distribution: rank 1 of 10; band 优秀 90–100 kept"


def test_tie_at_the_max_quota_boundary_shares_the_better_grade() -> None:
    # Places for A: 2. Ranked 98, 95, 95, 92: the cut after rank 2 falls between two 95s,
    # so both 95s get A (3 subjects > 2 places); 92 moves down to B.
    results = compute_cycle(forced(TOP_20), group("98", "95", "95", "92", "85", "84", "75", "70", "65", "61"))
    grades = grades_of(results)
    assert [grades[s] for s in ("s01", "s02", "s03", "s04")] == ["A", "A", "A", "B"]
    assert [r.rank for r in results[:4]] == [1, 2, 2, 4]
    assert "tied at the boundary of quota 优秀 max 20% → 2 places, shares the better grade" in results[2].grade_reason
    summary = compute_cycle_detailed(forced(TOP_20), group("98", "95", "95", "92", "85", "84", "75", "70", "65",
                                                           "61")).groups["G"]
    assert summary.counts["A"] == 3
    assert [(p.grade_code, p.places) for p in summary.places] == [("A", 2)]


def test_min_quota_on_the_lowest_grade_takes_the_lowest_ranked() -> None:
    # 不合格 at least 10% of 10 -> ceil(1.0) = 1 place; nobody is below 60, so the last one (61) takes it.
    results = compute_cycle(forced(BOTTOM_10), group("98", "95", "91", "88", "85", "84", "75", "70", "65", "61"))
    assert results[-1].grade == "D" and results[-1].band_grade == "C"
    assert results[-1].grade_reason == ("forced distribution: rank 10 of 10; quota 不合格 min 10% → 1 place; "
                                        "moved down from band 合格 60–80 to 不合格")
    assert Counter(grades_of(results).values()) == {"A": 3, "B": 3, "C": 3, "D": 1}


def test_tie_at_the_min_quota_boundary_also_shares_the_better_grade() -> None:
    # The last two tie at 61: the one 不合格 place would split them, so both keep 合格 and the
    # minimum falls short by the tie - the documented price of "ties share the better grade".
    results = compute_cycle(forced(BOTTOM_10), group("98", "95", "91", "88", "85", "84", "75", "70", "61", "61"))
    assert [r.grade for r in results[-2:]] == ["C", "C"]
    assert "D" not in grades_of(results).values()


def test_min_quota_promotes_when_too_few_reach_the_grade() -> None:
    # 优秀 at least 10% of 10 -> 1 place; nobody reaches 90, so the best (88) is promoted.
    results = compute_cycle(forced(Quota("A", "min", D("0.1"))),
                            group("88", "87", "86", "85", "84", "83", "82", "81", "80", "79"))
    assert (results[0].grade, results[0].band_grade) == ("A", "B")
    assert results[0].grade_reason == ("forced distribution: rank 1 of 10; quota 优秀 min 10% → 1 place; "
                                       "promoted from band 良好 80–90 to 优秀")
    assert [r.grade for r in results[1:]] == ["B"] * 8 + ["C"]


def test_vetoed_subjects_count_towards_the_lowest_grades_minimum() -> None:
    # 10 subjects, 不合格 min 10% -> 1 place, already taken by the vetoed subject: nobody else moves.
    subjects = group("98", "95", "91", "88", "85", "84", "75", "70", "65")
    subjects.append(subject_scoring("s10", "99", vetoes=(Veto("SEC-01"),)))
    results = compute_cycle(forced(BOTTOM_10), subjects)
    grades = grades_of(results)
    assert grades["s10"] == "D"
    assert grades["s09"] == "C"
    assert results[-1].rank == 1  # still ranked by its composite


def test_cascade_through_two_max_quotas() -> None:
    # 5 subjects, A max 20% -> 1 place, B max 20% -> 1 place. All five are in band A.
    # A: 99. B: 98. The rest fall to C.
    quotas = (Quota("A", "max", D("0.2")), Quota("B", "max", D("0.2")))
    results = compute_cycle(forced(*quotas), group("99", "98", "97", "96", "95"))
    assert [r.grade for r in results] == ["A", "B", "C", "C", "C"]
    assert results[2].grade_reason == ("forced distribution: rank 3 of 5; quota 优秀 max 20% → 1 place; "
                                       "quota 良好 max 20% → 1 place; moved down from band 优秀 90–100 to 合格")


def test_small_groups_use_bands() -> None:
    results = compute_cycle(forced(TOP_20, min_group_size=5), group("98", "96", "95"))
    assert [r.grade for r in results] == ["A", "A", "A"]
    assert results[0].grade_reason == ("band 优秀 90–100 (group of 3 is below the forced-distribution "
                                       "minimum of 5)")


def test_groups_are_distributed_separately() -> None:
    subjects = [subject_scoring(f"a{i}", s, "east") for i, s in enumerate(("99", "98", "97", "96", "95"))]
    subjects += [subject_scoring(f"b{i}", s, "west") for i, s in enumerate(("99", "50"))]
    detailed = compute_cycle_detailed(forced(TOP_20), subjects)
    assert detailed.groups["east"].counts == {"A": 1, "B": 4}
    assert detailed.groups["west"].counts == {"A": 1, "D": 1}
    assert {r.subject_id: (r.rank, r.group_size) for r in detailed.results}["b1"] == (2, 2)


# --------------------------------------------------------------------------- ranking


@pytest.mark.parametrize(
    ("scores", "ranks"),
    [([], []), (["95"], [1]), (["95", "90", "90", "80"], [1, 2, 2, 4]), (["7", "7", "7"], [1, 1, 1]),
     (["9", "8", "8", "8", "1"], [1, 2, 2, 2, 5])],
)
def test_competition_ranking(scores: list[str], ranks: list[int]) -> None:
    assert competition_ranks([D(s) for s in scores]) == ranks


# --------------------------------------------------------------------------- properties

COMPOSITES = st.lists(st.sampled_from([D(v) for v in (40, 59, 60, 70, 79, 80, 85, 89, 90, 95, 100)]),
                      min_size=1, max_size=40)


@PROPERTY
@given(
    composites=COMPOSITES,
    max_share=st.sampled_from([D("0.1"), D("0.15"), D("0.2"), D("0.3"), D("0.5")]),
    b_max=st.sampled_from([None, D("0.2"), D("0.4")]),
    min_share=st.sampled_from([None, D("0.05"), D("0.1"), D("0.25")]),
    vetoed=st.integers(min_value=0, max_value=3),
)
def test_forced_distribution_respects_quotas_except_for_ties(
    composites: list[Decimal], max_share: Decimal, b_max: Decimal | None, min_share: Decimal | None, vetoed: int,
) -> None:
    scale = BandScale(bands())
    ranked = sorted(composites, reverse=True)
    band_grades = scale.indices(ranked)
    n = len(ranked) + vetoed
    max_a = quota_places(n, "max", max_share)
    max_b = None if b_max is None else quota_places(n, "max", b_max)
    min_d = 0 if min_share is None else quota_places(n, "min", min_share)
    assume(min_d <= n)
    segments = distribute(ranked, band_grades, [max_a, max_b, None, None], [0, 0, 0, min_d], vetoed)
    grade = [0] * len(ranked)
    for seg in segments:
        for i in range(seg.start, seg.end):
            grade[i] = seg.grade
    # Everyone is graded once, runs are consecutive and grades never improve down the ranking.
    assert [(s.start, s.end) for s in segments] == [(segments[0].start, segments[0].end)] + [
        (segments[i - 1].end, segments[i].end) for i in range(1, len(segments))]
    assert segments[-1].end == len(ranked)
    assert all(grade[i] <= grade[i + 1] for i in range(len(ranked) - 1))
    # Ties always share one grade.
    for i in range(len(ranked) - 1):
        if ranked[i] == ranked[i + 1]:
            assert grade[i] == grade[i + 1]
    # A max quota is exceeded only by a tie at its boundary, and then only by tied subjects.
    for g, cap in ((0, max_a), (1, max_b)):
        seg = segments[g]
        if cap is not None and seg.end - seg.start > cap:
            boundary = seg.start + cap
            assert ranked[boundary - 1] == ranked[boundary]
            assert all(ranked[i] == ranked[boundary] for i in range(boundary, seg.end))
    # The lowest grade's minimum is met (vetoed subjects count) unless a tie straddles its cut.
    lowest = segments[-1]
    need = max(0, min_d - vetoed)
    if lowest.end - lowest.start < need:
        cut = len(ranked) - need
        assert ranked[cut - 1] == ranked[cut]
    # Nobody is moved without a quota asking for it: with no quotas at all, bands decide.
    if max_a >= len(ranked) and (max_b is None or max_b >= len(ranked)) and need == 0:
        assert grade == band_grades
