"""Reads of the metrics app: the explorer's data, scoped to the viewer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import QuerySet

from outperform.access.scoping import get_scoped_or_404, restrict
from outperform.cycles.models import Appraisal, MetricValue
from outperform.org.models import Department, Project
from outperform.vendors.models import Vendor
from outperform.workers.models import Worker

from . import engine, formulas
from . import spec as ms
from .models import Metric
from .sources import get_source, source_fields

LEVEL_MODELS: dict[str, type[models.Model]] = {
    "vendor": Vendor, "worker": Worker, "project": Project, "department": Department,
}
SUBJECT_CHOICES_LIMIT = 2000


def subject_choices(user: Any, level: str) -> list[tuple[int, str]]:
    model = LEVEL_MODELS.get(level)
    if model is None:
        return []
    qs = restrict(model._default_manager.all(), user, "view")
    if model is Worker:
        return [(pk, f"{no} {name}") for pk, no, name in
                qs.order_by("employee_no").values_list("pk", "employee_no", "name")[:SUBJECT_CHOICES_LIMIT]]
    return [(o.pk, str(o)) for o in qs[:SUBJECT_CHOICES_LIMIT]]


def subject_get(user: Any, level: str, pk: int) -> models.Model:
    """The subject if the viewer may see it; 404 otherwise (never 403)."""
    model = LEVEL_MODELS[level]
    return get_scoped_or_404(model._default_manager.all(), user, "view", pk=pk)


def visible_records(user: Any, metric: Metric) -> QuerySet[Any]:
    return visible_source(user, metric.source)


def visible_source(user: Any, source_key: str) -> QuerySet[Any]:
    return restrict(get_source(source_key).model._default_manager.all(), user, "view")


@dataclass
class Part:
    """One metric a formula names, with its value for the explored subject and period."""

    code: str
    metric: Metric | None  # None: no metric has this code (deleted behind the formula's back)
    outcome: ms.Outcome


@dataclass
class Exploration:
    metric: Metric
    level: str | None
    subject: models.Model | None
    start: dt.date
    end: dt.date
    outcome: ms.Outcome
    trend: list[tuple[dt.date, ms.Outcome]]
    records: QuerySet[Any] | None  # None for a formula: its records are its parts'
    parts: list[Part] = field(default_factory=list)


def explore(user: Any, metric: Metric, level: str | None, subject_id: int | None, start: dt.date, end: dt.date
            ) -> Exploration:
    """A metric for one subject (or everything the viewer sees) over a period: the value, the
    monthly trend and the records behind it — all over the records the viewer may see. For a
    formula metric, its parts' values instead of records (each part's own page lists them)."""
    spec = metric.spec()
    subject = None
    if not (level and subject_id is not None):
        level, subject_id = None, None
    else:
        subject = subject_get(user, level, subject_id)
    if metric.is_formula:
        return _explore_formula(user, metric, level, subject, subject_id, start, end)
    within = visible_records(user, metric)
    if level is not None and subject_id is not None:
        outcome = engine.evaluate(spec, level, [subject_id], start, end, within=within)[subject_id]
    else:
        outcome = engine.evaluate_all(spec, start, end, within=within)
    return Exploration(
        metric=metric, level=level, subject=subject, start=start, end=end, outcome=outcome,
        trend=engine.trend(spec, level, subject_id, start, end, within=within),
        records=engine.records(spec, level, subject_id, start, end, within=within),
    )


def _explore_formula(user: Any, metric: Metric, level: str | None, subject: models.Model | None,
                     subject_id: int | None, start: dt.date, end: dt.date) -> Exploration:
    defs = formulas.definitions()
    cache: dict[str, QuerySet[Any]] = {}

    def within_for(source_key: str) -> QuerySet[Any]:
        if source_key not in cache:
            cache[source_key] = visible_source(user, source_key)
        return cache[source_key]

    outcome, parts = formulas.explain(metric, level, subject_id, start, end, within_for=within_for, defs=defs)
    return Exploration(
        metric=metric, level=level, subject=subject, start=start, end=end, outcome=outcome,
        trend=formulas.trend(metric.spec(), level, subject_id, start, end, within_for=within_for, defs=defs),
        records=None, parts=[Part(code, m, o) for code, m, o in parts],
    )


def record_columns(metric: Metric) -> list[tuple[str, Any]]:
    """(attribute, label) of the columns the explorer shows for the records of a metric's source."""
    if metric.is_formula:
        return []
    source = get_source(metric.source)
    meta = source.model._meta
    label_fields = source.extra.get("label_fields", ())
    names = [*(label_fields if isinstance(label_fields, tuple) else ()), source.date_field]
    if source.end_field and source.end_field not in names:
        names.append(source.end_field)
    for name in source.fields:
        if name not in names:
            names.append(name)
    for path in source.subject_paths.values():
        if "__" not in path and path not in names:
            names.append(path)
    cols = []
    for name in names[:12]:
        try:
            label = getattr(meta.get_field(name), "verbose_name", name)
        except Exception:  # a declared field that is an annotation, not a column
            label = name
        cols.append((name, label))
    return cols


def record_select_related(metric: Metric) -> list[str]:
    if metric.is_formula:
        return []
    source = get_source(metric.source)
    return [p for p in source.subject_paths.values() if "__" not in p]


def record_cells(obj: models.Model, columns: list[tuple[str, Any]]) -> list[Any]:
    out = []
    for name, _label in columns:
        display = getattr(obj, f"get_{name}_display", None)
        out.append(display() if callable(display) else getattr(obj, name, None))
    return out


def metric_values(user: Any) -> QuerySet[MetricValue]:
    """cycles.MetricValue rows of the appraisals the user may see (MetricValue has no scope of its own)."""
    appraisals = restrict(Appraisal.objects.all(), user, "view")
    return MetricValue.objects.filter(appraisal__in=appraisals.values("pk"))


__all__ = ["explore", "metric_values", "record_cells", "record_columns", "source_fields", "subject_choices",
           "subject_get"]
