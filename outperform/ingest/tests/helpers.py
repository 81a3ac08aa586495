"""Task files for the ingest tests, written the way users' tools write them."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

import openpyxl

from outperform.testing.world import World

HEADERS = ["外部编号", "任务名称", "服务商编码", "工号", "项目编码", "部门编码", "计划完成日期", "实际交付日期",
           "验收结果", "返工次数"]


def task_rows(world: World, n: int, *, start: int = 1, vendor: str = "a") -> list[list[Any]]:
    v = world.vendor_a if vendor == "a" else world.vendor_b
    worker = world.workers["a_ops_cs"] if vendor == "a" else world.workers["b_ops"]
    return [
        [f"T{i:05d}", f"客服工单处理-{i}", v.credit_code, worker.employee_no, "", "", "2026-10-31", "2026-10-30",
         "已验收", "0"]
        for i in range(start, start + n)
    ]


def csv_bytes(rows: Sequence[Sequence[Any]], *, headers: Sequence[str] = HEADERS, encoding: str = "utf-8-sig",
              delimiter: str = ",") -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return buf.getvalue().encode(encoding)


def xlsx_bytes(rows: Sequence[Sequence[Any]], *, headers: Sequence[str] = HEADERS) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
