"""The metric engine's view of the record registry (outperform.records.registry), and the one source
this app adds to it: `headcount`, the roster of workers (docs/metrics.md §Headcount)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from outperform.records import registry
from outperform.records.registry import RecordSource

HEADCOUNT = "headcount"


def register_sources() -> None:
    """Workers as a lasting record (hire_date → leave_date), so that turnover can divide leavers by
    the average headcount of a vendor, department or project. No worker level: one person's
    headcount is not a measure of that person. No importer: the roster is kept by the workers app."""
    from outperform.workers.models import Worker

    registry.register(RecordSource(
        key=HEADCOUNT, model=Worker, label=_("在岗人员（花名册）"), date_field="hire_date", end_field="leave_date",
        subject_paths={"vendor": "vendor", "project": "project", "department": "department"},
        fields={"hire_date": "date", "leave_date": "date", "status": "choice"},
        natural_key=("employee_no",), importer=None, extra={"label_fields": ("employee_no", "name")},
    ))


def get_source(key: str) -> RecordSource:
    return registry.get_source(key)


def source_choices() -> list[tuple[str, Any]]:
    return [(key, s.label) for key, s in registry.sources().items()]


def source_fields(key: str) -> dict[str, str]:
    """What a metric may aggregate or filter on: the declared fields plus the date that places a
    record in a period (declared or not)."""
    s = get_source(key)
    fields: dict[str, str] = dict(s.fields)
    if s.date_field not in fields:
        field = s.model._meta.get_field(s.date_field)
        fields[s.date_field] = "datetime" if field.get_internal_type() == "DateTimeField" else "date"
    return fields


def source_levels(key: str) -> list[str]:
    try:
        return list(get_source(key).subject_paths)
    except KeyError:
        return []


def is_lasting(key: str) -> bool:
    """Whether the source's records last (have an end field): see RecordSource.end_field."""
    try:
        return bool(get_source(key).end_field)
    except KeyError:
        return False


def date_is_datetime(source: RecordSource) -> bool:
    return source.model._meta.get_field(source.date_field).get_internal_type() == "DateTimeField"


def current_on(source: RecordSource, day: dt.date) -> Q:
    """A lasting record is current at the end of `day`: it began on or before it and has not ended
    by then — a worker who leaves on `day` is no longer counted on `day`."""
    end = source.end_field
    return Q(**{f"{source.date_field}__lte": day}) & (Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gt": day}))


def current_during(source: RecordSource, start: dt.date, end: dt.date) -> Q:
    """A lasting record is current on some day from start to end (both included)."""
    stop = source.end_field
    return Q(**{f"{source.date_field}__lte": end}) & (Q(**{f"{stop}__isnull": True}) | Q(**{f"{stop}__gt": start}))
