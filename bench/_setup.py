"""Shared set-up for benchmarks: a throwaway database (SQLite in a temp dir, or the PostgreSQL
database named by BENCH_DATABASE_URL, created fresh), migrated, with Django configured."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(name: str) -> str:
    """Configure Django on a fresh database; returns a label of the database used."""
    url = os.environ.get("BENCH_DATABASE_URL", "")
    tmp = tempfile.mkdtemp(prefix=f"outperform-bench-{name}-")
    os.environ["OUTPERFORM_VAR_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if url:
        import psycopg

        base, _, dbname = url.rpartition("/")
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}"')
            conn.execute(f'CREATE DATABASE "{dbname}"')
        os.environ["DATABASE_URL"] = url
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return "postgresql" if url else "sqlite"


def report(name: str, seconds: float, floor: float, **extra: object) -> None:
    """The last line of every benchmark, as docs/benchmarks.md quotes it."""
    fields = " ".join(f"{k}={v}" for k, v in extra.items())
    print(f"BENCH name={name} seconds={seconds:.3f} floor_seconds={floor} ratio={seconds / floor:.3f}"
          + (f" {fields}" if fields else ""))


class Timer:
    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start
