"""The registry of record kinds: what the ingest and metrics apps may read, import and aggregate.

Each kind registers one `RecordSource` (records/sources.py does it for this app's kinds when the
app is ready; other apps, e.g. surveys, register their own). Keys are stable identifiers used in
metric definitions and ingest mappings; never rename one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from django.db import models

if TYPE_CHECKING:  # a development-only package
    from django_stubs_ext import StrOrPromise

FieldKind = Literal["number", "bool", "choice", "date", "datetime"]


@dataclass(frozen=True)
class RecordSource:
    key: str  # "task", "ticket", "defect", … ; surveys add "survey_response"
    model: type[models.Model]
    label: StrOrPromise  # Chinese, lazy-translated
    date_field: str  # the date that places a record in a period (e.g. "due_date", "opened_at")
    # Which subjects a record belongs to: {"vendor": "vendor", "worker": "worker", "project": "project",
    # "department": "department"} (only those that apply).
    subject_paths: dict[str, str]
    fields: dict[str, FieldKind]  # what a metric may aggregate or filter on
    natural_key: tuple[str, ...] = ("external_id",)  # idempotent upsert key
    importer: type | None = None  # its core.importing.ModelImporter subclass
    extra: dict[str, object] = field(default_factory=dict)  # anything a later consumer needs; optional
    # A record that lasts rather than happens (a worker's stay on the roster: hire_date → leave_date):
    # the field of the day it ends, empty on a record that has not ended. Such a source places a
    # record in a period when it is current on some day of it, not by `date_field` alone, and can be
    # averaged over the period's first and last day (a headcount). See docs/metrics.md §Headcount.
    end_field: str = ""


_SOURCES: dict[str, RecordSource] = {}


def register(source: RecordSource) -> None:
    """Register a kind; registering the same key again replaces it (module reloads in tests)."""
    existing = _SOURCES.get(source.key)
    if existing is not None and existing.model is not source.model:
        raise ValueError(f"record source {source.key!r} is already registered for {existing.model.__name__}")
    _SOURCES[source.key] = source


def sources() -> dict[str, RecordSource]:
    """Every registered kind, by key, in registration order."""
    return dict(_SOURCES)


def get_source(key: str) -> RecordSource:
    """The kind registered under key; KeyError for unknown keys."""
    return _SOURCES[key]
