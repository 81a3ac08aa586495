"""Metric definitions as plain data, their validation, and the arithmetic that finishes an
aggregation — pure functions, no Django (docs/metrics.md).

The SQL side (`engine.py`) reduces the records of each subject to a `Partial` (counts, sums, and
for percentiles the sorted values); `finish` turns a Partial into the metric's value. Keeping the
last step here means both databases, and the hand-written tests, share one definition of every
number.

A *formula* metric (公式指标) has no records of its own: it combines other metrics of the same
subject and period with the scoring package's formula language (`outperform.scoring.formula`),
narrowed here to arithmetic — see `parse_formula` and `combine`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from outperform import scoring
from outperform.scoring import formula_syntax as fs

FORMULA = "formula"
ACTIVE_AVG = "active_avg"  # lasting records only: (current on the first day + on the last day) / 2
AGGREGATIONS = ("count", "sum", "mean", "ratio", "percentile", ACTIVE_AVG, FORMULA)
# What a formula metric may use besides + − × ÷, parentheses, numbers and metric codes: functions
# that give n/a whenever an argument is n/a. `if` and `coalesce` are left out on purpose — they
# could turn "no data" into a number, which a metric must never do (docs/metrics.md §Formula).
FORMULA_FUNCTIONS = ("min", "max", "abs", "round")
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
    expression: str = ""  # formula metrics: e.g. "complaint_count / tasks_done * 1000"


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
    at_start: int = 0  # lasting records: filtered records current on the period's first day
    at_end: int = 0  # … and on its last day

    def merge(self, other: Partial) -> None:
        self.rows += other.rows
        self.count += other.count
        self.at_start += other.at_start
        self.at_end += other.at_end
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
    # Decimals compare exactly and far faster than Fractions: sort them, then make Fractions of the
    # two values around the rank only (200,000 values: a fraction of a second instead of seconds).
    xs = sorted(values)
    h = Fraction(len(xs) - 1) * Fraction(p) / 100
    lo = int(h)
    frac = h - lo
    if lo + 1 >= len(xs):
        return Fraction(xs[-1])
    below, above = Fraction(xs[lo]), Fraction(xs[lo + 1])
    return below + frac * (above - below)


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
    elif agg == ACTIVE_AVG:
        value = Fraction(part.at_start + part.at_end, 2)
    else:  # pragma: no cover - validated on save; formulas are combined, not finished
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
             levels: Sequence[str] = (), *, lasting: bool = False) -> None:
    """Raise SpecError with every problem, by field of the definition (a metric over records;
    formula metrics are checked by `parse_formula` and `formula_problems`). `lasting`: the
    source's records last (RecordSource.end_field)."""
    errors: dict[str, list[str]] = {}
    if spec.aggregation not in AGGREGATIONS or spec.aggregation == FORMULA:
        errors["aggregation"] = [f"不支持的汇总方式 / unknown aggregation {spec.aggregation!r}"]
    if spec.aggregation == ACTIVE_AVG and not lasting:
        errors["aggregation"] = ["期初期末平均只适用于在岗类数据源（如 headcount） / The start-and-end average "
                                 "needs a source whose records last (e.g. headcount)"]
    if spec.aggregation == "percentile" and lasting:
        errors["aggregation"] = ["在岗类数据源不支持百分位 / A source whose records last has no percentile"]
    if spec.expression:
        errors["expression"] = ["只有公式指标使用公式 / Only a formula metric has an expression"]
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


# --- formula metrics -------------------------------------------------------------------------


def _formula_nodes(node: fs.Node) -> Iterable[fs.Node]:
    yield node
    if isinstance(node, fs.Negate | fs.Not):
        yield from _formula_nodes(node.operand)
    elif isinstance(node, fs.Chain):
        yield from _formula_nodes(node.first)
        for _op, operand in node.rest:
            yield from _formula_nodes(operand)
    elif isinstance(node, fs.Compare):
        yield from _formula_nodes(node.left)
        yield from _formula_nodes(node.right)
    elif isinstance(node, fs.Logic | fs.Call):
        for arg in node.operands if isinstance(node, fs.Logic) else node.args:
            yield from _formula_nodes(arg)


FORMULA_CODES = {  # scoring.FormulaError.code → Chinese
    "empty": "公式为空", "unexpected_end": "公式不完整", "unexpected": "此处有无法识别的内容",
    "unknown_function": "未知的函数", "arity": "函数参数个数不对", "chained": "比较不能连写",
    "number": "数字写法有误", "too_deep": "嵌套层数过多", "too_long": "公式过长", "unclosed": "括号未闭合",
    "type": "类型不匹配（公式须得出数值）",
}


def parse_formula(text: str) -> scoring.Formula:
    """The formula of a formula metric, parsed by the scoring package's parser (never `eval`) and
    narrowed to arithmetic: + − × ÷, parentheses, numbers, metric codes and min/max/abs/round.
    SpecError({"expression": […]}) names the column of the problem in Chinese and English."""
    try:
        formula = scoring.parse(text or "", expect="number")
    except scoring.FormulaError as exc:
        zh = FORMULA_CODES.get(exc.code, "公式有误")
        raise SpecError({"expression": [f"公式第 {exc.position} 列：{zh}（{exc.message}） / Formula error at "
                                        f"column {exc.position}: {exc.message}"]}) from None
    problems: list[str] = []
    for node in _formula_nodes(formula.root):
        if isinstance(node, fs.Call) and node.func not in FORMULA_FUNCTIONS:
            problems.append(f"公式第 {node.pos} 列：公式指标不能使用 {node.func}()，无数据时结果必须为「不适用」 / "
                            f"column {node.pos}: a formula metric cannot use {node.func}() — no data must stay "
                            "not applicable")
        elif isinstance(node, fs.Boolean | fs.Compare | fs.Logic | fs.Not):
            problems.append(f"公式第 {node.pos} 列：公式指标只做算术（+ − × ÷） / column {node.pos}: a formula "
                            "metric is arithmetic only (+ - * /)")
        elif isinstance(node, fs.Chain):
            for op, operand in node.rest:
                if op == "/" and isinstance(operand, fs.Number) and operand.value.is_zero():
                    problems.append(f"公式第 {operand.pos} 列：除数为常数 0 / column {operand.pos}: division by "
                                    "the constant 0")
    if problems:
        raise SpecError({"expression": list(dict.fromkeys(problems))})
    return formula


def find_cycle(start: str, parts_of: Mapping[str, Iterable[str]]) -> list[str] | None:
    """A path start → … → start through the formula graph (`parts_of`: code → the codes its
    formula names), or None. Depth-first; the graph holds only formula metrics, a few dozen."""
    path: list[str] = [start]
    on_path = {start}
    done: set[str] = set()

    def visit(code: str) -> list[str] | None:
        for part in sorted(parts_of.get(code, ())):
            if part == start:
                return [*path, start]
            if part in on_path or part in done:
                continue
            path.append(part)
            on_path.add(part)
            found = visit(part)
            if found:
                return found
            on_path.discard(path.pop())
            done.add(part)
        return None

    return visit(start)


def formula_problems(code: str, names: Iterable[str], known: Mapping[str, Iterable[str] | None]) -> list[str]:
    """What is wrong with the metric codes a formula names. `known`: every metric code → the codes
    its own formula names (None for a metric over records), with this metric's new formula in."""
    names = sorted(set(names))
    if not names:
        return ["公式须至少引用一个数据指标 / A formula metric must name at least one metric"]
    problems = []
    unknown = [n for n in names if n not in known]
    if unknown:
        problems.append(f"没有这些数据指标：{', '.join(unknown)} / Unknown metric codes: {', '.join(unknown)}")
    if code in names:
        problems.append(f"公式不能引用指标自身 {code} / A formula cannot name its own metric {code}")
    else:
        graph = {c: tuple(p) for c, p in known.items() if p is not None}
        cycle = find_cycle(code, graph)
        if cycle:
            chain = " → ".join(cycle)
            problems.append(f"公式循环引用：{chain} / Circular reference: {chain}")
    return problems


def combine(formula: scoring.Formula, parts: Mapping[str, Decimal | None]) -> Decimal | None:
    """A formula metric's value from its parts' values (each already rounded to four places, as
    shown): 28 significant digits while computing, then four places ROUND_HALF_UP, once. Not
    applicable (None) when any part it reads is, or a divisor is 0."""
    result = formula.evaluate(parts)
    if not isinstance(result, Decimal):
        return None
    return quantize(result)
