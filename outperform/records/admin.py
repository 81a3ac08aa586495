from django.contrib import admin

from outperform.core.admin import AuditedAdmin

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

# Records are written through the product's pages, imports and API (which fill derived columns);
# the admin is for looking, with search by external ID.
for model in (TaskRecord, Ticket, Defect, Complaint, Inspection, InnovationProposal, CostEntry, RecruitmentRequest,
              LeaverRecord, TrainingPlan, Incident):
    admin.site.register(model, type(f"{model.__name__}Admin", (AuditedAdmin,), {
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
