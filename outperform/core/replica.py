"""Reads for dashboards and reports from a read replica, when one is configured.

`REPLICA_DATABASE_URL` adds the `replica` alias; code that only reads and tolerates a little
replication lag (dashboards, reports) runs inside `replica_reads()` — or is decorated with it —
and the router sends that code's reads there. Everything else, and every write, stays on the
primary. Without a replica the block is a no-op.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from django.conf import settings

REPLICA = "replica"
_reading_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("reading_replica", default=False)

P = ParamSpec("P")
R = TypeVar("R")


def replica_configured() -> bool:
    # REPLICA_READS (default on) lets an operator — or the test suite, whose replica is an empty
    # second database rather than a copy — keep every read on the primary.
    return REPLICA in settings.DATABASES and getattr(settings, "REPLICA_READS", True)


@contextmanager
def replica_block() -> Iterator[None]:
    token = _reading_replica.set(True)
    try:
        yield
    finally:
        _reading_replica.reset(token)


def replica_reads(func: Callable[P, R]) -> Callable[P, R]:
    """Decorator for a view or selector whose reads may come from the replica."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with replica_block():
            return func(*args, **kwargs)

    return wrapper


class ReplicaRouter:
    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        if _reading_replica.get() and replica_configured():
            return REPLICA
        return None

    def db_for_write(self, model: type[Any], **hints: Any) -> str | None:
        return None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # Rows read from the replica are the primary's rows: relations between them are fine.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return None
