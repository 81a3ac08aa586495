"""The one rounding rule of the scoring engine.

* Arithmetic runs in :data:`SCORING_CONTEXT`: 28 significant digits, so every intermediate
  value (role means, renormalised sums, formula results) is reproducible bit for bit no
  matter what decimal context the caller has installed.
* A score is rounded only at the end of a stage (an indicator score, the composite), to two
  decimal places, ROUND_HALF_UP: 84.995 -> 85.00, 84.994999 -> 84.99.
* Money is an integer number of fen (分), rounded half up (away from zero) from an exact
  rational amount; it never passes through a binary float.

Nothing between two stage ends is rounded to a quantum. The engine computes a qualitative
score over a common denominator with one division, and a composite as a sum of exact
products, so the half-up rule always sees the exact value - or a 28-digit quotient of a
rational that is either exactly on a half-hundredth (and then exact) or far further from one
than the 28th digit.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from typing import Final

__all__ = [
    "HUNDRED",
    "SCORE_QUANTUM",
    "SCORING_CONTEXT",
    "ZERO",
    "round_half_up_div",
    "round_score",
    "scoring_context",
]

SCORE_QUANTUM: Final = Decimal("0.01")
ZERO: Final = Decimal(0)
HUNDRED: Final = Decimal(100)

SCORING_CONTEXT: Final = Context(
    prec=28,
    rounding=ROUND_HALF_EVEN,
    Emin=-999_999,
    Emax=999_999,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)


@contextmanager
def scoring_context() -> Iterator[Context]:
    """Run the block under :data:`SCORING_CONTEXT` (a copy; the caller's context is restored)."""
    with localcontext(SCORING_CONTEXT) as ctx:
        yield ctx


def round_score(value: Decimal) -> Decimal:
    """Round a stage-end score to 0.01, half up."""
    return value.quantize(SCORE_QUANTUM, rounding=ROUND_HALF_UP)


def round_half_up_div(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded to the nearest integer, halves away from zero.

    Used for fen amounts: exact integer arithmetic, no Decimal precision limit involved.
    """
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    if numerator >= 0:
        return (2 * numerator + denominator) // (2 * denominator)
    return -((-2 * numerator + denominator) // (2 * denominator))
