"""Metric definitions as plain data, their validation, and the arithmetic that finishes an
aggregation — pure functions, no Django (docs/metrics.md).

The SQL side (`engine.py`) reduces the records of each subject to a `Partial` (counts, sums, and
for percentiles the sorted values); `finish` turns a Partial into the metric's value. Keeping the
last step here means both databases, and the hand-written tests, share one definition of every
number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

AGGREGATIONS = ("count", "sum", "mean", "ratio", "percentile")
OPS = ("=", "!=", ">", ">=", "<", "<=", "in")
ORDER_OPS = (">", ">=", "<", "<=")
NUMERIC_KINDS = ("number", "bool")
SUBJECT_LEVELS = ("vendor", "worker", "project", "department")
PLACES = Decimal("0.0001")  # cycles.MetricValue keeps four decimals


class SpecError(ValueError):
    """A definition that does not fit its source: `errors` maps a field name to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: Any


@dataclass(frozen=True)
class MetricSpec:
    code: str
    source: str
    aggregation: str
    field: str = ""
    percentile: Decimal | None = None  # 0–100, e.g. 90 for P90
    filters: tuple[Condition, ...] = ()
    numerator: tuple[Condition, ...] = ()  # ratio: the subset of the filtered rows counted above
    scale: Decimal = Decimal(1)  # the result is multiplied by it (100 turns a ratio into percent)
    empty_as_zero: bool = False  # count/sum: no records in the period means 0 events, not "n/a"


@dataclass
class Partial:
    """What the database gives for one subject (or one month): enough to finish any aggregation."""

    rows: int = 0  # records of the subject in the period, before the metric's filters
    count: int = 0  # records that pass the filters
    total: Decimal | None = None  # sum of `field` over them (booleans count as 1)
    present: int = 0  # how many of them have a value in `field`
    numerator: int = 0  # ratio: filtered records also passing the numerator conditions
    values: list[Decimal] = field(default_factory=list)  # percentile: the field's values
    percentile: Decimal | None = None  # percentile computed by the database (PostgreSQL)

    def merge(self, other: Partial) -> None:
        self.rows += other.rows
        self.count += other.count
        if other.total is not None:
            self.total = other.total if self.total is None else self.total + other.total
        self.present += other.present
        self.numerator += other.numerator
        self.values.extend(other.values)


@dataclass(frozen=True)
class Outcome:
    """A metric's value for one subject: None means not applicable (no data), never 0 or 100."""

    value: Decimal | None
    count: int = 0
    numerator: int | None = None
    denominator: int | None = None


NOT_APPLICABLE = Outcome(None)


def quantize(value: Fraction | Decimal) -> Decimal:
    """Four decimals, ROUND_HALF_UP, computed exactly."""
    f = Fraction(value)
    scaled = f * 10000
    q, r = divmod(abs(scaled.numerator), scaled.denominator)
    if 2 * r >= scaled.denominator:
        q += 1
    result = Decimal(q).scaleb(-4)
    return -result if f < 0 else result


def percentile_of(values: Sequence[Decimal], p: Decimal) -> Fraction | None:
    """Linear interpolation between closest ranks, exactly as PostgreSQL's percentile_cont:
    position h = (n − 1) × p/100 over the sorted values (0-based); the value is
    x[⌊h⌋] + (h − ⌊h⌋) × (x[⌊h⌋+1] − x[⌊h⌋])."""
    if not values:
        return None
    xs = sorted(Fraction(v) for v in values)
    h = Fraction(len(xs) - 1) * Fraction(p) / 100
    lo = int(h)
    frac = h - lo
    if lo + 1 >= len(xs):
        return xs[-1]
    return xs[lo] + frac * (xs[lo + 1] - xs[lo])


def finish(spec: MetricSpec, part: Partial | None) -> Outcome:
    if part is None or part.rows == 0:
        if spec.empty_as_zero and spec.aggregation in ("count", "sum"):
            return Outcome(Decimal(0).quantize(PLACES), 0)
        return NOT_APPLICABLE
    scale = Fraction(spec.scale)
    agg = spec.aggregation
    value: Fraction | None
    if agg == "count":
        value = Fraction(part.count)
    elif agg == "sum":
        value = None if part.present == 0 or part.total is None else Fraction(part.total)
        if value is None and spec.empty_as_zero:
            value = Fraction(0)
    elif agg == "mean":
        value = None if part.present == 0 or part.total is None else Fraction(part.total) / part.present
    elif agg == "ratio":
        if part.count == 0:
            return Outcome(None, part.count, part.numerator, part.count)
        return Outcome(quantize(Fraction(part.numerator, part.count) * scale), part.count, part.numerator,
                       part.count)
    elif agg == "percentile":
        assert spec.percentile is not None
        if part.percentile is not None:
            value = Fraction(part.percentile)
        else:
            value = percentile_of(part.values, spec.percentile)
    else:  # pragma: no cover - validated on save
        raise ValueError(agg)
    if value is None:
        return Outcome(None, part.count)
    return Outcome(quantize(value * scale), part.count)


# --- validation ------------------------------------------------------------------------------


def _coerce(kind: str, value: Any) -> Any:
    """The filter value in the type of the field; ValueError when it cannot be."""
    if kind == "number":
        if isinstance(value, bool):
            raise ValueError
        try:
            return Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            raise ValueError from None
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "1", "是", "yes", "y"):
            return True
        if text in ("false", "0", "否", "no", "n"):
            return False
        raise ValueError
    if kind == "date":
        if isinstance(value, dt.date):
            return value
        return dt.date.fromisoformat(str(value).strip())
    if kind == "datetime":
        if isinstance(value, dt.datetime):
            return value
        return dt.datetime.fromisoformat(str(value).strip())
    if value is None or isinstance(value, dict | list):
        raise ValueError
    return str(value)


def coerce_condition(cond: Condition, kind: str) -> Any:
    if cond.value is None and cond.op in ("=", "!="):
        return None  # "is empty" / "is not empty"
    if cond.op == "in":
        if not isinstance(cond.value, list | tuple) or not cond.value:
            raise ValueError
        return [_coerce(kind, v) for v in cond.value]
    return _coerce(kind, cond.value)


def parse_conditions(raw: Any) -> tuple[Condition, ...]:
    """[{field, op, value}, ...] → Conditions; ValueError naming the item that is malformed."""
    if raw in (None, ""):
        return ()
    if not isinstance(raw, list):
        raise ValueError("条件必须是列表 / conditions must be a list")
    out = []
    for i, item in enumerate(raw, start=1):
        if not isinstance(item, Mapping) or not {"field", "op", "value"} <= set(item):
            raise ValueError(f"第 {i} 个条件须含 field、op、value / condition {i} needs field, op and value")
        out.append(Condition(str(item["field"]), str(item["op"]), item["value"]))
    return tuple(out)


def _check_conditions(name: str, conds: Sequence[Condition], fields: Mapping[str, str],
                      errors: dict[str, list[str]]) -> None:
    for i, c in enumerate(conds, start=1):
        kind = fields.get(c.field)
        if kind is None:
            errors.setdefault(name, []).append(
                f"第 {i} 个条件：数据源没有字段 {c.field} / condition {i}: the source has no field {c.field!r}"
                f" (可用 / available: {', '.join(sorted(fields))})")
            continue
        if c.op not in OPS:
            errors.setdefault(name, []).append(
                f"第 {i} 个条件：不支持的运算符 {c.op} / condition {i}: unknown operator {c.op!r} ({' '.join(OPS)})")
            continue
        if c.op in ORDER_OPS and kind in ("bool", "choice"):
            errors.setdefault(name, []).append(
                f"第 {i} 个条件：字段 {c.field} 不能比较大小 / condition {i}: {c.field} cannot use {c.op}")
            continue
        try:
            coerce_condition(c, kind)
        except (ValueError, TypeError):
            hint = "列表 / a list" if c.op == "in" else {"number": "数字 / a number", "bool": "true/false",
                                                       "date": "YYYY-MM-DD", "datetime": "ISO 8601"}.get(kind, "文本 / text")
            errors.setdefault(name, []).append(
                f"第 {i} 个条件：字段 {c.field} 的值 {c.value!r} 不合法，应为{hint} / condition {i}: "
                f"value {c.value!r} does not fit {c.field} ({kind})")


def validate(spec: MetricSpec, fields: Mapping[str, str], subject_paths: Sequence[str] = (),
             levels: Sequence[str] = ()) -> None:
    """Raise SpecError with every problem, by field of the definition."""
    errors: dict[str, list[str]] = {}
    if spec.aggregation not in AGGREGATIONS:
        errors["aggregation"] = [f"不支持的汇总方式 / unknown aggregation {spec.aggregation!r}"]
    if spec.aggregation in ("sum", "mean", "percentile"):
        if not spec.field:
            errors["field"] = ["求和、平均、百分位需要指定字段 / sum, mean and percentile need a field"]
        elif spec.field not in fields:
            errors["field"] = [f"数据源没有字段 {spec.field} / the source has no field {spec.field!r}"]
        elif fields[spec.field] not in NUMERIC_KINDS:
            errors["field"] = [f"字段 {spec.field} 不是数值 / {spec.field} is not numeric ({fields[spec.field]})"]
    if spec.aggregation == "percentile" and (spec.percentile is None or not 0 <= spec.percentile <= 100):
        errors["percentile"] = ["百分位须在 0–100 之间 / the percentile must be from 0 to 100"]
    if spec.aggregation == "ratio" and not spec.numerator:
        errors["numerator"] = ["比率需要分子条件 / a ratio needs numerator conditions"]
    if spec.aggregation != "ratio" and spec.numerator:
        errors["numerator"] = ["只有比率使用分子条件 / only a ratio has numerator conditions"]
    if spec.empty_as_zero and spec.aggregation not in ("count", "sum"):
        errors["empty_as_zero"] = ["只适用于计数和求和 / only for count and sum"]
    _check_conditions("filters", spec.filters, fields, errors)
    _check_conditions("numerator", spec.numerator, fields, errors)
    bad = [lv for lv in levels if lv not in subject_paths]
    if bad:
        errors["levels"] = [f"数据源不能按 {', '.join(bad)} 汇总 / the source has no {', '.join(bad)} link"
                            f" (可用 / available: {', '.join(subject_paths)})"]
    if errors:
        raise SpecError(errors)
