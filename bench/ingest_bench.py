"""Ingest 1,000,000 task records from a UTF-8 (BOM) CSV through the same service as the 数据接入 page
(validation, references, derived facts, idempotent upsert, audit), and 100,000 rows from .xlsx.

Floor: PostgreSQL `COPY` of the same CSV into a plain table with the file's columns, timed in the
same run. Targets: 1M CSV under 60 s and within 3x the floor; peak memory under 1 GB; 100k xlsx under
30 s. Peak memory is the process's peak resident set size (resource.getrusage ru_maxrss), which
covers Django, the reader and the COPY buffers — the file is streamed, never held.

The steps of each ingest are printed as they end (INGEST_TRACE, seconds since its start). On a
shared machine wall seconds follow the load, so the load average is printed beside every figure,
and — when PostgreSQL runs on this host — the CPU seconds the database process spent on the ingest
and on the floor (from /proc), a ratio the other users of the machine don't move.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/opbench_ingest .venv/bin/python bench/ingest_bench.py
Optional: INGEST_BENCH_ROWS (default 1,000,000), INGEST_BENCH_XLSX_ROWS (default 100,000),
INGEST_BENCH_INDEX_WORKERS (parallel workers per index build; 0 puts all of the database's work in
the one process whose CPU seconds are read, so the CPU ratio counts everything).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import random
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from _setup import Timer, report, setup_django

N = int(os.environ.get("INGEST_BENCH_ROWS", "1000000"))
N_XLSX = int(os.environ.get("INGEST_BENCH_XLSX_ROWS", "100000"))
HEADERS = ["外部编号", "任务名称", "服务商编码", "工号", "项目编码", "部门编码", "计划完成日期", "实际交付日期",
           "验收结果", "返工次数"]
TASKS = ["客户来电工单回访", "月度对账报表编制", "仓库盘点差异核查", "配送路线优化方案", "热线录音质检抽查",
         "需求规格说明书评审", "接口联调与测试", "系统巡检报告", "员工排班表更新", "投诉处理闭环跟踪",
         "服务器补丁升级", "门店物料配送", "合同续签资料整理", "培训课件制作", "数据看板维护"]
ACCEPTANCE = ["已验收"] * 7 + ["已退回", "待验收"]


def peak_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # Linux: kilobytes


def load() -> str:
    return "load=" + "/".join(f"{x:.1f}" for x in os.getloadavg())


def backend_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) of the database process serving this connection, if local."""
    from outperform.ingest.fast import process_cpu  # after setup_django: the module reads models

    return process_cpu(pid)


class Cpu:
    def __init__(self, pid: int) -> None:
        self.pid = pid

    def __enter__(self) -> Cpu:
        self.start = backend_cpu(self.pid)
        return self

    def __exit__(self, *exc: object) -> None:
        end = backend_cpu(self.pid)
        self.seconds = None if end is None or self.start is None else end - self.start


def fmt(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds:.2f}s"


def say(message: str) -> None:
    print(f"{message}  [{load()}]", file=sys.stderr, flush=True)


def rows(n: int, people: list[tuple[str, str]], projects: list[str], prefix: str) -> Iterator[list[Any]]:
    rng = random.Random(7)
    base = dt.date(2026, 1, 1)
    for i in range(n):
        credit, employee_no = rng.choice(people)
        due = base + dt.timedelta(days=rng.randrange(330))
        delivered = "" if rng.random() < 0.08 else (due + dt.timedelta(days=rng.randint(-6, 3))).isoformat()
        yield [f"{prefix}{i:08d}", f"{rng.choice(TASKS)}（第{i % 52 + 1}周）", credit, employee_no,
               rng.choice(projects) if rng.random() < 0.3 else "", "", due.isoformat(), delivered,
               "待验收" if not delivered else rng.choice(ACCEPTANCE), rng.choice("0000012")]


def main() -> None:
    os.environ.setdefault("INGEST_TRACE", "1")
    db = setup_django("ingest")
    assert db == "postgresql", "set BENCH_DATABASE_URL: the target is measured on PostgreSQL"
    import openpyxl
    from django.db import connection

    from outperform.core.demo import loader
    from outperform.core.demo.loader import load_demo
    from outperform.core.models import User
    from outperform.ingest import services
    from outperform.ingest.reading import suggest_mapping
    from outperform.org.models import Project
    from outperform.records.models import TaskRecord
    from outperform.workers.models import Worker

    # The org only (departments, projects, vendors, workers): other apps' demo rows are not needed
    # here, and a demo of an app under construction must not stop this benchmark.
    loader._app_extensions = lambda ctx, say: None
    load_demo(workers=3000, with_cycles=False)
    people = list(Worker.objects.values_list("vendor__credit_code", "employee_no"))
    projects = list(Project.objects.values_list("code", flat=True))
    tmp = Path(tempfile.mkdtemp(prefix="ingest-bench-"))
    path = tmp / "tasks.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(HEADERS)
        writer.writerows(rows(N, people, projects, "T"))
    size_mb = path.stat().st_size / 1e6

    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
        cur.execute("CREATE TABLE bench_plain_tasks (external_id text, title text, vendor text, worker text, "
                    "project text, department text, due_date date, delivered_date date, acceptance text, "
                    "rework_count int)")
    say(f"file: {N} rows, {size_mb:.0f} MB; COPY floor …")
    with Timer() as floor, Cpu(pid) as floor_cpu, connection.cursor() as cur, path.open("rb") as f, cur.cursor.copy(
        "COPY bench_plain_tasks FROM STDIN WITH (FORMAT csv, HEADER true)"
    ) as copy:
        while chunk := f.read(1024 * 1024):
            copy.write(chunk)
    say(f"floor {floor.seconds:.2f}s (database CPU {fmt(floor_cpu.seconds)})")
    with connection.cursor() as cur:
        cur.execute("DROP TABLE bench_plain_tasks")

    from outperform.ingest import fast

    if "INGEST_BENCH_INDEX_WORKERS" in os.environ:  # 0: every index built by the measured process alone
        fast.REBUILD_WORKERS = int(os.environ["INGEST_BENCH_INDEX_WORKERS"])
    source = services.get_source("task")
    hr = User.objects.get(username="hr")
    mapping = suggest_mapping(source.spec, HEADERS)
    say("ingest, first load …")
    own = time.process_time()
    with Timer() as t, Cpu(pid) as cpu, path.open("rb") as fp:
        result = services.ingest_file(source=source, fp=fp, filename="tasks.csv", mapping=mapping, actor=hr,
                                      dry_run=False)
    own = time.process_time() - own
    say(f"ingest {t.seconds:.2f}s (database CPU {fmt(cpu.seconds)}, this process's CPU {own:.2f}s)")
    assert result.ok, (result.header_errors, result.errors.kept[:3])  # noqa: PT018
    assert result.counts.created == N, result.counts
    assert TaskRecord.objects.count() >= N, TaskRecord.objects.count()
    memory = peak_mb()
    say("ingest again, nothing changed …")
    with Timer() as again, Cpu(pid) as again_cpu, path.open("rb") as fp:
        second = services.ingest_file(source=source, fp=fp, filename="tasks.csv", mapping=mapping, actor=hr,
                                      dry_run=False)
    say(f"again {again.seconds:.2f}s (database CPU {fmt(again_cpu.seconds)})")
    assert second.ok, second.errors.kept[:3]
    assert second.counts.unchanged == N

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("任务交付记录")
    ws.append(HEADERS)
    for row in rows(N_XLSX, people, projects, "X"):
        row[6] = dt.date.fromisoformat(row[6])
        row[7] = dt.date.fromisoformat(row[7]) if row[7] else None
        row[9] = int(row[9])
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    xlsx = buf.getvalue()
    say(f"xlsx {N_XLSX} rows …")
    with Timer() as tx:
        xresult = services.ingest_file(source=source, fp=io.BytesIO(xlsx), filename="tasks.xlsx", mapping=mapping,
                                       actor=hr, dry_run=False)
    say(f"xlsx {tx.seconds:.2f}s")
    assert xresult.ok, xresult.errors.kept[:3]
    assert xresult.counts.created == N_XLSX
    path.unlink()

    print(f"database={db} rows={N} csv_mb={size_mb:.0f} engine={result.engine} ingest={t.seconds:.2f}s "
          f"copy_floor={floor.seconds:.2f}s reingest_unchanged={again.seconds:.2f}s peak_rss_mb={memory} {load()}")
    if cpu.seconds is not None and floor_cpu.seconds:
        print(f"database_cpu ingest={cpu.seconds:.2f}s floor={floor_cpu.seconds:.2f}s "
              f"ratio={cpu.seconds / floor_cpu.seconds:.2f} reingest_unchanged={fmt(again_cpu.seconds)} "
              f"python_cpu={own:.2f}s")
    print(f"BENCH name=ingest_xlsx_100k seconds={tx.seconds:.3f} floor_seconds=30 ratio={tx.seconds / 30:.3f} "
          f"rows={N_XLSX} xlsx_mb={len(xlsx) / 1e6:.1f}")
    report("ingest_1m", t.seconds, round(floor.seconds, 3), peak_mb=memory)


if __name__ == "__main__":
    main()
