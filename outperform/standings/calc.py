"""Pure arithmetic of standings and settlements: no Django, no I/O.

Rounding: scores are Decimal, ROUND_HALF_UP to 2 places at the end (never in between); money is
integer fen, a percentage of a fee is rounded ROUND_HALF_UP to the fen once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

TWO_PLACES = Decimal("0.01")
ONE_PLACE = Decimal("0.1")


def q2(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def q1(value: Decimal) -> Decimal:
    return value.quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Weighted:
    score: Decimal | None  # None: no period with activity
    weights: tuple[Decimal | None, ...]  # effective weight (fraction) of each period, None if excluded


def decayed_score(period_scores: Sequence[Decimal | None], weights: Sequence[Decimal | int]) -> Weighted:
    """Weighted mean of period scores, newest first, with decay weights newest first.

    Only the first len(weights) periods count. A period with no activity (None) is excluded and
    the weights of the remaining periods are renormalised to sum to 1. None if no period counts.
    """
    pairs = list(zip(period_scores, (Decimal(w) for w in weights), strict=False))
    present = [(s, w) for s, w in pairs if s is not None and w > 0]
    total_weight = sum((w for _s, w in present), Decimal(0))
    if not present or total_weight == 0:
        return Weighted(score=None, weights=tuple(None for _ in pairs))
    score = sum((s * w for s, w in present), Decimal(0)) / total_weight
    effective = tuple(None if s is None or w <= 0 else w / total_weight for s, w in pairs)
    return Weighted(score=q2(score), weights=effective)


@dataclass(frozen=True)
class Band:
    code: str
    lower_bound: Decimal


def band_for(score: Decimal, bands: Sequence[Band]) -> str:
    """The band with the highest lower bound not above the score; the lowest band below them all."""
    ordered = sorted(bands, key=lambda b: b.lower_bound, reverse=True)
    if not ordered:
        raise ValueError("no standing bands")
    for band in ordered:
        if score >= band.lower_bound:
            return band.code
    return ordered[-1].code


def band_rank(code: str, bands: Sequence[Band]) -> int:
    """0 for the best band, 1 for the next …; used to tell a drop from a rise."""
    ordered = [b.code for b in sorted(bands, key=lambda b: b.lower_bound, reverse=True)]
    return ordered.index(code) if code in ordered else len(ordered)


@dataclass(frozen=True)
class SettlementAmounts:
    fee_fen: int
    adjustment_pct: Decimal
    standing_adjustment_fen: int  # signed: negative is a deduction
    breach_count: int
    breach_deduction_fen: int  # positive: deducted
    breach_capped: bool
    deduction_fen: int  # total deducted (positive), standing bonus counted negative
    final_fen: int


def settle(*, fee_fen: int, adjustment_pct: Decimal, breach_count: int, per_breach_fen: int,
           breach_cap_fen: int | None) -> SettlementAmounts:
    """Order: (1) the standing percentage on the period fee, rounded half-up to the fen;
    (2) SLA breaches × fixed deduction, capped; (3) final = fee + (1) − (2), never below 0."""
    raw = Decimal(fee_fen) * adjustment_pct / Decimal(100)
    standing_fen = int(raw.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    breach_fen = breach_count * per_breach_fen
    capped = breach_cap_fen is not None and breach_fen > breach_cap_fen
    if capped:
        assert breach_cap_fen is not None
        breach_fen = breach_cap_fen
    final = max(0, fee_fen + standing_fen - breach_fen)
    return SettlementAmounts(
        fee_fen=fee_fen, adjustment_pct=adjustment_pct, standing_adjustment_fen=standing_fen,
        breach_count=breach_count, breach_deduction_fen=breach_fen, breach_capped=capped,
        deduction_fen=fee_fen - final, final_fen=final,
    )
