from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from outperform.core.admin import AuditedAdmin
from outperform.core.audit import snapshot
from outperform.core.services import object_delete

from .models import (
    CalendarDay,
    Complaint,
    CostEntry,
    Defect,
    Incident,
    InnovationProposal,
    Inspection,
    InspectionFinding,
    LeaverRecord,
    RecruitmentRequest,
    SlaPolicy,
    TaskRecord,
    Ticket,
    TicketPause,
    TrainingPlan,
    WorkCalendar,
)
from .services import record_delete, record_save, records_changed


class RecordAdmin(AuditedAdmin):
    """An admin edit is a record write like any other: derived columns filled, metrics and alerts
    refreshed after the commit (records_changed), one audit row per record."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = snapshot(type(obj)._default_manager.get(pk=obj.pk)) if change else None
        record_save(actor=request.user, obj=obj, before=before)  # type: ignore[arg-type]

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        record_delete(actor=request.user, obj=obj)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        objs = list(queryset)
        with transaction.atomic():
            records_changed(objs)  # one refresh for the lot, read before the rows go
            for obj in objs:
                object_delete(actor=request.user, obj=obj)  # type: ignore[arg-type]


# Records are written through the product's pages, imports and API (which fill derived columns);
# the admin is for looking, with search by external ID, and for the odd correction.
for model in (TaskRecord, Ticket, Defect, Complaint, Inspection, InnovationProposal, CostEntry, RecruitmentRequest,
              LeaverRecord, TrainingPlan, Incident):
    admin.site.register(model, type(f"{model.__name__}Admin", (RecordAdmin,), {
        "list_display": ["external_id", "vendor"], "search_fields": ["external_id"],
        "raw_id_fields": [f for f in ("vendor", "worker", "project", "department") if hasattr(model, f)],
    }))


@admin.register(TicketPause)
class TicketPauseAdmin(AuditedAdmin):
    list_display = ["ticket", "reason", "started_at", "ended_at"]
    raw_id_fields = ["ticket"]


@admin.register(InspectionFinding)
class InspectionFindingAdmin(AuditedAdmin):
    list_display = ["external_id", "inspection", "item", "passed"]
    raw_id_fields = ["inspection"]


@admin.register(WorkCalendar)
class WorkCalendarAdmin(AuditedAdmin):
    list_display = ["code", "name", "is_default"]


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedAdmin):
    list_display = ["date", "calendar", "kind", "name"]
    list_filter = ["calendar", "kind"]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(AuditedAdmin):
    list_display = ["contract", "priority", "response_minutes", "resolution_minutes", "calendar"]
