"""The pages of each record kind, declared (core.crud): list with filters, search, sort, export;
detail; form; delete with confirmation; Excel/CSV import. Writes go through services."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from outperform.access.scoping import Scope, restrict
from outperform.alerts.services import alerts_evaluate_later
from outperform.core.crud import Col, Resource
from outperform.core.display import format_value
from outperform.core.services import object_create, object_delete, object_update

from . import filters, forms, importers
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
from .services import finding_delete, finding_save, record_delete, record_save
from .sla.service import ticket_refresh

NS = "records"
VENDOR = Col("vendor.name", _("服务商"), "vendor__name")
WORKER = Col("worker.name", _("外包人员"), "worker__name")
PROJECT = Col("project.name", _("项目"))
DEPARTMENT = Col("department.name", _("部门"))
EXTERNAL_ID = Col("external_id", _("外部编号"), "external_id", link=True)


class RecordResource(Resource):
    """A record kind: links selected in the same query; saved through record_save."""

    namespace = NS
    select_related: ClassVar[Sequence[str]] = ("vendor", "worker", "project", "department")

    def save(self, *, actor: Any, obj: models.Model, before: dict[str, Any] | None) -> models.Model:
        return record_save(actor=actor, obj=obj, before=before)

    def delete(self, *, actor: Any, obj: models.Model) -> None:
        record_delete(actor=actor, obj=obj)

    def personal_owner(self, obj: models.Model) -> tuple[int | None, int | None]:
        return None, None  # records carry no personal data (身份证号, mobile, pay)


class LinkedResource(RecordResource):
    select_related: ClassVar[Sequence[str]] = ("vendor", "project", "department")


class TaskResource(RecordResource):
    model = TaskRecord
    name = "tasks"
    filterset_class = filters.TaskFilterSet
    search_fields = ("external_id", "title", "worker__name", "worker__employee_no")
    default_ordering = ("-due_date", "external_id")
    columns = (
        EXTERNAL_ID, Col("title", _("任务名称"), "title", link=True), VENDOR, WORKER,
        Col("due_date", _("计划完成日期"), "due_date"), Col("delivered_date", _("实际交付日期"), "delivered_date"),
        Col("get_acceptance_display", _("验收结果"), "acceptance"), Col("rework_count", _("返工次数"), "rework_count"),
        Col("on_time", _("按时交付")), Col("first_pass", _("一次通过")),
    )
    detail_fields = (*columns, PROJECT, DEPARTMENT)
    form_class = forms.TaskForm
    importer = importers.TaskImporter()


def ticket_pauses(obj: models.Model, scope: Scope) -> dict[str, Any]:
    assert isinstance(obj, Ticket)
    rows = [
        {"cells": [p.get_reason_display(), format_value(p.started_at), format_value(p.ended_at) or _("暂停中"),
                   p.note], "url": reverse("records:pauses_detail", args=[p.pk])}
        for p in obj.pauses.all()
    ]
    return {"related_tables": [{
        "title": _("暂停记录（不计入SLA）"),
        "headers": [_("暂停原因"), _("暂停开始"), _("暂停结束"), _("说明")],
        "rows": rows,
        "add_url": reverse("records:pauses_create") + f"?ticket={obj.pk}",
    }]}


class TicketResource(RecordResource):
    model = Ticket
    name = "tickets"
    select_related: ClassVar[Sequence[str]] = ("vendor", "worker", "project", "department", "contract")
    filterset_class = filters.TicketFilterSet
    search_fields = ("external_id", "title", "worker__name")
    default_ordering = ("-opened_at", "external_id")
    columns = (
        EXTERNAL_ID, Col("title", _("工单标题"), "title", link=True), VENDOR,
        Col("get_priority_display", _("优先级"), "priority"), Col("opened_at", _("开单时间"), "opened_at"),
        Col("response_due_at", _("响应截止"), "response_due_at"),
        Col("resolution_due_at", _("解决截止"), "resolution_due_at"),
        Col("resolution_minutes", _("已用工作分钟"), "resolution_minutes"),
        Col("get_sla_status_display", _("SLA状态"), "sla_status"),
    )
    detail_fields = (
        EXTERNAL_ID, Col("title", _("工单标题")), VENDOR, WORKER, PROJECT, DEPARTMENT,
        Col("contract", _("合同")), Col("get_priority_display", _("优先级")),
        Col("opened_at", _("开单时间")), Col("first_response_at", _("首次响应时间")),
        Col("resolved_at", _("解决时间")),
        Col("response_due_at", _("响应截止")), Col("response_minutes", _("响应用时（工作分钟）")),
        Col("get_response_status_display", _("响应状态")),
        Col("resolution_due_at", _("解决截止")), Col("resolution_minutes", _("解决用时（工作分钟）")),
        Col("get_resolution_status_display", _("解决状态")),
        Col("paused_minutes", _("暂停（工作分钟）")), Col("get_sla_status_display", _("SLA状态")),
        Col("sla_policy", _("SLA策略")), Col("sla_refreshed_at", _("SLA计算时间")),
        Col("description", _("问题描述")),
    )
    form_class = forms.TicketForm
    importer = importers.TicketImporter()
    children = (ticket_pauses,)


class PauseResource(Resource):
    model = TicketPause
    name = "pauses"
    namespace = NS
    select_related = ("ticket",)
    filterset_class = filters.PauseFilterSet
    search_fields = ("ticket__external_id", "note")
    default_ordering = ("-started_at",)
    columns = (
        Col("ticket.external_id", _("工单"), "ticket__external_id", link=True),
        Col("get_reason_display", _("暂停原因"), "reason"), Col("started_at", _("暂停开始"), "started_at"),
        Col("ended_at", _("暂停结束"), "ended_at"), Col("note", _("说明")),
    )
    form_class = forms.PauseForm

    def save(self, *, actor: Any, obj: models.Model, before: dict[str, Any] | None) -> models.Model:
        assert isinstance(obj, TicketPause)
        saved = object_create(actor=actor, obj=obj) if before is None else object_update(
            actor=actor, obj=obj, before=before)
        ticket_refresh(obj.ticket_id)  # the clock stopped for a while: due times move
        alerts_evaluate_later({"sla_breach"})
        return saved

    def delete(self, *, actor: Any, obj: models.Model) -> None:
        assert isinstance(obj, TicketPause)
        ticket_id = obj.ticket_id
        object_delete(actor=actor, obj=obj)
        ticket_refresh(ticket_id)
        alerts_evaluate_later({"sla_breach"})

    def personal_owner(self, obj: models.Model) -> tuple[int | None, int | None]:
        return None, None


class DefectResource(RecordResource):
    model = Defect
    name = "defects"
    filterset_class = filters.DefectFilterSet
    search_fields = ("external_id", "title", "worker__name")
    default_ordering = ("-found_date", "external_id")
    columns = (
        EXTERNAL_ID, Col("title", _("缺陷/差错描述"), "title", link=True), VENDOR, WORKER,
        Col("found_date", _("发现日期"), "found_date"), Col("get_severity_display", _("严重程度"), "severity"),
        Col("get_status_display", _("状态"), "status"), Col("fixed_date", _("修复日期"), "fixed_date"),
    )
    detail_fields = (*columns, PROJECT, DEPARTMENT)
    form_class = forms.DefectForm
    importer = importers.DefectImporter()


class ComplaintResource(RecordResource):
    model = Complaint
    name = "complaints"
    filterset_class = filters.ComplaintFilterSet
    search_fields = ("external_id", "description", "worker__name")
    default_ordering = ("-received_date", "external_id")
    columns = (
        EXTERNAL_ID, VENDOR, WORKER, Col("received_date", _("受理日期"), "received_date"),
        Col("get_channel_display", _("投诉渠道"), "channel"), Col("get_category_display", _("投诉类别"), "category"),
        Col("get_severity_display", _("严重程度"), "severity"), Col("get_status_display", _("处理状态"), "status"),
        Col("handling_days", _("处理天数"), "handling_days"),
    )
    detail_fields = (*columns, PROJECT, DEPARTMENT, Col("description", _("投诉内容")),
                     Col("resolution", _("处理结果")), Col("resolved_at", _("办结时间")))
    form_class = forms.ComplaintForm
    importer = importers.ComplaintImporter()


def inspection_findings(obj: models.Model, scope: Scope) -> dict[str, Any]:
    assert isinstance(obj, Inspection)
    rows = [
        {"cells": [f.item, format_value(f.passed), f.get_severity_display(), f.note, format_value(f.due_date)],
         "url": reverse("records:findings_detail", args=[f.pk])}
        for f in obj.findings.all()
    ]
    return {"related_tables": [{
        "title": _("检查项与发现"),
        "headers": [_("检查项"), _("通过"), _("问题等级"), _("说明"), _("整改期限")],
        "rows": rows,
        "add_url": reverse("records:findings_create") + f"?inspection={obj.pk}",
    }]}


class InspectionResource(RecordResource):
    model = Inspection
    name = "inspections"
    filterset_class = filters.InspectionFilterSet
    search_fields = ("external_id", "title", "inspector")
    default_ordering = ("-inspection_date", "external_id")
    columns = (
        EXTERNAL_ID, Col("title", _("检查名称"), "title", link=True), Col("get_kind_display", _("检查类型"), "kind"),
        VENDOR, Col("inspection_date", _("检查日期"), "inspection_date"),
        Col("checked_items", _("检查项数")), Col("passed_items", _("通过项数")), Col("score", _("检查得分"), "score"),
    )
    detail_fields = (*columns, WORKER, PROJECT, DEPARTMENT, Col("inspector", _("检查人")),
                     Col("conclusion", _("检查结论")))
    form_class = forms.InspectionForm
    importer = importers.InspectionImporter()
    children = (inspection_findings,)


class FindingResource(Resource):
    model = InspectionFinding
    name = "findings"
    namespace = NS
    select_related = ("inspection", "inspection__vendor")
    filterset_class = filters.FindingFilterSet
    search_fields = ("external_id", "item", "inspection__external_id")
    default_ordering = ("inspection", "id")
    columns = (
        Col("external_id", _("检查项编号"), "external_id", link=True),
        Col("inspection.external_id", _("检查"), "inspection__external_id"),
        Col("inspection.vendor.name", _("服务商")), Col("item", _("检查项"), link=True), Col("passed", _("通过")),
        Col("get_severity_display", _("问题等级")), Col("due_date", _("整改期限"), "due_date"),
    )
    detail_fields = (*columns, Col("note", _("说明")))
    form_class = forms.FindingForm
    importer = importers.FindingImporter()

    def save(self, *, actor: Any, obj: models.Model, before: dict[str, Any] | None) -> models.Model:
        assert isinstance(obj, InspectionFinding)
        return finding_save(actor=actor, obj=obj, before=before)

    def delete(self, *, actor: Any, obj: models.Model) -> None:
        assert isinstance(obj, InspectionFinding)
        finding_delete(actor=actor, obj=obj)

    def personal_owner(self, obj: models.Model) -> tuple[int | None, int | None]:
        return None, None


class InnovationResource(RecordResource):
    model = InnovationProposal
    name = "innovations"
    filterset_class = filters.InnovationFilterSet
    search_fields = ("external_id", "title", "worker__name")
    default_ordering = ("-submitted_date", "external_id")
    columns = (
        EXTERNAL_ID, Col("title", _("提案名称"), "title", link=True), VENDOR, WORKER,
        Col("submitted_date", _("提交日期"), "submitted_date"),
        Col("estimated_benefit_fen", _("预计效益"), "estimated_benefit_fen", money=True),
        Col("evaluation_score", _("评审得分"), "evaluation_score"), Col("get_status_display", _("状态"), "status"),
    )
    detail_fields = (*columns, PROJECT, DEPARTMENT, Col("description", _("提案内容")))
    form_class = forms.InnovationForm
    importer = importers.InnovationImporter()


class CostResource(LinkedResource):
    model = CostEntry
    name = "costs"
    filterset_class = filters.CostFilterSet
    search_fields = ("external_id", "note")
    default_ordering = ("-period_start", "external_id")
    columns = (
        EXTERNAL_ID, VENDOR, PROJECT, Col("period_start", _("期间开始"), "period_start"),
        Col("period_end", _("期间结束"), "period_end"), Col("get_category_display", _("成本类别"), "category"),
        Col("outsourcing_cost_fen", _("外包成本"), "outsourcing_cost_fen", money=True),
        Col("benchmark_cost_fen", _("内部基准成本"), "benchmark_cost_fen", money=True),
        Col("saving_fen", _("节约成本"), "saving_fen", money=True),
    )
    detail_fields = (*columns, DEPARTMENT, Col("available_hours", _("可用工时")), Col("used_hours", _("实际工时")),
                     Col("note", _("说明")))
    form_class = forms.CostForm
    importer = importers.CostImporter()


class RecruitmentResource(LinkedResource):
    model = RecruitmentRequest
    name = "recruitments"
    filterset_class = filters.RecruitmentFilterSet
    search_fields = ("external_id", "position_name")
    default_ordering = ("-requested_date", "external_id")
    columns = (
        EXTERNAL_ID, VENDOR, Col("position_name", _("招聘岗位"), "position_name", link=True),
        Col("headcount", _("需求人数")), Col("filled_count", _("到岗人数")),
        Col("requested_date", _("需求日期"), "requested_date"), Col("filled_date", _("到岗完成日期"), "filled_date"),
        Col("days_to_fill", _("到岗天数"), "days_to_fill"), Col("cost_fen", _("招聘费用"), "cost_fen", money=True),
    )
    detail_fields = (*columns, PROJECT, DEPARTMENT)
    form_class = forms.RecruitmentForm
    importer = importers.RecruitmentImporter()


class LeaverResource(RecordResource):
    model = LeaverRecord
    name = "leavers"
    filterset_class = filters.LeaverFilterSet
    search_fields = ("external_id", "worker__name", "note")
    default_ordering = ("-leave_date", "external_id")
    columns = (
        EXTERNAL_ID, VENDOR, WORKER, DEPARTMENT, Col("leave_date", _("离职日期"), "leave_date"),
        Col("get_reason_display", _("离职原因"), "reason"),
    )
    detail_fields = (*columns, PROJECT, Col("note", _("说明")))
    form_class = forms.LeaverForm
    importer = importers.LeaverImporter()


class TrainingResource(LinkedResource):
    model = TrainingPlan
    name = "trainings"
    filterset_class = filters.TrainingFilterSet
    search_fields = ("external_id", "title")
    default_ordering = ("-planned_date", "external_id")
    columns = (
        EXTERNAL_ID, Col("title", _("培训名称"), "title", link=True), VENDOR,
        Col("planned_date", _("计划日期"), "planned_date"), Col("completed_date", _("完成日期"), "completed_date"),
        Col("planned_participants", _("计划人数")), Col("completed_participants", _("完成人数")),
        Col("completion_rate", _("完成率（%）"), "completion_rate"),
    )
    detail_fields = (*columns, PROJECT, DEPARTMENT, Col("hours", _("学时")))
    form_class = forms.TrainingForm
    importer = importers.TrainingImporter()


class IncidentResource(RecordResource):
    model = Incident
    name = "incidents"
    filterset_class = filters.IncidentFilterSet
    search_fields = ("external_id", "title", "worker__name")
    default_ordering = ("-occurred_date", "external_id")
    columns = (
        EXTERNAL_ID, Col("title", _("事件名称"), "title", link=True), Col("get_kind_display", _("事件类型"), "kind"),
        VENDOR, Col("occurred_date", _("发生日期"), "occurred_date"),
        Col("get_severity_display", _("严重程度"), "severity"), Col("get_status_display", _("状态"), "status"),
        Col("veto", _("一票否决")),
    )
    detail_fields = (*columns, WORKER, PROJECT, DEPARTMENT, Col("description", _("事件经过")),
                     Col("measures", _("处理措施")))
    form_class = forms.IncidentForm
    importer = importers.IncidentImporter()


# --- SLA configuration ---------------------------------------------------------------------------


def calendar_days(obj: models.Model, scope: Scope) -> dict[str, Any]:
    assert isinstance(obj, WorkCalendar)
    rows = [
        {"cells": [d.date.isoformat(), d.get_kind_display(), d.name],
         "url": reverse("records:calendar_days_detail", args=[d.pk])}
        for d in obj.days.all()
    ]
    return {"related_tables": [{
        "title": _("节假日与调休"),
        "headers": [_("日期"), _("类型"), _("名称")],
        "rows": rows,
        "add_url": reverse("records:calendar_days_create") + f"?calendar={obj.pk}",
    }]}


class ConfigResource(Resource):
    namespace = NS

    def personal_owner(self, obj: models.Model) -> tuple[int | None, int | None]:
        return None, None


class CalendarResource(ConfigResource):
    model = WorkCalendar
    name = "calendars"
    search_fields = ("code", "name")
    default_ordering = ("-is_default", "code")
    columns = (
        Col("code", _("日历编码"), "code", link=True), Col("name", _("日历名称"), "name", link=True),
        Col("is_default", _("默认日历")), Col("mon", _("周一")), Col("sat", _("周六")),
        Col("makeup_windows", _("调休上班时段")),
    )
    detail_fields = (
        *columns[:3], Col("mon", _("周一")), Col("tue", _("周二")), Col("wed", _("周三")), Col("thu", _("周四")),
        Col("fri", _("周五")), Col("sat", _("周六")), Col("sun", _("周日")), Col("makeup_windows", _("调休上班时段")),
    )
    form_class = forms.CalendarForm
    children = (calendar_days,)


class CalendarDayResource(ConfigResource):
    model = CalendarDay
    name = "calendar_days"
    select_related = ("calendar",)
    filterset_class = filters.CalendarDayFilterSet
    search_fields = ("name",)
    default_ordering = ("date",)
    columns = (
        Col("date", _("日期"), "date", link=True), Col("calendar.name", _("工作日历")),
        Col("get_kind_display", _("类型"), "kind"), Col("name", _("名称")),
    )
    form_class = forms.CalendarDayForm
    importer = importers.CalendarDayImporter()


class SlaPolicyResource(ConfigResource):
    model = SlaPolicy
    name = "sla_policies"
    select_related = ("contract", "contract__vendor", "calendar")
    filterset_class = filters.SlaPolicyFilterSet
    search_fields = ("contract__number", "contract__vendor__name")
    default_ordering = ("contract__number", "priority")
    columns = (
        Col("contract.number", _("合同编号"), "contract__number", link=True),
        Col("contract.vendor.name", _("服务商"), "contract__vendor__name"),
        Col("get_priority_display", _("优先级"), "priority"),
        Col("response_minutes", _("响应时限（工作分钟）"), "response_minutes"),
        Col("resolution_minutes", _("解决时限（工作分钟）"), "resolution_minutes"),
        Col("calendar.name", _("工作日历")),
    )
    form_class = forms.SlaPolicyForm


RESOURCES: tuple[Resource, ...] = (
    TaskResource(), TicketResource(), PauseResource(), DefectResource(), ComplaintResource(), InspectionResource(),
    FindingResource(), InnovationResource(), CostResource(), RecruitmentResource(), LeaverResource(),
    TrainingResource(), IncidentResource(), CalendarResource(), CalendarDayResource(), SlaPolicyResource(),
)


def visible(resource: Resource, user: Any) -> Any:
    return restrict(resource.queryset(), user, "view")
