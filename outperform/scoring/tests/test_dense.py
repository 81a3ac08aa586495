"""Dense ratings (one score per slot, as integers) give the general path's results to the last
digit: same Decimals (value and exponent), grades, ranks, bonuses and breakdown rows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from outperform.scoring import (
    Adjustment,
    DenseRatings,
    IndicatorSpec,
    InputError,
    Quota,
    SubjectInput,
    TemplateSpec,
    compute_cycle,
    rating_grid,
)
from outperform.scoring.dense import SCORE_DECIMALS

from .factories import PROPERTY, assert_same_results, bands

D = Decimal
ROLES = ("self", "supervisor", "peer", "client")


def _weights(draw: st.DrawFn, n: int) -> list[Decimal]:
    """n non-negative weights in hundredths adding up to exactly 100.00 (at least one positive)."""
    cuts = sorted(draw(st.lists(st.integers(0, 10000), min_size=n - 1, max_size=n - 1)))
    edges = [0, *cuts, 10000]
    return [D(edges[i + 1] - edges[i]).scaleb(-2) for i in range(n)]


@st.composite
def templates(draw: st.DrawFn) -> TemplateSpec:
    roles = draw(st.lists(st.sampled_from(ROLES), min_size=1, max_size=4, unique=True))
    role_weights = dict(zip(roles, _weights(draw, len(roles)), strict=True))
    if not any(role_weights.values()):
        role_weights[roles[0]] = D(100)
    n = draw(st.integers(1, 6))
    weights = _weights(draw, n)
    indicators = []
    for i, w in enumerate(weights):
        own = None
        if draw(st.booleans()):  # an indicator with its own role weights
            sub = draw(st.lists(st.sampled_from(ROLES), min_size=1, max_size=4, unique=True))
            own = dict(zip(sub, _weights(draw, len(sub)), strict=True))
        indicators.append(IndicatorSpec(f"Q{i}", w, role_weights=own))
    forced = draw(st.booleans())
    return TemplateSpec(
        indicators=tuple(indicators), role_weights=role_weights, bands=bands(),
        grading="forced_distribution" if forced else "bands",
        quotas=(Quota("A", "max", D("0.2")), Quota("D", "min", D("0.1"))) if forced else (),
        min_group_size=3, adjustment_cap=draw(st.sampled_from([None, D(3)])),
        bonus=draw(st.sampled_from(["none", "base"])),
    )


@st.composite
def cycles(draw: st.DrawFn) -> tuple[TemplateSpec, list[SubjectInput], list[SubjectInput]]:
    template = draw(templates())
    grid = rating_grid(template)
    n = draw(st.integers(1, 12))
    dense, general = [], []
    for k in range(n):
        values = draw(st.lists(st.one_of(st.integers(0, 10000), st.sampled_from([0, 5000, 8995, 10000])),
                               min_size=len(grid), max_size=len(grid)))
        adjustments = tuple(Adjustment(f"A{j}", D(draw(st.integers(-800, 800))).scaleb(-2), D(5))
                            for j in range(draw(st.integers(0, 2))))
        common = {"group_key": draw(st.sampled_from(["G1", "G2"])), "adjustments": adjustments,
                  "base_bonus_fen": draw(st.integers(0, 500000))}
        ratings: dict[str, dict[str, list[Decimal]]] = {}
        for (code, role), v in zip(grid.slots, values, strict=True):
            ratings.setdefault(code, {})[role] = [SCORE_DECIMALS[v]]
        dense.append(SubjectInput(f"S{k:03d}", ratings=DenseRatings.checked(grid, values), **common))
        general.append(SubjectInput(f"S{k:03d}", ratings=ratings, **common))
    return template, dense, general


@PROPERTY
@given(case=cycles())
def test_dense_ratings_give_the_general_results_to_the_last_digit(case) -> None:  # type: ignore[no-untyped-def]
    template, dense, general = case
    assert_same_results(compute_cycle(template, dense), compute_cycle(template, general))


def test_a_worked_example_by_hand() -> None:
    # given: Q0 weight 60, Q1 weight 40; roles self 10, supervisor 50, peer 25, client 15
    template = TemplateSpec(indicators=(IndicatorSpec("Q0", D(60)), IndicatorSpec("Q1", D(40))),
                            role_weights={"self": D(10), "supervisor": D(50), "peer": D(25), "client": D(15)},
                            bands=bands())
    grid = rating_grid(template)
    assert grid.slots == (("Q0", "self"), ("Q0", "supervisor"), ("Q0", "peer"), ("Q0", "client"),
                          ("Q1", "self"), ("Q1", "supervisor"), ("Q1", "peer"), ("Q1", "client"))
    # when: Q0 = 90, 80, 70.5, 60.25; Q1 = 100, 85.5, 77, 66.66
    values = [9000, 8000, 7050, 6025, 10000, 8550, 7700, 6666]
    (result,) = compute_cycle(template, [SubjectInput("x", ratings=DenseRatings.checked(grid, values))])
    # then: Q0 = 9 + 40 + 17.625 + 9.0375 = 75.6625 → 75.66;
    #       Q1 = 10 + 42.75 + 19.25 + 9.999 = 81.999 → 82.00;
    #       weighted = 75.66 × 0.6 + 82.00 × 0.4 = 45.396 + 32.8 = 78.196 → composite 78.20
    assert [row.score for row in result.indicators] == [D("75.66"), D("82.00")]
    assert str(result.weighted_score) == "78.196"
    assert str(result.composite) == "78.20" and result.grade == "C"
    assert result.indicators[1].roles[3].scores == (D("66.66"),)


def test_dense_ratings_for_another_grid_take_the_general_path() -> None:
    template = TemplateSpec(indicators=(IndicatorSpec("Q0", D(100)),), role_weights={"supervisor": D(100)},
                            bands=bands())
    other = rating_grid(TemplateSpec(indicators=(IndicatorSpec("Q0", D(100)),),
                                     role_weights={"supervisor": D(60), "self": D(40)}, bands=bands()))
    # The supervisor's 80 counts; the self score is a role this template does not weight.
    (result,) = compute_cycle(template, [SubjectInput("x", ratings=DenseRatings.checked(other, [8000, 5000]))])
    assert result.composite == D("80.00")


@pytest.mark.parametrize("values", [[1], [1, 2, 3], [-1, 5], [10001, 0], [D(1), 0]])
def test_checked_dense_ratings_refuse_bad_values(values) -> None:  # type: ignore[no-untyped-def]
    grid = rating_grid(TemplateSpec(indicators=(IndicatorSpec("Q0", D(100)),),
                                    role_weights={"supervisor": D(60), "self": D(40)}, bands=bands()))
    with pytest.raises(InputError):
        DenseRatings.checked(grid, values)
