"""A DenseBlock (many subjects' dense ratings as one numpy matrix) is scored in one pass and
gives the general path's results to the last digit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from outperform.scoring import (
    Adjustment,
    DenseBlock,
    IndicatorSpec,
    InputError,
    SubjectInput,
    TemplateSpec,
    Veto,
    compute_cycle,
    rating_grid,
)
from outperform.scoring.composite import SubjectScorer
from outperform.scoring.dense import SCORE_DECIMALS

from .factories import PROPERTY, assert_same_results, bands
from .test_dense import templates

np = pytest.importorskip("numpy")

D = Decimal


@st.composite
def cycles(draw: st.DrawFn) -> tuple[TemplateSpec, list[SubjectInput], list[SubjectInput]]:
    """The same subjects twice: rated through one shuffled DenseBlock, and as plain mappings."""
    template = draw(templates())
    grid = rating_grid(template)
    n = draw(st.integers(1, 14))
    values = [draw(st.lists(st.one_of(st.integers(0, 10000), st.sampled_from([0, 4999, 5000, 8995, 10000])),
                            min_size=len(grid), max_size=len(grid))) for _ in range(n)]
    # The block's rows are in another order than the subjects: each subject names its row.
    order = draw(st.permutations(range(n)))
    matrix = np.zeros((n, len(grid)), dtype=draw(st.sampled_from(["int64", "int32", "uint16"])))
    for k, row in enumerate(order):
        matrix[row] = values[k]
    block = DenseBlock.checked(grid, matrix)
    blocked, general = [], []
    for k in range(n):
        adjustments = tuple(Adjustment(f"A{j}", D(draw(st.integers(-800, 800))).scaleb(-2), D(5))
                            for j in range(draw(st.integers(0, 2))))
        common = {"group_key": draw(st.sampled_from(["G1", "G2"])), "adjustments": adjustments,
                  "vetoes": (Veto("V1"),) if draw(st.integers(0, 9)) == 0 else (),
                  "base_bonus_fen": draw(st.integers(0, 500000))}
        ratings: dict[str, dict[str, list[Decimal]]] = {}
        for (code, role), v in zip(grid.slots, values[k], strict=True):
            ratings.setdefault(code, {})[role] = [SCORE_DECIMALS[v]]
        blocked.append(SubjectInput(f"S{k:03d}", ratings=block.ratings(order[k]), **common))
        general.append(SubjectInput(f"S{k:03d}", ratings=ratings, **common))
    return template, blocked, general


@PROPERTY
@given(case=cycles())
def test_a_dense_block_gives_the_general_results_to_the_last_digit(case) -> None:  # type: ignore[no-untyped-def]
    template, blocked, general = case
    assert SubjectScorer(template)._vector is not None, "the block took the vector path"
    assert_same_results(compute_cycle(template, blocked), compute_cycle(template, general))


def test_a_worked_example_by_hand() -> None:
    # given: Q0 weight 60, Q1 weight 40; roles self 10, supervisor 50, peer 25, client 15;
    # two subjects in one block, the second row first
    template = TemplateSpec(indicators=(IndicatorSpec("Q0", D(60)), IndicatorSpec("Q1", D(40))),
                            role_weights={"self": D(10), "supervisor": D(50), "peer": D(25), "client": D(15)},
                            bands=bands())
    grid = rating_grid(template)
    block = DenseBlock.checked(grid, np.array([[10000] * 8,
                                               [9000, 8000, 7050, 6025, 10000, 8550, 7700, 6666]]))
    subjects = [SubjectInput("x", ratings=block.ratings(1)), SubjectInput("y", ratings=block.ratings(0))]
    x, y = compute_cycle(template, subjects)
    # then: x: Q0 = 9 + 40 + 17.625 + 9.0375 = 75.6625 → 75.66; Q1 = 10 + 42.75 + 19.25 + 9.999
    #       = 81.999 → 82.00; weighted = 75.66 × 0.6 + 82.00 × 0.4 = 45.396 + 32.8 = 78.196 → 78.20
    #       y: every score 100 → 100.00
    assert [row.score for row in x.indicators] == [D("75.66"), D("82.00")]
    assert (str(x.weighted_score), str(x.composite), x.grade) == ("78.196", "78.20", "C")
    assert x.indicators[1].roles[3].scores == (D("66.66"),)
    assert (str(y.composite), y.grade) == ("100.00", "A")


def test_a_block_with_the_wrong_width_or_values_is_refused() -> None:
    grid = rating_grid(TemplateSpec(indicators=(IndicatorSpec("Q0", D(100)),),
                                    role_weights={"supervisor": D(60), "self": D(40)}, bands=bands()))
    with pytest.raises(InputError):
        DenseBlock(grid, np.zeros((3, 3), dtype=np.int64))
    with pytest.raises(InputError):
        DenseBlock.checked(grid, np.array([[0, 10001]]))
    with pytest.raises(InputError):
        DenseBlock.checked(grid, np.array([[0.5, 1.0]]))
