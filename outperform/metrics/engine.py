"""Evaluate metrics in SQL: one GROUP BY over the source's records for many subjects at once.

A metric over N subjects costs one query (two for a percentile on SQLite, or for departments and
teams whose records are rolled up), whatever N. The database reduces each group to a `Partial`;
`spec.finish` does the last arithmetic in Python, identically on both databases
(docs/metrics.md §Evaluation).

Formula metrics have no records: every function here hands them to `formulas`, which evaluates
their parts with these same functions (one query per part) and combines the values in Python.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Aggregate, Case, Count, F, FloatField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone

from outperform.records.registry import RecordSource

from . import spec as ms
from .sources import current_during, current_on, date_is_datetime, get_source, source_fields

K = TypeVar("K", bound=Hashable)
# The records a caller may see, by source key (the explorer passes `restrict`); None: all.
WithinFor = Callable[[str], QuerySet[Any] | None]
# Above this many subjects, grouping every record of the period is cheaper (and portable: SQLite
# limits the parameters of one statement) than an IN list; groups not asked for are dropped.
IN_LIST_LIMIT = 500


class PercentileCont(Aggregate):
    """PostgreSQL's percentile_cont(p) WITHIN GROUP (ORDER BY x): linear interpolation."""

    function = "PERCENTILE_CONT"
    name = "PercentileCont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: Any, percent: Decimal, **extra: Any) -> None:
        fraction = Decimal(percent) / 100  # a validated Decimal: only digits reach the SQL
        if not 0 <= fraction <= 1:
            raise ValueError("percentile out of range")
        super().__init__(expression, fraction=format(fraction, "f"), **extra)


def period_q(source: RecordSource, start: dt.date, end: dt.date) -> Q:
    """Records whose date falls on a day from start to end, both included (local days); for a
    source whose records last, those current on some day of it."""
    if source.end_field:
        return current_during(source, start, end)
    name = source.date_field
    if date_is_datetime(source):
        tz = timezone.get_current_timezone()
        lo = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
        hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return Q(**{f"{name}__gte": lo, f"{name}__lt": hi})
    return Q(**{f"{name}__gte": start, f"{name}__lte": end})


def _value(kind: str, value: Any) -> Any:
    if kind == "datetime" and isinstance(value, dt.datetime) and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def condition_q(cond: ms.Condition, kind: str) -> Q:
    value = ms.coerce_condition(cond, kind)
    if cond.op == "in":
        return Q(**{f"{cond.field}__in": [_value(kind, v) for v in value]})
    if value is None:
        return Q(**{f"{cond.field}__isnull": cond.op == "="})
    value = _value(kind, value)
    lookup = {"=": "exact", "!=": "exact", ">": "gt", ">=": "gte", "<": "lt", "<=": "lte"}[cond.op]
    q = Q(**{f"{cond.field}__{lookup}": value})
    return ~q if cond.op == "!=" else q


def conditions_q(conds: Collection[ms.Condition], fields: Mapping[str, str]) -> Q | None:
    if not conds:
        return None
    q = Q()
    for c in conds:
        q &= condition_q(c, fields[c.field])
    return q


def _and(a: Q | None, b: Q | None) -> Q | None:
    if a is None:
        return b
    if b is None:
        return a
    return a & b


def _base(spec: ms.MetricSpec, start: dt.date, end: dt.date, within: QuerySet[Any] | None
          ) -> tuple[RecordSource, QuerySet[Any], dict[str, str]]:
    source = get_source(spec.source)
    qs = within if within is not None else source.model._default_manager.all()
    return source, qs.filter(period_q(source, start, end)), source_fields(spec.source)


def _annotations(spec: ms.MetricSpec, fields: Mapping[str, str], *, db_percentile: bool, within: Q | None = None,
                 period: tuple[dt.date, dt.date] | None = None, suffix: str = "") -> dict[str, Any]:
    """The conditional aggregates that reduce a group to a Partial. `within` narrows them (a month
    of a trend); `period` is needed for the start/end counts of lasting records."""
    fq = _and(conditions_q(spec.filters, fields), within)
    ann: dict[str, Any] = {f"_rows{suffix}": Count("pk", filter=within), f"_count{suffix}": Count("pk", filter=fq)}
    agg = spec.aggregation
    kind = fields.get(spec.field, "")
    if agg in ("sum", "mean"):
        if kind == "bool":
            ann[f"_total{suffix}"] = Count("pk", filter=_and(fq, Q(**{spec.field: True})))
        else:
            ann[f"_total{suffix}"] = Sum(spec.field, filter=fq)
        ann[f"_present{suffix}"] = Count(spec.field, filter=fq)
    elif agg == "ratio":
        ann[f"_num{suffix}"] = Count("pk", filter=_and(fq, conditions_q(spec.numerator, fields)))
    elif agg == "percentile" and db_percentile:
        assert spec.percentile is not None
        target: Any = spec.field
        if kind == "bool":
            target = Case(When(**{spec.field: True}, then=Value(1)), default=Value(0))
        ann[f"_pct{suffix}"] = PercentileCont(target, spec.percentile,
                                              filter=_and(fq, Q(**{f"{spec.field}__isnull": False})))
    elif agg == ms.ACTIVE_AVG:
        assert period is not None
        source = get_source(spec.source)
        ann[f"_start{suffix}"] = Count("pk", filter=_and(fq, current_on(source, period[0])))
        ann[f"_end{suffix}"] = Count("pk", filter=_and(fq, current_on(source, period[1])))
    return ann


def _partial(row: Mapping[str, Any], suffix: str = "") -> ms.Partial:
    total = row.get(f"_total{suffix}")
    pct = row.get(f"_pct{suffix}")
    return ms.Partial(
        rows=row[f"_rows{suffix}"], count=row[f"_count{suffix}"],
        total=None if total is None else Decimal(str(total)), present=row.get(f"_present{suffix}", 0),
        numerator=row.get(f"_num{suffix}", 0), percentile=None if pct is None else Decimal(repr(pct)),
        at_start=row.get(f"_start{suffix}", 0), at_end=row.get(f"_end{suffix}", 0),
    )


def _partials(spec: ms.MetricSpec, qs: QuerySet[Any], group: str, fields: Mapping[str, str], *,
              db_percentile: bool, period: tuple[dt.date, dt.date] | None = None) -> dict[Any, ms.Partial]:
    """{group value: Partial} in one query (two for a percentile computed in Python)."""
    fq = conditions_q(spec.filters, fields)
    agg = spec.aggregation
    ann = _annotations(spec, fields, db_percentile=db_percentile, period=period)
    out: dict[Any, ms.Partial] = {row[group]: _partial(row) for row in qs.values(group).annotate(**ann).order_by()}
    if agg == "percentile" and not db_percentile:
        values_qs = qs.filter(**{f"{spec.field}__isnull": False})
        if fq is not None:
            values_qs = values_qs.filter(fq)
        # Each distinct value once, with how often it occurs: measured fields (rework counts, scores,
        # minutes) repeat, so this reads a few rows per group where the records are hundreds of
        # thousands; ordered by value, so the expanded list is already sorted.
        rows = values_qs.values_list(group, spec.field).annotate(_n=Count("pk")).order_by(spec.field)
        for key, value, n in rows:
            part = out.get(key)
            if part is not None:
                part.values.extend([_exact(value)] * n)
    return out


def _exact(value: Any) -> Decimal:
    """A column's value as an exact Decimal (a float through its shortest repr)."""
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, int | Decimal):
        return Decimal(value)
    return Decimal(str(value))


def _use_db_percentile() -> bool:
    return connection.vendor == "postgresql"


def _within(spec: ms.MetricSpec, within: QuerySet[Any] | None, within_for: WithinFor | None
            ) -> QuerySet[Any] | None:
    return within_for(spec.source) if within is None and within_for is not None else within


def evaluate(spec: ms.MetricSpec, level: str, subject_ids: Collection[int], start: dt.date, end: dt.date, *,
             within: QuerySet[Any] | None = None, within_for: WithinFor | None = None) -> dict[int, ms.Outcome]:
    """The metric for each subject of `level` over the period; subjects without data get
    NOT_APPLICABLE. Departments include their sub-departments."""
    if spec.aggregation == ms.FORMULA:
        from . import formulas

        return formulas.evaluate(spec, level, subject_ids, start, end, within_for=within_for)
    within = _within(spec, within, within_for)
    ids = list(dict.fromkeys(subject_ids))
    if level == "department":
        return evaluate_groups(spec, "department", department_subtrees(ids), start, end, within=within)
    source, qs, fields = _base(spec, start, end, within)
    path = source.subject_paths.get(level)
    if path is None or not ids:
        return dict.fromkeys(ids, ms.NOT_APPLICABLE)
    qs = qs.filter(**{f"{path}__in": ids}) if len(ids) <= IN_LIST_LIMIT else qs.filter(**{f"{path}__isnull": False})
    parts = _partials(spec, qs, path, fields, db_percentile=_use_db_percentile(), period=(start, end))
    return {sid: ms.finish(spec, parts.get(sid)) for sid in ids}


def evaluate_groups(spec: ms.MetricSpec, level: str, groups: Mapping[K, Collection[int]], start: dt.date,
                    end: dt.date, *, within: QuerySet[Any] | None = None, within_for: WithinFor | None = None
                    ) -> dict[K, ms.Outcome]:
    """The metric over the union of each group's subjects of `level` (a team's members, a
    department's subtree): partials per subject, merged per group."""
    if spec.aggregation == ms.FORMULA:
        from . import formulas

        return formulas.evaluate_groups(spec, level, groups, start, end, within_for=within_for)
    within = _within(spec, within, within_for)
    source, qs, fields = _base(spec, start, end, within)
    path = source.subject_paths.get(level)
    members = {m for group in groups.values() for m in group}
    if path is None or not members:
        return dict.fromkeys(groups, ms.NOT_APPLICABLE)
    if len(members) <= IN_LIST_LIMIT:
        qs = qs.filter(**{f"{path}__in": list(members)})
    else:
        qs = qs.filter(**{f"{path}__isnull": False})
    parts = _partials(spec, qs, path, fields, db_percentile=False, period=(start, end))
    out: dict[K, ms.Outcome] = {}
    for key, group in groups.items():
        merged: ms.Partial | None = None
        for m in group:
            p = parts.get(m)
            if p is None:
                continue
            if merged is None:
                merged = ms.Partial()
            merged.merge(p)
        out[key] = ms.finish(spec, merged)
    return out


def evaluate_all(spec: ms.MetricSpec, start: dt.date, end: dt.date, *, within: QuerySet[Any] | None = None,
                 within_for: WithinFor | None = None) -> ms.Outcome:
    """The metric over every record of the period (that the caller may see, with `within`)."""
    if spec.aggregation == ms.FORMULA:
        from . import formulas

        return formulas.evaluate_all(spec, start, end, within_for=within_for)
    within = _within(spec, within, within_for)
    _source, qs, fields = _base(spec, start, end, within)
    parts = _partials(spec, qs.annotate(_g=Value(1)), "_g", fields, db_percentile=_use_db_percentile(),
                      period=(start, end))
    return ms.finish(spec, parts.get(1))


def department_subtrees(ids: Collection[int]) -> dict[int, set[int]]:
    from outperform.org.models import Department

    rows = list(Department.objects.values_list("id", "path"))
    path_of = dict(rows)
    return {d: {x for x, p in rows if d in path_of and p.startswith(path_of[d])} for d in ids}


def subject_q(source: RecordSource, level: str | None, subject_id: int | None) -> Q:
    if level is None or subject_id is None:
        return Q()
    path = source.subject_paths.get(level)
    if path is None:
        return Q(pk__in=[])
    if level == "department":
        return Q(**{f"{path}__in": list(department_subtrees([subject_id])[subject_id])})
    return Q(**{path: subject_id})


def months(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The months of a period, each cut to it: [(first day, last day), …]."""
    out = []
    month = start.replace(day=1)
    while month <= end:
        following = (month + dt.timedelta(days=32)).replace(day=1)
        out.append((max(month, start), min(following - dt.timedelta(days=1), end)))
        month = following
    return out


def trend(spec: ms.MetricSpec, level: str | None, subject_id: int | None, start: dt.date, end: dt.date, *,
          within: QuerySet[Any] | None = None, within_for: WithinFor | None = None
          ) -> list[tuple[dt.date, ms.Outcome]]:
    """The metric month by month over the period (each month cut to the period)."""
    if spec.aggregation == ms.FORMULA:
        from . import formulas

        return formulas.trend(spec, level, subject_id, start, end, within_for=within_for)
    within = _within(spec, within, within_for)
    source, qs, fields = _base(spec, start, end, within)
    qs = qs.filter(subject_q(source, level, subject_id))
    if source.end_field:
        return _lasting_trend(spec, source, qs, fields, start, end)
    trunc: Any = TruncMonth(source.date_field, tzinfo=timezone.get_current_timezone()) \
        if date_is_datetime(source) else TruncMonth(source.date_field)
    parts = _partials(spec, qs.annotate(_g=trunc), "_g", fields, db_percentile=_use_db_percentile())
    by_month: dict[dt.date, ms.Partial] = {}
    for key, part in parts.items():
        month = key.date() if isinstance(key, dt.datetime) else key
        if isinstance(key, dt.datetime):
            month = timezone.localtime(key).date() if timezone.is_aware(key) else key.date()
        by_month[month.replace(day=1)] = part
    out = []
    month = start.replace(day=1)
    while month <= end:
        out.append((month, ms.finish(spec, by_month.get(month))))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return out


def _lasting_trend(spec: ms.MetricSpec, source: RecordSource, qs: QuerySet[Any], fields: Mapping[str, str],
                   start: dt.date, end: dt.date) -> list[tuple[dt.date, ms.Outcome]]:
    """A record that lasts belongs to every month it is current in, so months cannot be a GROUP BY:
    one row of conditional aggregates, a set per month (a five-year period is 61 sets)."""
    spans = months(start, end)
    ann: dict[str, Any] = {}
    for i, (lo, hi) in enumerate(spans):
        ann.update(_annotations(spec, fields, db_percentile=False, within=current_during(source, lo, hi),
                                period=(lo, hi), suffix=f"_{i}"))
    row = qs.aggregate(**ann)
    return [(lo.replace(day=1), ms.finish(spec, _partial(row, f"_{i}"))) for i, (lo, _hi) in enumerate(spans)]


def records(spec: ms.MetricSpec, level: str | None, subject_id: int | None, start: dt.date, end: dt.date, *,
            within: QuerySet[Any] | None = None) -> QuerySet[Any]:
    """The records that entered the aggregation (after the metric's filters). For a ratio each
    row says whether it is in the numerator (`in_numerator`)."""
    source, qs, fields = _base(spec, start, end, within)
    qs = qs.filter(subject_q(source, level, subject_id))
    fq = conditions_q(spec.filters, fields)
    if fq is not None:
        qs = qs.filter(fq)
    if spec.aggregation == "ratio":
        nq = conditions_q(spec.numerator, fields)
        if nq is not None:
            qs = qs.annotate(in_numerator=Case(When(nq, then=Value(True)), default=Value(False)))
    elif spec.aggregation in ("sum", "mean", "percentile") and spec.field:
        qs = qs.filter(**{f"{spec.field}__isnull": False}).annotate(metric_value=F(spec.field))
    return qs.order_by(f"-{source.date_field}", "-pk")


def by_subject(values: Mapping[int, ms.Outcome]) -> dict[int, Decimal | None]:
    return {k: v.value for k, v in values.items()}


def group_members(pairs: Collection[tuple[K, int]]) -> dict[K, set[int]]:
    out: dict[K, set[int]] = defaultdict(set)
    for key, member in pairs:
        out[key].add(member)
    return out
