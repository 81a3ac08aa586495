"""Upload → mapping → dry run → commit, on the generic path (the path SQLite always takes)."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied

from outperform.core.models import AuditLog
from outperform.ingest import services
from outperform.ingest.models import BatchState, ColumnMapping, IngestBatch
from outperform.ingest.reading import mapping_from_json
from outperform.records.models import TaskRecord

from .helpers import HEADERS, csv_bytes, task_rows, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path)
    settings.INGEST_BACKGROUND_BYTES = 10 * 1024 * 1024


def upload(world, data: bytes, name: str = "tasks.csv", role: str = "hr") -> IngestBatch:  # type: ignore[no-untyped-def]
    return services.batch_upload(actor=world.users[role], source_key="task", fileobj=io.BytesIO(data), filename=name)


def run(world, batch: IngestBatch, *, dry_run: bool, role: str = "hr") -> IngestBatch:  # type: ignore[no-untyped-def]
    return services.batch_run(actor=world.users[role], batch=batch, dry_run=dry_run)


def test_dry_run_counts_and_writes_nothing(world) -> None:  # type: ignore[no-untyped-def]
    batch = run(world, upload(world, csv_bytes(task_rows(world, 3))), dry_run=True)
    assert batch.state == BatchState.VALIDATED
    assert (batch.rows, batch.created, batch.updated, batch.unchanged) == (3, 3, 0, 0)
    assert TaskRecord.objects.count() == 0
    assert AuditLog.objects.count() == 0


def test_commit_writes_rows_with_derived_facts_and_one_batch_audit(world) -> None:  # type: ignore[no-untyped-def]
    rows = task_rows(world, 2)
    rows[1][7] = "2026-11-02"  # delivered two days late
    rows[1][8] = "已退回"
    batch = run(world, upload(world, csv_bytes(rows)), dry_run=False)
    assert batch.state == BatchState.COMMITTED, batch.errors
    first, second = TaskRecord.objects.order_by("external_id")
    assert (first.on_time, first.first_pass) == (True, True)
    assert (second.on_time, second.first_pass) == (False, False)
    # the worker's department fills the empty 部门编码 (as every writer of records does)
    assert first.department_id == world.workers["a_ops_cs"].department_id
    assert first.vendor_id == world.vendor_a.pk
    audits = AuditLog.objects.all()
    assert [a.object_repr for a in audits] == [str(batch)]
    assert not services.batch_path(batch).exists()


def test_error_in_the_middle_writes_nothing_and_names_row_and_column(world) -> None:  # type: ignore[no-untyped-def]
    rows = task_rows(world, 5)
    rows[2][6] = "2026-13-01"  # file row 4 (header is row 1)
    rows[3][2] = "不存在的服务商"  # file row 5
    batch = run(world, upload(world, csv_bytes(rows)), dry_run=False)
    assert batch.state == BatchState.INVALID
    assert TaskRecord.objects.count() == 0
    assert {(e["row"], e["column"]) for e in batch.errors} == {(4, "计划完成日期"), (5, "服务商编码")}
    assert batch.error_count == 2
    report = services.batch_error_report(batch)
    sheet = openpyxl.load_workbook(io.BytesIO(report)).worksheets[0]
    assert sheet.cell(row=4, column=1).value  # the Errors column sums up row 4
    assert sheet.cell(row=4, column=8).fill.fgColor.rgb.endswith("C7CE")  # 计划完成日期 cell is red
    assert sheet.cell(row=3, column=1).value in (None, "")


def test_reupload_of_the_same_file_writes_nothing_and_audits_nothing(world) -> None:  # type: ignore[no-untyped-def]
    data = csv_bytes(task_rows(world, 4))
    run(world, upload(world, data), dry_run=False)
    stamps = dict(TaskRecord.objects.values_list("external_id", "updated_at"))
    audits = AuditLog.objects.count()
    again = run(world, upload(world, data), dry_run=False)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert dict(TaskRecord.objects.values_list("external_id", "updated_at")) == stamps
    assert AuditLog.objects.count() == audits


def test_corrected_file_updates_only_the_changed_rows(world) -> None:  # type: ignore[no-untyped-def]
    rows = task_rows(world, 4)
    run(world, upload(world, csv_bytes(rows)), dry_run=False)
    stamps = dict(TaskRecord.objects.values_list("external_id", "updated_at"))
    rows[1][9] = "2"  # T00002: rework twice
    batch = run(world, upload(world, csv_bytes(rows)), dry_run=False)
    assert (batch.created, batch.updated, batch.unchanged) == (0, 1, 3)
    changed = TaskRecord.objects.get(external_id="T00002")
    assert (changed.rework_count, changed.first_pass) == (2, False)
    after = dict(TaskRecord.objects.values_list("external_id", "updated_at"))
    assert [k for k in after if after[k] != stamps[k]] == ["T00002"]
    update_audits = AuditLog.objects.filter(action="update")
    assert [a.object_id for a in update_audits] == [str(changed.pk)]
    assert update_audits[0].changes["rework_count"] == [0, 2]


def test_gbk_csv_and_xlsx_give_the_same_records(world) -> None:  # type: ignore[no-untyped-def]
    rows = task_rows(world, 3)
    run(world, upload(world, csv_bytes(rows, encoding="gbk")), dry_run=False)
    as_csv = list(TaskRecord.objects.order_by("external_id").values("external_id", "title", "due_date"))
    TaskRecord.objects.all().delete()
    xrows = [[*r[:6], dt.date(2026, 10, 31), dt.date(2026, 10, 30), r[8], 0] for r in rows]
    run(world, upload(world, xlsx_bytes(xrows), "tasks.xlsx"), dry_run=False)
    assert list(TaskRecord.objects.order_by("external_id").values("external_id", "title", "due_date")) == as_csv
    assert as_csv[0]["title"] == "客服工单处理-1"


def test_mapping_is_remembered_for_the_same_headers(world) -> None:  # type: ignore[no-untyped-def]
    headers = ["单号", "事项", "供应商", "截止日", "人员"]
    rows = [["X1", "盘点", world.vendor_a.credit_code, "2026-10-31", ""]]
    batch = upload(world, csv_bytes(rows, headers=headers))
    assert mapping_from_json(batch.mapping) == {}
    chosen = {0: "external_id", 1: "title", 2: "vendor", 3: "due_date"}
    services.batch_set_mapping(actor=world.users["hr"], batch=batch, mapping=chosen)
    assert ColumnMapping.objects.count() == 1
    assert run(world, batch, dry_run=False).state == BatchState.COMMITTED
    again = upload(world, csv_bytes(rows, headers=headers))
    assert mapping_from_json(again.mapping) == chosen


def test_vendor_manager_may_ingest_only_own_vendor_rows(world) -> None:  # type: ignore[no-untyped-def]
    rows = task_rows(world, 2) + task_rows(world, 1, start=10, vendor="b")
    batch = run(world, upload(world, csv_bytes(rows), role="vendor_manager"), dry_run=False, role="vendor_manager")
    assert batch.state == BatchState.INVALID
    assert TaskRecord.objects.count() == 0
    assert [(e["row"], e["column"]) for e in batch.errors][0] == (4, "服务商编码")
    ok = run(world, upload(world, csv_bytes(task_rows(world, 2)), role="vendor_manager"), dry_run=False,
             role="vendor_manager")
    assert ok.state == BatchState.COMMITTED


def test_vendor_manager_cannot_overwrite_another_vendors_record(world) -> None:  # type: ignore[no-untyped-def]
    run(world, upload(world, csv_bytes(task_rows(world, 1, vendor="b"))), dry_run=False)
    rows = task_rows(world, 1)  # same external id T00001, now claimed for vendor A
    batch = run(world, upload(world, csv_bytes(rows), role="vendor_manager"), dry_run=False, role="vendor_manager")
    assert batch.state == BatchState.INVALID
    assert batch.errors[0]["row"] == 2
    assert TaskRecord.objects.get().vendor_id == world.vendor_b.pk


@pytest.mark.parametrize("role", ["supervisor", "worker", "auditor", "nobody"])
def test_other_roles_may_not_ingest(world, role: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        upload(world, csv_bytes(task_rows(world, 1)), role=role)


def test_duplicate_external_id_in_one_file(world) -> None:  # type: ignore[no-untyped-def]
    rows = task_rows(world, 2)
    rows.append(list(rows[0]))
    batch = run(world, upload(world, csv_bytes(rows)), dry_run=False)
    assert [(e["row"], e["zh"]) for e in batch.errors] == [(4, "与第 2 行重复")]


def test_generic_chunks_use_constant_queries(world, django_assert_max_num_queries, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from outperform.ingest import generic

    monkeypatch.setattr(generic, "CHUNK", 10)
    source = services.get_source("task")
    hr = world.users["hr"]

    def count_queries(n: int) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        TaskRecord.objects.all().delete()
        data = csv_bytes(task_rows(world, n))
        with CaptureQueriesContext(connection) as ctx:
            result = services.ingest_file(source=source, fp=io.BytesIO(data), filename="t.csv",
                                          mapping={i: k for i, k in enumerate(
                                              ["external_id", "title", "vendor", "worker", "project", "department",
                                               "due_date", "delivered_date", "acceptance", "rework_count"])},
                                          actor=hr, dry_run=False)
        assert result.ok and result.counts.created == n
        return len(ctx.captured_queries)

    ten, fifty = count_queries(10), count_queries(50)
    # 5 chunks instead of 1: a fixed number of queries per chunk, nothing per row
    per_chunk = (fifty - ten) / 4
    assert per_chunk <= 4
    assert HEADERS  # the headers the helper writes


@pytest.mark.parametrize("key", ["task", "defect", "complaint", "inspection", "incident", "cost"])
def test_every_source_takes_its_own_template_and_skips_the_example_row(world, key: str) -> None:  # type: ignore[no-untyped-def]
    """The template's example row, left in place, is not imported; a file of only that row is empty."""
    source = services.get_source(key)
    batch = services.batch_upload(actor=world.users["hr"], source_key=key,
                                  fileobj=io.BytesIO(source.importer.template()), filename=f"{key}.xlsx")
    assert set(mapping_from_json(batch.mapping).values()) == {c.key for c in source.spec.columns}
    batch = run(world, batch, dry_run=False)
    assert batch.rows == 0, batch.errors
    assert batch.state == BatchState.COMMITTED


def test_another_source_defects_with_their_derived_fact(world) -> None:  # type: ignore[no-untyped-def]
    from outperform.records.models import Defect

    headers = ["外部编号", "缺陷/差错描述", "服务商编码", "发现日期", "严重程度", "状态"]
    rows = [["D1", "工资表计算错误", world.vendor_a.credit_code, "2026-10-12", "一般", "已修复"],
            ["D2", "报表口径不一致", world.vendor_a.credit_code, "2026/10/13", "一般", "待修复"]]
    batch = services.batch_upload(actor=world.users["hr"], source_key="defect",
                                  fileobj=io.BytesIO(csv_bytes(rows, headers=headers)), filename="d.csv")
    batch = run(world, batch, dry_run=False)
    assert batch.state == BatchState.COMMITTED, batch.errors
    assert dict(Defect.objects.values_list("external_id", "fixed")) == {"D1": True, "D2": False}
