"""The dense integer path over many subjects at once, with numpy.

:class:`~.composite.SubjectScorer` scores one subject with dense ratings in Python
integers (see ``_DensePlan``). For a :class:`~.dense.DenseBlock` - the dense ratings of
many subjects as one matrix - the same integer arithmetic runs as a handful of array
operations over all of them, which is what lets a service score 100,000 subjects in a
fraction of a second. Same formulas, same integers, so the same results to the last digit
(pinned by the property test in ``tests/test_vector.py``):

* ``N[s, i] = Σ_r cents[s, r] × E_r`` over indicator ``i``'s slots, ``E_r`` the role's
  effective weight in hundredths of a percent (they add up to 10^4);
* indicator score in hundredths ``q = (2N + 10^4) // (2 × 10^4)``: the exact weighted mean,
  rounded half up;
* ``units[s] = Σ_i q[s, i] × F_i``, the weighted score as an integer of
  ``10^-(shift + 2)``;
* composite in hundredths = ``units / 10^shift`` rounded half up, clamped to the scale
  (rounding and clamping commute because the scale's ends are whole hundredths).

Every value stays far inside 64 bits: the plan refuses a template whose largest possible
``units`` would not (it then takes the per-subject path).

numpy is optional: without it :data:`AVAILABLE` is false and nothing here is used.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

try:
    import numpy as np
except ImportError:  # pragma: no cover - exercised only where numpy is missing
    np = None  # type: ignore[assignment]

__all__ = ["AVAILABLE", "VectorPlan"]

AVAILABLE = np is not None
_LIMIT = 2**62


class VectorPlan:
    """The arrays of one template's dense plan: per slot the role multiplier ``E_r``, per
    indicator its first slot and its factor ``F_i``; the scale's ends in hundredths."""

    __slots__ = ("factors", "high", "low", "multipliers", "shift", "starts")

    def __init__(self, rows: Sequence[tuple[int, int, tuple[int, ...], int]], shift: int,
                 low: int, high: int) -> None:
        assert np is not None
        self.multipliers = np.array([m for _, _, ms, _ in rows for m in ms], dtype=np.int64)
        self.starts = np.array([start for start, _, _, _ in rows], dtype=np.intp)
        self.factors = np.array([factor for _, _, _, factor in rows], dtype=np.int64)
        self.shift = shift
        self.low = low
        self.high = high

    @classmethod
    def build(cls, rows: Sequence[tuple[int, int, tuple[int, ...], int]], shift: int,
              scale_min: Decimal, scale_max: Decimal) -> VectorPlan | None:
        """The plan, or None without numpy, with a scale whose ends are not whole hundredths,
        or with numbers that could leave 64 bits."""
        if np is None or not rows:
            return None
        low, high = scale_min.scaleb(2), scale_max.scaleb(2)
        if low != low.to_integral_value() or high != high.to_integral_value():
            return None
        largest_n = max(10000 * sum(ms) for _, _, ms, _ in rows)
        largest_units = 10000 * sum(factor for _, _, _, factor in rows)
        if max(largest_n * 2 + 10000, largest_units * 2 + 10**shift, abs(int(low)), abs(int(high))) >= _LIMIT:
            return None
        return cls(rows, shift, int(low), int(high))

    def score(self, cents: Any) -> tuple[list[list[int]], list[int], list[int]]:
        """For a matrix of cents (subjects × slots): indicator scores in hundredths (one
        list per subject), weighted units, and composites in hundredths (before 加减分)."""
        assert np is not None
        weighted = cents.astype(np.int64, copy=False) * self.multipliers
        totals = np.add.reduceat(weighted, self.starts, axis=1)
        scores = (2 * totals + 10000) // 20000
        units = scores @ self.factors
        divisor = 10**self.shift
        composites = np.clip((2 * units + divisor) // (2 * divisor), self.low, self.high)
        return scores.tolist(), units.tolist(), composites.tolist()
