"""Renormalising weights over what is present, so that they add up to exactly 100.

When a rater role did not rate, or an indicator is NOT_APPLICABLE, the remaining weights
are scaled up to 100. Exact scaling gives repeating decimals (100/3), which could never be
shown or re-added to exactly 100, so effective weights are apportioned in hundredths by the
largest-remainder method:

1. each weight's exact share ``w × 100 / Σw`` is floored to 0.01;
2. the hundredths still missing to reach 100.00 go one each to the largest remainders,
   ties to the weight listed first (template order).

Scores are then combined with these effective weights, so every breakdown adds up:
Σ effective weights = 100 and Σ score × effective weight / 100 = the weighted score.
When every weight is present the effective weights are the configured ones unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Final

from .rounding import HUNDRED

__all__ = ["WeightTable", "apportion"]

_ABSENT: Final = Decimal("0.00")


def apportion(weights: Sequence[Decimal], total: Decimal = HUNDRED) -> tuple[Decimal, ...]:
    """Scale non-negative ``weights`` to add up to exactly ``total``, in steps of 0.01.

    Raises ``ValueError`` if the weights add up to zero or ``total`` is not a multiple of
    0.01.
    """
    units = total * 100
    if units != units.to_integral_value() or units < 0:
        raise ValueError("total must be a non-negative multiple of 0.01")
    target = int(units)
    ratios = [w.as_integer_ratio() for w in weights]
    if any(num < 0 for num, _ in ratios):
        raise ValueError("weights must not be negative")
    common = math.lcm(*(den for _, den in ratios)) if ratios else 1
    scaled = [num * (common // den) for num, den in ratios]
    whole = sum(scaled)
    if whole == 0:
        raise ValueError("weights add up to zero")
    shares = [divmod(w * target, whole) for w in scaled]
    result = [q for q, _ in shares]
    missing = target - sum(result)
    # Fewer missing units than positive remainders, so zero weights never get one.
    by_remainder = sorted(range(len(shares)), key=lambda i: (-shares[i][1], i))
    for i in by_remainder[:missing]:
        result[i] += 1
    return tuple(Decimal(q).scaleb(-2) for q in result)


class WeightTable:
    """Effective weights for each pattern of present items, computed once per pattern.

    A pattern is a bit mask (bit ``i`` set = item ``i`` present). A template has few
    distinct patterns in practice, so 100,000 subjects cost a few apportionments.
    """

    __slots__ = ("_cache", "weights")

    def __init__(self, weights: Sequence[Decimal]) -> None:
        self.weights: tuple[Decimal, ...] = tuple(weights)
        self._cache: dict[int, tuple[tuple[Decimal, ...], tuple[Decimal, ...]] | None] = {}

    def lookup(self, mask: int) -> tuple[tuple[Decimal, ...], tuple[Decimal, ...]] | None:
        """``(effective weights, factors)`` for all items, or ``None``.

        Absent items get effective weight 0.00 and factor 0. ``factors`` are effective
        weight / 100, so a contribution is one exact multiplication. ``None`` when the
        present items weigh nothing.
        """
        try:
            return self._cache[mask]
        except KeyError:
            entry = self._compute(mask)
            self._cache[mask] = entry
            return entry

    def _compute(self, mask: int) -> tuple[tuple[Decimal, ...], tuple[Decimal, ...]] | None:
        present = [i for i in range(len(self.weights)) if mask >> i & 1]
        if not any(self.weights[i] for i in present):
            return None
        shares = dict(zip(present, apportion([self.weights[i] for i in present]),
                          strict=True))
        effective = tuple(shares.get(i, _ABSENT) for i in range(len(self.weights)))
        return effective, tuple((e / HUNDRED).normalize() for e in effective)
