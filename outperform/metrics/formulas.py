"""Formula metrics (公式指标): other metrics of the same subject and period, combined in Python
(docs/metrics.md §Formula metrics).

A formula's parts are evaluated in bulk — one GROUP BY per part over every subject asked for, the
same query as for the part on its own — and combined subject by subject with `spec.combine`. So
a formula over N subjects costs one query for the definitions plus one per metric over records it
reads, directly or through other formulas, whatever N.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping
from typing import Any, TypeVar

from outperform import scoring

from . import engine
from . import spec as ms
from .models import Metric

K = TypeVar("K", bound=Hashable)
# Evaluates one metric over records for the resolver's subjects: {key: Outcome}.
BaseFn = Callable[[Metric], Mapping[Any, ms.Outcome]]


def definitions() -> dict[str, Metric]:
    """Every metric by code, active or not, in one query: a formula keeps working when one of its
    parts is switched off (switching off hides a metric from indicators and the explorer only)."""
    return {m.code: m for m in Metric.objects.all()}


def parts_of(metric: Metric | ms.MetricSpec) -> frozenset[str]:
    """The metric codes a formula names (empty for a metric over records or a broken formula)."""
    expression = getattr(metric, "expression", "")
    if getattr(metric, "aggregation", "") != ms.FORMULA or not expression:
        return frozenset()
    try:
        return scoring.parse(expression, expect="number").names
    except scoring.FormulaError:
        return frozenset()


def allowed_levels(metric: Metric, defs: Mapping[str, Metric], _seen: frozenset[str] = frozenset()) -> list[str]:
    """The subject levels a metric may be computed for. A formula: the levels every part allows
    (through nested formulas), narrowed by its own `levels` when given."""
    if metric.aggregation != ms.FORMULA:
        return metric.allowed_levels()
    common = list(ms.SUBJECT_LEVELS)
    for code in sorted(parts_of(metric)):
        part = defs.get(code)
        if part is None or code in _seen:
            return []
        part_levels = allowed_levels(part, defs, _seen | {metric.code})
        common = [lv for lv in common if lv in part_levels]
    own = metric.levels if isinstance(metric.levels, list) else []
    return [lv for lv in common if not own or lv in own]


def parts_levels(metric: Metric, defs: Mapping[str, Metric]) -> list[str]:
    """The levels every part of a formula allows, before its own `levels` narrow them."""
    unnarrowed = Metric(code=metric.code, aggregation=metric.aggregation, expression=metric.expression, levels=[])
    return allowed_levels(unnarrowed, {**defs, metric.code: unnarrowed})


class Resolver:
    """Outcomes of metrics — over records or formulas — for one set of subjects (a level and its
    ids, a set of groups, everything visible): each metric over records evaluated once through
    `base`, each formula once from its parts. Levels a metric does not allow give n/a."""

    def __init__(self, defs: Mapping[str, Metric], keys: Iterable[Any], base: BaseFn, level: str | None) -> None:
        self.defs = defs
        self.keys = list(keys)
        self.base = base
        self.level = level
        self._memo: dict[str, Mapping[Any, ms.Outcome]] = {}
        self._visiting: set[str] = set()

    def _not_applicable(self) -> dict[Any, ms.Outcome]:
        return dict.fromkeys(self.keys, ms.NOT_APPLICABLE)

    def outcomes(self, code: str) -> Mapping[Any, ms.Outcome]:
        if code in self._memo:
            return self._memo[code]
        metric = self.defs.get(code)
        if metric is None or code in self._visiting:
            # A part deleted behind the formula's back, or a cycle saved around validation.
            return self._not_applicable()
        if self.level is not None and self.level not in allowed_levels(metric, self.defs):
            result: Mapping[Any, ms.Outcome] = self._not_applicable()
        elif metric.aggregation == ms.FORMULA:
            self._visiting.add(code)
            try:
                result = self._combine(metric)
            finally:
                self._visiting.discard(code)
        else:
            result = self.base(metric)
        self._memo[code] = result
        return result

    def _combine(self, metric: Metric) -> dict[Any, ms.Outcome]:
        try:
            formula = ms.parse_formula(metric.expression)
        except ms.SpecError:
            return self._not_applicable()
        parts = {name: self.outcomes(name) for name in sorted(formula.names)}
        out: dict[Any, ms.Outcome] = {}
        for key in self.keys:
            values = {name: (o[key].value if key in o else None) for name, o in parts.items()}
            out[key] = ms.Outcome(ms.combine(formula, values))
        return out


def _metric(spec: ms.MetricSpec, defs: Mapping[str, Metric]) -> Metric:
    """The definition to evaluate: the stored one with this spec's formula (a spec may be an
    unsaved edit, e.g. in tests or a preview)."""
    stored = defs.get(spec.code)
    levels = list(stored.levels) if stored is not None and isinstance(stored.levels, list) else []
    return Metric(code=spec.code, name=spec.code, aggregation=ms.FORMULA, expression=spec.expression, levels=levels)


def _resolve(spec: ms.MetricSpec, keys: Iterable[Any], base: BaseFn, level: str | None,
             defs: Mapping[str, Metric] | None) -> Mapping[Any, ms.Outcome]:
    defs = dict(definitions() if defs is None else defs)
    defs[spec.code] = _metric(spec, defs)
    return Resolver(defs, keys, base, level).outcomes(spec.code)


def evaluate(spec: ms.MetricSpec, level: str, subject_ids: Collection[int], start: dt.date, end: dt.date, *,
             within_for: engine.WithinFor | None = None, defs: Mapping[str, Metric] | None = None
             ) -> dict[int, ms.Outcome]:
    ids = list(dict.fromkeys(subject_ids))

    def base(m: Metric) -> Mapping[Any, ms.Outcome]:
        return engine.evaluate(m.spec(), level, ids, start, end, within_for=within_for)

    return dict(_resolve(spec, ids, base, level, defs))


def evaluate_groups(spec: ms.MetricSpec, level: str, groups: Mapping[K, Collection[int]], start: dt.date,
                    end: dt.date, *, within_for: engine.WithinFor | None = None,
                    defs: Mapping[str, Metric] | None = None) -> dict[K, ms.Outcome]:
    def base(m: Metric) -> Mapping[Any, ms.Outcome]:
        return engine.evaluate_groups(m.spec(), level, groups, start, end, within_for=within_for)

    return dict(_resolve(spec, list(groups), base, level, defs))


def evaluate_all(spec: ms.MetricSpec, start: dt.date, end: dt.date, *, within_for: engine.WithinFor | None = None,
                 defs: Mapping[str, Metric] | None = None) -> ms.Outcome:
    def base(m: Metric) -> Mapping[Any, ms.Outcome]:
        return {None: engine.evaluate_all(m.spec(), start, end, within_for=within_for)}

    return _resolve(spec, [None], base, None, defs)[None]


def trend(spec: ms.MetricSpec, level: str | None, subject_id: int | None, start: dt.date, end: dt.date, *,
          within_for: engine.WithinFor | None = None, defs: Mapping[str, Metric] | None = None
          ) -> list[tuple[dt.date, ms.Outcome]]:
    """Month by month: each part's trend (one query each), combined month by month."""
    months = [lo.replace(day=1) for lo, _hi in engine.months(start, end)]

    def base(m: Metric) -> Mapping[Any, ms.Outcome]:
        return dict(engine.trend(m.spec(), level, subject_id, start, end, within_for=within_for))

    out = _resolve(spec, months, base, level if subject_id is not None else None, defs)
    return [(month, out[month]) for month in months]


def explain(metric: Metric, level: str | None, subject_id: int | None, start: dt.date, end: dt.date, *,
            within_for: engine.WithinFor | None = None, defs: Mapping[str, Metric] | None = None
            ) -> tuple[ms.Outcome, list[tuple[str, Metric | None, ms.Outcome]]]:
    """A formula's value for one subject (or everything visible) and the parts it names, each with
    its definition (None: no such metric) and value — what the explorer shows. One evaluation of
    each part serves both."""
    defs = {**(definitions() if defs is None else defs), metric.code: metric}
    keys: list[Any]
    base: BaseFn
    if level is not None and subject_id is not None:
        keys, one_level = [subject_id], level

        def base(m: Metric) -> Mapping[Any, ms.Outcome]:
            return engine.evaluate(m.spec(), one_level, keys, start, end, within_for=within_for)
    else:
        keys, level = [None], None

        def base(m: Metric) -> Mapping[Any, ms.Outcome]:
            return {None: engine.evaluate_all(m.spec(), start, end, within_for=within_for)}

    resolver = Resolver(defs, keys, base, level)
    value = resolver.outcomes(metric.code)[keys[0]]
    return value, [(code, defs.get(code), resolver.outcomes(code)[keys[0]]) for code in sorted(parts_of(metric))]


def dependents(codes: Collection[str], defs: Mapping[str, Metric]) -> set[str]:
    """The formula metrics that read any of `codes`, directly or through other formulas."""
    reads = {c: parts_of(m) for c, m in defs.items() if m.aggregation == ms.FORMULA}
    found: set[str] = set()
    frontier = set(codes)
    while frontier:
        new = {c for c, names in reads.items() if names & frontier and c not in found}
        found |= new
        frontier = new
    return found


def referrers(code: str, defs: Mapping[str, Metric] | None = None) -> list[str]:
    """The formula metrics whose formula names `code` directly."""
    defs = definitions() if defs is None else defs
    return sorted(c for c, m in defs.items() if code in parts_of(m) and c != code)


def problems(metric: Metric, defs: Mapping[str, Metric]) -> list[str]:
    """What is wrong with a formula metric's references among `defs` (unknown codes, cycles, no
    level shared by its parts); [] when none."""
    names = parts_of(metric)
    known: dict[str, Iterable[str] | None] = {
        c: (parts_of(m) if m.aggregation == ms.FORMULA else None) for c, m in defs.items()}
    known[metric.code] = names
    found = ms.formula_problems(metric.code, names, known)
    if not found and not parts_levels(metric, defs):
        found.append("各组成指标没有共同的适用对象（如一个只按人员、另一个只按服务商计算） / The parts share no "
                     "subject level (e.g. one is per worker only, another per vendor only)")
    return found


def check_all(defs: Mapping[str, Metric] | None = None) -> list[str]:
    """Every formula metric's problems, as "code: problem" lines (after an Excel import)."""
    defs = definitions() if defs is None else defs
    out: list[str] = []
    for code, metric in sorted(defs.items()):
        if metric.aggregation != ms.FORMULA:
            continue
        try:
            ms.parse_formula(metric.expression)
        except ms.SpecError as exc:
            out.extend(f"{code}: {m}" for m in exc.errors["expression"])
            continue
        out.extend(f"{code}: {m}" for m in problems(metric, defs))
    return out
