"""Input data of the scoring engine: a template (考核方案) and one input per subject (考核对象).

Everything is a frozen dataclass of plain values, so a service can build it from rows and
a cycle snapshot can be re-scored years later with the same result. Numbers are
``Decimal`` (ints and numeric strings are accepted and converted; floats are refused);
money is integer fen.

Field-level checks happen on construction. Whole-template consistency (weights add up to
100, bands cover the scale, quotas name real grades ...) is checked by
:func:`outperform.scoring.validation.validate_template`, which the engine runs first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import Final, Literal, TypeAlias

from .errors import ConfigError, InputError
from .formula import Formula
from .rounding import HUNDRED, ZERO
from .rules import Rule, as_decimal

__all__ = [
    "FULL_PERIOD",
    "Adjustment",
    "BonusMode",
    "GradeBand",
    "GradingMethod",
    "IndicatorKind",
    "IndicatorSpec",
    "Quota",
    "QuotaKind",
    "Ratings",
    "RoleScore",
    "SubjectInput",
    "TemplateSpec",
    "Veto",
]

IndicatorKind: TypeAlias = Literal["qualitative", "quantitative"]
GradingMethod: TypeAlias = Literal["bands", "forced_distribution"]
QuotaKind: TypeAlias = Literal["max", "min"]
BonusMode: TypeAlias = Literal["none", "base", "pool"]

#: indicator code -> rater role -> the scores raters of that role gave (0-100 each)
Ratings: TypeAlias = Mapping[str, Mapping[str, Sequence[Decimal]]]

#: The default proration (the whole period); the engine recognises it by identity.
FULL_PERIOD: Final = Fraction(1)

_NO_RATINGS: Final[Ratings] = MappingProxyType({})
_NO_METRICS: Final[Mapping[str, Decimal | None]] = MappingProxyType({})


def _config_decimal(value: object, what: str) -> Decimal:
    return as_decimal(value, what, ConfigError)


def _frozen_weights(weights: Mapping[str, Decimal], what: str) -> Mapping[str, Decimal]:
    return MappingProxyType({role: _config_decimal(w, f"{what} {role!r}")
                             for role, w in weights.items()})


# --------------------------------------------------------------------------- template


@dataclass(frozen=True, slots=True)
class IndicatorSpec:
    """One indicator (考核指标) of a template.

    ``weight``: share of the composite, in percent (the template's weights add up to 100).
    Qualitative (定性) indicators are rated by people; ``role_weights`` overrides the
    template's rater-role weights for this indicator only. Quantitative (定量) indicators
    take an actual value - the metric ``metric`` (default: the indicator code) or, if
    ``measure`` is given, that formula over the subject's metrics - and map it to 0-100
    with ``rule``.
    """

    code: str
    weight: Decimal
    kind: IndicatorKind = "qualitative"
    rule: Rule | None = None
    role_weights: Mapping[str, Decimal] | None = None
    metric: str | None = None
    measure: Formula | None = None
    name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "weight", _config_decimal(self.weight, f"{self.code} weight"))
        if self.role_weights is not None:
            object.__setattr__(self, "role_weights", _frozen_weights(
                self.role_weights, f"{self.code} role weight"))

    @property
    def value_metric(self) -> str:
        """Metric read as the actual value when there is no ``measure`` formula."""
        return self.metric if self.metric is not None else self.code


@dataclass(frozen=True, slots=True)
class GradeBand:
    """A grade (绩效等级) and the composite range ``[min, max)`` that earns it.

    The band whose ``max`` is the top of the scale also includes the top. ``coefficient``
    is the bonus multiplier (e.g. 优秀 1.5, 不合格 0).
    """

    code: str
    name: str
    min: Decimal
    max: Decimal
    coefficient: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "min", _config_decimal(self.min, f"grade {self.code} min"))
        object.__setattr__(self, "max", _config_decimal(self.max, f"grade {self.code} max"))
        object.__setattr__(self, "coefficient", _config_decimal(
            self.coefficient, f"grade {self.code} coefficient"))

    def label(self) -> str:
        return f"{self.name or self.code} {self.min.normalize():f}–{self.max.normalize():f}"


@dataclass(frozen=True, slots=True)
class Quota:
    """Forced-distribution quota (强制分布): at most / at least ``share`` of a group.

    ``share`` is a fraction (0.2 = 20 %). How places are rounded for a group of ``n``: see
    :func:`outperform.scoring.grading.quota_places`.
    """

    grade_code: str
    kind: QuotaKind
    share: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "share", _config_decimal(
            self.share, f"quota {self.grade_code} share"))

    def label(self) -> str:
        percent = (self.share * HUNDRED).normalize()
        return f"{self.grade_code} {self.kind} {percent:f}%"


@dataclass(frozen=True, slots=True)
class TemplateSpec:
    """A scoring template (考核方案) as frozen into a cycle.

    * ``indicators``: weights add up to exactly 100, at most two decimal places each.
    * ``role_weights``: default rater-role weights (自评/上级/互评/客户 ...), adding up to 100.
    * ``bands``: grades covering ``[scale_min, scale_max]`` without gaps or overlaps.
    * ``grading``: ``"bands"`` or ``"forced_distribution"`` (then ``quotas`` apply within each
      group of at least ``min_group_size`` graded subjects; smaller groups use bands).
    * ``adjustment_cap``: optional cap on the absolute sum of all 加减分 items.
    * ``bonus``: ``"none"``, ``"base"`` (base × coefficient) or ``"pool"`` (shared by score ×
      coefficient; the pools are passed to ``compute_cycle``).
    """

    indicators: tuple[IndicatorSpec, ...]
    role_weights: Mapping[str, Decimal]
    bands: tuple[GradeBand, ...]
    scale_min: Decimal = ZERO
    scale_max: Decimal = HUNDRED
    grading: GradingMethod = "bands"
    quotas: tuple[Quota, ...] = ()
    min_group_size: int = 1
    adjustment_cap: Decimal | None = None
    bonus: BonusMode = "none"

    def __post_init__(self) -> None:
        object.__setattr__(self, "indicators", tuple(self.indicators))
        object.__setattr__(self, "bands", tuple(self.bands))
        object.__setattr__(self, "quotas", tuple(self.quotas))
        object.__setattr__(self, "role_weights", _frozen_weights(self.role_weights,
                                                                 "role weight"))
        object.__setattr__(self, "scale_min", _config_decimal(self.scale_min, "scale_min"))
        object.__setattr__(self, "scale_max", _config_decimal(self.scale_max, "scale_max"))
        if self.adjustment_cap is not None:
            object.__setattr__(self, "adjustment_cap", _config_decimal(
                self.adjustment_cap, "adjustment_cap"))


# --------------------------------------------------------------------------- subjects


@dataclass(frozen=True, slots=True)
class RoleScore:
    """One rater's score for one qualitative indicator: the row form of a rating."""

    role: str
    indicator_code: str
    value: Decimal


@dataclass(frozen=True, slots=True)
class Adjustment:
    """A 加减分项 outside the weights: ``value`` (±) counts at most ``cap`` either way."""

    code: str
    value: Decimal
    cap: Decimal

    def __post_init__(self) -> None:
        value = as_decimal(self.value, f"adjustment {self.code} value", InputError)
        cap = as_decimal(self.cap, f"adjustment {self.code} cap", InputError)
        if cap < 0:
            raise InputError(f"adjustment {self.code}: cap must not be negative (上限不能为负)")
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "cap", cap)


@dataclass(frozen=True, slots=True)
class Veto:
    """A 一票否决 item; if ``triggered`` the subject gets the lowest grade."""

    code: str
    triggered: bool = True


@dataclass(frozen=True, slots=True)
class SubjectInput:
    """Everything known about one subject (worker, vendor or team) in one cycle.

    * ``group_key``: the group ranked and distributed together (department, vendor ...).
    * ``ratings``: indicator code -> rater role -> scores (0-100); see :meth:`from_scores`.
      Not copied: treat it as read-only.
    * ``metrics``: metric name -> actual value for the period (``None`` = no data).
    * ``base_bonus_fen``: base amount for ``bonus="base"``, in fen.
    * ``proration``: share of the period the subject worked (e.g. ``Fraction(20, 30)``);
      multiplies the base bonus, or the pool weight.
    """

    subject_id: str
    group_key: str = ""
    ratings: Ratings = field(default_factory=lambda: _NO_RATINGS)
    metrics: Mapping[str, Decimal | None] = field(default_factory=lambda: _NO_METRICS)
    adjustments: tuple[Adjustment, ...] = ()
    vetoes: tuple[Veto, ...] = ()
    base_bonus_fen: int = 0
    proration: Fraction = FULL_PERIOD

    def __post_init__(self) -> None:
        sid = self.subject_id
        if not isinstance(sid, str) or not sid:
            raise InputError(f"subject_id must be a non-empty string, not {sid!r}")
        object.__setattr__(self, "adjustments", tuple(self.adjustments))
        object.__setattr__(self, "vetoes", tuple(self.vetoes))
        _check_ratings(sid, self.ratings)
        _check_metrics(sid, self.metrics)
        if not isinstance(self.base_bonus_fen, int) or self.base_bonus_fen < 0:
            raise InputError(f"subject {sid}: base_bonus_fen must be a non-negative int (fen)")
        proration = self.proration
        if proration is FULL_PERIOD:
            return
        if isinstance(proration, Decimal | int) and not isinstance(proration, bool):
            proration = Fraction(proration)
        if not isinstance(proration, Fraction) or not 0 <= proration <= 1:
            raise InputError(f"subject {sid}: proration must be a Fraction from 0 to 1, "
                             f"not {self.proration!r} (出勤折算比例必须在 0–1 之间)")
        # A proration equal to 1 becomes FULL_PERIOD itself, so that identity check holds.
        object.__setattr__(self, "proration", FULL_PERIOD if proration == 1 else proration)

    @classmethod
    def unchecked(
        cls,
        subject_id: str,
        group_key: str,
        ratings: Ratings,
        metrics: Mapping[str, Decimal | None],
        adjustments: tuple[Adjustment, ...] = (),
        vetoes: tuple[Veto, ...] = (),
        base_bonus_fen: int = 0,
        proration: Fraction = FULL_PERIOD,
    ) -> SubjectInput:
        """An input built without re-checking every score: for callers whose values already hold
        the invariants (Decimals from 0 to 100, e.g. read from a column the database constrains,
        a non-negative fen amount, a proration from 0 to 1). A cycle of 100,000 people carries
        millions of scores, and checking each again costs seconds. Anything else must use the
        normal constructor."""
        # The slots' own setters (a frozen dataclass refuses setattr); no loop, no Fraction
        # comparison for the usual full period: this runs once per subject of a cycle.
        self = object.__new__(cls)
        _SET_ID(self, subject_id)
        _SET_GROUP(self, group_key)
        _SET_RATINGS(self, ratings)
        _SET_METRICS(self, metrics)
        _SET_ADJUSTMENTS(self, adjustments)
        _SET_VETOES(self, vetoes)
        _SET_BONUS(self, base_bonus_fen)
        _SET_PRORATION(self, FULL_PERIOD if proration is FULL_PERIOD or proration == 1 else proration)
        return self

    @classmethod
    def from_scores(
        cls,
        subject_id: str,
        scores: Iterable[RoleScore],
        *,
        group_key: str = "",
        metrics: Mapping[str, Decimal | None] | None = None,
        adjustments: Sequence[Adjustment] = (),
        vetoes: Sequence[Veto] = (),
        base_bonus_fen: int = 0,
        proration: Fraction = FULL_PERIOD,
    ) -> SubjectInput:
        """Build an input from score rows (one per rater and indicator)."""
        grouped: defaultdict[str, defaultdict[str, list[Decimal]]] = defaultdict(
            lambda: defaultdict(list))
        for s in scores:
            grouped[s.indicator_code][s.role].append(s.value)
        ratings = {code: {role: tuple(v) for role, v in roles.items()}
                   for code, roles in grouped.items()}
        return cls(subject_id, group_key, ratings, _NO_METRICS if metrics is None else metrics,
                   tuple(adjustments), tuple(vetoes), base_bonus_fen, proration)


(_SET_ID, _SET_GROUP, _SET_RATINGS, _SET_METRICS, _SET_ADJUSTMENTS, _SET_VETOES, _SET_BONUS,
 _SET_PRORATION) = (SubjectInput.__dict__[name].__set__ for name in (
    "subject_id", "group_key", "ratings", "metrics", "adjustments", "vetoes", "base_bonus_fen", "proration"))


def _check_ratings(sid: str, ratings: Ratings) -> None:
    for code, by_role in ratings.items():
        for role, values in by_role.items():
            if type(values) not in (tuple, list) and (
                    isinstance(values, str | bytes) or not isinstance(values, Sequence)):
                raise InputError(f"subject {sid}: {role} scores for {code} must be a list or tuple "
                                 "of Decimals (评分应为列表)")
            for v in values:
                # is_finite first: comparing NaN would raise instead of reporting.
                if not (isinstance(v, Decimal) and v.is_finite() and ZERO <= v <= HUNDRED):
                    raise InputError(f"subject {sid}: {role} score {v!r} for {code} must be a "
                                     "Decimal from 0 to 100 (评分必须在 0–100 之间)")


def _check_metrics(sid: str, metrics: Mapping[str, Decimal | None]) -> None:
    for name, v in metrics.items():
        if v is not None and not (isinstance(v, Decimal) and v.is_finite()):
            raise InputError(f"subject {sid}: metric {name} = {v!r} must be a finite Decimal "
                             "or None (指标数据必须是 Decimal)")
