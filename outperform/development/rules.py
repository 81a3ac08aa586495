"""The development rules as pure functions over plain data (no Django): what the services feed them
is loaded in bulk, what they return is saved in bulk. Semantics in docs/development.md."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

GRADE_SCALE = ("优秀", "良好", "合格", "不合格")


@dataclass(frozen=True)
class Result:
    """One published result of a worker: the cycle, its end date and the grade name."""

    cycle_id: int
    cycle_name: str
    end_date: dt.date
    grade_name: str


@dataclass(frozen=True)
class IndicatorScore:
    code: str
    name: str
    dimension: str
    score: Decimal


@dataclass(frozen=True)
class Finding:
    reason: str
    topics: tuple[str, ...] = ()


def at_least(grade: str, floor: str, scale: Sequence[str] = GRADE_SCALE) -> bool:
    """True when `grade` is `floor` or better on the scale; an unknown grade is never at least."""
    if grade not in scale or floor not in scale:
        return False
    return scale.index(grade) <= scale.index(floor)


def tenure_months(hire: dt.date, on: dt.date) -> int:
    """Whole months from hire to `on` (a month counts once its day-of-month is reached)."""
    months = (on.year - hire.year) * 12 + on.month - hire.month
    if on.day < hire.day:
        months -= 1
    return max(months, 0)


def latest(history: Sequence[Result], window: int) -> list[Result]:
    """The latest `window` results, newest first (history in any order)."""
    return sorted(history, key=lambda r: (r.end_date, r.cycle_id), reverse=True)[:window]


def _names(results: Sequence[Result]) -> str:
    return "、".join(f"{r.cycle_name}{r.grade_name}" for r in results)


def promotion(
    history: Sequence[Result], *, window: int, min_grade: str, top_grade: str, count: int,
    hire_date: dt.date | None, min_tenure_months: int, on: dt.date,
) -> Finding | None:
    """Promotion candidate: at least `window` results, the latest `window` all ≥ min_grade, at least
    `count` of them at top_grade, and tenure ≥ min_tenure_months on `on`."""
    recent = latest(history, window)
    if len(recent) < window:
        return None
    if not all(at_least(r.grade_name, min_grade) for r in recent):
        return None
    tops = sum(1 for r in recent if r.grade_name == top_grade)
    if tops < count:
        return None
    months = tenure_months(hire_date, on) if hire_date else 0
    if months < min_tenure_months:
        return None
    return Finding(
        f"最近{window}期考核结果均不低于{min_grade}（{_names(recent)}），其中{tops}次{top_grade}；"
        f"司龄{months}个月。"
    )


def job_review(history: Sequence[Result], *, window: int, low_grade: str, count: int) -> Finding | None:
    """Job-fit review: `low_grade` in at least `count` of the latest `window` results."""
    recent = latest(history, window)
    lows = [r for r in recent if r.grade_name == low_grade]
    if len(lows) < count:
        return None
    return Finding(f"最近{len(recent)}期考核中{len(lows)}次{low_grade}（{_names(lows)}），建议复核岗位适配。")


def training_need(
    scores: Sequence[IndicatorScore], *, below: Decimal, max_items: int, cycle_name: str,
    topics_by_indicator: dict[str, list[str]], topics_by_dimension: dict[str, list[str]],
) -> Finding | None:
    """The (at most max_items) lowest indicator scores strictly below `below`, lowest first (ties by
    code), each mapped to its indicator's topics, else its dimension's, else “<indicator>专项提升”."""
    low = sorted((s for s in scores if s.score < below), key=lambda s: (s.score, s.code))[:max_items]
    if not low:
        return None
    topics: list[str] = []
    for s in low:
        for topic in topics_by_indicator.get(s.code) or topics_by_dimension.get(s.dimension) or [f"{s.name}专项提升"]:
            if topic not in topics:
                topics.append(topic)
    items = "、".join(f"{s.name}{s.score.quantize(Decimal('0.01'))}分" for s in low)
    return Finding(f"{cycle_name}得分最低且低于{below.normalize():f}分的指标：{items}。建议培训：{'、'.join(topics)}。",
                   tuple(topics))
