"""This app's record kinds in the registry (run once, from RecordsConfig.ready)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from . import importers
from .models import (
    Complaint,
    CostEntry,
    Defect,
    Incident,
    InnovationProposal,
    Inspection,
    LeaverRecord,
    RecruitmentRequest,
    TaskRecord,
    Ticket,
    TrainingPlan,
)
from .registry import RecordSource, register

PERSON = {"vendor": "vendor", "worker": "worker", "project": "project", "department": "department"}
LINKED = {"vendor": "vendor", "project": "project", "department": "department"}

SOURCES = (
    RecordSource(
        key="task", model=TaskRecord, label=_("任务/交付记录"), date_field="due_date", subject_paths=PERSON,
        fields={"due_date": "date", "delivered_date": "date", "acceptance": "choice", "rework_count": "number",
                "on_time": "bool", "first_pass": "bool"},
        importer=importers.TaskImporter,
    ),
    RecordSource(
        key="ticket", model=Ticket, label=_("服务工单"), date_field="opened_at", subject_paths=PERSON,
        fields={"priority": "choice", "opened_at": "datetime", "first_response_at": "datetime",
                "resolved_at": "datetime", "resolved": "bool", "response_minutes": "number",
                "resolution_minutes": "number", "paused_minutes": "number", "response_status": "choice",
                "resolution_status": "choice", "sla_status": "choice", "response_met": "bool",
                "resolution_met": "bool"},
        importer=importers.TicketImporter,
    ),
    RecordSource(
        key="defect", model=Defect, label=_("缺陷/差错"), date_field="found_date", subject_paths=PERSON,
        fields={"found_date": "date", "severity": "choice", "status": "choice", "fixed": "bool",
                "fixed_date": "date"},
        importer=importers.DefectImporter,
    ),
    RecordSource(
        key="complaint", model=Complaint, label=_("投诉"), date_field="received_date", subject_paths=PERSON,
        fields={"received_date": "date", "channel": "choice", "category": "choice", "severity": "choice",
                "status": "choice", "is_resolved": "bool", "handling_days": "number", "resolved_at": "datetime"},
        importer=importers.ComplaintImporter,
    ),
    RecordSource(
        key="inspection", model=Inspection, label=_("质量检查/审计"), date_field="inspection_date",
        subject_paths=PERSON,
        fields={"inspection_date": "date", "kind": "choice", "checked_items": "number", "passed_items": "number",
                "score": "number"},
        importer=importers.InspectionImporter,
    ),
    RecordSource(
        key="innovation", model=InnovationProposal, label=_("创新提案"), date_field="submitted_date",
        subject_paths=PERSON,
        fields={"submitted_date": "date", "estimated_benefit_fen": "number", "evaluation_score": "number",
                "status": "choice", "adopted": "bool"},
        importer=importers.InnovationImporter,
    ),
    RecordSource(
        key="cost", model=CostEntry, label=_("成本记录"), date_field="period_start", subject_paths=LINKED,
        fields={"period_start": "date", "period_end": "date", "category": "choice",
                "outsourcing_cost_fen": "number", "benchmark_cost_fen": "number", "saving_fen": "number",
                "available_hours": "number", "used_hours": "number"},
        importer=importers.CostImporter,
    ),
    RecordSource(
        key="recruitment", model=RecruitmentRequest, label=_("招聘需求"), date_field="requested_date",
        subject_paths=LINKED,
        fields={"requested_date": "date", "headcount": "number", "filled_count": "number", "filled": "bool",
                "filled_date": "date", "days_to_fill": "number", "cost_fen": "number"},
        importer=importers.RecruitmentImporter,
    ),
    RecordSource(
        key="leaver", model=LeaverRecord, label=_("离职记录"), date_field="leave_date", subject_paths=PERSON,
        fields={"leave_date": "date", "reason": "choice", "voluntary": "bool"},
        importer=importers.LeaverImporter,
    ),
    RecordSource(
        key="training_plan", model=TrainingPlan, label=_("培训计划"), date_field="planned_date",
        subject_paths=LINKED,
        fields={"planned_date": "date", "completed_date": "date", "completed": "bool",
                "planned_participants": "number", "completed_participants": "number",
                "completion_rate": "number", "hours": "number"},
        importer=importers.TrainingImporter,
    ),
    RecordSource(
        key="incident", model=Incident, label=_("安全合规事件"), date_field="occurred_date", subject_paths=PERSON,
        fields={"occurred_date": "date", "kind": "choice", "severity": "choice", "status": "choice",
                "veto": "bool"},
        importer=importers.IncidentImporter,
    ),
)


def register_all() -> None:
    for source in SOURCES:
        register(source)
