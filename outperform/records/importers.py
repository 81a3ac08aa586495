"""Spreadsheet columns of each record kind (Chinese headers first, English accepted).

Every importer upserts by 外部编号 (external_id), so uploading the same file twice changes nothing.
Derived columns come from `services.record_prepare`, the same path the form and API use.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone

from outperform.core import excel
from outperform.core.importing import ForeignRef, ImportResult, ModelImporter, choice_parser
from outperform.core.models import User
from outperform.org.models import Department, Project
from outperform.vendors.models import Contract, Vendor
from outperform.workers.models import Worker

from .models import (
    Acceptance,
    CalendarDay,
    Complaint,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintSeverity,
    ComplaintStatus,
    CostCategory,
    CostEntry,
    DayKind,
    Defect,
    DefectStatus,
    FindingSeverity,
    Incident,
    IncidentKind,
    IncidentStatus,
    InnovationProposal,
    InnovationStatus,
    Inspection,
    InspectionFinding,
    InspectionKind,
    LeaverReason,
    LeaverRecord,
    Priority,
    RecruitmentRequest,
    Severity,
    TaskRecord,
    Ticket,
    TrainingPlan,
    WorkCalendar,
)
from .services import inspections_rescore, record_prepare, records_changed

# --- cells -------------------------------------------------------------------------------------

_DATETIME_TEXT = re.compile(
    r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?(?:[ T]*(\d{1,2})[:时](\d{2})(?:[:分](\d{2})秒?)?)?"
)


def parse_datetime(*, required: bool = False) -> excel.CellParser[dt.datetime]:
    """A date and time in Beijing time: a date-time cell, an Excel serial with a fraction, or text such
    as 2026-10-09 14:30, 2026/10/9 14:30:05, 2026年10月9日 14时30分. A date alone means 00:00."""

    def parse(raw: Any) -> dt.datetime | None:
        tz = timezone.get_default_timezone()
        if isinstance(raw, dt.datetime):
            return raw if raw.tzinfo else raw.replace(tzinfo=tz)
        if isinstance(raw, dt.date):
            return dt.datetime.combine(raw, dt.time(), tzinfo=tz)
        if isinstance(raw, bool):
            raise excel.CellError("不是有效的日期时间", "not a valid date and time")
        if isinstance(raw, int | float | Decimal):
            serial = float(raw)
            day = excel.date_from_serial(int(serial))
            seconds = round((serial - int(serial)) * 86400)
            return dt.datetime.combine(day, dt.time(), tzinfo=tz) + dt.timedelta(seconds=seconds)
        text = excel.clean_text(raw)
        if text is None:
            if required:
                raise excel.CellError("必填，不能为空", "required; the cell is empty")
            return None
        m = _DATETIME_TEXT.fullmatch(text.replace("  ", " "))
        if not m:
            raise excel.CellError(
                "无法识别的日期时间，请写成 2026-10-09 14:30", "unrecognised date and time; write it as 2026-10-09 14:30"
            )
        y, mo, d, h, mi, s = (int(g) if g else 0 for g in m.groups())
        try:
            return dt.datetime(y, mo, d, h, mi, s, tzinfo=tz)
        except ValueError:
            raise excel.CellError(f"日期时间不存在：{text}", f"no such date and time: {text}") from None

    return excel.CellParser(
        parse, "datetime", "日期时间，如 2026-10-09 14:30", "date and time, e.g. 2026-10-09 14:30",
        number_format="yyyy-mm-dd hh:mm",
    )


def _text(n: int) -> excel.CellParser[str]:
    return excel.parse_text(max_length=n, fold_width=False)


def _long_text() -> excel.CellParser[str]:
    return excel.parse_text(max_length=4000, fold_width=False, multiline=True)


# --- shared columns ----------------------------------------------------------------------------

EXTERNAL_ID = excel.Column(
    "external_id", "外部编号", "External ID", excel.parse_text(max_length=64), required=True,
    comment="来源系统中的唯一编号；再次导入同一编号即更新 / unique in the source system; importing it again updates",
)
VENDOR = excel.Column(
    "vendor", "服务商编码", "Vendor", excel.parse_text(max_length=120, fold_width=False), required=True,
    aliases=("服务商", "服务商名称", "统一社会信用代码", "vendor_code"),
    comment="统一社会信用代码或服务商名称 / credit code or vendor name", example="上海卓越人力资源有限公司",
)
WORKER = excel.Column("worker", "工号", "Employee no.", excel.parse_text(max_length=30), aliases=("外包人员",),
                      example="W000123")
PROJECT = excel.Column("project", "项目编码", "Project", excel.parse_text(max_length=120, fold_width=False),
                       aliases=("项目",), comment="项目编码或名称 / project code or name")
DEPARTMENT = excel.Column("department", "部门编码", "Department", excel.parse_text(max_length=100, fold_width=False),
                          aliases=("部门",), comment="部门编码或名称；留空时取人员所在部门 / code or name; "
                          "empty: the worker's department")

VENDOR_REF = ForeignRef("vendor", Vendor, ("credit_code", "name"), "服务商")
WORKER_REF = ForeignRef("worker", Worker, ("employee_no",), "外包人员")
PROJECT_REF = ForeignRef("project", Project, ("code", "name"), "项目")
DEPARTMENT_REF = ForeignRef("department", Department, ("code", "name"), "部门")

LINKS = [VENDOR, PROJECT, DEPARTMENT]
PERSON_LINKS = [VENDOR, WORKER, PROJECT, DEPARTMENT]
LINK_REFS = (VENDOR_REF, PROJECT_REF, DEPARTMENT_REF)
PERSON_REFS = (VENDOR_REF, WORKER_REF, PROJECT_REF, DEPARTMENT_REF)

# The rows an import wrote, for hooks that finish them in bulk after the write (thread-safe).
_touched: contextvars.ContextVar[list[models.Model] | None] = contextvars.ContextVar("records_touched", default=None)


_calendar: contextvars.ContextVar[WorkCalendar | None] = contextvars.ContextVar("records_calendar", default=None)


class RecordImporter(ModelImporter):
    key = "external_id"

    def apply(self, obj: models.Model, values: dict[str, Any], resolved: dict[str, Any]) -> None:
        super().apply(obj, values, resolved)
        record_prepare(obj)
        touched = _touched.get()
        if touched is not None:
            touched.append(obj)

    def run(self, fileobj: Any, filename: str, *, actor: User, dry_run: bool) -> ImportResult:
        token = _touched.set([])
        try:
            result = super().run(fileobj, filename, actor=actor, dry_run=dry_run)
            if result.committed and (result.created or result.updated):
                # One metrics refresh and one alert evaluation for the whole file, after it commits.
                records_changed(self.touched())
            return result
        finally:
            _touched.reset(token)

    def touched(self) -> list[models.Model]:
        return list(_touched.get() or [])


class TaskImporter(RecordImporter):
    model = TaskRecord
    sheet = excel.SheetSpec("任务交付记录", [
        EXTERNAL_ID,
        excel.Column("title", "任务名称", "Title", _text(200), required=True, example="10月对账报表"),
        *PERSON_LINKS,
        excel.Column("due_date", "计划完成日期", "Due date", excel.parse_date(), required=True, example="2026-10-31"),
        excel.Column("delivered_date", "实际交付日期", "Delivered date", excel.parse_date(), example="2026-10-30"),
        excel.Column("acceptance", "验收结果", "Acceptance", choice_parser(Acceptance), example="已验收"),
        excel.Column("rework_count", "返工次数", "Rework count", excel.parse_int(min_value=0), example="0"),
    ], unique=[("external_id",)])
    refs = PERSON_REFS


class TicketImporter(RecordImporter):
    model = Ticket
    sheet = excel.SheetSpec("服务工单", [
        EXTERNAL_ID,
        excel.Column("title", "工单标题", "Title", _text(200), required=True, example="打印机无法连接"),
        *PERSON_LINKS,
        excel.Column("contract", "合同编号", "Contract", excel.parse_text(max_length=50),
                     comment="留空时按开单日有效的合同 / empty: the contract in force"),
        excel.Column("priority", "优先级", "Priority", choice_parser(Priority), required=True, example="高"),
        excel.Column("opened_at", "开单时间", "Opened at", parse_datetime(), required=True, example="2026-10-09 09:30"),
        excel.Column("first_response_at", "首次响应时间", "First response at", parse_datetime(),
                     example="2026-10-09 10:05"),
        excel.Column("resolved_at", "解决时间", "Resolved at", parse_datetime(), example="2026-10-09 16:00"),
        excel.Column("description", "问题描述", "Description", _long_text()),
    ], unique=[("external_id",)])
    refs = (*PERSON_REFS, ForeignRef("contract", Contract, ("number",), "合同"))

    def after_write(self) -> None:
        from .sla.service import tickets_refresh_sla

        tickets = [t for t in self.touched() if isinstance(t, Ticket) and t.pk]
        tickets_refresh_sla(tickets)


class DefectImporter(RecordImporter):
    model = Defect
    sheet = excel.SheetSpec("缺陷差错", [
        EXTERNAL_ID,
        excel.Column("title", "缺陷/差错描述", "Title", _text(200), required=True, example="工资表计算错误"),
        *PERSON_LINKS,
        excel.Column("found_date", "发现日期", "Found date", excel.parse_date(), required=True, example="2026-10-12"),
        excel.Column("severity", "严重程度", "Severity", choice_parser(Severity), example="一般"),
        excel.Column("status", "状态", "Status", choice_parser(DefectStatus), example="已修复"),
        excel.Column("fixed_date", "修复日期", "Fixed date", excel.parse_date()),
    ], unique=[("external_id",)])
    refs = PERSON_REFS


class ComplaintImporter(RecordImporter):
    model = Complaint
    sheet = excel.SheetSpec("投诉", [
        EXTERNAL_ID,
        *PERSON_LINKS,
        excel.Column("received_date", "受理日期", "Received date", excel.parse_date(), required=True,
                     example="2026-10-15"),
        excel.Column("channel", "投诉渠道", "Channel", choice_parser(ComplaintChannel), required=True, example="电话"),
        excel.Column("category", "投诉类别", "Category", choice_parser(ComplaintCategory), required=True,
                     example="服务态度"),
        excel.Column("severity", "严重程度", "Severity", choice_parser(ComplaintSeverity), example="一般"),
        excel.Column("status", "处理状态", "Status", choice_parser(ComplaintStatus), example="已解决"),
        excel.Column("description", "投诉内容", "Description", _long_text()),
        excel.Column("resolution", "处理结果", "Resolution", _long_text()),
        excel.Column("resolved_at", "办结时间", "Resolved at", parse_datetime(), example="2026-10-16 11:00"),
    ], unique=[("external_id",)])
    refs = PERSON_REFS


class InspectionImporter(RecordImporter):
    model = Inspection
    sheet = excel.SheetSpec("质量检查", [
        EXTERNAL_ID,
        excel.Column("title", "检查名称", "Title", _text(200), required=True, example="10月现场服务检查"),
        excel.Column("kind", "检查类型", "Kind", choice_parser(InspectionKind), required=True, example="现场检查"),
        *PERSON_LINKS,
        excel.Column("inspection_date", "检查日期", "Date", excel.parse_date(), required=True, example="2026-10-20"),
        excel.Column("inspector", "检查人", "Inspector", _text(60), example="质检部 李敏"),
        excel.Column("conclusion", "检查结论", "Conclusion", _long_text()),
    ], unique=[("external_id",)])
    refs = PERSON_REFS


class FindingImporter(ModelImporter):
    model = InspectionFinding
    key = "external_id"
    sheet = excel.SheetSpec("检查项", [
        excel.Column("external_id", "检查项编号", "Item ID", excel.parse_text(max_length=64), required=True,
                     example="INS-2026-001-01"),
        excel.Column("inspection", "检查编号", "Inspection", excel.parse_text(max_length=64), required=True,
                     comment="所属检查的外部编号 / the inspection's external ID", example="INS-2026-001"),
        excel.Column("item", "检查项", "Item", _text(200), required=True, example="工作台面整洁"),
        excel.Column("passed", "是否通过", "Passed", excel.parse_bool(), required=True, example="是"),
        excel.Column("severity", "问题等级", "Severity", choice_parser(FindingSeverity)),
        excel.Column("note", "说明", "Note", _text(500)),
        excel.Column("due_date", "整改期限", "Due date", excel.parse_date()),
    ], unique=[("external_id",)])
    refs = (ForeignRef("inspection", Inspection, ("external_id",), "检查"),)

    def apply(self, obj: models.Model, values: dict[str, Any], resolved: dict[str, Any]) -> None:
        super().apply(obj, values, resolved)
        touched = _touched.get()
        if touched is not None:
            touched.append(obj)

    def run(self, fileobj: Any, filename: str, *, actor: User, dry_run: bool) -> ImportResult:
        token = _touched.set([])
        try:
            result = super().run(fileobj, filename, actor=actor, dry_run=dry_run)
            if result.committed and (result.created or result.updated):
                ids = {f.inspection_id for f in (_touched.get() or []) if isinstance(f, InspectionFinding)}
                records_changed(list(Inspection.objects.filter(pk__in=ids)))
            return result
        finally:
            _touched.reset(token)

    def after_write(self) -> None:
        inspections_rescore(f.inspection_id for f in (_touched.get() or []) if isinstance(f, InspectionFinding))


class InnovationImporter(RecordImporter):
    model = InnovationProposal
    money_columns = frozenset({"estimated_benefit_fen"})
    sheet = excel.SheetSpec("创新提案", [
        EXTERNAL_ID,
        excel.Column("title", "提案名称", "Title", _text(200), required=True, example="工单自动分派"),
        *PERSON_LINKS,
        excel.Column("submitted_date", "提交日期", "Submitted", excel.parse_date(), required=True, example="2026-10-08"),
        excel.Column("description", "提案内容", "Description", _long_text()),
        excel.Column("estimated_benefit_fen", "预计效益（元）", "Estimated benefit (yuan)", excel.parse_money_fen(),
                     example="50000.00"),
        excel.Column("evaluation_score", "评审得分", "Evaluation score",
                     excel.parse_decimal(2, min_value=Decimal(0), max_value=Decimal(100)), example="85"),
        excel.Column("status", "状态", "Status", choice_parser(InnovationStatus), example="已采纳"),
    ], unique=[("external_id",)])
    refs = PERSON_REFS


class CostImporter(RecordImporter):
    model = CostEntry
    money_columns = frozenset({"outsourcing_cost_fen", "benchmark_cost_fen"})
    sheet = excel.SheetSpec("成本记录", [
        EXTERNAL_ID,
        *LINKS,
        excel.Column("period_start", "期间开始", "Period start", excel.parse_date(), required=True, example="2026-10-01"),
        excel.Column("period_end", "期间结束", "Period end", excel.parse_date(), required=True, example="2026-10-31"),
        excel.Column("category", "成本类别", "Category", choice_parser(CostCategory), example="服务费"),
        excel.Column("outsourcing_cost_fen", "外包成本（元）", "Outsourcing cost (yuan)", excel.parse_money_fen(),
                     required=True, example="120000.00"),
        excel.Column("benchmark_cost_fen", "内部基准成本（元）", "Internal benchmark cost (yuan)",
                     excel.parse_money_fen(), example="150000.00"),
        excel.Column("available_hours", "可用工时", "Available hours", excel.parse_decimal(1, min_value=Decimal(0)),
                     example="1760"),
        excel.Column("used_hours", "实际工时", "Used hours", excel.parse_decimal(1, min_value=Decimal(0)),
                     example="1584"),
        excel.Column("note", "说明", "Note", _text(200)),
    ], unique=[("external_id",)])
    refs = LINK_REFS


class RecruitmentImporter(RecordImporter):
    model = RecruitmentRequest
    money_columns = frozenset({"cost_fen"})
    sheet = excel.SheetSpec("招聘需求", [
        EXTERNAL_ID,
        *LINKS,
        excel.Column("position_name", "招聘岗位", "Position", _text(100), required=True, example="客服专员"),
        excel.Column("headcount", "需求人数", "Headcount", excel.parse_int(min_value=1), required=True, example="5"),
        excel.Column("requested_date", "需求日期", "Requested", excel.parse_date(), required=True, example="2026-09-01"),
        excel.Column("filled_count", "到岗人数", "Filled", excel.parse_int(min_value=0), example="5"),
        excel.Column("filled_date", "到岗完成日期", "Filled date", excel.parse_date(), example="2026-09-20"),
        excel.Column("cost_fen", "招聘费用（元）", "Cost (yuan)", excel.parse_money_fen(), example="6000.00"),
    ], unique=[("external_id",)])
    refs = LINK_REFS


class LeaverImporter(RecordImporter):
    model = LeaverRecord
    sheet = excel.SheetSpec("离职记录", [
        EXTERNAL_ID,
        *PERSON_LINKS,
        excel.Column("leave_date", "离职日期", "Leave date", excel.parse_date(), required=True, example="2026-10-31"),
        excel.Column("reason", "离职原因", "Reason", choice_parser(LeaverReason), required=True, example="主动离职"),
        excel.Column("note", "说明", "Note", _text(200)),
    ], unique=[("external_id",)])
    refs = PERSON_REFS


class TrainingImporter(RecordImporter):
    model = TrainingPlan
    sheet = excel.SheetSpec("培训计划", [
        EXTERNAL_ID,
        excel.Column("title", "培训名称", "Title", _text(200), required=True, example="新员工服务规范培训"),
        *LINKS,
        excel.Column("planned_date", "计划日期", "Planned", excel.parse_date(), required=True, example="2026-10-10"),
        excel.Column("completed_date", "完成日期", "Completed", excel.parse_date()),
        excel.Column("planned_participants", "计划人数", "Planned participants", excel.parse_int(min_value=0),
                     example="30"),
        excel.Column("completed_participants", "完成人数", "Completed participants", excel.parse_int(min_value=0),
                     example="28"),
        excel.Column("hours", "学时", "Hours", excel.parse_decimal(1, min_value=Decimal(0)), example="4"),
    ], unique=[("external_id",)])
    refs = LINK_REFS


class IncidentImporter(RecordImporter):
    model = Incident
    sheet = excel.SheetSpec("安全合规事件", [
        EXTERNAL_ID,
        excel.Column("title", "事件名称", "Title", _text(200), required=True, example="客户信息外发"),
        excel.Column("kind", "事件类型", "Kind", choice_parser(IncidentKind), required=True, example="信息安全"),
        *PERSON_LINKS,
        excel.Column("severity", "严重程度", "Severity", choice_parser(Severity), required=True, example="严重"),
        excel.Column("occurred_date", "发生日期", "Occurred", excel.parse_date(), required=True, example="2026-10-21"),
        excel.Column("status", "状态", "Status", choice_parser(IncidentStatus), example="调查中"),
        excel.Column("description", "事件经过", "Description", _long_text()),
        excel.Column("measures", "处理措施", "Measures", _long_text()),
        excel.Column("veto_override", "按一票否决处理", "Treat as veto", excel.parse_bool(), example="否"),
    ], unique=[("external_id",)])
    refs = PERSON_REFS


class CalendarDayImporter(ModelImporter):
    """Holidays and make-up working days of the default calendar, one row per date, upserted by 日期.

    Other calendars are edited in the form; with one calendar per organisation (the usual case: the
    national schedule) this is the yearly chore of entering the State Council's notice."""

    model = CalendarDay
    key = "date"
    sheet = excel.SheetSpec("节假日调休", [
        excel.Column("date", "日期", "Date", excel.parse_date(), required=True, example="2026-10-01"),
        excel.Column("kind", "类型", "Kind", choice_parser(DayKind), required=True, example="节假日（休息）"),
        excel.Column("name", "名称", "Name", _text(60), example="国庆节"),
    ], unique=[("date",)])

    def run(self, fileobj: Any, filename: str, *, actor: User, dry_run: bool) -> ImportResult:
        calendars = list(WorkCalendar.objects.all()[:2])
        if len(calendars) != 1:
            return ImportResult(header_errors=[
                "只有一个工作日历时才能导入节假日，请在表单中逐条维护 / "
                "Holidays can be imported only while there is exactly one working calendar; use the form"
            ])
        token = _calendar.set(calendars[0])
        try:
            return super().run(fileobj, filename, actor=actor, dry_run=dry_run)
        finally:
            _calendar.reset(token)

    def apply(self, obj: models.Model, values: dict[str, Any], resolved: dict[str, Any]) -> None:
        super().apply(obj, values, resolved)
        calendar = _calendar.get()
        if not getattr(obj, "calendar_id", None) and calendar is not None:
            obj.calendar = calendar  # type: ignore[attr-defined]
