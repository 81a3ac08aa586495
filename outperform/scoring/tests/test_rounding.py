from decimal import Decimal, localcontext

import pytest

from outperform.scoring.rounding import SCORING_CONTEXT, round_half_up_div, round_score, scoring_context

D = Decimal


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("84.995", "85.00"),  # a half goes up ...
        ("84.985", "84.99"),  # ... even when banker's rounding would go down to 84.98
        ("84.9949999", "84.99"),
        ("0.005", "0.01"),
        ("100", "100.00"),
        ("79.752", "79.75"),
    ],
)
def test_round_score_is_half_up_to_hundredths(value: str, expected: str) -> None:
    result = round_score(D(value))
    assert result == D(expected)
    assert str(result) == expected  # always two decimals, for display


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [(5, 2, 3), (7, 2, 4), (7, 3, 2), (8, 3, 3), (1, 3, 0), (-5, 2, -3), (0, 7, 0), (6, 3, 2)],
)
def test_fen_division_rounds_half_away_from_zero(numerator: int, denominator: int, expected: int) -> None:
    assert round_half_up_div(numerator, denominator) == expected


def test_fen_division_needs_a_positive_denominator() -> None:
    with pytest.raises(ValueError, match="positive"):
        round_half_up_div(1, 0)


def test_scoring_context_restores_the_callers_context() -> None:
    with localcontext() as outer:
        outer.prec = 5
        with scoring_context() as ctx:
            assert ctx.prec == SCORING_CONTEXT.prec == 28
            assert D(1) / D(3) == D("0.3333333333333333333333333333")
        assert D(1) / D(3) == D("0.33333")
