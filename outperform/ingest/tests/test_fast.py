"""On PostgreSQL: the COPY path writes exactly what the generic path writes, for the same files."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import psycopg
import pytest
from django.db import connection

from outperform.core.models import AuditLog
from outperform.ingest import fast, services
from outperform.ingest.reading import suggest_mapping
from outperform.org.models import Project
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


def test_same_rows_and_errors_when_every_dictionary_is_joined(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A column with many distinct values (a big roster of workers) is joined to its dictionary
    rather than written out as a CASE; forced here for every column, the rows, counts and errors
    are still the generic path's."""
    monkeypatch.setattr(fast, "SHORT_DICTIONARY", 0)
    rows = mixed_rows(world)
    corrected = [list(r) for r in rows]
    corrected[0][1] = "已更正的任务名称"
    generic, copy = both(world, (csv_bytes(rows), "a.csv"), (csv_bytes(corrected), "b.csv"))
    assert generic == copy
    bad = mixed_rows(world)
    bad[2][2] = "没有这个服务商"
    bad[3][3] = "W-NOBODY"
    bad[4][3] = world.workers["b_ops"].employee_no
    generic, copy = both(world, (csv_bytes(bad), "e.csv"))
    assert generic == copy
    assert [(e[0], e[1]) for e in copy[0][1]] == [(4, "服务商编码"), (5, "工号"), (6, "工号")]


def test_same_rows_and_errors_where_cells_repeat_or_overflow(world) -> None:  # type: ignore[no-untyped-def]
    """Dates, numbers, choices and references are parsed once per distinct value on the COPY path;
    every row holding a refused value still gets its own error, and a number too large for the
    column is the model's validation message, not a failed cast."""
    rows = task_rows(world, 6)
    for r in rows[:3]:
        r[6] = "2026-02-30"  # the same impossible date on three rows: three errors
    rows[3][9] = "99999999999999999999"  # beyond any integer column
    rows[4][8] = "已退回"
    rows[5][8] = "已退回"
    generic, copy = both(world, (csv_bytes(rows), "r.csv"))
    assert generic == copy
    errors = copy[0][1]
    assert [(e[0], e[1]) for e in errors] == [(2, "计划完成日期"), (3, "计划完成日期"), (4, "计划完成日期"), (5, "返工次数")]


def test_a_file_of_errors_is_read_in_batches_and_every_error_counted(world) -> None:  # type: ignore[no-untyped-def]
    """6,001 bad rows — more than one 5,000-row batch of each error query: 3,000 impossible dates
    (rows 2–3001) and 3,001 unknown vendors (rows 3002–6002). All 6,001 are counted; the first
    5,000 are kept, cell errors before row errors, each group in row order: 3,000 + 2,000."""
    rows = task_rows(world, 6001)
    for r in rows[:3000]:
        r[6] = "2026-02-30"
    for r in rows[3000:]:
        r[2] = "没有这个服务商"
    result = ingest(world, csv_bytes(rows), "copy")
    assert result.errors.count == 6001
    kept = [(e.row_number, e.column_header) for e in result.errors.kept]
    assert kept == [(n, "计划完成日期") for n in range(2, 3002)] + [(n, "服务商编码") for n in range(3002, 5002)]
    assert TaskRecord.objects.count() == 0


def test_a_key_made_equal_by_cleaning_is_a_duplicate(world) -> None:  # type: ignore[no-untyped-def]
    """' T00001' is cleaned to 'T00001' (Python parses the non-canonical cell), so row 3 repeats
    row 2 — found after the cleaning, as the generic path finds it."""
    rows = task_rows(world, 3)
    rows[1][0] = " " + rows[0][0]
    generic, copy = both(world, (csv_bytes(rows), "d.csv"))
    assert generic == copy
    assert [(e[0], e[2]) for e in copy[0][1]] == [(3, "与第 2 行重复")]


def test_same_rows_when_the_foreign_key_triggers_run(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Where the database role may not skip the foreign-key triggers, they run as usual and the
    rows are the same."""
    monkeypatch.setenv("INGEST_FK_TRIGGERS", "always")
    assert not fast.fk_triggers_skippable("records_taskrecord")
    rows = mixed_rows(world)
    corrected = [list(r) for r in rows]
    corrected[0][3] = world.workers["a_ops_cs"].employee_no  # a foreign key that changes: checked
    generic, copy = both(world, (csv_bytes(rows), "a.csv"), (csv_bytes(corrected), "b.csv"))
    assert generic == copy
    assert [s[0] for s in copy] == [(6, 6, 0, 0), (6, 0, 1, 5)]


def test_foreign_key_triggers_are_skipped_only_when_allowed_and_only_for_the_write(world) -> None:  # type: ignore[no-untyped-def]
    """The test database's role is a superuser, so it may; a trigger of the table's own (which
    replica mode would silence too) rules it out; after the write the session is back to normal."""
    assert fast.fk_triggers_skippable("records_taskrecord")
    result = ingest(world, csv_bytes(task_rows(world, 2)), "copy")
    assert result.counts.created == 2
    with connection.cursor() as cur:
        cur.execute("SHOW session_replication_role")
        assert cur.fetchone()[0] == "origin"
        cur.execute("CREATE FUNCTION ingest_test_noop() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'")
        cur.execute("CREATE TRIGGER ingest_test_noop BEFORE INSERT ON records_taskrecord "
                    "FOR EACH ROW EXECUTE FUNCTION ingest_test_noop()")
    assert not fast.fk_triggers_skippable("records_taskrecord")


def test_a_reference_deleted_while_loading_is_an_error_and_nothing_is_written(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The write skips the per-row foreign-key checks because every reference was resolved and its
    row locked first; a row deleted between the resolving and the lock is caught there: the rows
    naming it are errors (as if it had been gone before the upload) and nothing is written."""
    spare = Project.objects.create(code="PRJ-SPARE", name="临时项目", department=world.ops)
    rows = task_rows(world, 3)
    rows[1][4] = rows[2][4] = spare.code
    lock = fast.FastIngest._lock_references

    def delete_then_lock(self, ids):  # type: ignore[no-untyped-def]
        with connection.cursor() as cur:
            cur.execute("DELETE FROM org_project WHERE id = %s", [spare.pk])
        return lock(self, ids)

    monkeypatch.setattr(fast.FastIngest, "_lock_references", delete_then_lock)
    result = ingest(world, csv_bytes(rows), "copy")
    assert [(e.row_number, e.column_header, e.value) for e in result.errors.kept] == [
        (3, "项目编码", "PRJ-SPARE"), (4, "项目编码", "PRJ-SPARE")]
    assert "已被删除" in result.errors.kept[0].message_zh
    assert TaskRecord.objects.count() == 0


def index_defs() -> dict[str, str]:
    with connection.cursor() as cur:
        cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'records_taskrecord'")
        return dict(cur.fetchall())


def spy_rebuilds(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    rebuilt: list[str] = []
    exit_ = fast.indexes_rebuilt.__exit__

    def spy(self, *exc):  # type: ignore[no-untyped-def]
        rebuilt.extend(self.dropped)
        return exit_(self, *exc)

    monkeypatch.setattr(fast.indexes_rebuilt, "__exit__", spy)
    return rebuilt


def test_a_large_load_builds_the_plain_indexes_again_and_writes_the_same_rows(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Made "large" here by lowering the thresholds: all seven indexes — the primary key and the
    unique key too — are dropped for the insert and built again by the same definitions, keys
    first; a dry run leaves them alone."""
    monkeypatch.setattr(fast, "REBUILD_MIN_ROWS", 1)
    monkeypatch.setattr(fast, "REBUILD_EXISTING_PER_NEW", 1000)
    before = index_defs()
    constraints_before = constraint_defs()
    rebuilt = spy_rebuilds(monkeypatch)
    ingest(world, csv_bytes(task_rows(world, 3)), "copy", dry_run=True)
    assert rebuilt == []
    generic, copy = both(world, (csv_bytes(mixed_rows(world)), "a.csv"))
    assert generic == copy
    assert len(rebuilt) == 7
    assert [s.split(" ADD CONSTRAINT ")[1] for s in rebuilt[:2]] == [
        "records_taskrecord_pkey PRIMARY KEY (id)", "records_taskrecord_external_id_key UNIQUE (external_id)"]
    assert index_defs() == before
    assert constraint_defs() == constraints_before


def constraint_defs() -> dict[str, str]:
    with connection.cursor() as cur:
        cur.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = 'records_taskrecord'::regclass")
        return dict(cur.fetchall())


def test_a_key_another_table_refers_to_is_kept_through_a_large_load(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The primary key is dropped for a large insert only while no other table's foreign key
    depends on it (dropping it would need CASCADE): with one, it stays and is grown row by row,
    the other six are rebuilt, and the rows are the generic path's."""
    monkeypatch.setattr(fast, "REBUILD_MIN_ROWS", 1)
    monkeypatch.setattr(fast, "REBUILD_EXISTING_PER_NEW", 1000)
    with connection.cursor() as cur:
        cur.execute("CREATE TABLE ingest_test_child (task_id bigint REFERENCES records_taskrecord (id))")
    before = index_defs()
    rebuilt = spy_rebuilds(monkeypatch)
    generic, copy = both(world, (csv_bytes(mixed_rows(world)), "a.csv"))
    assert generic == copy
    assert len(rebuilt) == 6
    assert not [s for s in rebuilt if "PRIMARY KEY" in s]
    assert index_defs() == before


def test_a_reader_holding_the_table_means_no_rebuild(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Dropping an index waits for the table's lock; a reader already at work (another connection,
    in its own transaction) is not made to wait for the load: the rows go in one by one."""
    monkeypatch.setattr(fast, "REBUILD_MIN_ROWS", 1)
    monkeypatch.setattr(fast, "REBUILD_EXISTING_PER_NEW", 1000)
    monkeypatch.setattr(fast, "REBUILD_LOCK_WAIT", 0.2)
    rebuilt = spy_rebuilds(monkeypatch)
    db = connection.settings_dict
    with psycopg.connect(dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"] or 5432,
                         password=db["PASSWORD"] or None) as reader:
        reader.execute("SELECT count(*) FROM records_taskrecord")  # holds ACCESS SHARE until it ends
        result = ingest(world, csv_bytes(task_rows(world, 3)), "copy")
    assert (result.counts.created, rebuilt) == (3, [])
    assert TaskRecord.objects.count() == 3


TRICKY = ["T1", " T1", "T1 ", "A  B", "A B", "Ｆ０１２", "'=1", "'abc", "1E+17", "1.1e+17", "+86", "a+b",
          "2026-02-29", "2024-02-29", "2026-04-31", "2026-04-30", "2026-12-31", "2026-1-5", "2026/10/31", "0000-01-01",
          "0", "00", "-1", "7", "1,000", "1.0", "１", "已验收", "accepted", "Accepted", " 已验收", "是",
          "客服（第1周）", "客服\u200b工单", "a\tb", "x" * 201, "“引号”—破折号", "\u3000全角空格"]


def test_a_cell_sql_calls_canonical_parses_to_itself(world) -> None:  # type: ignore[no-untyped-def]
    """The fast path's shortcut is sound: whatever SQL takes as canonical in a free-text column,
    the Python parser returns unchanged, so skipping the parser can't change a value. (The other
    columns are never judged in SQL: each distinct value goes through the parser.)"""
    source = services.get_source("task")
    refs = {r.column for r in source.refs}
    checked = 0
    per_cell = [c for c in source.spec.columns if fast._per_cell(c, refs)]
    assert [c.key for c in per_cell] == ["external_id", "title"]
    with connection.cursor() as cur:
        for column in per_cell:
            rule = fast._rule(column)
            assert rule is not None
            for value in TRICKY:
                cur.execute("SELECT %s ~ %s", [value, f"^(?:{rule.regex})$"])
                ok = cur.fetchone()[0]
                if ok and rule.cheap:
                    cur.execute("SELECT " + rule.cheap.replace("{c}", "%s::text"), [value] * rule.cheap.count("{c}"))
                    ok = cur.fetchone()[0]
                if not ok:
                    continue
                checked += 1
                assert fast.canonical_text(column.parse(value)) == value, (column.key, value)
    assert checked > 20
