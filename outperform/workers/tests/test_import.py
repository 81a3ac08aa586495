"""Worker import from real spreadsheets: messy cells, dry run, all-or-nothing, upsert, scope."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from outperform.core.models import AuditLog
from outperform.workers.importers import WorkerImporter
from outperform.workers.models import Worker

pytestmark = pytest.mark.django_db

HEADERS = ["工号", "姓名", "性别", "手机号", "身份证号", "服务商", "部门", "岗位", "入场日期", "基本工资（元）", "绩效奖金基数（元）"]


def xlsx(rows, headers=HEADERS):  # type: ignore[no-untyped-def]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "workers.xlsx"
    return buf


def run(world, rows, role="hr", dry_run=False, headers=HEADERS):  # type: ignore[no-untyped-def]
    return WorkerImporter().run(xlsx(rows, headers), "workers.xlsx", actor=world.users[role], dry_run=dry_run)


def test_messy_real_world_cells_are_understood(world):
    rows = [
        # full-width digits and spaces, trailing spaces, Excel serial date, number stored as text
        ["Ｗ００１ ", " 李雷 ", "男", 13912345678, "11010519491231002x", "甲服务商 ", "OPS-CS", "客服专员",
         45663, "6,500.50", "2000"],
        # '2024/1/5' style date, Chinese date, amount as a float
        ["W002", "韩梅梅", "女", "13812345678", "", "甲服务商", "运营中心", "P-CS", "2025/1/5", 7000.0, None],
        ["W003", "王芳", "F", "", "", "乙服务商", "TECH", "P-CS", "2025年3月8日", "8000", "1500.5"],
        [None] * len(HEADERS),  # empty trailing rows are ignored
        [None] * len(HEADERS),
    ]
    result = run(world, rows)
    assert result.ok, result.errors
    assert (result.created, result.updated) == (3, 0)
    w1 = Worker.objects.get(employee_no="W001")
    assert w1.name == "李雷"
    assert w1.mobile == "13912345678"
    assert w1.id_number == "11010519491231002X"
    assert w1.hire_date == dt.date(2025, 1, 6)  # serial 45663 counts days from 1899-12-30
    assert w1.base_salary_fen == 650050
    assert w1.base_bonus_fen == 200000
    assert w1.department == world.ops_cs and w1.vendor == world.vendor_a
    w2 = Worker.objects.get(employee_no="W002")
    assert w2.hire_date == dt.date(2025, 1, 5) and w2.base_salary_fen == 700000 and w2.department == world.ops
    w3 = Worker.objects.get(employee_no="W003")
    assert w3.hire_date == dt.date(2025, 3, 8) and w3.gender == "F" and w3.base_bonus_fen == 150050


def test_english_headers_are_accepted(world):
    headers = ["Employee no.", "Name", "Vendor", "Department", "Position", "Hire date"]
    result = run(world, [["E001", "Tom", "甲服务商", "OPS", "P-CS", "2026-01-02"]], headers=headers)
    assert result.ok and result.created == 1


def test_one_bad_row_writes_nothing_and_names_row_and_column(world):
    before = Worker.objects.count()
    rows = [
        ["W101", "好人", "男", "13912345678", "", "甲服务商", "OPS", "P-CS", "2026-01-01", "5000", "1000"],
        ["W102", "坏行", "男", "13912345678", "110105194912310021", "甲服务商", "OPS", "P-CS", "2026-01-01",
         "5000", "1000"],
        ["W103", "无部门", "男", "", "", "甲服务商", "不存在的部门", "P-CS", "2026-01-01", "5000", "1000"],
    ]
    result = run(world, rows)
    assert not result.ok
    assert Worker.objects.count() == before
    by_row = {(e.row_number, e.column_header) for e in result.errors}
    assert (3, "身份证号") in by_row  # header is row 1, so the second data row is row 3
    assert (4, "部门") in by_row
    assert not any(e.row_number == 2 for e in result.errors)
    assert not AuditLog.objects.filter(reason="Excel import").exists()


def test_dry_run_writes_nothing_then_commit_writes_once_with_audit(world):
    rows = [["W201", "赵六", "男", "", "", "甲服务商", "OPS", "P-CS", "2026-01-01", "5000", "1000"]]
    preview = run(world, rows, dry_run=True)
    assert preview.ok and preview.created == 1 and not preview.committed
    assert not Worker.objects.filter(employee_no="W201").exists()
    done = run(world, rows)
    assert done.committed
    worker = Worker.objects.get(employee_no="W201")
    ct = ContentType.objects.get_for_model(Worker)
    assert AuditLog.objects.filter(content_type=ct, object_id=str(worker.pk)).count() == 1


def test_reimport_is_idempotent_and_a_correction_updates_only_that_row(world):
    rows = [
        ["W301", "甲", "男", "", "", "甲服务商", "OPS", "P-CS", "2026-01-01", "5000", "1000"],
        ["W302", "乙", "男", "", "", "甲服务商", "OPS", "P-CS", "2026-01-01", "5000", "1000"],
    ]
    assert run(world, rows).created == 2
    again = run(world, rows)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    rows[1][1] = "乙（改）"
    fixed = run(world, rows)
    assert (fixed.created, fixed.updated, fixed.unchanged) == (0, 1, 1)
    assert Worker.objects.get(employee_no="W302").name == "乙（改）"


def test_duplicate_key_in_file_is_an_error(world):
    rows = [["W401", "甲", "男", "", "", "甲服务商", "OPS", "P-CS", "2026-01-01", "5000", "1000"]] * 2
    result = run(world, rows)
    assert not result.ok and result.errors[0].row_number == 3


def test_vendor_manager_imports_only_into_own_vendor(world):
    ok = run(world, [["W501", "甲", "男", "", "", "甲服务商", "OPS", "P-CS", "2026-01-01", "5000", "1000"]],
             role="vendor_manager")
    assert ok.ok and ok.created == 1
    other = run(world, [["W502", "乙", "男", "", "", "乙服务商", "OPS", "P-CS", "2026-01-01", "5000", "1000"]],
                role="vendor_manager")
    assert not other.ok and other.errors[0].column_header == "服务商"
    # another vendor's existing worker can't be overwritten through the natural key
    b = world.workers["b_ops"]
    clash = run(world, [[b.employee_no, "冒名", "男", "", "", "甲服务商", "OPS", "P-CS", "2026-01-01", "1", "1"]],
                role="vendor_manager")
    assert not clash.ok
    b.refresh_from_db()
    assert b.name != "冒名" and b.vendor == world.vendor_b


def test_missing_required_header_is_one_clear_error(world):
    result = run(world, [["W601", "甲"]], headers=["工号", "姓名"])
    assert not result.ok and result.header_errors and "服务商" in result.header_errors[0]


def test_web_flow_upload_preview_error_report_commit(world, client_for):
    web = client_for("hr")
    url = reverse("workers:workers_import")
    bad = xlsx([["W701", "甲", "男", "", "BAD", "甲服务商", "OPS", "P-CS", "2026-01-01", "5000", "1000"]])
    response = web.post(url, {"file": bad})
    assert response.status_code == 400
    token = response.context["token"]
    report = web.get(url, {"errors": token})
    assert report.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(report.content))
    assert any("身份证" in str(c.value) for row in wb.worksheets[-1].iter_rows() for c in row)
    good = xlsx([["W702", "乙", "男", "", "", "甲服务商", "OPS", "P-CS", "2026-01-01", "5000", "1000"]])
    preview = web.post(url, {"file": good})
    assert preview.status_code == 200 and not Worker.objects.filter(employee_no="W702").exists()
    commit = web.post(url, {"token": preview.context["token"]})
    assert commit.status_code == 302
    assert Worker.objects.filter(employee_no="W702").exists()


def test_template_download_and_export_round_trip(world, client_for):
    web = client_for("hr")
    template = web.get(reverse("workers:workers_template"))
    headers = [c.value for c in next(openpyxl.load_workbook(io.BytesIO(template.content)).active.iter_rows())]
    assert any(str(h).startswith("工号") for h in headers)
    exported = web.get(reverse("workers:workers_list"), {"export": "xlsx"})
    buf = io.BytesIO(exported.content)
    buf.name = "export.xlsx"
    result = WorkerImporter().run(buf, "export.xlsx", actor=world.users["hr"], dry_run=True)
    assert result.ok, result.errors[:3]
    assert result.unchanged == len(world.workers)


def test_worker_page_links_to_the_performance_archive(world, client_for):
    worker = world.workers["a_self"]
    body = client_for("hr").get(reverse("workers:workers_detail", args=[worker.pk])).content.decode()
    assert reverse("cycles:archive_worker", args=[worker.pk]) in body
