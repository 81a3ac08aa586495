"""Survey scoring, pure functions (no Django): docs/surveys.md §Scoring.

- rating 1–5: (v − 1) / 4 × 100;  rating 0–10: v / 10 × 100;
- single choice: the chosen option's score (0–100);
- multiple choice: the sum of the chosen options' scores, capped at 100;
- text: not scored.

A response's score is the weight-averaged mean of its scored answers, computed exactly and rounded
once to two decimals, ROUND_HALF_UP. No scored answer → None (not applicable), never 0.
A survey's result is the mean of its responses' scores (those that have one), rounded the same way.
The response rate is responses / invitations × 100, rounded the same way; no invitations → None.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

HUNDRED = Fraction(100)


def _exact_round(value: Fraction) -> Decimal:
    """Half up to two decimals, exactly (no intermediate Decimal division)."""
    hundredths = value * 100
    q, r = divmod(hundredths.numerator, hundredths.denominator)
    if 2 * r >= hundredths.denominator:
        q += 1
    return Decimal(q).scaleb(-2) if value >= 0 else -_exact_round(-value)


def rating_score(kind: str, value: int) -> Fraction:
    if kind == "rating5":
        if not 1 <= value <= 5:
            raise ValueError("rating out of 1–5")
        return Fraction(value - 1, 4) * HUNDRED
    if kind == "rating10":
        if not 0 <= value <= 10:
            raise ValueError("rating out of 0–10")
        return Fraction(value, 10) * HUNDRED
    raise ValueError(f"not a rating question: {kind}")


def choice_score(kind: str, option_scores: Sequence[Decimal | int | str], chosen: Iterable[int]) -> Fraction | None:
    picked = sorted(set(chosen))
    if not picked:
        return None
    for i in picked:
        if not 0 <= i < len(option_scores):
            raise ValueError("no such option")
    scores = [Fraction(Decimal(str(option_scores[i]))) for i in picked]
    if kind == "single":
        if len(scores) != 1:
            raise ValueError("a single-choice question takes one option")
        return scores[0]
    return min(sum(scores, Fraction(0)), HUNDRED)


@dataclass(frozen=True)
class ScoredAnswer:
    score: Fraction | None  # None: a text answer or an unanswered optional question
    weight: Fraction


def response_score(answers: Iterable[ScoredAnswer]) -> Decimal | None:
    total = Fraction(0)
    weights = Fraction(0)
    for a in answers:
        if a.score is None or a.weight <= 0:
            continue
        total += a.score * a.weight
        weights += a.weight
    if weights == 0:
        return None
    return _exact_round(total / weights)


def answer_score(score: Fraction | None) -> Decimal | None:
    return None if score is None else _exact_round(score)


def mean_score(scores: Iterable[Decimal | None]) -> Decimal | None:
    present = [Fraction(s) for s in scores if s is not None]
    if not present:
        return None
    return _exact_round(sum(present, Fraction(0)) / len(present))


def response_rate(responses: int, invitations: int) -> Decimal | None:
    if invitations <= 0:
        return None
    return _exact_round(Fraction(responses, invitations) * 100)
