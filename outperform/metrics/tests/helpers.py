"""Records made by hand for the metric tests: every expected number is worked out in the test."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from outperform.metrics.models import Metric
from outperform.records.models import TaskRecord

_seq = itertools.count(1)


def task(worker: Any, due: dt.date, *, on_time: bool | None = True, first_pass: bool | None = True,
         rework: int = 0, acceptance: str = "accepted", vendor: Any = None, department: Any = None,
         delivered: dt.date | None = None) -> TaskRecord:
    return TaskRecord.objects.create(
        external_id=f"T-{next(_seq):06d}", title="任务", vendor=vendor or worker.vendor, worker=worker,
        department=department or worker.department, project=worker.project, due_date=due,
        delivered_date=delivered if delivered is not None else (due if on_time is not None else None),
        acceptance=acceptance, rework_count=rework, on_time=on_time, first_pass=first_pass,
    )


def metric(code: str = "m", **fields: Any) -> Metric:
    defaults: dict[str, Any] = {"name": code, "source": "task", "aggregation": "count", "scale": Decimal(1)}
    defaults.update(fields)
    m = Metric(code=code, **defaults)
    m.full_clean()
    m.save()
    return m


D = dt.date
Q4 = (D(2026, 10, 1), D(2026, 12, 31))


def formula(code: str, expression: str, **fields: Any) -> Metric:
    """A formula metric (validated like the form and the API do)."""
    return metric(code, source="", aggregation="formula", expression=expression, **fields)


def record(model: Any, *, worker: Any = None, vendor: Any = None, **fields: Any) -> Any:
    """Any record kind, its derived columns filled as every writer fills them (records.services)."""
    from outperform.records.services import record_prepare

    obj = model(external_id=f"R-{next(_seq):06d}", vendor=vendor or worker.vendor, worker=worker, **fields) \
        if hasattr(model, "worker_id") else model(external_id=f"R-{next(_seq):06d}", vendor=vendor, **fields)
    record_prepare(obj)
    obj.save()
    return obj


def complaint(worker: Any, received: dt.date, **fields: Any) -> Any:
    from outperform.records.models import Complaint

    return record(Complaint, worker=worker, received_date=received, channel="phone", category="quality", **fields)
