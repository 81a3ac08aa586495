"""/api/v1/records/<kind>/: list, read, create, update, delete of each record kind.

REST push is an upsert: POST with an `external_id` that already exists updates that record (200)
instead of failing; a new one is created (201). Links are given by natural keys, as a source system
knows them: vendor by 统一社会信用代码, worker by 工号, project/department by code, contract by number.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from outperform.access.scoping import restrict
from outperform.core.api import ScopedModelSerializer, ScopedModelViewSet
from outperform.org.models import Department, Project
from outperform.vendors.models import Contract, Vendor
from outperform.workers.models import Worker

from . import filters, resources
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

LINK_FIELDS = ["vendor", "project", "department"]
PERSON_FIELDS = ["vendor", "worker", "project", "department"]
STAMPS = ["created_at", "updated_at"]


class RecordSerializer(ScopedModelSerializer):
    vendor = serializers.SlugRelatedField(slug_field="credit_code", queryset=Vendor.objects.all())
    project = serializers.SlugRelatedField(slug_field="code", queryset=Project.objects.all(), required=False,
                                           allow_null=True)
    department = serializers.SlugRelatedField(slug_field="code", queryset=Department.objects.all(), required=False,
                                              allow_null=True)


class PersonRecordSerializer(RecordSerializer):
    worker = serializers.SlugRelatedField(slug_field="employee_no", queryset=Worker.objects.all(), required=False,
                                          allow_null=True)


def _serializer(model: type, base: type, fields: list[str]) -> type[serializers.ModelSerializer]:
    meta = type("Meta", (), {"model": model, "fields": ["id", *fields, *STAMPS]})
    return type(f"{model.__name__}Serializer", (base,), {"Meta": meta})


TaskSerializer = _serializer(TaskRecord, PersonRecordSerializer, [
    "external_id", "title", *PERSON_FIELDS, "due_date", "delivered_date", "acceptance", "rework_count", "on_time",
    "first_pass"])
DefectSerializer = _serializer(Defect, PersonRecordSerializer, [
    "external_id", "title", *PERSON_FIELDS, "found_date", "severity", "status", "fixed_date", "fixed"])
ComplaintSerializer = _serializer(Complaint, PersonRecordSerializer, [
    "external_id", *PERSON_FIELDS, "received_date", "channel", "category", "severity", "status", "description",
    "resolution", "resolved_at", "is_resolved", "handling_days"])
InspectionSerializer = _serializer(Inspection, PersonRecordSerializer, [
    "external_id", "title", "kind", *PERSON_FIELDS, "inspection_date", "inspector", "conclusion", "checked_items",
    "passed_items", "score"])
InnovationSerializer = _serializer(InnovationProposal, PersonRecordSerializer, [
    "external_id", "title", *PERSON_FIELDS, "submitted_date", "description", "estimated_benefit_fen",
    "evaluation_score", "status", "adopted"])
CostSerializer = _serializer(CostEntry, RecordSerializer, [
    "external_id", *LINK_FIELDS, "period_start", "period_end", "category", "outsourcing_cost_fen",
    "benchmark_cost_fen", "available_hours", "used_hours", "note", "saving_fen"])
RecruitmentSerializer = _serializer(RecruitmentRequest, RecordSerializer, [
    "external_id", *LINK_FIELDS, "position_name", "headcount", "requested_date", "filled_count", "filled_date",
    "cost_fen", "filled", "days_to_fill"])
LeaverSerializer = _serializer(LeaverRecord, PersonRecordSerializer, [
    "external_id", *PERSON_FIELDS, "leave_date", "reason", "note", "voluntary"])
TrainingSerializer = _serializer(TrainingPlan, RecordSerializer, [
    "external_id", "title", *LINK_FIELDS, "planned_date", "completed_date", "planned_participants",
    "completed_participants", "hours", "completed", "completion_rate"])
IncidentSerializer = _serializer(Incident, PersonRecordSerializer, [
    "external_id", "title", "kind", *PERSON_FIELDS, "severity", "occurred_date", "status", "description",
    "measures", "veto_override", "veto"])


class TicketSerializer(PersonRecordSerializer):
    contract = serializers.SlugRelatedField(slug_field="number", queryset=Contract.objects.all(), required=False,
                                            allow_null=True)

    class Meta:
        model = Ticket
        fields = ["id", "external_id", "title", *PERSON_FIELDS, "contract", "priority", "opened_at",
                  "first_response_at", "resolved_at", "description", *Ticket.DERIVED_FIELDS, *STAMPS]


class PauseSerializer(ScopedModelSerializer):
    class Meta:
        model = TicketPause
        fields = ["id", "ticket", "reason", "started_at", "ended_at", "note", *STAMPS]


class FindingSerializer(ScopedModelSerializer):
    inspection = serializers.SlugRelatedField(slug_field="external_id", queryset=Inspection.objects.all())

    class Meta:
        model = InspectionFinding
        fields = ["id", "inspection", "external_id", "item", "passed", "severity", "note", "due_date", *STAMPS]


class CalendarSerializer(ScopedModelSerializer):
    class Meta:
        model = WorkCalendar
        fields = ["id", "code", "name", "is_default", "mon", "tue", "wed", "thu", "fri", "sat", "sun",
                  "makeup_windows", *STAMPS]


class CalendarDaySerializer(ScopedModelSerializer):
    class Meta:
        model = CalendarDay
        fields = ["id", "calendar", "date", "kind", "name", *STAMPS]


class SlaPolicySerializer(ScopedModelSerializer):
    contract = serializers.SlugRelatedField(slug_field="number", queryset=Contract.objects.all())

    class Meta:
        model = SlaPolicy
        fields = ["id", "contract", "priority", "response_minutes", "resolution_minutes", "calendar", *STAMPS]


class UpsertViewSet(ScopedModelViewSet):
    """POST with an existing external_id updates it (200); otherwise creates (201)."""

    search_fields = ["external_id"]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        external_id = request.data.get("external_id") if hasattr(request.data, "get") else None
        if external_id:
            model = self.resource.model
            existing = restrict(model._default_manager.filter(external_id=external_id), request.user, "view").first()
            if existing is not None:
                self.kwargs[self.lookup_url_kwarg or self.lookup_field] = str(existing.pk)
                response = self.update(request, *args, partial=False)
                response.status_code = status.HTTP_200_OK
                return response
        return super().create(request, *args, **kwargs)


def _viewset(name: str, resource: Any, serializer: type, filterset: type | None, ordering: list[str],
             base: type = UpsertViewSet, search: list[str] | None = None) -> type:
    attrs: dict[str, Any] = {
        "resource": resource, "serializer_class": serializer, "filterset_class": filterset,
        "ordering_fields": ordering,
    }
    if search is not None:
        attrs["search_fields"] = search
    return type(name, (base,), attrs)


TaskViewSet = _viewset("TaskViewSet", resources.TaskResource(), TaskSerializer, filters.TaskFilterSet,
                       ["due_date", "external_id"], search=["external_id", "title"])
TicketViewSet = _viewset("TicketViewSet", resources.TicketResource(), TicketSerializer, filters.TicketFilterSet,
                         ["opened_at", "external_id", "resolution_due_at"], search=["external_id", "title"])
DefectViewSet = _viewset("DefectViewSet", resources.DefectResource(), DefectSerializer, filters.DefectFilterSet,
                         ["found_date", "external_id"])
ComplaintViewSet = _viewset("ComplaintViewSet", resources.ComplaintResource(), ComplaintSerializer,
                            filters.ComplaintFilterSet, ["received_date", "external_id"])
InspectionViewSet = _viewset("InspectionViewSet", resources.InspectionResource(), InspectionSerializer,
                             filters.InspectionFilterSet, ["inspection_date", "external_id", "score"])
FindingViewSet = _viewset("FindingViewSet", resources.FindingResource(), FindingSerializer,
                          filters.FindingFilterSet, ["id"])
InnovationViewSet = _viewset("InnovationViewSet", resources.InnovationResource(), InnovationSerializer,
                             filters.InnovationFilterSet, ["submitted_date", "external_id"])
CostViewSet = _viewset("CostViewSet", resources.CostResource(), CostSerializer, filters.CostFilterSet,
                       ["period_start", "external_id"])
RecruitmentViewSet = _viewset("RecruitmentViewSet", resources.RecruitmentResource(), RecruitmentSerializer,
                              filters.RecruitmentFilterSet, ["requested_date", "external_id"])
LeaverViewSet = _viewset("LeaverViewSet", resources.LeaverResource(), LeaverSerializer, filters.LeaverFilterSet,
                         ["leave_date", "external_id"])
TrainingViewSet = _viewset("TrainingViewSet", resources.TrainingResource(), TrainingSerializer,
                           filters.TrainingFilterSet, ["planned_date", "external_id"])
IncidentViewSet = _viewset("IncidentViewSet", resources.IncidentResource(), IncidentSerializer,
                           filters.IncidentFilterSet, ["occurred_date", "external_id"])
PauseViewSet = _viewset("PauseViewSet", resources.PauseResource(), PauseSerializer, filters.PauseFilterSet,
                        ["started_at"], base=ScopedModelViewSet, search=["note"])
CalendarViewSet = _viewset("CalendarViewSet", resources.CalendarResource(), CalendarSerializer, None, ["code"],
                           base=ScopedModelViewSet, search=["code", "name"])
CalendarDayViewSet = _viewset("CalendarDayViewSet", resources.CalendarDayResource(), CalendarDaySerializer,
                              filters.CalendarDayFilterSet, ["date"], base=ScopedModelViewSet, search=["name"])
SlaPolicyViewSet = _viewset("SlaPolicyViewSet", resources.SlaPolicyResource(), SlaPolicySerializer,
                            filters.SlaPolicyFilterSet, ["priority"], base=ScopedModelViewSet,
                            search=["contract__number"])

ROUTES: tuple[tuple[str, type, str], ...] = (
    ("records/tasks", TaskViewSet, "record-task"),
    ("records/tickets", TicketViewSet, "record-ticket"),
    ("records/ticket-pauses", PauseViewSet, "record-ticket-pause"),
    ("records/defects", DefectViewSet, "record-defect"),
    ("records/complaints", ComplaintViewSet, "record-complaint"),
    ("records/inspections", InspectionViewSet, "record-inspection"),
    ("records/inspection-findings", FindingViewSet, "record-inspection-finding"),
    ("records/innovations", InnovationViewSet, "record-innovation"),
    ("records/costs", CostViewSet, "record-cost"),
    ("records/recruitments", RecruitmentViewSet, "record-recruitment"),
    ("records/leavers", LeaverViewSet, "record-leaver"),
    ("records/training-plans", TrainingViewSet, "record-training-plan"),
    ("records/incidents", IncidentViewSet, "record-incident"),
    ("records/sla-policies", SlaPolicyViewSet, "record-sla-policy"),
    ("records/calendars", CalendarViewSet, "record-calendar"),
    ("records/calendar-days", CalendarDayViewSet, "record-calendar-day"),
)


def register(router: DefaultRouter) -> None:
    """Add this app's viewsets to the /api/v1/ router."""
    for prefix, viewset, basename in ROUTES:
        router.register(prefix, viewset, basename=basename)
