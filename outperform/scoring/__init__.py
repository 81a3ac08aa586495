"""Outperform scoring engine: pure functions from frozen inputs to results.

No Django, no ORM, no I/O: services load rows in bulk, build :class:`TemplateSpec` and
:class:`SubjectInput` values, call :func:`compute_cycle`, and save the
:class:`SubjectResult` values in bulk. The maths is described in ``docs/scoring.md``.
"""

from .bonus import PoolAllocation, allocate_pool, base_bonus, pool_weight
from .dense import DenseBlock, DenseRatings, RatingGrid, rating_grid
from .engine import collector_paused, compute_cycle, compute_cycle_detailed
from .errors import ConfigError, FormulaError, InputError, RuleError, ScoringError
from .formula import Formula, parse
from .grading import BandScale, quota_places, validate_bands
from .na import NOT_APPLICABLE, NotApplicable, ScoreOrNA
from .ranking import competition_ranks
from .results import (
    AdjustmentBreakdown,
    Breakdown,
    CycleResult,
    GroupSummary,
    IndicatorBreakdown,
    IndicatorColumns,
    QuotaPlaces,
    RoleBreakdown,
    RoleLayout,
    SubjectResult,
)
from .rounding import SCORING_CONTEXT, round_score, scoring_context
from .rules import (
    BandsRule,
    DeductionRule,
    FormulaRule,
    LinearRule,
    Rule,
    ValueBand,
    rule_from_dict,
    rule_to_dict,
)
from .types import (
    FULL_PERIOD,
    Adjustment,
    GradeBand,
    IndicatorSpec,
    Quota,
    RoleScore,
    SubjectInput,
    TemplateSpec,
    Veto,
)
from .validation import validate_template
from .weights import apportion

__all__ = [
    "FULL_PERIOD",
    "NOT_APPLICABLE",
    "SCORING_CONTEXT",
    "Adjustment",
    "AdjustmentBreakdown",
    "BandScale",
    "BandsRule",
    "Breakdown",
    "ConfigError",
    "DenseBlock",
    "DenseRatings",
    "CycleResult",
    "DeductionRule",
    "Formula",
    "FormulaError",
    "FormulaRule",
    "GradeBand",
    "GroupSummary",
    "IndicatorBreakdown",
    "IndicatorColumns",
    "IndicatorSpec",
    "InputError",
    "LinearRule",
    "NotApplicable",
    "PoolAllocation",
    "Quota",
    "QuotaPlaces",
    "RatingGrid",
    "RoleBreakdown",
    "RoleLayout",
    "RoleScore",
    "Rule",
    "RuleError",
    "ScoreOrNA",
    "ScoringError",
    "SubjectInput",
    "SubjectResult",
    "TemplateSpec",
    "ValueBand",
    "Veto",
    "allocate_pool",
    "apportion",
    "base_bonus",
    "collector_paused",
    "competition_ranks",
    "compute_cycle",
    "compute_cycle_detailed",
    "parse",
    "pool_weight",
    "quota_places",
    "rating_grid",
    "round_score",
    "rule_from_dict",
    "rule_to_dict",
    "scoring_context",
    "validate_bands",
    "validate_template",
]
