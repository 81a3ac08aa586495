"""The arithmetic of bonuses and salary suggestions: pure functions over plain values, no Django.

Money is integer fen; coefficients and percentages are Decimal; proration is an exact ratio of
whole days. The one rounding rule for money is half up to the fen, applied once to an exact
rational (`scoring.rounding.round_half_up_div`); pool shares are not rounded at all but split by
largest remainder, so a pool is paid out to the exact fen. See docs/rewards.md.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

from outperform.scoring.rounding import round_half_up_div

__all__ = [
    "PoolEntry",
    "SalaryRuleSpec",
    "SuggestionResult",
    "base_bonus_fen",
    "days_employed",
    "new_salary_fen",
    "pool_weight",
    "share_pool",
    "suggest_raise",
    "yuan_to_fen",
]

PCT_QUANTUM = Decimal("0.01")


# --- proration --------------------------------------------------------------------------------


def days_employed(hire: dt.date | None, leave: dt.date | None, start: dt.date, end: dt.date) -> tuple[int, int]:
    """(days employed within the period, days in the period), counting calendar days with both ends
    included: a worker hired on the period's last day has 1 day; one who left the day before it
    began has 0. No hire date means employed since before the period; no leave date, still there."""
    if end < start:
        raise ValueError("the period ends before it starts")
    period = (end - start).days + 1
    first = max(start, hire) if hire else start
    last = min(end, leave) if leave else end
    return max(min((last - first).days + 1, period), 0), period


# --- base × coefficient -------------------------------------------------------------------------


def base_bonus_fen(base_fen: int, coefficient: Decimal, days: int = 1, period_days: int = 1) -> int:
    """``base × coefficient × days / period_days`` in fen, rounded half up once from the exact value."""
    if base_fen < 0 or coefficient < 0:
        raise ValueError("a base bonus and a coefficient cannot be negative")
    if period_days <= 0 or not 0 <= days <= period_days:
        raise ValueError("days employed must lie within the period")
    num, den = coefficient.as_integer_ratio()
    return round_half_up_div(base_fen * num * days, den * period_days)


# --- pools ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PoolEntry:
    """One person in a pool. `score` is the composite (None: no result, so no share)."""

    key: int
    employee_no: str
    score: Decimal | None
    coefficient: Decimal
    days: int = 1
    period_days: int = 1


def pool_weight(entry: PoolEntry) -> Fraction:
    """score × coefficient × days / period_days, exactly."""
    if entry.score is None or entry.score <= 0 or entry.coefficient <= 0 or entry.days <= 0:
        return Fraction(0)
    return Fraction(entry.score) * Fraction(entry.coefficient) * Fraction(entry.days, entry.period_days)


def share_pool(pool_fen: int, entries: Sequence[PoolEntry]) -> list[int]:
    """Split `pool_fen` over `entries` in proportion to their weights, to the exact fen.

    1. each gets ``floor(pool × w / W)``;
    2. the fen left over (fewer than the number of people with a weight) go one each to the largest
       remainders; equal remainders go first to the higher score, then to the smaller employee_no.

    Σ shares == pool whenever some weight is positive. If every weight is zero nothing can be
    shared: every share is 0 and the caller reports the pool as unallocated.
    """
    if pool_fen < 0:
        raise ValueError("a bonus pool cannot be negative")
    weights = [pool_weight(e) for e in entries]
    common = math.lcm(*(w.denominator for w in weights)) if weights else 1
    scaled = [w.numerator * (common // w.denominator) for w in weights]
    total = sum(scaled)
    if total == 0:
        return [0] * len(entries)
    parts = [divmod(pool_fen * w, total) for w in scaled]
    shares = [q for q, _ in parts]
    left = pool_fen - sum(shares)
    order = sorted(
        range(len(entries)),
        key=lambda i: (-parts[i][1], -(entries[i].score or Decimal(0)), entries[i].employee_no, entries[i].key),
    )
    for i in order[:left]:
        shares[i] += 1
    return shares


# --- money entered in yuan -------------------------------------------------------------------------


def yuan_to_fen(yuan: Decimal | str | int) -> int:
    """An amount in yuan with at most two decimals, as integer fen; anything finer is refused, not rounded."""
    try:
        value = Decimal(str(yuan).strip())
    except InvalidOperation:
        raise ValueError(f"not an amount: {yuan!r}") from None
    if not value.is_finite():
        raise ValueError(f"not an amount: {yuan!r}")
    fen = value * 100
    if fen != fen.to_integral_value():
        raise ValueError("at most two decimals (fen)")
    return int(fen)


# --- salary suggestions ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SalaryRuleSpec:
    """If the grade `grade_name` is found in `all` / `any` of the last `cycles` results, suggest a
    raise between `min_pct` and `max_pct` (the midpoint). Rules are tried by ascending `priority`;
    the first that matches decides."""

    key: int
    name: str
    grade_name: str
    match: str  # "all" | "any"
    cycles: int
    min_pct: Decimal
    max_pct: Decimal
    priority: int = 0

    def __post_init__(self) -> None:
        if self.match not in ("all", "any"):
            raise ValueError("match must be 'all' or 'any'")
        if self.cycles < 1:
            raise ValueError("a rule looks at one cycle at least")
        if self.min_pct > self.max_pct:
            raise ValueError("the band's minimum is above its maximum")


@dataclass(frozen=True, slots=True)
class SuggestionResult:
    rule_key: int
    pct: Decimal
    cycles_used: tuple[str, ...]  # names of the cycles the rule looked at, most recent first


def suggest_raise(history: Sequence[tuple[str, str]], rules: Sequence[SalaryRuleSpec]) -> SuggestionResult | None:
    """`history`: (cycle name, grade name) most recent first, the cycle in question included.

    An `all` rule needs at least `cycles` results, all of its grade; an `any` rule, its grade among
    the last `cycles` results (fewer if there are fewer). The suggested percentage is the midpoint
    of the band, rounded half up to 0.01 %."""
    for rule in sorted(rules, key=lambda r: (r.priority, r.key)):
        window = history[: rule.cycles]
        grades = [g for _, g in window]
        if rule.match == "all":
            hit = len(window) == rule.cycles and all(g == rule.grade_name for g in grades)
        else:
            hit = rule.grade_name in grades
        if hit:
            pct = ((rule.min_pct + rule.max_pct) / 2).quantize(PCT_QUANTUM, rounding=ROUND_HALF_UP)
            return SuggestionResult(rule.key, pct, tuple(name for name, _ in window))
    return None


def new_salary_fen(current_fen: int, pct: Decimal) -> int:
    """current × (100 + pct) / 100, rounded half up to the fen; never below zero."""
    num, den = (Decimal(100) + pct).as_integer_ratio()
    return max(round_half_up_div(current_fen * num, den * 100), 0)
