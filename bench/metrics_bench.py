"""Evaluate one ratio metric (on-time rate) over 200,000 task records for every worker (one GROUP BY)
and every vendor, and a P90 percentile per vendor. Target: under 5 s together.
BENCH_DATABASE_URL=postgres://… runs it on PostgreSQL (percentile_cont)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from _setup import Timer, report, setup_django

N = 200_000
FLOOR = 5.0


def main() -> None:
    db = setup_django("metrics")
    from outperform.core.demo.loader import load_demo
    from outperform.metrics import engine
    from outperform.metrics.spec import Condition, MetricSpec
    from outperform.records.models import TaskRecord
    from outperform.workers.models import Worker

    load_demo(workers=2000, with_cycles=False)
    rng = random.Random(3)
    workers = list(Worker.objects.values_list("id", "vendor_id", "department_id"))
    start = dt.date(2026, 10, 1)
    rows = []
    for i in range(N):
        wid, vid, did = rng.choice(workers)
        on_time = rng.random() < 0.85
        due = start + dt.timedelta(days=rng.randrange(92))
        rows.append(TaskRecord(external_id=f"B{i:07d}", title="任务", vendor_id=vid, worker_id=wid, department_id=did,
                               due_date=due, delivered_date=due, acceptance="accepted",
                               rework_count=rng.choice((0, 0, 0, 1, 2)), on_time=on_time, first_pass=on_time))
    TaskRecord.objects.bulk_create(rows, batch_size=5000)
    ratio = MetricSpec("on_time_rate", "task", "ratio", scale=Decimal(100),
                       filters=(Condition("on_time", "!=", None),), numerator=(Condition("on_time", "=", True),))
    p90 = MetricSpec("rework_p90", "task", "percentile", field="rework_count", percentile=Decimal(90))
    end = dt.date(2026, 12, 31)
    worker_ids = [w for w, _, _ in workers]
    vendor_ids = sorted({v for _, v, _ in workers})
    with Timer() as t:
        by_worker = engine.evaluate(ratio, "worker", worker_ids, start, end)
        by_vendor = engine.evaluate(ratio, "vendor", vendor_ids, start, end)
        pct = engine.evaluate(p90, "vendor", vendor_ids, start, end)
    assert len(by_worker) == len(worker_ids)
    assert all(v.value is not None for v in by_vendor.values())
    assert all(v.value is not None for v in pct.values())
    report("metrics_evaluate", t.seconds, FLOOR, db=db, records=N, workers=len(worker_ids))


if __name__ == "__main__":
    main()
