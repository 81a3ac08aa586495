"""Excel/CSV import of records: bad rows named by row and column, all-or-nothing, idempotent."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from outperform.core.models import AuditLog
from outperform.records import importers
from outperform.records.models import Inspection, InspectionFinding, TaskRecord, Ticket

from .factories import SHANGHAI, InspectionFactory, SlaPolicyFactory

pytestmark = pytest.mark.django_db

TASK_HEADER = "外部编号,任务名称,服务商编码,工号,项目编码,部门编码,计划完成日期,实际交付日期,验收结果,返工次数\n"


def csv(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode("utf-8-sig"))


def task_rows(world) -> str:
    w = world.workers["a_ops_cs"]
    code = world.vendor_a.credit_code
    return (
        TASK_HEADER
        + f"T-1,十月对账,{code},{w.employee_no},,,2026-10-15,2026-10-14,已验收,0\n"
        + f"T-2,十月报表,{world.vendor_a.name},,PRJ-A,,2026/10/20,2026-10-22,rejected,1\n"
        + f"T-3,月度盘点,{code},,,TECH,2026年10月31日,,待验收,\n"
    )


def test_import_creates_with_derived_facts_and_links(world):
    result = importers.TaskImporter().run(csv(task_rows(world)), "t.csv", actor=world.users["hr"], dry_run=False)
    assert result.ok, [e.describe("zh") for e in result.errors]
    assert (result.created, result.updated) == (3, 0)
    t1, t2, t3 = (TaskRecord.objects.get(external_id=k) for k in ("T-1", "T-2", "T-3"))
    assert (t1.on_time, t1.first_pass) == (True, True)
    assert t1.department == world.ops_cs  # taken from the worker
    assert t1.project == world.project
    assert (t2.on_time, t2.first_pass, t2.rework_count) == (False, False, 1)
    assert t2.department == world.ops_cs  # taken from the project
    assert (t3.on_time, t3.first_pass, t3.due_date) == (None, None, dt.date(2026, 10, 31))
    assert AuditLog.objects.filter(reason="Excel import").count() == 3


def test_reimport_is_idempotent_and_updates_derived_columns(world):
    importer = importers.TaskImporter()
    importer.run(csv(task_rows(world)), "t.csv", actor=world.users["hr"], dry_run=False)
    again = importer.run(csv(task_rows(world)), "t.csv", actor=world.users["hr"], dry_run=False)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    changed = task_rows(world).replace("2026-10-14,已验收,0", "2026-10-16,已验收,0")
    third = importer.run(csv(changed), "t.csv", actor=world.users["hr"], dry_run=False)
    assert (third.created, third.updated) == (0, 1)
    assert TaskRecord.objects.get(external_id="T-1").on_time is False  # derived column travelled with the update
    assert TaskRecord.objects.count() == 3


def test_bad_rows_are_named_by_row_and_column_and_nothing_is_written(world):
    code = world.vendor_a.credit_code
    bad = (
        TASK_HEADER
        + f"T-1,好的一行,{code},,,,2026-10-15,,,\n"
        + f"T-2,日期错,{code},,,,2026-02-30,,,\n"
        + "T-3,没有这个服务商,不存在的公司,,,,2026-10-15,,,\n"
        + f"T-4,验收写错,{code},,,,2026-10-15,,通过了,\n"
        + f"T-5,返工为负,{code},,,,2026-10-15,,,-1\n"
        + f"T-6,人员不属于该服务商,{code},{world.workers['b_ops'].employee_no},,,2026-10-15,,,\n"
    )
    result = importers.TaskImporter().run(csv(bad), "t.csv", actor=world.users["hr"], dry_run=False)
    assert not result.committed
    where = {(e.row_number, e.column_header) for e in result.errors}
    assert (3, "计划完成日期") in where
    assert (4, "服务商编码") in where
    assert (5, "验收结果") in where
    assert (6, "返工次数") in where
    assert any(e.row_number == 7 for e in result.errors)  # worker of vendor B under vendor A
    assert not any(e.row_number == 2 for e in result.errors)
    assert TaskRecord.objects.count() == 0


def test_missing_required_column_is_one_error(world):
    result = importers.TaskImporter().run(csv("外部编号,任务名称\nT-1,x\n"), "t.csv", actor=world.users["hr"],
                                          dry_run=False)
    assert result.header_errors and "计划完成日期" in result.header_errors[0]


def test_ticket_import_computes_sla(world):
    SlaPolicyFactory(contract=world.contract_a, priority="p1", response_minutes=30, resolution_minutes=240)
    text = (
        "外部编号,工单标题,服务商编码,合同编号,优先级,开单时间,首次响应时间,解决时间\n"
        f"K-1,系统宕机,{world.vendor_a.credit_code},HT-A,紧急,2026-10-12 09:00,2026-10-12 09:20,2026/10/12 14:00\n"
        f"K-2,无法打印,{world.vendor_a.credit_code},,p1,2026-10-12 09:00,2026-10-12 10:00,\n"
    )
    result = importers.TicketImporter().run(csv(text), "k.csv", actor=world.users["hr"], dry_run=False)
    assert result.ok, [e.describe("zh") for e in result.errors]
    k1, k2 = Ticket.objects.get(external_id="K-1"), Ticket.objects.get(external_id="K-2")
    # K-1: 9:00 → 14:00 is 180 + 30 = 210 working minutes, within 240.
    assert (k1.response_met, k1.resolution_met, k1.sla_status, k1.resolution_minutes) == (True, True, "met", 210)
    assert k1.opened_at == dt.datetime(2026, 10, 12, 9, 0, tzinfo=SHANGHAI)
    assert k2.response_met is False  # answered after 60 of 30 minutes
    assert k2.sla_status == "breached"


def test_ticket_datetime_errors_name_the_cell(world):
    text = (
        "外部编号,工单标题,服务商编码,优先级,开单时间\n"
        f"K-1,x,{world.vendor_a.credit_code},中,明天上午\n"
    )
    result = importers.TicketImporter().run(csv(text), "k.csv", actor=world.users["hr"], dry_run=False)
    assert [(e.row_number, e.column_header) for e in result.errors] == [(2, "开单时间")]


def test_findings_import_rescores_the_inspection(world):
    inspection = InspectionFactory(vendor=world.vendor_a, external_id="INS-1")
    text = (
        "检查项编号,检查编号,检查项,是否通过,问题等级\n"
        "F-1,INS-1,着装规范,是,\n"
        "F-2,INS-1,台账完整,否,一般\n"
        "F-3,INS-1,消防通道,是,\n"
    )
    result = importers.FindingImporter().run(csv(text), "f.csv", actor=world.users["hr"], dry_run=False)
    assert result.ok, [e.describe("zh") for e in result.errors]
    inspection.refresh_from_db()
    assert (inspection.checked_items, inspection.passed_items, inspection.score) == (3, 2, Decimal("66.67"))
    assert InspectionFinding.objects.count() == 3


def test_failed_finding_without_severity_is_refused(world):
    InspectionFactory(vendor=world.vendor_a, external_id="INS-1")
    text = "检查项编号,检查编号,检查项,是否通过\nF-1,INS-1,台账完整,否\n"
    result = importers.FindingImporter().run(csv(text), "f.csv", actor=world.users["hr"], dry_run=False)
    assert [(e.row_number, e.column_key) for e in result.errors] == [(2, "severity")]
    assert Inspection.objects.get().checked_items == 0


def test_web_upload_preview_then_commit(world, client_for):
    client = client_for("hr")
    url = reverse("records:tasks_import")
    upload = SimpleUploadedFile("tasks.csv", task_rows(world).encode("utf-8-sig"), content_type="text/csv")
    preview = client.post(url, {"file": upload})
    assert preview.status_code == 200
    assert TaskRecord.objects.count() == 0  # a dry run
    token = re.search(r'name="token" value="([^"]+)"', preview.content.decode()).group(1)
    assert client.post(url, {"token": token}).status_code == 302
    assert TaskRecord.objects.count() == 3


def test_vendor_manager_may_not_import(world, client_for):
    assert client_for("vendor_manager").get(reverse("records:tasks_import")).status_code == 403


def test_template_downloads(world, client_for):
    response = client_for("hr").get(reverse("records:tickets_template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_holidays_import_into_the_default_calendar(world):
    from outperform.records.models import CalendarDay

    text = "日期,类型,名称\n2027-01-01,节假日（休息）,元旦\n2027-01-04,调休上班,元旦调休\n2027-01-05,休息,x\n"
    result = importers.CalendarDayImporter().run(csv(text), "d.csv", actor=world.users["hr"], dry_run=False)
    assert [(e.row_number, e.column_header) for e in result.errors] == [(4, "类型")]
    ok = importers.CalendarDayImporter().run(csv(text.rsplit("\n", 2)[0] + "\n"), "d.csv",
                                             actor=world.users["hr"], dry_run=False)
    assert ok.created == 2
    assert CalendarDay.objects.get(date=dt.date(2027, 1, 4)).calendar.code == "CN-STD"
