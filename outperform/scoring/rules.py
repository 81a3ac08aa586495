"""Quantitative scoring rules: map an indicator's actual value to a score from 0 to 100.

Four rules, each a frozen dataclass validated when it is constructed (a bad rule raises
:class:`RuleError` with a message naming the problem, in English with the Chinese term):

``LinearRule(floor, target, direction)``
    ``floor`` scores 0, ``target`` scores 100, straight line in between, capped at both
    ends. ``higher_is_better`` needs ``floor < target``; ``lower_is_better`` (response
    times, cost) needs ``floor > target``.
``BandsRule(bands)``
    value ranges ``[lower, upper)`` -> fixed scores. Ranges may not overlap or leave gaps;
    the first may be open below and the last open above. A value outside every range takes
    the score of the nearest end band (the ends are capped, like the linear rule).
``DeductionRule(per_event, start=100, minimum=0)``
    ``start - per_event * events``, never below ``minimum``; a negative event count scores
    ``start``.
``FormulaRule(expression)``
    a :mod:`formula <outperform.scoring.formula>` over the subject's metrics, where the
    name ``value`` is the indicator's actual value; the result is capped to 0-100.

A missing value (``None``) or a formula that cannot be computed gives
:data:`~outperform.scoring.na.NOT_APPLICABLE` - never 0 or 100. Scores are rounded by
:func:`~outperform.scoring.rounding.round_score`.

``apply`` runs in the current decimal context (the engine sets it once per cycle);
``score`` is the same wrapped in :func:`~outperform.scoring.rounding.scoring_context`.
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext
from types import MappingProxyType
from typing import Any, ClassVar, Final, Literal, TypeAlias

from .errors import FormulaError, RuleError
from .formula import Env, Formula, parse
from .na import NOT_APPLICABLE, ScoreOrNA
from .rounding import HUNDRED, SCORE_QUANTUM, SCORING_CONTEXT, ZERO, round_score

__all__ = [
    "BandsRule",
    "DeductionRule",
    "Direction",
    "FormulaRule",
    "LinearRule",
    "Rule",
    "ValueBand",
    "as_decimal",
    "rule_from_dict",
    "rule_to_dict",
]

Direction: TypeAlias = Literal["higher_is_better", "lower_is_better"]

EMPTY_METRICS: Final[Env] = MappingProxyType({})
SCORE_MIN: Final = round_score(ZERO)  # Decimal("0.00")
SCORE_MAX: Final = round_score(HUNDRED)  # Decimal("100.00")


def as_decimal(value: object, what: str, error: type[ValueError] = RuleError) -> Decimal:
    """Accept Decimal, int or a numeric string; refuse floats, NaN and infinities.

    Floats are refused on purpose: 0.1 is not 0.1 in binary, and the results must be
    reproducible to the last digit.
    """
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int) and not isinstance(value, bool):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except ArithmeticError:
            raise error(f"{what}: {value!r} is not a number (不是有效数字)") from None
    else:
        raise error(f"{what}: expected a Decimal, int or string, not {type(value).__name__}"
                    " (请使用 Decimal)")
    if not result.is_finite():
        raise error(f"{what}: {value!r} is not a finite number (必须是有限数值)")
    return result


def _fmt(value: Decimal | None) -> str:
    return "∞" if value is None else format(value.normalize(), "f")


class _RuleBase:
    """Shared behaviour; subclasses are frozen slotted dataclasses."""

    __slots__ = ()
    kind: ClassVar[str]

    def apply(self, value: Decimal | None, metrics: Env = EMPTY_METRICS) -> ScoreOrNA:
        raise NotImplementedError

    def score(self, value: Decimal | None, metrics: Env = EMPTY_METRICS) -> ScoreOrNA:
        """Score ``value`` (the indicator's actual value) in the scoring decimal context."""
        with localcontext(SCORING_CONTEXT):
            return self.apply(value, metrics)

    @property
    def metric_names(self) -> frozenset[str]:
        """Metric names the rule reads besides the actual value."""
        return frozenset()


@dataclass(frozen=True, slots=True)
class LinearRule(_RuleBase):
    floor: Decimal
    target: Decimal
    direction: Direction = "higher_is_better"
    description: str = field(init=False, repr=False, compare=False)
    kind: ClassVar[str] = "linear"

    def __post_init__(self) -> None:
        floor = as_decimal(self.floor, "linear rule floor (下限)")
        target = as_decimal(self.target, "linear rule target (目标值)")
        object.__setattr__(self, "floor", floor)
        object.__setattr__(self, "target", target)
        if self.direction not in ("higher_is_better", "lower_is_better"):
            raise RuleError(f"linear rule: direction must be higher_is_better or "
                            f"lower_is_better, not {self.direction!r} (方向无效)")
        if floor == target:
            raise RuleError(f"linear rule: floor and target are both {_fmt(floor)}; they must "
                            "differ (下限与目标值不能相同)")
        higher = self.direction == "higher_is_better"
        if higher and floor > target:
            raise RuleError(f"linear rule: higher is better, so the floor ({_fmt(floor)}) must "
                            f"be below the target ({_fmt(target)}) (越高越好时下限应小于目标值)")
        if not higher and floor < target:
            raise RuleError(f"linear rule: lower is better, so the floor ({_fmt(floor)}) must "
                            f"be above the target ({_fmt(target)}) (越低越好时下限应大于目标值)")
        better = "higher" if higher else "lower"
        object.__setattr__(self, "description",
                           f"linear: {_fmt(floor)} → 0, {_fmt(target)} → 100, {better} is better")

    def apply(self, value: Decimal | None, metrics: Env = EMPTY_METRICS) -> ScoreOrNA:
        if value is None:
            return NOT_APPLICABLE
        # One division of exact differences: the only rounding is the final one.
        score = (value - self.floor) * HUNDRED / (self.target - self.floor)
        if score <= 0:
            return SCORE_MIN
        if score >= HUNDRED:
            return SCORE_MAX
        return score.quantize(SCORE_QUANTUM, ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class ValueBand:
    """Values in ``[lower, upper)`` score ``score``; ``None`` leaves that end open."""

    lower: Decimal | None
    upper: Decimal | None
    score: Decimal

    def __post_init__(self) -> None:
        if self.lower is not None:
            object.__setattr__(self, "lower", as_decimal(self.lower, "band lower bound (下限)"))
        if self.upper is not None:
            object.__setattr__(self, "upper", as_decimal(self.upper, "band upper bound (上限)"))
        object.__setattr__(self, "score", as_decimal(self.score, "band score (分段得分)"))

    def label(self) -> str:
        if self.lower is None:
            return f"< {_fmt(self.upper)}"
        if self.upper is None:
            return f"≥ {_fmt(self.lower)}"
        return f"[{_fmt(self.lower)}, {_fmt(self.upper)})"


def _band_key(band: ValueBand) -> tuple[bool, Decimal]:
    return (band.lower is not None, band.lower if band.lower is not None else ZERO)


@dataclass(frozen=True, slots=True)
class BandsRule(_RuleBase):
    bands: tuple[ValueBand, ...]
    description: str = field(init=False, repr=False, compare=False)
    _bounds: tuple[Decimal, ...] = field(init=False, repr=False, compare=False)
    _scores: tuple[Decimal, ...] = field(init=False, repr=False, compare=False)
    kind: ClassVar[str] = "bands"

    def __post_init__(self) -> None:
        bands = tuple(sorted(self.bands, key=_band_key))
        errors = _band_errors(bands)
        if errors:
            raise RuleError(errors)
        object.__setattr__(self, "bands", bands)
        # Band i covers [bounds[i-1], bounds[i]); bisect finds it, and clamps at the ends.
        object.__setattr__(self, "_bounds", tuple(b.upper for b in bands[:-1]))
        object.__setattr__(self, "_scores", tuple(round_score(b.score) for b in bands))
        parts = ", ".join(f"{b.label()} → {_fmt(b.score)}" for b in bands)
        object.__setattr__(self, "description", f"bands: {parts}")

    def apply(self, value: Decimal | None, metrics: Env = EMPTY_METRICS) -> ScoreOrNA:
        if value is None:
            return NOT_APPLICABLE
        return self._scores[bisect.bisect_right(self._bounds, value)]


def _band_errors(bands: Sequence[ValueBand]) -> list[str]:
    if not bands:
        return ["bands rule needs at least one band (至少需要一个分段)"]
    errors: list[str] = []
    for band in bands:
        if band.lower is not None and band.upper is not None and band.lower >= band.upper:
            errors.append(f"band {band.label()} is empty: its lower bound must be below its "
                          "upper bound (分段下限必须小于上限)")
        if not ZERO <= band.score <= HUNDRED:
            errors.append(f"band {band.label()} scores {_fmt(band.score)}, outside 0–100 "
                          "(分段得分必须在 0–100 之间)")
    for prev, band in zip(bands, bands[1:], strict=False):
        if prev.upper is None or band.lower is None or prev.upper > band.lower:
            errors.append(f"bands {prev.label()} and {band.label()} overlap (分段区间重叠)")
        elif prev.upper < band.lower:
            errors.append(f"gap between bands {prev.label()} and {band.label()}: values from "
                          f"{_fmt(prev.upper)} to {_fmt(band.lower)} have no score "
                          "(分段区间不连续)")
    return errors


@dataclass(frozen=True, slots=True)
class DeductionRule(_RuleBase):
    per_event: Decimal
    start: Decimal = HUNDRED
    minimum: Decimal = ZERO
    description: str = field(init=False, repr=False, compare=False)
    kind: ClassVar[str] = "deduction"

    def __post_init__(self) -> None:
        per_event = as_decimal(self.per_event, "deduction per event (每次扣分)")
        start = as_decimal(self.start, "deduction start score (起始分)")
        minimum = as_decimal(self.minimum, "deduction minimum score (最低分)")
        object.__setattr__(self, "per_event", per_event)
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "minimum", minimum)
        if per_event <= 0:
            raise RuleError(f"deduction rule: points per event must be positive, not "
                            f"{_fmt(per_event)} (每次扣分必须大于 0)")
        if not ZERO <= minimum <= start <= HUNDRED:
            raise RuleError(f"deduction rule: need 0 ≤ minimum ({_fmt(minimum)}) ≤ start "
                            f"({_fmt(start)}) ≤ 100 (须满足 0 ≤ 最低分 ≤ 起始分 ≤ 100)")
        floor = "" if minimum == 0 else f", not below {_fmt(minimum)}"
        object.__setattr__(self, "description",
                           f"deduction: {_fmt(start)} − {_fmt(per_event)} per event{floor}")

    def apply(self, value: Decimal | None, metrics: Env = EMPTY_METRICS) -> ScoreOrNA:
        if value is None:
            return NOT_APPLICABLE
        if value <= 0:
            return round_score(self.start)
        return round_score(max(self.start - self.per_event * value, self.minimum))


@dataclass(frozen=True, slots=True)
class FormulaRule(_RuleBase):
    """Score = ``expression`` over the metrics (``value`` = actual value), capped to 0-100.

    ``names``, if given, are the metric names the expression may use (``value`` is always
    allowed); an unknown name is a :class:`FormulaError` at construction.
    """

    expression: str
    names: frozenset[str] | None = None
    description: str = field(init=False, repr=False, compare=False)
    formula: Formula = field(init=False, repr=False, compare=False)
    _reads_value: bool = field(init=False, repr=False, compare=False)
    kind: ClassVar[str] = "formula"

    def __post_init__(self) -> None:
        allowed: Collection[str] | None = None
        if self.names is not None:
            object.__setattr__(self, "names", frozenset(self.names))
            allowed = frozenset(self.names) | {"value"}
        formula = parse(self.expression, names=allowed, expect="number")
        object.__setattr__(self, "formula", formula)
        object.__setattr__(self, "_reads_value", "value" in formula.names)
        object.__setattr__(self, "description", f"formula: {self.expression.strip()}")

    @property
    def metric_names(self) -> frozenset[str]:
        return self.formula.names - {"value"}

    def apply(self, value: Decimal | None, metrics: Env = EMPTY_METRICS) -> ScoreOrNA:
        env = {**metrics, "value": value} if self._reads_value else metrics
        result = self.formula.evaluate_in_context(env)
        if not isinstance(result, Decimal):  # the parser guarantees a number or NA
            return NOT_APPLICABLE
        if result <= 0:
            return SCORE_MIN
        if result >= HUNDRED:
            return SCORE_MAX
        return result.quantize(SCORE_QUANTUM, ROUND_HALF_UP)


Rule: TypeAlias = LinearRule | BandsRule | DeductionRule | FormulaRule


# --------------------------------------------------------------------------- snapshots
# Templates are frozen into a cycle as JSON; these give rules a stable plain-data form.


def rule_to_dict(rule: Rule) -> dict[str, Any]:
    """Plain-data form of ``rule`` (Decimals as strings), for template snapshots."""
    if isinstance(rule, LinearRule):
        return {"type": "linear", "floor": str(rule.floor), "target": str(rule.target),
                "direction": rule.direction}
    if isinstance(rule, BandsRule):
        return {"type": "bands", "bands": [
            {"lower": None if b.lower is None else str(b.lower),
             "upper": None if b.upper is None else str(b.upper),
             "score": str(b.score)} for b in rule.bands]}
    if isinstance(rule, DeductionRule):
        return {"type": "deduction", "per_event": str(rule.per_event),
                "start": str(rule.start), "minimum": str(rule.minimum)}
    data: dict[str, Any] = {"type": "formula", "expression": rule.expression}
    if rule.names is not None:
        data["names"] = sorted(rule.names)
    return data


def rule_from_dict(data: Mapping[str, Any]) -> Rule:
    """Inverse of :func:`rule_to_dict`; raises :class:`RuleError` on a malformed dict."""
    kind = data.get("type")
    try:
        if kind == "linear":
            return LinearRule(data["floor"], data["target"],
                              data.get("direction", "higher_is_better"))
        if kind == "bands":
            return BandsRule(tuple(ValueBand(b.get("lower"), b.get("upper"), b["score"])
                                   for b in data["bands"]))
        if kind == "deduction":
            return DeductionRule(data["per_event"], data.get("start", HUNDRED),
                                 data.get("minimum", ZERO))
        if kind == "formula":
            names = data.get("names")
            return FormulaRule(data["expression"], None if names is None else frozenset(names))
    except FormulaError:
        raise
    except (KeyError, TypeError, AttributeError) as exc:
        raise RuleError(f"{kind} rule: missing or malformed field {exc} (规则字段缺失或格式错误)"
                        ) from None
    raise RuleError(f"unknown rule type {kind!r}: expected linear, bands, deduction or formula "
                    "(未知的评分规则类型)")
