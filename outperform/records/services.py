"""Writes of records. One path fills the derived columns for every writer: `record_prepare`.

The form, the Excel import, the REST push and the ingest pipeline all call `record_prepare(obj)`
before saving; tickets then get their SLA columns from `sla.service.tickets_refresh_sla`, in bulk.

Data arriving is announced by `records_changed(objs)`: after the write commits, one refresh of the
metrics that read the records' source (for the touched dates, vendors and workers) and one
evaluation of the alert rules that depend on it are queued — once per save, once per import.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models import Count, Q

from outperform.core.audit import snapshot
from outperform.core.models import User
from outperform.core.services import object_create, object_delete, object_update

from . import derive, registry
from .models import (
    Complaint,
    CostEntry,
    Defect,
    Incident,
    InnovationProposal,
    Inspection,
    InspectionFinding,
    LeaverReason,
    LeaverRecord,
    RecruitmentRequest,
    TaskRecord,
    Ticket,
    TrainingPlan,
)


def _task(obj: TaskRecord) -> None:
    obj.on_time, obj.first_pass = derive.task_facts(obj.due_date, obj.delivered_date, obj.acceptance, obj.rework_count)


def _ticket(obj: Ticket) -> None:
    obj.resolved = obj.resolved_at is not None


def _defect(obj: Defect) -> None:
    obj.fixed = derive.defect_facts(obj.status)


def _complaint(obj: Complaint) -> None:
    obj.is_resolved, obj.handling_days = derive.complaint_facts(obj.received_date, obj.resolved_at, obj.status)


def _innovation(obj: InnovationProposal) -> None:
    obj.adopted = derive.innovation_adopted(obj.status)


def _cost(obj: CostEntry) -> None:
    obj.saving_fen = derive.cost_saving_fen(obj.outsourcing_cost_fen or 0, obj.benchmark_cost_fen or 0)


def _recruitment(obj: RecruitmentRequest) -> None:
    obj.filled, obj.days_to_fill = derive.recruitment_facts(
        obj.requested_date, obj.filled_date, obj.headcount or 0, obj.filled_count or 0
    )


def _leaver(obj: LeaverRecord) -> None:
    obj.voluntary = obj.reason == LeaverReason.VOLUNTARY


def _training(obj: TrainingPlan) -> None:
    obj.completed, obj.completion_rate = derive.training_facts(
        obj.completed_date, obj.planned_participants or 0, obj.completed_participants or 0
    )


def _incident(obj: Incident) -> None:
    obj.veto = derive.incident_veto(obj.severity, obj.veto_override)


DERIVERS: dict[type[models.Model], Callable[[Any], None]] = {
    TaskRecord: _task,
    Ticket: _ticket,
    Defect: _defect,
    Complaint: _complaint,
    InnovationProposal: _innovation,
    CostEntry: _cost,
    RecruitmentRequest: _recruitment,
    LeaverRecord: _leaver,
    TrainingPlan: _training,
    Incident: _incident,
}


def record_prepare(obj: models.Model) -> None:
    """Fill links a worker implies and the derived columns. No query: the worker, if any, is loaded."""
    worker = getattr(obj, "worker", None) if hasattr(obj, "worker_id") else None
    if worker is not None:
        # A record about a worker belongs to the worker's department and project unless told otherwise,
        # so the worker's supervisor sees it.
        if getattr(obj, "department_id", None) is None:
            obj.department_id = worker.department_id  # type: ignore[attr-defined]
        if getattr(obj, "project_id", None) is None and worker.project_id:
            obj.project_id = worker.project_id  # type: ignore[attr-defined]
    if getattr(obj, "department_id", "x") is None and getattr(obj, "project_id", None) is not None:
        obj.department_id = obj.project.department_id  # type: ignore[attr-defined]
    derive_fn = DERIVERS.get(type(obj))
    if derive_fn is not None:
        derive_fn(obj)


@transaction.atomic
def record_save(*, actor: User | None, obj: models.Model, before: dict[str, Any] | None, reason: str = "") -> models.Model:
    """Create or update one record with its derived columns; one audit row."""
    record_prepare(obj)
    if isinstance(obj, Ticket):
        from .sla.service import tickets_refresh_sla

        tickets_refresh_sla([obj], save=False)
    if before is None:
        saved = object_create(actor=actor, obj=obj, reason=reason)
    else:
        saved = object_update(actor=actor, obj=obj, before=before, reason=reason)
    records_changed([obj], befores=[before])
    return saved


@transaction.atomic
def record_delete(*, actor: User | None, obj: models.Model, reason: str = "") -> None:
    records_changed([obj])  # read before the delete: its date, vendor and worker
    object_delete(actor=actor, obj=obj, reason=reason)


# --- data arrived ------------------------------------------------------------------------------

log = logging.getLogger(__name__)

# Alert kinds to re-evaluate when records of a source change (metric_threshold reads any source).
ALERT_KINDS_BY_SOURCE: dict[str, tuple[str, ...]] = {"ticket": ("sla_breach",)}
ALERT_KINDS_ANY_SOURCE = ("metric_threshold",)


def source_for(model: type[models.Model]) -> registry.RecordSource | None:
    for source in registry.sources().values():
        if source.model is model:
            return source
    return None


def _as_date(value: Any) -> dt.date | None:
    """A record's date as a local day, from the model (date/datetime) or a snapshot (ISO text)."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value) if "T" in value or " " in value else dt.date.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value if isinstance(value, dt.date) else None


def records_changed(objs: Sequence[models.Model], *, befores: Sequence[dict[str, Any] | None] = ()) -> None:
    """Queue, after the current transaction commits (nothing if it rolls back), ONE metrics refresh
    per record source and ONE alert evaluation for the kinds that depend on these records. Dates,
    vendors and workers are taken from the records and from their state before an update, so a
    record moved to another vendor or period refreshes both. Never raises for a broker that is down."""
    by_source: dict[str, tuple[set[dt.date], set[int], set[int]]] = {}
    for i, obj in enumerate(objs):
        source = source_for(type(obj))
        if source is None:
            continue
        dates, vendors, workers = by_source.setdefault(source.key, (set(), set(), set()))
        before = befores[i] if i < len(befores) else None
        vendor_path, worker_path = source.subject_paths.get("vendor"), source.subject_paths.get("worker")
        for state in (obj.__dict__, before or {}):
            day = _as_date(state.get(source.date_field))
            if day is not None:
                dates.add(day)
            if vendor_path and state.get(f"{vendor_path}_id"):
                vendors.add(int(state[f"{vendor_path}_id"]))
            if worker_path and state.get(f"{worker_path}_id"):
                workers.add(int(state[f"{worker_path}_id"]))
    if not by_source:
        return
    if apps.is_installed("outperform.metrics"):
        from outperform.metrics.services import metrics_refresh_for_source_later

        for key, (dates, vendors, workers) in by_source.items():
            metrics_refresh_for_source_later(key, dates=dates or None, vendor_ids=vendors, worker_ids=workers)
    if apps.is_installed("outperform.alerts"):
        from outperform.alerts.services import alerts_evaluate_later

        kinds = {k for key in by_source for k in ALERT_KINDS_BY_SOURCE.get(key, ())}
        alerts_evaluate_later(kinds | set(ALERT_KINDS_ANY_SOURCE))


# --- inspections -------------------------------------------------------------------------------


def inspections_rescore(inspection_ids: Iterable[int]) -> None:
    """Recount checked and passed items and the score of these inspections (one query + one update)."""
    ids = sorted(set(inspection_ids))
    if not ids:
        return
    counts = {
        row["inspection_id"]: (row["checked"], row["passed"])
        for row in InspectionFinding.objects.filter(inspection_id__in=ids)
        .values("inspection_id")
        .annotate(checked=Count("id"), passed=Count("id", filter=Q(passed=True)))
    }
    inspections = list(Inspection.objects.filter(pk__in=ids))
    for inspection in inspections:
        checked, passed = counts.get(inspection.pk, (0, 0))
        inspection.checked_items, inspection.passed_items = checked, passed
        inspection.score = derive.inspection_score(checked, passed)
    Inspection.objects.bulk_update(inspections, ["checked_items", "passed_items", "score"])


@transaction.atomic
def finding_save(
    *, actor: User | None, obj: InspectionFinding, before: dict[str, Any] | None
) -> InspectionFinding:
    """Save a checklist item and rescore its inspection (and the one it left, if moved)."""
    old_inspection = before.get("inspection_id") if before else None
    if before is None:
        object_create(actor=actor, obj=obj)
    else:
        object_update(actor=actor, obj=obj, before=before)
    ids = {obj.inspection_id, *([old_inspection] if old_inspection else [])}
    inspections_rescore(ids)
    records_changed(list(Inspection.objects.filter(pk__in=ids)))  # an inspection's score is data
    return obj


@transaction.atomic
def finding_delete(*, actor: User | None, obj: InspectionFinding) -> None:
    inspection_id = obj.inspection_id
    object_delete(actor=actor, obj=obj)
    inspections_rescore([inspection_id])
    records_changed(list(Inspection.objects.filter(pk=inspection_id)))


def record_before(obj: models.Model | None) -> dict[str, Any] | None:
    return snapshot(obj) if obj is not None else None
