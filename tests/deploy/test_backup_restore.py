"""Backup and restore as docs/deploy.md says, then recompute: identical results.

Runs the real commands in subprocesses against real database files/servers: migrate + demo into
a fresh database, back it up, restore into another, and `manage.py verify_results` there."""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PG = ("127.0.0.1", 5432)


def manage(db_url: str, *args: str, tmp: Path) -> str:
    env = {**os.environ, "DATABASE_URL": db_url, "OUTPERFORM_VAR_DIR": str(tmp), "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("REPLICA_DATABASE_URL", None)
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def result_rows(db_path: Path) -> list[tuple]:
    with sqlite3.connect(db_path) as con:
        return con.execute("SELECT id, composite, grade, rank, bonus_fen, breakdown FROM cycles_appraisal "
                           "ORDER BY id").fetchall()


def test_sqlite_file_copy_restores_and_recomputes_identically(tmp_path: Path) -> None:
    live = tmp_path / "live.sqlite3"
    manage(f"sqlite:///{live}", "migrate", "--noinput", "-v", "0", tmp=tmp_path)
    manage(f"sqlite:///{live}", "demo", "--workers", "60", "--quiet", tmp=tmp_path)
    # "Stop the app and copy the file" — here via SQLite's online backup, equivalent to
    # `sqlite3 var/outperform.sqlite3 ".backup backup.sqlite3"` in docs/deploy.md.
    backup = tmp_path / "backup.sqlite3"
    with sqlite3.connect(live) as src, sqlite3.connect(backup) as dst:
        src.backup(dst)
    restored = tmp_path / "restored.sqlite3"
    shutil.copyfile(backup, restored)

    out = manage(f"sqlite:///{restored}", "verify_results", tmp=tmp_path)
    assert "All stored results reproduced exactly." in out
    assert "results recomputed" in out
    rows = result_rows(restored)
    assert rows == result_rows(live)
    assert any(r[1] is not None for r in rows), "the demo's archived cycle has results"


def _pg_up() -> bool:
    try:
        socket.create_connection(PG, timeout=0.3).close()
    except OSError:
        return False
    return shutil.which("pg_dump") is not None and shutil.which("pg_restore") is not None


@pytest.mark.skipif(not _pg_up(), reason="no PostgreSQL server with pg_dump/pg_restore on 127.0.0.1:5432")
def test_pg_dump_and_pg_restore_restore_and_recompute_identically(tmp_path: Path) -> None:
    suffix = uuid.uuid4().hex[:8]
    source, target = f"op_backup_src_{suffix}", f"op_backup_dst_{suffix}"
    base = "postgres://postgres@127.0.0.1:5432"
    psql = ["psql", "-h", PG[0], "-U", "postgres", "-d", "postgres", "-q", "-c"]
    subprocess.run([*psql, f"CREATE DATABASE {source}"], check=True)
    subprocess.run([*psql, f"CREATE DATABASE {target}"], check=True)
    try:
        manage(f"{base}/{source}", "migrate", "--noinput", "-v", "0", tmp=tmp_path)
        manage(f"{base}/{source}", "demo", "--workers", "60", "--quiet", tmp=tmp_path)
        dump = tmp_path / "outperform.dump"
        subprocess.run(["pg_dump", "-h", PG[0], "-U", "postgres", "-Fc", "-f", str(dump), source], check=True)
        subprocess.run(["pg_restore", "-h", PG[0], "-U", "postgres", "-d", target, str(dump)], check=True)
        out = manage(f"{base}/{target}", "verify_results", tmp=tmp_path)
        assert "All stored results reproduced exactly." in out
        query = "SELECT id, composite, grade, rank, bonus_fen FROM cycles_appraisal ORDER BY id"
        dumps = [subprocess.run(["psql", "-h", PG[0], "-U", "postgres", "-d", db, "-At", "-c", query],
                                check=True, capture_output=True, text=True).stdout for db in (source, target)]
        assert dumps[0] == dumps[1] and dumps[0].strip()
    finally:
        for db in (source, target):
            subprocess.run([*psql, f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"], check=False)
