"""On PostgreSQL: the COPY path writes exactly what the generic path writes, for the same files."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.db import connection

from outperform.core.models import AuditLog
from outperform.ingest import fast, services
from outperform.ingest.reading import suggest_mapping
from outperform.records.models import TaskRecord

from .helpers import HEADERS, csv_bytes, task_rows, xlsx_bytes

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY path needs PostgreSQL"),
]

FIELDS = ["external_id", "title", "vendor_id", "worker_id", "project_id", "department_id", "due_date",
          "delivered_date", "acceptance", "rework_count", "on_time", "first_pass"]


def ingest(world, data: bytes, engine: str, *, name: str = "t.csv", role: str = "hr", dry_run: bool = False):  # type: ignore[no-untyped-def]
    source = services.get_source("task")
    mapping = suggest_mapping(source.spec, HEADERS)
    return services.ingest_file(source=source, fp=io.BytesIO(data), filename=name, mapping=mapping,
                                actor=world.users[role], dry_run=dry_run, engine=engine)


def snapshot() -> list[tuple[Any, ...]]:
    return list(TaskRecord.objects.order_by("external_id").values_list(*FIELDS))


def both(world, *files: tuple[bytes, str], role: str = "hr") -> tuple[list[Any], list[Any]]:  # type: ignore[no-untyped-def]
    """Run the files in order through each engine from an empty table; the results of each step."""
    out: dict[str, list[Any]] = {}
    for engine in ("generic", "copy"):
        TaskRecord.objects.all().delete()
        AuditLog.objects.all().delete()
        steps = []
        for data, name in files:
            result = ingest(world, data, engine, name=name, role=role)
            assert result.engine == engine
            errors = sorted((e.row_number, e.column_header, e.message_zh) for e in result.errors.kept)
            counts = (result.counts.rows, result.counts.created, result.counts.updated, result.counts.unchanged)
            audits = sorted((a.object_repr, a.changes) for a in AuditLog.objects.filter(action="update"))
            steps.append((counts, errors, snapshot(), audits))
        out[engine] = steps
    return out["generic"], out["copy"]


def mixed_rows(world) -> list[list[Any]]:  # type: ignore[no-untyped-def]
    rows = task_rows(world, 6)
    rows[0][3] = ""  # no worker: no department filled in
    rows[0][5] = world.ops.code
    rows[1][4] = world.project.code  # project given, worker's department fills
    rows[2][7] = ""  # not delivered yet: on_time unknown
    rows[2][8] = "待验收"
    rows[3][8] = "rejected"  # the English code
    rows[3][9] = "3"
    rows[4][6] = "2026/10/31"  # not canonical: parsed in Python
    rows[4][1] = "  客服工单　处理  "  # spaces and an ideographic space
    rows[5][7] = "2026-11-05"
    return rows


def test_same_rows_for_a_clean_csv_and_a_corrected_one(world) -> None:  # type: ignore[no-untyped-def]
    rows = mixed_rows(world)
    corrected = [list(r) for r in rows]
    corrected[0][1] = "已更正的任务名称"
    corrected[5][9] = "1"
    generic, copy = both(world, (csv_bytes(rows), "a.csv"), (csv_bytes(rows), "a.csv"),
                         (csv_bytes(corrected), "b.csv"))
    assert generic == copy
    assert [s[0] for s in copy] == [(6, 6, 0, 0), (6, 0, 0, 6), (6, 0, 2, 4)]


def test_same_errors(world) -> None:  # type: ignore[no-untyped-def]
    rows = mixed_rows(world)
    rows[1][6] = "2026-02-30"
    rows[2][2] = "没有这个服务商"
    rows[3][9] = "-1"
    rows[4][3] = world.workers["b_ops"].employee_no  # a worker of another vendor
    rows[5][0] = rows[0][0]  # a duplicate external id
    generic, copy = both(world, (csv_bytes(rows), "e.csv"))
    assert generic == copy
    assert {e[0] for e in copy[0][1]} == {3, 4, 5, 6, 7}
    assert copy[0][2] == []


def test_same_rows_from_gbk_quoted_csv_and_xlsx(world) -> None:  # type: ignore[no-untyped-def]
    rows = mixed_rows(world)
    rows[0][1] = "含,逗号的\"任务\""  # quoted: PostgreSQL is not given the raw file
    generic, copy = both(world, (csv_bytes(rows, encoding="gbk"), "g.csv"))
    assert generic == copy
    xrows = [[*r[:6], dt.date(2026, 10, 31), r[7] or None, r[8], int(r[9])] for r in task_rows(world, 3)]
    generic, copy = both(world, (xlsx_bytes(xrows), "x.xlsx"))
    assert generic == copy


def test_vendor_manager_scope_is_the_same(world) -> None:  # type: ignore[no-untyped-def]
    rows = task_rows(world, 2) + task_rows(world, 2, start=5, vendor="b")
    generic, copy = both(world, (csv_bytes(rows), "v.csv"), role="vendor_manager")
    assert generic == copy
    assert {e[0] for e in copy[0][1]} == {4, 5}


def test_dry_run_on_the_copy_path_writes_nothing(world) -> None:  # type: ignore[no-untyped-def]
    result = ingest(world, csv_bytes(task_rows(world, 3)), "copy", dry_run=True)
    assert (result.counts.created, result.ok) == (3, True)
    assert TaskRecord.objects.count() == 0


def test_copy_path_is_chosen_for_tasks_on_postgresql(world) -> None:  # type: ignore[no-untyped-def]
    assert fast.supported(services.get_source("task"))
    assert ingest(world, csv_bytes(task_rows(world, 1)), None).engine == "copy"  # type: ignore[arg-type]


TRICKY = ["T1", " T1", "T1 ", "A  B", "A B", "Ｆ０１２", "'=1", "'abc", "1E+17", "1.1e+17", "+86", "a+b",
          "2026-02-29", "2024-02-29", "2026-04-31", "2026-04-30", "2026-12-31", "2026-1-5", "2026/10/31", "0000-01-01",
          "0", "00", "-1", "7", "1,000", "1.0", "１", "已验收", "accepted", "Accepted", " 已验收", "是",
          "客服（第1周）", "客服\u200b工单", "a\tb", "x" * 201, "“引号”—破折号", "\u3000全角空格"]


def test_a_cell_sql_calls_canonical_parses_to_itself(world) -> None:  # type: ignore[no-untyped-def]
    """The fast path's shortcut is sound: whatever SQL takes as canonical, the Python parser
    returns unchanged (a choice spelling: the value it stands for), so skipping the parser can't
    change a value."""
    source = services.get_source("task")
    runner = fast.FastIngest(source, suggest_mapping(source.spec, HEADERS), actor=world.users["hr"],
                             errors=None)  # type: ignore[arg-type]
    checked = 0
    with connection.cursor() as cur:
        for column in source.spec.columns:
            rule = fast._rule(column)
            assert rule is not None
            for value in TRICKY:
                if rule.choices is not None:
                    cur.execute("SELECT %s = ANY(%s)", [value, list(rule.choices)])
                else:
                    cur.execute("SELECT %s ~ %s", [value, f"^(?:{rule.regex})$"])
                ok = cur.fetchone()[0]
                if ok and rule.cheap:
                    cur.execute("SELECT " + rule.cheap.replace("{c}", "%s::text"), _cheap_params(rule, value))
                    ok = cur.fetchone()[0]
                if not ok:
                    continue
                checked += 1
                parsed = column.parse(value)
                if rule.choices is not None:  # staged as is, typed by the spelling's value
                    assert fast._closure(column.parse)["exact"][value] == parsed, (column.key, value)
                else:
                    assert runner._canonical_text(column.key, parsed) == value, (column.key, value)
    assert checked > 40


def _cheap_params(rule: Any, value: str) -> list[Any]:
    """Parameters of a cheap check in order: the cell for each {c}, the rule's own where %s stands."""
    out: list[Any] = []
    params = iter(rule.params)
    text = rule.cheap
    i = 0
    while i < len(text):
        if text.startswith("{c}", i):
            out.append(value)
            i += 3
        elif text.startswith("%s", i):
            out.append(next(params))
            i += 2
        else:
            i += 1
    return out
