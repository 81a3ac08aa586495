"""Indicator scores and the composite score of one subject.

Qualitative indicator (定性)
    For each rater role, the mean of that role's scores. The indicator score is the mean of
    the role means weighted by the role weights, renormalised over the roles that actually
    rated (see :mod:`.weights`): a role without a rater is left out, it does not count as 0.
    A role the indicator gives no weight is shown in the breakdown and ignored. If no
    weighted role rated, the indicator is not applicable.
Quantitative indicator (定量)
    The rule maps the actual value to 0-100; NOT_APPLICABLE leaves the indicator out.
Composite
    ``weighted = Σ score × effective weight / 100`` over the applicable indicators (the
    effective weights are the template weights renormalised to 100); then each 加减分 item
    is capped to ``±cap``, their sum optionally to ``±adjustment_cap``, added, and the total
    clamped to ``[scale_min, scale_max]``. Indicator scores and the composite are rounded
    half up to 0.01 at the end of their stage; nothing in between is rounded.

Exactness: a qualitative score is ``Σ_r total_r × factor_r / count_r`` computed over a
common denominator with a single division, and the composite is a sum of exact products,
so the half-up rounding is applied to the exact value (or to a 28-digit quotient that
cannot lie on the other side of a rounding boundary).

Vetoes do not change the composite; they force the grade (see :mod:`.grading`).

The per-template work (role layouts, weight tables, rule descriptions) is done once in
:class:`SubjectScorer`; :meth:`SubjectScorer.score` is the per-subject hot path and must
run inside :func:`~.rounding.scoring_context`.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from itertools import repeat
from typing import Any, Final, NamedTuple

from .dense import SCORE_DECIMALS, DenseBlock, DenseRatings, RatingGrid, rating_grid
from .errors import InputError
from .formula import Formula
from .na import NOT_APPLICABLE
from .results import AdjustmentBreakdown, Breakdown, IndicatorColumns, RoleLayout
from .rounding import HUNDRED, SCORE_QUANTUM, ZERO
from .rules import Rule
from .types import Adjustment, SubjectInput, TemplateSpec
from .vector import VectorPlan
from .weights import WeightTable

__all__ = ["QUALITATIVE_RULE", "ScoredSubject", "SubjectScorer"]

QUALITATIVE_RULE: Final = "weighted mean of rater-role means"

Metrics = Mapping[str, Decimal | None]
RoleRatings = Mapping[str, Sequence[Decimal]]
Ratings = Mapping[str, RoleRatings]

_NO_WEIGHT: Final = Decimal("0.00")
_ONE: Final = Decimal(1)
_Q: Final = SCORE_QUANTUM
_HALF_UP: Final = ROUND_HALF_UP
_new = tuple.__new__  # NamedTuple.__new__ is a Python function; this skips its frame
_mul = operator.mul
_is = operator.is_
_call = operator.call
_first = operator.itemgetter(0)
_EMPTY = repeat(())  # default for map(by_role.get, roles, _EMPTY): absent role -> no scores


class _Entry(NamedTuple):
    """How to score one qualitative indicator for one arrangement of raters.

    An arrangement is the number of raters of each configured role, in template order
    (0 = the role did not rate); it is shared by every subject rated that way. With
    ``L`` = ``common``, the lcm of the counts, ``factors[r]`` is role ``r``'s effective
    weight / 100 × L / count, so the exact weighted mean of the role means is
    ``Σ total_r × factors[r] / L`` - one division, done last. ``totallers[r]`` turns the
    role's scores into their total (``len`` for an absent role, whose factor is 0).
    ``factors`` is ``None`` when no role with weight rated (not applicable).
    """

    layout: RoleLayout
    factors: tuple[Decimal, ...] | None
    common: Decimal
    totallers: tuple[Callable[[Sequence[Decimal]], Decimal | int], ...]
    present: int


class _Qualitative:
    __slots__ = ("code", "entries", "role_index", "roles", "table")

    def __init__(self, code: str, role_weights: Mapping[str, Decimal]) -> None:
        self.code = code
        self.roles = tuple(role_weights)
        self.role_index = {role: i for i, role in enumerate(self.roles)}
        self.table = WeightTable(tuple(role_weights.values()))
        self.entries: dict[tuple[int, ...], _Entry] = {}

    def entry(self, counts: tuple[int, ...]) -> _Entry:
        found = self.entries.get(counts)
        if found is None:
            found = self.entries[counts] = self._build(counts)
        return found

    def _build(self, counts: tuple[int, ...]) -> _Entry:
        present = [i for i, c in enumerate(counts) if c]
        mask = sum(1 << i for i in present)
        names = tuple(self.roles[i] for i in present)
        weights = tuple(self.table.weights[i] for i in present)
        totallers = tuple(len if c == 0 else _first if c == 1 else sum for c in counts)
        looked_up = self.table.lookup(mask)
        if looked_up is None:
            layout = RoleLayout(names, weights, (_NO_WEIGHT,) * len(names))
            return _Entry(layout, None, _ONE, totallers, len(present))
        effective, factors = looked_up
        common = math.lcm(*(c for c in counts if c)) if present else 1
        return _Entry(
            RoleLayout(names, weights, tuple(effective[i] for i in present)),
            tuple(f * (common // c) if c else ZERO for f, c in zip(factors, counts, strict=True)),
            Decimal(common),
            totallers,
            len(present),
        )

    def score(self, by_role: RoleRatings | None
              ) -> tuple[Decimal | None, RoleLayout | None, RoleRatings | None]:
        """One indicator on its own: the general path, for what the block does not handle.

        Roles the indicator does not weight are listed after the weighted ones, with weight
        0; roles with no scores are dropped.
        """
        if not by_role:
            return None, None, None
        counts = tuple(len(by_role.get(role) or ()) for role in self.roles)
        unknown = {role: v for role, v in by_role.items() if v and role not in self.role_index}
        if not any(counts) and not unknown:
            return None, None, None
        entry = self.entry(counts)
        layout = entry.layout
        used = {role: by_role[role] for role in layout.names}
        if unknown:
            used.update(unknown)
            layout = RoleLayout(layout.names + tuple(unknown),
                                layout.weights + (ZERO,) * len(unknown),
                                layout.effective_weights + (_NO_WEIGHT,) * len(unknown))
        if entry.factors is None:
            return None, layout, used
        values = tuple(by_role.get(role) or () for role in self.roles)
        return _finish(entry, values), layout, used


def _finish(entry: _Entry, values: Sequence[Sequence[Decimal]]) -> Decimal:
    totals = map(_call, entry.totallers, values)
    exact = sum(map(_mul, totals, entry.factors or ()), ZERO) / entry.common
    return exact.quantize(_Q, _HALF_UP)


Scores = list[Decimal | None]
Layouts = list[RoleLayout | None]
RatingsColumn = list[RoleRatings | None]


class _QualitativeBlock:
    """All qualitative indicators of a template, scored together for one subject.

    The arithmetic per subject is a hundred-odd Decimal operations; the Python around
    them costs several times that, so the common case - every indicator rated, only
    configured roles - takes the shortest path. Anything else goes through
    :meth:`_Qualitative.score` per indicator.
    """

    __slots__ = ("caches", "codes", "plans", "roles")

    def __init__(self, plans: Sequence[_Qualitative]) -> None:
        self.plans = tuple(plans)
        self.codes = tuple(p.code for p in plans)
        self.caches = tuple(p.entries for p in plans)
        self.roles = tuple(p.roles for p in plans)

    def score(self, ratings: Ratings) -> tuple[Scores, Layouts, RatingsColumn]:
        """Scores, role layouts and the ratings used, per qualitative indicator."""
        scores: Scores = []
        layouts: Layouts = []
        add_score, add_layout = scores.append, layouts.append
        by_roles = list(map(ratings.get, self.codes))
        for by_role, roles, cache in zip(by_roles, self.roles, self.caches, strict=True):
            if not by_role:
                return self._general(by_roles)
            values = tuple(map(by_role.get, roles, _EMPTY))
            entry = cache.get(tuple(map(len, values)))
            if entry is None:
                return self._general(by_roles)  # a new arrangement: built there, cached
            layout, factors, common, totallers, present = entry
            if factors is None or present != len(by_role):
                # Nothing weighted rated, or roles the template does not know: explained there.
                return self._general(by_roles)
            exact = sum(map(_mul, map(_call, totallers, values), factors), ZERO) / common
            add_score(exact.quantize(_Q, _HALF_UP))
            add_layout(layout)
        return scores, layouts, by_roles

    def _general(self, by_roles: Sequence[RoleRatings | None]
                 ) -> tuple[Scores, Layouts, RatingsColumn]:
        scores: Scores = []
        layouts: Layouts = []
        used: RatingsColumn = []
        for plan, by_role in zip(self.plans, by_roles, strict=True):
            score, layout, rated = plan.score(by_role)
            scores.append(score)
            layouts.append(layout)
            used.append(rated)
        return scores, layouts, used


QuantitativeFn = Callable[[Metrics], tuple[Decimal | None, Decimal | None]]


def _quantitative(rule: Rule, metric: str, measure: Formula | None) -> QuantitativeFn:
    """``metrics -> (score or None if not applicable, actual value)`` for one indicator."""
    apply = rule.apply
    na = NOT_APPLICABLE
    if measure is None:

        def from_metric(metrics: Metrics) -> tuple[Decimal | None, Decimal | None]:
            raw = metrics.get(metric)
            score = apply(raw, metrics)
            return (None if score is na else score), raw

        return from_metric
    evaluate = measure.evaluate_in_context

    def from_measure(metrics: Metrics) -> tuple[Decimal | None, Decimal | None]:
        value = evaluate(metrics)
        raw = value if isinstance(value, Decimal) else None
        score = apply(raw, metrics)
        return (None if score is na else score), raw

    return from_measure


class ScoredSubject(NamedTuple):
    """Intermediate per-subject result, before ranking, grading and bonus."""

    subject: SubjectInput
    composite: Decimal | None
    weighted: Decimal | None
    adjustment_total: Decimal
    breakdown: Breakdown
    adjustments: tuple[AdjustmentBreakdown, ...]
    not_applicable: tuple[str, ...]
    vetoes: tuple[str, ...]


class _DensePlan(NamedTuple):
    """Integer arithmetic for subjects with :class:`DenseRatings` (one score per slot).

    Per qualitative indicator ``i``: ``(start, stop, multipliers, factor)``. With every role
    present once, the indicator score in hundredths is, exactly,
    ``Σ cents_r × E_r / 10^4`` (``E_r`` the role's effective weight in hundredths of a
    percent, adding up to 10^4), rounded half up: ``(2N + 10^4) // (2 × 10^4)`` - the same
    number the Decimal path quantizes, since its quotient is exact here (the common
    denominator is 1). ``factor`` is the indicator's weight / 100 scaled by ``10^shift`` to
    an integer, so the weighted score is ``Σ score × factor`` exactly, as an integer of
    ``10^-(shift + 2)`` - the exponent the Decimal sum of the general path has.
    """

    rows: tuple[tuple[int, int, tuple[int, ...], int], ...]
    layouts: tuple[RoleLayout, ...]
    shift: int


def _dense_plan(block: _QualitativeBlock, factors: Sequence[Decimal]) -> _DensePlan | None:
    """The plan, or None when the template cannot take the integer path."""
    if not block.plans or len(factors) != len(block.plans):
        return None  # quantitative indicators: scored by rules, the general path does them
    shift = max([0, *(-int(f.as_tuple().exponent) for f in factors)])
    rows, layouts, at = [], [], 0
    for plan, factor in zip(block.plans, factors, strict=True):
        entry = plan.entry((1,) * len(plan.roles))
        if entry.factors is None:
            return None
        multipliers = []
        for f in entry.factors:
            scaled = f * 10000
            if scaled != scaled.to_integral_value():
                return None
            multipliers.append(int(scaled))
        scaled_factor = factor.scaleb(shift)
        if scaled_factor != scaled_factor.to_integral_value():
            return None
        rows.append((at, at + len(plan.roles), tuple(multipliers), int(scaled_factor)))
        layouts.append(entry.layout)
        at += len(plan.roles)
    return _DensePlan(tuple(rows), tuple(layouts), shift)


class SubjectScorer:
    """Scores subjects against one (validated) template."""

    def __init__(self, template: TemplateSpec) -> None:
        qualitative: list[_Qualitative] = []
        quantitative: list[QuantitativeFn] = []
        quantitative_codes: list[str] = []
        rules: list[str] = []
        for ind in template.indicators:
            if ind.kind == "quantitative" and ind.rule is not None:
                quantitative.append(_quantitative(ind.rule, ind.value_metric, ind.measure))
                quantitative_codes.append(ind.code)
                rules.append(ind.rule.description)
            else:
                qualitative.append(_Qualitative(ind.code,
                                                ind.role_weights or template.role_weights))
                rules.append(QUALITATIVE_RULE)
        produced = [p.code for p in qualitative] + quantitative_codes
        indicators = template.indicators
        self.columns = IndicatorColumns(
            tuple(i.code for i in indicators), tuple(i.kind for i in indicators), tuple(rules),
            tuple(i.weight for i in indicators))
        self.block = _QualitativeBlock(qualitative)
        self._quantitative = tuple(quantitative)
        # Values are produced qualitative first; ``_order`` puts them in template order.
        self._order = tuple(produced.index(code) for code in self.columns.codes)
        self._in_order = self._order == tuple(range(len(produced)))
        self._quantitative_blanks: list[None] = [None] * len(quantitative)
        self._qualitative_raws: list[Decimal | None] = [None] * len(qualitative)
        self.qualitative_codes = frozenset(p.code for p in qualitative)
        self.table = WeightTable(self.columns.weights)
        self._factors = tuple((w / HUNDRED).normalize() for w in self.columns.weights)
        self._nones = (None,) * len(indicators)
        self.scale_min = template.scale_min
        self.scale_max = template.scale_max
        self.adjustment_cap = template.adjustment_cap
        self.grid: RatingGrid = rating_grid(template)
        self._dense = _dense_plan(self.block, self._factors)
        self._vector = None if self._dense is None else VectorPlan.build(
            self._dense.rows, self._dense.shift, self.scale_min, self.scale_max)
        self._equal_grid: RatingGrid = self.grid  # the caller's grid object last found equal

    def _dense_fits(self, ratings: DenseRatings) -> bool:
        grid = ratings.grid
        if grid is self._equal_grid:
            return True  # callers share one grid object for all subjects: compared once
        if grid == self.grid:
            self._equal_grid = grid
            return True
        return False

    def score_all(self, subjects: Sequence[SubjectInput]) -> list[ScoredSubject]:
        """:meth:`score` for each subject, in order; the rows of a :class:`DenseBlock` that
        fits the template are scored together (see :mod:`.vector`)."""
        if self._vector is None:
            return list(map(self.score, subjects))
        scored: list[ScoredSubject | None] = [None] * len(subjects)
        blocks: dict[int, tuple[DenseBlock, list[int]]] = {}
        for i, subject in enumerate(subjects):
            ratings = subject.ratings
            if type(ratings) is DenseRatings and ratings.block is not None and self._dense_fits(ratings):
                found = blocks.get(id(ratings.block))
                if found is None:
                    found = blocks[id(ratings.block)] = (ratings.block, [])
                found[1].append(i)
            else:
                scored[i] = self.score(subject)
        for block, positions in blocks.values():
            members = [subjects[i] for i in positions]
            for i, item in zip(positions, self._score_block(block, members), strict=True):
                scored[i] = item
        return scored  # type: ignore[return-value]  # every position was filled above

    def _score_block(self, block: DenseBlock, subjects: Sequence[SubjectInput]) -> list[ScoredSubject]:
        """The dense path's numbers for rows of one block, the arithmetic done by numpy."""
        plan, vector = self._dense, self._vector
        assert plan is not None
        assert vector is not None
        rows = [subject.ratings.row for subject in subjects]  # type: ignore[attr-defined]
        all_scores, all_units, composites = vector.score(block.cents[rows])
        decimals = SCORE_DECIMALS
        pick = decimals.__getitem__
        exponent = -(plan.shift + 2)
        columns, weights = self.columns, self.columns.weights
        tail = (*self._qualitative_raws, *plan.layouts)
        out: list[ScoredSubject] = []
        add = out.append
        for subject, scores, units, hundredths in zip(subjects, all_scores, all_units, composites,
                                                      strict=True):
            weighted = Decimal(units).scaleb(exponent)
            if subject.adjustments:
                adjustments, adjustment_total = self._adjust(subject.adjustments)
                total = weighted + adjustment_total
                if total < self.scale_min:
                    total = self.scale_min
                elif total > self.scale_max:
                    total = self.scale_max
                composite = total.quantize(_Q, _HALF_UP)
            else:
                adjustments, adjustment_total = (), ZERO
                composite = decimals[hundredths] if 0 <= hundredths <= 10000 else \
                    Decimal(hundredths).scaleb(-2)
            vetoes = tuple([v.code for v in subject.vetoes if v.triggered]) if subject.vetoes else ()
            cells = (*map(pick, scores), *tail, subject.ratings)  # one DenseRatings: see Breakdown.ratings
            breakdown = _new(Breakdown, (columns, weights, cells))
            add(_new(ScoredSubject, (subject, composite, weighted, adjustment_total, breakdown,
                                     adjustments, (), vetoes)))
        return out

    def score(self, subject: SubjectInput) -> ScoredSubject:
        ratings = subject.ratings
        if type(ratings) is DenseRatings and self._dense is not None and self._dense_fits(ratings):
            return self._score_dense(subject, ratings)
        if not ratings.keys() <= self.qualitative_codes:
            unknown = sorted(set(ratings) - self.qualitative_codes)
            raise InputError(f"subject {subject.subject_id}: ratings for {', '.join(unknown)}, "
                             "which are not qualitative indicators of the template "
                             "(评分对应的指标不在方案中)")
        metrics = subject.metrics
        scores, layouts, used = self.block.score(ratings)
        raws = self._qualitative_raws.copy()
        for fn in self._quantitative:
            score, raw = fn(metrics)
            scores.append(score)
            raws.append(raw)
        layouts += self._quantitative_blanks
        used += self._quantitative_blanks
        if not self._in_order:
            take = self._order.__getitem__  # position in template -> position produced
            scores = [scores[take(i)] for i in range(len(scores))]
            raws = [raws[take(i)] for i in range(len(raws))]
            layouts = [layouts[take(i)] for i in range(len(layouts))]
            used = [used[take(i)] for i in range(len(used))]

        if subject.adjustments:
            adjustments, adjustment_total = self._adjust(subject.adjustments)
        else:
            adjustments, adjustment_total = (), ZERO
        vetoes = tuple([v.code for v in subject.vetoes if v.triggered]) if subject.vetoes else ()

        not_applicable: tuple[str, ...] = ()
        effective = self.columns.weights
        # ``is None`` via operator.is_: ``None in scores`` would compare Decimal == None,
        # which goes through the numbers ABCs and costs more than the whole check should.
        if any(map(_is, scores, self._nones)):
            codes = self.columns.codes
            not_applicable = tuple(c for c, s in zip(codes, scores, strict=True) if s is None)
            looked_up = self.table.lookup(
                sum(1 << i for i, s in enumerate(scores) if s is not None))
            if looked_up is None:
                breakdown = _new(Breakdown, (self.columns, (_NO_WEIGHT,) * len(scores),
                                             (*scores, *raws, *layouts, *used)))
                return _new(ScoredSubject, (subject, None, None, adjustment_total, breakdown,
                                            adjustments, not_applicable, vetoes))
            effective, factors = looked_up
            weighted = sum((s * f for s, f in zip(scores, factors, strict=True)
                            if s is not None), ZERO)
        else:
            weighted = sum(map(_mul, scores, self._factors), ZERO)
        total = weighted + adjustment_total
        if total < self.scale_min:
            total = self.scale_min
        elif total > self.scale_max:
            total = self.scale_max
        cells: list[Any] = scores
        cells += raws
        cells += layouts
        cells += used
        breakdown = _new(Breakdown, (self.columns, effective, tuple(cells)))
        return _new(ScoredSubject, (subject, total.quantize(_Q, _HALF_UP), weighted,
                                    adjustment_total, breakdown, adjustments, not_applicable,
                                    vetoes))

    def _score_dense(self, subject: SubjectInput, ratings: DenseRatings) -> ScoredSubject:
        """The general path's numbers for one score per slot, with integers (see _DensePlan)."""
        plan = self._dense
        assert plan is not None
        values = ratings.cents
        scores: list[Any] = []
        add = scores.append
        units = 0
        for start, stop, multipliers, factor in plan.rows:
            n = sum(map(_mul, values[start:stop], multipliers))
            q = (2 * n + 10000) // 20000
            add(SCORE_DECIMALS[q])
            units += q * factor
        weighted = Decimal(units).scaleb(-(plan.shift + 2))
        if subject.adjustments:
            adjustments, adjustment_total = self._adjust(subject.adjustments)
        else:
            adjustments, adjustment_total = (), ZERO
        vetoes = tuple([v.code for v in subject.vetoes if v.triggered]) if subject.vetoes else ()
        total = weighted + adjustment_total
        if total < self.scale_min:
            total = self.scale_min
        elif total > self.scale_max:
            total = self.scale_max
        scores += self._qualitative_raws
        scores += plan.layouts
        scores.append(ratings)  # one DenseRatings for every indicator: see Breakdown.ratings
        breakdown = _new(Breakdown, (self.columns, self.columns.weights, tuple(scores)))
        return _new(ScoredSubject, (subject, total.quantize(_Q, _HALF_UP), weighted,
                                    adjustment_total, breakdown, adjustments, (), vetoes))

    def _adjust(self, items: Sequence[Adjustment]
                ) -> tuple[tuple[AdjustmentBreakdown, ...], Decimal]:
        rows = []
        total = ZERO
        for item in items:
            applied = min(max(item.value, -item.cap), item.cap)
            total += applied
            rows.append(AdjustmentBreakdown(item.code, item.value, item.cap, applied))
        cap = self.adjustment_cap
        if cap is not None:
            total = min(max(total, -cap), cap)
        return tuple(rows), total
