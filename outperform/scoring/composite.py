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
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from itertools import chain, repeat
from typing import Final, NamedTuple

from .errors import InputError
from .formula import Formula
from .na import NOT_APPLICABLE
from .results import AdjustmentBreakdown, Breakdown, IndicatorColumns, RoleLayout
from .rounding import HUNDRED, SCORE_QUANTUM, ZERO
from .rules import Rule
from .types import Adjustment, SubjectInput, TemplateSpec
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
_div = operator.truediv
_is = operator.is_
_dict_get = dict.get
_values = operator.methodcaller("values")
_quantize = Decimal.quantize
_flatten = chain.from_iterable
_LAYOUT = operator.itemgetter(0)
_PER_SCORE = operator.itemgetter(1)
_COMMON = operator.itemgetter(2)
# Endless constant streams for map() over a variable number of items.
_LEN = repeat(len)
_MUL = repeat(_mul)
_ZERO = repeat(ZERO)
_QS = repeat(_Q)
_HALF_UPS = repeat(_HALF_UP)


class _Entry(NamedTuple):
    """How to score one qualitative indicator for one arrangement of raters.

    Keyed by the roles in the order a subject's ratings list them and the number of raters
    per role; shared by every subject with that arrangement. ``per_score`` holds, for every
    single score in that arrangement, its role's effective weight / 100 × ``common`` /
    count: the exact weighted mean of the role means is then ``Σ score × per_score /
    common`` - one division, done last. ``per_score`` is ``None`` when none of the roles
    has weight (the indicator is then not applicable).
    """

    layout: RoleLayout
    per_score: tuple[Decimal, ...] | None
    common: Decimal


class _Qualitative:
    __slots__ = ("code", "entries", "role_index", "table")

    def __init__(self, code: str, role_weights: Mapping[str, Decimal]) -> None:
        self.code = code
        self.role_index = {role: i for i, role in enumerate(role_weights)}
        self.table = WeightTable(tuple(role_weights.values()))
        self.entries: dict[tuple[tuple[str, ...], tuple[int, ...]], _Entry] = {}

    def entry(self, names: tuple[str, ...], counts: tuple[int, ...]) -> _Entry:
        key = (names, counts)
        found = self.entries.get(key)
        if found is None:
            found = self.entries[key] = self._build(names, counts)
        return found

    def _build(self, names: tuple[str, ...], counts: tuple[int, ...]) -> _Entry:
        index = self.role_index
        mask = 0
        for name in names:
            if name in index:
                mask |= 1 << index[name]
        weights = tuple(self.table.weights[index[n]] if n in index else ZERO for n in names)
        looked_up = self.table.lookup(mask)
        if looked_up is None:
            return _Entry(RoleLayout(names, weights, (_NO_WEIGHT,) * len(names)), None, _ONE)
        effective, factors = looked_up
        layout = RoleLayout(names, weights, tuple(effective[index[n]] if n in index
                                                  else _NO_WEIGHT for n in names))
        common = math.lcm(*counts)
        per_role = (factors[index[n]] * (common // c) if n in index else ZERO
                    for n, c in zip(names, counts, strict=True))
        per_score = tuple(chain.from_iterable(
            repeat(f, c) for f, c in zip(per_role, counts, strict=True)))
        return _Entry(layout, per_score, Decimal(common))

    def score(self, by_role: RoleRatings | None
              ) -> tuple[Decimal | None, RoleLayout | None, RoleRatings | None]:
        """One indicator on its own: the general path, for arrangements the block skips."""
        rated = {role: values for role, values in by_role.items() if values} if by_role else {}
        if not rated:
            return None, None, None
        values = rated.values()
        entry = self.entry(tuple(rated), tuple(map(len, values)))
        if entry.per_score is None:
            return None, entry.layout, rated
        exact = sum(map(_mul, chain.from_iterable(values), entry.per_score), ZERO) / entry.common
        return exact.quantize(_Q, _HALF_UP), entry.layout, rated


Scores = list[Decimal | None]
Layouts = list[RoleLayout | None]
RatingsColumn = list[RoleRatings | None]


class _QualitativeBlock:
    """All qualitative indicators of a template, scored together for one subject.

    The arithmetic per subject is a hundred-odd Decimal operations; the Python around
    them costs as much again. So the common case - every indicator rated, no empty role -
    is written as chains of ``map``/``zip`` that run the per-indicator and per-score loops
    in C. Anything else falls back to :meth:`_Qualitative.score` per indicator.
    """

    __slots__ = ("caches", "codes", "nones", "plans")

    def __init__(self, plans: Sequence[_Qualitative]) -> None:
        self.plans = tuple(plans)
        self.codes = tuple(p.code for p in plans)
        self.caches = tuple(p.entries for p in plans)
        self.nones = (None,) * len(plans)

    def score(self, ratings: Ratings) -> tuple[Scores, Layouts, RatingsColumn]:
        """Scores, role layouts and the ratings used, per qualitative indicator."""
        by_roles = list(map(ratings.get, self.codes))
        if not all(by_roles):
            return self._general(by_roles)
        values = list(map(_values, by_roles))
        counts = list(map(tuple, map(map, _LEN, values)))
        entries = list(map(_dict_get, self.caches, zip(map(tuple, by_roles), counts)))
        if any(map(_is, entries, self.nones)):
            if 0 in chain.from_iterable(counts):
                return self._general(by_roles)
            entries = [e if e is not None else p.entry(tuple(b), c)
                       for e, p, b, c in zip(entries, self.plans, by_roles, counts, strict=True)]
        per_score = list(map(_PER_SCORE, entries))
        if any(map(_is, per_score, self.nones)):
            return self._general(by_roles)
        exact = map(_div, map(sum, map(map, _MUL, map(_flatten, values), per_score), _ZERO),
                    map(_COMMON, entries))
        scores: Scores = list(map(_quantize, exact, _QS, _HALF_UPS))
        return scores, list(map(_LAYOUT, entries)), by_roles  # type: ignore[return-value]

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


class _Quantitative:
    __slots__ = ("measure", "metric", "rule")

    def __init__(self, rule: Rule, metric: str, measure: Formula | None) -> None:
        self.rule = rule
        self.metric = metric
        self.measure = measure

    def score(self, metrics: Metrics) -> tuple[Decimal | None, Decimal | None]:
        """``(score or None if not applicable, actual value)``."""
        if self.measure is None:
            raw = metrics.get(self.metric)
        else:
            value = self.measure.evaluate_in_context(metrics)
            raw = value if isinstance(value, Decimal) else None
        score = self.rule.apply(raw, metrics)
        return (None if score is NOT_APPLICABLE else score), raw


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


class SubjectScorer:
    """Scores subjects against one (validated) template."""

    def __init__(self, template: TemplateSpec) -> None:
        qualitative: list[_Qualitative] = []
        quantitative: list[_Quantitative] = []
        quantitative_codes: list[str] = []
        rules: list[str] = []
        for ind in template.indicators:
            if ind.kind == "quantitative" and ind.rule is not None:
                quantitative.append(_Quantitative(ind.rule, ind.value_metric, ind.measure))
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
        self._quantitative = tuple(p.score for p in quantitative)
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

    def score(self, subject: SubjectInput) -> ScoredSubject:
        ratings = subject.ratings
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
            order = self._order
            scores, raws, layouts, used = (
                [column[i] for i in order] for column in (scores, raws, layouts, used))

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
                breakdown = _new(Breakdown, (self.columns, tuple(scores),
                                             (_NO_WEIGHT,) * len(scores), tuple(raws),
                                             tuple(layouts), tuple(used)))
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
        breakdown = _new(Breakdown, (self.columns, tuple(scores), effective, tuple(raws),
                                     tuple(layouts), tuple(used)))
        return _new(ScoredSubject, (subject, total.quantize(_Q, _HALF_UP), weighted,
                                    adjustment_total, breakdown, adjustments, not_applicable,
                                    vetoes))

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
