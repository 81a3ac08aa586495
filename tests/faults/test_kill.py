"""Kill a worker process mid-import and mid-compute (SIGKILL, no clean-up): nothing half-written,
and re-running gives the same results as a run that was never interrupted.

Each job runs in a child process against a SQLite file (WAL, as the embedded default runs it).
The child stops at a fault point inside its transaction (outperform/core/faults.py) — rows
already written, transaction still open — and the test kills it there."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
JOB = Path(__file__).with_name("crash_job.py")


def _env(db: Path, tmp: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "OUTPERFORM_VAR_DIR": str(tmp),
           "DJANGO_SETTINGS_MODULE": "config.settings", **extra}
    env.pop("REPLICA_DATABASE_URL", None)
    return env


def manage(db: Path, tmp: Path, *args: str, stdin: Path | None = None, **extra: str) -> str:
    with open(stdin or os.devnull) as source:
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=_env(db, tmp, **extra),
                              stdin=source, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def run_and_kill(db: Path, tmp: Path, job: str, point: str) -> None:
    marker = tmp / f"{job}.reached"
    with open(JOB) as source:
        child = subprocess.Popen([sys.executable, "manage.py", "shell"], cwd=ROOT, stdin=source,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 env=_env(db, tmp, CRASH_JOB=job, OUTPERFORM_FAULT_POINT=point,
                                          OUTPERFORM_FAULT_FILE=str(marker)))
    deadline = time.monotonic() + 180
    while not marker.exists():
        if child.poll() is not None:
            out, err = child.communicate()
            pytest.fail(f"the job ended before reaching {point}: {out.decode()} {err.decode()}")
        if time.monotonic() > deadline:
            child.kill()
            pytest.fail(f"the job never reached {point}")
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL


def rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as con:
        return con.execute(sql).fetchall()


WORKERS = "SELECT employee_no, name, vendor_id, department_id, position_id, hire_date FROM workers_worker ORDER BY employee_no"
RESULTS = ("SELECT id, composite, grade, rank, bonus_fen, breakdown, state FROM cycles_appraisal "
           "WHERE cycle_id = (SELECT MIN(id) FROM cycles_cycle WHERE state NOT IN "
           "('published', 'confirmation', 'archived')) ORDER BY id")
AUDIT = "SELECT COUNT(*) FROM core_auditlog"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("crash-demo")
    db = tmp / "demo.sqlite3"
    manage(db, tmp, "migrate", "--noinput", "-v", "0")
    manage(db, tmp, "demo", "--workers", "60", "--quiet")
    return db


def _copy(demo_db: Path, tmp: Path, name: str) -> Path:
    target = tmp / f"{name}.sqlite3"
    with sqlite3.connect(demo_db) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


@pytest.mark.parametrize(("job", "point", "query"), [
    ("import", "import_written", WORKERS),
    ("compute", "compute_saved", RESULTS),
])
def test_killed_mid_write_leaves_nothing_and_rerun_matches_an_uninterrupted_run(
        demo_db: Path, tmp_path: Path, job: str, point: str, query: str) -> None:
    crashed, clean = _copy(demo_db, tmp_path, "crashed"), _copy(demo_db, tmp_path, "clean")
    before, audits_before = rows(crashed, query), rows(crashed, AUDIT)

    run_and_kill(crashed, tmp_path, job, point)
    assert rows(crashed, "PRAGMA integrity_check") == [("ok",)]
    assert rows(crashed, query) == before, "the killed job left part of its writes behind"
    assert rows(crashed, AUDIT) == audits_before

    out_crashed = manage(crashed, tmp_path, "shell", stdin=JOB, CRASH_JOB=job)
    out_clean = manage(clean, tmp_path, "shell", stdin=JOB, CRASH_JOB=job)
    assert out_crashed == out_clean
    after = rows(crashed, query)
    assert after == rows(clean, query)
    assert after != before, "the re-run changed nothing: the job under test did no work"
    shutil.rmtree(tmp_path / "static", ignore_errors=True)
