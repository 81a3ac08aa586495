"""Forms of each record kind. Dates get date pickers; money is typed in yuan and stored in fen."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

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

PERSON_LINKS = ["vendor", "worker", "project", "department"]
LINKS = ["vendor", "project", "department"]


class RecordForm(forms.ModelForm):
    """Date and date-time pickers, and `money` fields shown in yuan (exact: Decimal × 100)."""

    money: ClassVar[dict[str, Any]] = {}  # model field in fen → label in yuan

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, forms.DateTimeField):
                field.widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
            elif isinstance(field, forms.DateField):
                field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            del name
        for fen_field, label in self.money.items():
            model_field = self._meta.model._meta.get_field(fen_field)
            yuan = forms.DecimalField(
                label=label, max_digits=15, decimal_places=2, min_value=Decimal(0),
                required=not model_field.has_default(),
            )
            if self.instance.pk is not None:
                yuan.initial = Decimal(getattr(self.instance, fen_field) or 0) / 100
            elif model_field.has_default():
                yuan.initial = Decimal(model_field.get_default() or 0) / 100
            self.fields[f"{fen_field}_yuan"] = yuan

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # Set before the model is validated (ModelForm._post_clean), so its checks see the fen.
        for fen_field in self.money:
            value = cleaned.get(f"{fen_field}_yuan")
            if value is not None:
                setattr(self.instance, fen_field, int(value * 100))
        return cleaned


class TaskForm(RecordForm):
    class Meta:
        model = TaskRecord
        fields = ["external_id", "title", *PERSON_LINKS, "due_date", "delivered_date", "acceptance", "rework_count"]


class TicketForm(RecordForm):
    class Meta:
        model = Ticket
        fields = ["external_id", "title", *PERSON_LINKS, "contract", "priority", "opened_at", "first_response_at",
                  "resolved_at", "description"]


class PauseForm(RecordForm):
    class Meta:
        model = TicketPause
        fields = ["ticket", "reason", "started_at", "ended_at", "note"]


class DefectForm(RecordForm):
    class Meta:
        model = Defect
        fields = ["external_id", "title", *PERSON_LINKS, "found_date", "severity", "status", "fixed_date"]


class ComplaintForm(RecordForm):
    class Meta:
        model = Complaint
        fields = ["external_id", *PERSON_LINKS, "received_date", "channel", "category", "severity", "status",
                  "description", "resolution", "resolved_at"]


class InspectionForm(RecordForm):
    class Meta:
        model = Inspection
        fields = ["external_id", "title", "kind", *PERSON_LINKS, "inspection_date", "inspector", "conclusion"]


class FindingForm(RecordForm):
    class Meta:
        model = InspectionFinding
        fields = ["inspection", "external_id", "item", "passed", "severity", "note", "due_date"]


class InnovationForm(RecordForm):
    money = {"estimated_benefit_fen": _("预计效益（元）")}

    class Meta:
        model = InnovationProposal
        fields = ["external_id", "title", *PERSON_LINKS, "submitted_date", "description", "evaluation_score",
                  "status"]


class CostForm(RecordForm):
    money = {"outsourcing_cost_fen": _("外包成本（元）"), "benchmark_cost_fen": _("内部基准成本（元）")}

    class Meta:
        model = CostEntry
        fields = ["external_id", *LINKS, "period_start", "period_end", "category", "available_hours", "used_hours",
                  "note"]


class RecruitmentForm(RecordForm):
    money = {"cost_fen": _("招聘费用（元）")}

    class Meta:
        model = RecruitmentRequest
        fields = ["external_id", *LINKS, "position_name", "headcount", "requested_date", "filled_count",
                  "filled_date"]


class LeaverForm(RecordForm):
    class Meta:
        model = LeaverRecord
        fields = ["external_id", *PERSON_LINKS, "leave_date", "reason", "note"]


class TrainingForm(RecordForm):
    class Meta:
        model = TrainingPlan
        fields = ["external_id", "title", *LINKS, "planned_date", "completed_date", "planned_participants",
                  "completed_participants", "hours"]


class IncidentForm(RecordForm):
    class Meta:
        model = Incident
        fields = ["external_id", "title", "kind", *PERSON_LINKS, "severity", "occurred_date", "status",
                  "description", "measures", "veto_override"]


class CalendarForm(RecordForm):
    class Meta:
        model = WorkCalendar
        fields = ["code", "name", "is_default", "mon", "tue", "wed", "thu", "fri", "sat", "sun", "makeup_windows"]
        help_texts = {"mon": _("如 09:00-12:00,13:30-18:00；留空表示休息")}


class CalendarDayForm(RecordForm):
    class Meta:
        model = CalendarDay
        fields = ["calendar", "date", "kind", "name"]


class SlaPolicyForm(RecordForm):
    class Meta:
        model = SlaPolicy
        fields = ["contract", "priority", "response_minutes", "resolution_minutes", "calendar"]
