"""Writes of the roster. Every writer — the form and the API (WorkerResource), the Excel import
(WorkerImporter), the admin (WorkerAdmin) — goes through `worker_save` / `worker_delete` or, for the
import, announces its rows with `roster_changed` once for the whole file.

The roster is the `headcount` record source of the metrics app (docs/metrics.md §Headcount): a
change to who is on it, when, or for which vendor, department or project queues ONE refresh of the
headcount metrics (avg_headcount, turnover_rate…) after the write commits, and one evaluation of
the metric alert rules — the same announcement records make (records.services.records_changed).

Explicit calls rather than a post_save signal: the import writes with bulk_create/bulk_update,
which send none, and wants one refresh per file, not one per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import transaction

from outperform.core.models import User
from outperform.core.services import object_create, object_delete, object_update

from .models import Worker


@dataclass(frozen=True)
class RosterState:
    """What of a worker the headcount reads: an edit that changes none of it (a mobile, a name)
    leaves every headcount value as it was."""

    hire_date: dt.date | None
    leave_date: dt.date | None
    status: str
    vendor_id: int | None
    department_id: int | None
    project_id: int | None

    @classmethod
    def of(cls, worker: Worker) -> RosterState:
        return cls(worker.hire_date, worker.leave_date, worker.status, worker.vendor_id, worker.department_id,
                   worker.project_id)

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> RosterState:
        """From core.audit.snapshot (dates as ISO text, foreign keys by attname)."""

        def day(value: Any) -> dt.date | None:
            return dt.date.fromisoformat(value) if isinstance(value, str) and value else value or None

        return cls(day(data.get("hire_date")), day(data.get("leave_date")), str(data.get("status") or ""),
                   data.get("vendor_id"), data.get("department_id"), data.get("project_id"))

    def span(self) -> tuple[dt.date, dt.date | None] | None:
        """The days the worker is on the roster, both included (a worker who leaves on d is off it
        on d); None when never on it (no hire date, or left on the day hired)."""
        if self.hire_date is None:
            return None
        if self.leave_date is None:
            return self.hire_date, None
        last = self.leave_date - dt.timedelta(days=1)
        return (self.hire_date, last) if last >= self.hire_date else None


Change = tuple[RosterState | None, RosterState | None]  # (before, after); None: not there


def roster_changed(changes: Iterable[Change]) -> bool:
    """Queue, after the current transaction commits, one refresh of the headcount metrics for the
    vendors and periods the changes touch — before and after both: a worker moved from vendor A to
    B changes A's headcount and B's, over the days they were and are on the roster. Returns whether
    anything was queued (nothing when no change touched what the headcount reads)."""
    spans: list[tuple[dt.date, dt.date | None]] = []
    vendors: set[int] = set()
    for before, after in changes:
        if before == after:
            continue
        for state in (before, after):
            if state is None:
                continue
            span = state.span()
            if span is None:
                continue
            spans.append(span)
            if state.vendor_id:
                vendors.add(state.vendor_id)
    if not spans:
        return False
    if apps.is_installed("outperform.metrics"):
        from outperform.metrics.services import metrics_refresh_for_source_later
        from outperform.metrics.sources import HEADCOUNT

        # Appraisals hold headcount values for vendors only (no worker level; a team's values come
        # from its members' records at worker level), so the vendors select them. Departments and
        # projects have no appraisal: their values are read live, and by the alert rules below.
        metrics_refresh_for_source_later(HEADCOUNT, spans=spans, vendor_ids=vendors)
    if apps.is_installed("outperform.alerts"):
        from outperform.alerts.services import alerts_evaluate_later

        alerts_evaluate_later(["metric_threshold"])
    return True


@transaction.atomic
def worker_save(*, actor: User | None, obj: Worker, before: dict[str, Any] | None, reason: str = "") -> Worker:
    """Create (before None) or update a worker, whose state before the edit was `before`
    (core.audit.snapshot); one audit row, and the headcount refresh when the roster changed."""
    if before is None:
        saved = object_create(actor=actor, obj=obj, reason=reason)
    else:
        saved = object_update(actor=actor, obj=obj, before=before, reason=reason)
    roster_changed([(RosterState.from_snapshot(before) if before is not None else None, RosterState.of(obj))])
    return saved


@transaction.atomic
def workers_delete(*, actor: User | None, objs: Iterable[Worker], reason: str = "") -> None:
    """Delete workers (one audit row each) with one headcount refresh for all of them."""
    gone = []
    for obj in objs:
        gone.append((RosterState.of(obj), None))
        object_delete(actor=actor, obj=obj, reason=reason)
    roster_changed(gone)


def worker_delete(*, actor: User | None, obj: Worker, reason: str = "") -> None:
    workers_delete(actor=actor, objs=[obj], reason=reason)
