"""Bonus (绩效奖金) in integer fen (分).

Base mode
    ``bonus = base × grade coefficient × proration``, rounded half up to the fen. All
    three factors are exact rationals (Decimal coefficient, Fraction proration), so the only
    rounding is that last one.
Pool mode
    A pool of ``P`` fen is shared in proportion to weights ``w_i`` (the engine uses
    composite × grade coefficient × proration). With ``W = Σ w_i``:

    1. every subject gets ``floor(P × w_i / W)`` fen;
    2. the ``R`` fen left over (``R`` < number of subjects) go one each to the subjects
       with the largest remainders ``P × w_i / W - floor(...)``; equal remainders are
       served in ascending ``subject_id`` order.

    So the pool is always paid out exactly: 1000 fen over three equal weights is 334, 333,
    333, the 334 going to the smallest subject id. If every weight is zero (or there are
    no subjects) nothing is paid and the whole pool is reported as unallocated.

All arithmetic is on Python integers, so there is no precision limit to reason about.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from .rounding import round_half_up_div

__all__ = ["PoolAllocation", "allocate_pool", "base_bonus", "pool_weight"]

Ratio = tuple[int, int]  # (numerator, positive denominator)


def base_bonus(base_fen: int, coefficient: Decimal, proration: Fraction = Fraction(1)) -> int:
    """``base_fen × coefficient × proration`` rounded half up to the fen."""
    num, den = coefficient.as_integer_ratio()
    return round_half_up_div(base_fen * num * proration.numerator, den * proration.denominator)


def pool_weight(score: Decimal, coefficient: Decimal, proration: Fraction = Fraction(1)
                ) -> Fraction:
    """A subject's exact weight in a pool: score × coefficient × proration."""
    return Fraction(score) * Fraction(coefficient) * proration


@dataclass(frozen=True, slots=True)
class PoolAllocation:
    """Fen per subject (in the order given), what was paid, and what could not be."""

    shares: tuple[tuple[str, int], ...]
    paid_fen: int
    unallocated_fen: int


def allocate_pool(pool_fen: int, weights: Sequence[tuple[str, Decimal | Fraction | int]]
                  ) -> PoolAllocation:
    """Share ``pool_fen`` by ``(subject_id, weight)`` with the largest-remainder rule."""
    ids = [sid for sid, _ in weights]
    ratios = [w.as_integer_ratio() for _, w in weights]
    fen, unallocated = allocate_ratios(pool_fen, ids, ratios)
    return PoolAllocation(tuple(zip(ids, fen, strict=True)), pool_fen - unallocated, unallocated)


def allocate_ratios(pool_fen: int, ids: Sequence[str], ratios: Sequence[Ratio]
                    ) -> tuple[list[int], int]:
    """Core of :func:`allocate_pool` on exact ``(num, den)`` weights.

    Returns the fen per subject and the unallocated fen (the pool, if all weights are 0).
    """
    if pool_fen < 0:
        raise ValueError("a bonus pool cannot be negative")
    if any(num < 0 for num, _ in ratios):
        raise ValueError("pool weights must not be negative")
    common = math.lcm(*(den for _, den in ratios)) if ratios else 1
    scaled = [num * (common // den) for num, den in ratios]
    total = sum(scaled)
    if total == 0:
        return [0] * len(ids), pool_fen
    shares = [divmod(pool_fen * w, total) for w in scaled]
    fen = [q for q, _ in shares]
    left = pool_fen - sum(fen)
    if left:
        order = sorted(range(len(ids)), key=lambda i: (-shares[i][1], ids[i]))
        for i in order[:left]:
            fen[i] += 1
    return fen, 0
