"""The metric engine's view of the record registry (outperform.records.registry)."""

from __future__ import annotations

from typing import Any

from outperform.records import registry
from outperform.records.registry import RecordSource


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


def date_is_datetime(source: RecordSource) -> bool:
    return source.model._meta.get_field(source.date_field).get_internal_type() == "DateTimeField"
