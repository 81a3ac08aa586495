"""What the engine returns: one :class:`SubjectResult` per subject, with its breakdown.

The breakdown of a subject is stored by columns (:class:`Breakdown`): one tuple of scores,
one of raw values, one of rater totals ... whose template-wide parts (codes, weights, rule
descriptions, role layouts) are shared by every subject. That is all the information, and
it is cheap to produce for 100,000 subjects. :attr:`SubjectResult.indicators` turns it into
one :class:`IndicatorBreakdown` row per indicator (with :class:`RoleBreakdown` rows per
rater role) when someone looks. A score of ``None`` means the indicator was
NOT_APPLICABLE for this subject and left out of the composite.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Any, NamedTuple

from .dense import DenseRatings
from .rounding import HUNDRED, SCORING_CONTEXT, ZERO

__all__ = [
    "AdjustmentBreakdown",
    "Breakdown",
    "CycleResult",
    "GroupSummary",
    "IndicatorBreakdown",
    "IndicatorColumns",
    "QuotaPlaces",
    "RoleBreakdown",
    "RoleLayout",
    "SubjectResult",
]


class RoleLayout(NamedTuple):
    """The rater roles of one qualitative indicator for one subject, in input order.

    ``weights`` are the configured role weights (0 for a role the indicator does not
    weight); ``effective_weights`` the weights renormalised over these roles (they add up
    to exactly 100, or are all 0 if no role here has weight).
    """

    names: tuple[str, ...]
    weights: tuple[Decimal, ...]
    effective_weights: tuple[Decimal, ...]


class IndicatorColumns(NamedTuple):
    """Template-wide columns of a breakdown, in template order; shared by all subjects."""

    codes: tuple[str, ...]
    kinds: tuple[str, ...]
    rules: tuple[str, ...]
    weights: tuple[Decimal, ...]


@dataclass(frozen=True, slots=True)
class RoleBreakdown:
    """How one rater role scored one qualitative indicator.

    ``scores`` are the role's raters' scores, ``count`` how many there are, ``total`` their
    exact sum and ``mean`` = total / count (28 significant digits, for display - the
    indicator score is computed from the exact scores). ``weight``/``effective_weight`` as
    in :class:`RoleLayout`.
    """

    role: str
    mean: Decimal
    count: int
    weight: Decimal
    effective_weight: Decimal
    total: Decimal
    scores: tuple[Decimal, ...]


class IndicatorBreakdown(NamedTuple):
    """How one indicator entered the composite.

    ``raw_value``: the actual value of a quantitative indicator (``None`` if missing).
    ``rule``: description of the scoring rule. ``score``: 0-100, two decimals, ``None`` if
    not applicable. ``effective_weight``: weight after renormalising over the applicable
    indicators (they add up to exactly 100). ``contribution`` = score × effective_weight /
    100, exact; the contributions add up to ``SubjectResult.weighted_score``.
    ``roles``: one row per rater role (qualitative indicators only).
    """

    code: str
    kind: str
    raw_value: Decimal | None
    rule: str
    score: Decimal | None
    weight: Decimal
    effective_weight: Decimal
    contribution: Decimal
    roles: tuple[RoleBreakdown, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form (Decimals kept), ``roles`` as a list of dicts."""
        data = self._asdict()
        data["roles"] = [dataclasses.asdict(role) for role in self.roles]
        return data


class Breakdown(NamedTuple):
    """A subject's breakdown by columns, every column in template order.

    ``role_layouts[i]`` names the rater roles of indicator ``i`` and ``ratings[i]`` maps
    each of them to the scores its raters gave (both ``None`` for a quantitative or unrated
    indicator). The ratings are the input's own mappings, not copies.

    The four per-subject columns live in one tuple, ``cells`` (scores, raw values, role
    layouts, ratings, one after the other): one object instead of four per subject, which
    the garbage collector and the allocator both notice at 100,000 subjects. For a subject
    scored from :class:`~.dense.DenseRatings` the ratings column is that one object.
    """

    columns: IndicatorColumns
    effective_weights: tuple[Decimal, ...]
    cells: tuple[Any, ...]

    @property
    def scores(self) -> tuple[Decimal | None, ...]:
        return self.cells[: len(self.effective_weights)]

    @property
    def raw_values(self) -> tuple[Decimal | None, ...]:
        n = len(self.effective_weights)
        return self.cells[n : 2 * n]

    @property
    def role_layouts(self) -> tuple[RoleLayout | None, ...]:
        n = len(self.effective_weights)
        return self.cells[2 * n : 3 * n]

    @property
    def ratings(self) -> tuple[Mapping[str, Sequence[Decimal]] | None, ...]:
        n = len(self.effective_weights)
        cells = self.cells[3 * n :]
        if cells and type(cells[0]) is DenseRatings:
            # A subject scored from dense ratings keeps its one DenseRatings as the whole
            # column (no per-indicator object at scoring time); the mappings are built when read.
            dense = cells[0]
            return tuple(dense.get(code) for code in self.columns.codes)
        return cells

    @property
    def contributions(self) -> tuple[Decimal, ...]:
        """score × effective weight / 100 per indicator (0 when not applicable); exact."""
        with localcontext(SCORING_CONTEXT):
            return tuple(ZERO if s is None else s * w / HUNDRED
                         for s, w in zip(self.scores, self.effective_weights, strict=True))

    def rows(self) -> tuple[IndicatorBreakdown, ...]:
        """One :class:`IndicatorBreakdown` per indicator."""
        cols = self.columns
        with localcontext(SCORING_CONTEXT):
            rows = []
            scores, raw_values = self.scores, self.raw_values
            layouts, ratings = self.role_layouts, self.ratings
            for i, contribution in enumerate(self.contributions):
                layout = layouts[i]
                by_role = ratings[i]
                roles = () if layout is None or by_role is None else tuple(
                    _role_row(name, weight, effective, by_role[name])
                    for name, weight, effective in zip(
                        layout.names, layout.weights, layout.effective_weights, strict=True))
                rows.append(IndicatorBreakdown(
                    cols.codes[i], cols.kinds[i], raw_values[i], cols.rules[i], scores[i],
                    cols.weights[i], self.effective_weights[i], contribution, roles))
        return tuple(rows)


def _role_row(name: str, weight: Decimal, effective: Decimal, scores: Sequence[Decimal]
              ) -> RoleBreakdown:
    total = sum(scores, ZERO)
    return RoleBreakdown(name, total / len(scores), len(scores), weight, effective, total,
                         tuple(scores))


class AdjustmentBreakdown(NamedTuple):
    """A 加减分 item: as entered, its cap, and the value applied after capping."""

    code: str
    value: Decimal
    cap: Decimal
    applied: Decimal


class SubjectResult(NamedTuple):
    """The result of one subject in one cycle (a named tuple: cheap to make 100,000 of).

    * ``weighted_score``: Σ contributions, exact, before adjustments (``None`` if no
      indicator applied).
    * ``adjustment_total``: sum of capped adjustments (after the template's total cap).
    * ``composite``: weighted_score + adjustment_total, clamped to the scale, rounded to
      0.01 half up; ``None`` if no indicator applied.
    * ``band_grade``: grade by bands alone; ``grade``: the final grade (after veto and
      forced distribution); ``grade_reason``: why, in words.
    * ``rank``: competition rank (1, 2, 2, 4) by composite within the group;
      ``group_size``: number of ranked subjects in the group.
    * ``coefficient``: bonus coefficient of ``grade`` (0 if no grade); ``bonus_fen``.
    * ``breakdown``: per-indicator columns; :attr:`indicators` gives them as rows.
    * ``not_applicable``: codes of the indicators left out; ``vetoes``: codes of the
      triggered 一票否决 items.
    """

    subject_id: str
    group_key: str
    composite: Decimal | None
    weighted_score: Decimal | None
    adjustment_total: Decimal
    band_grade: str | None
    grade: str | None
    grade_reason: str
    rank: int | None
    group_size: int
    coefficient: Decimal
    bonus_fen: int
    breakdown: Breakdown
    adjustments: tuple[AdjustmentBreakdown, ...]
    not_applicable: tuple[str, ...]
    vetoes: tuple[str, ...]

    @property
    def indicators(self) -> tuple[IndicatorBreakdown, ...]:
        """The breakdown as one row per indicator, in template order."""
        return self.breakdown.rows()


class QuotaPlaces(NamedTuple):
    """A quota turned into places for one group: ``places`` = rounded ``share`` × ``n``."""

    grade_code: str
    kind: str
    share: Decimal
    places: int


@dataclass(frozen=True, slots=True)
class GroupSummary:
    """Per-group figures: size, whether forced distribution applied, places, bonus pool.

    ``graded``: subjects that received a grade (ranked subjects plus vetoed ones).
    ``counts``: grade code -> number of subjects with that grade.
    ``pool_fen``/``paid_fen``/``unallocated_fen``: the bonus pool (0 unless bonus="pool");
    ``unallocated_fen`` is the whole pool when every weight is zero, else 0.
    """

    group_key: str
    graded: int
    forced_distribution: bool
    places: tuple[QuotaPlaces, ...]
    counts: Mapping[str, int]
    pool_fen: int
    paid_fen: int
    unallocated_fen: int


@dataclass(frozen=True, slots=True)
class CycleResult:
    """Results in ``subject_id`` order, plus a summary per group (by group key)."""

    results: tuple[SubjectResult, ...]
    groups: Mapping[str, GroupSummary]
