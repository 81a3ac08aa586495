"""The HR dashboard's data at 100,000 workers with 3 closed cycles (and a 4th running one, whose
rating progress the dashboard also shows), on PostgreSQL (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/opbench_insights). Target: under 300 ms server time — the
dashboard selectors plus the JSON serialisation, warm, median of several runs.

Appraisals, results and rater assignments are inserted directly in bulk with SQL: this measures the
dashboard, not the compute. Last line: `BENCH name=dashboard_100k seconds=…`."""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import time

from _setup import Timer, report, setup_django

N = int(os.environ.get("BENCH_WORKERS", "100000"))
RUNS = int(os.environ.get("BENCH_RUNS", "7"))


def main() -> None:
    os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/opbench_insights")
    label = setup_django("dashboard")
    from django.db import connection
    from django.utils import timezone

    from outperform.core.demo.loader import load_demo
    from outperform.core.models import User
    from outperform.cycles.models import Cycle, CycleState, CycleTemplate
    from outperform.indicators.snapshot import template_snapshot
    from outperform.insights.selectors import CHARTS, Filters, dashboard
    from outperform.testing.templates import make_template

    t0 = time.perf_counter()
    load_demo(workers=N, seed=1, with_cycles=False)
    template = make_template(code="BENCH-DASH", grading="forced_distribution",
                             quotas=[("A", "max", 20), ("D", "min", 5)], min_group_size=5)
    snapshot = template_snapshot(template)
    hr = User.objects.get(username="hr")
    quarters = [(dt.date(2026, 1, 1), dt.date(2026, 3, 31)), (dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
                (dt.date(2026, 7, 1), dt.date(2026, 9, 30)), (dt.date(2026, 10, 1), dt.date(2026, 12, 31))]
    now = timezone.now()
    cycles = []
    for i, (start, end) in enumerate(quarters):
        closed = i < 3
        cycle = Cycle.objects.create(
            name=f"2026年第{'一二三四'[i]}季度", start_date=start, end_date=end, default_template=template,
            state=CycleState.ARCHIVED if closed else CycleState.REVIEW, published_at=now if closed else None,
            archived_at=now if closed else None)
        ct = CycleTemplate.objects.create(cycle=cycle, template=template, snapshot=snapshot)
        cycles.append((cycle, ct, closed))
    with connection.cursor() as cur:
        for i, (cycle, ct, closed) in enumerate(cycles):
            # composite 50.00–99.99, spread differently per cycle; grades by the template's bands.
            cur.execute("""
                INSERT INTO cycles_appraisal (created_at, updated_at, cycle_id, cycle_template_id, subject_kind,
                    worker_id, vendor_id, department_id, position_id, subject_user_id, subject_name, group_key,
                    state, composite, grade, grade_name, rank, group_size, coefficient, bonus_fen, breakdown,
                    calibrated, computed_at, published_at)
                SELECT now(), now(), %(cycle)s, %(ct)s, 'worker', w.id, w.vendor_id, w.department_id,
                       w.position_id, w.user_id, w.name, 'D' || w.department_id,
                       CASE WHEN %(closed)s THEN 'confirmed' ELSE 'open' END,
                       c.v, CASE WHEN c.v >= 90 THEN 'A' WHEN c.v >= 80 THEN 'B' WHEN c.v >= 60 THEN 'C' ELSE 'D' END,
                       CASE WHEN c.v >= 90 THEN '优秀' WHEN c.v >= 80 THEN '良好' WHEN c.v >= 60 THEN '合格'
                            ELSE '不合格' END,
                       NULL, NULL, NULL, NULL, NULL, false, now(), CASE WHEN %(closed)s THEN now() END
                FROM workers_worker w
                CROSS JOIN LATERAL (SELECT CASE WHEN %(closed)s
                    THEN (50 + ((w.id * 37 + %(i)s * 11) %% 5000) / 100.0)::numeric(6,2) END AS v) c
                """, {"cycle": cycle.pk, "ct": ct.pk, "closed": closed, "i": i})
        cur.execute("ANALYZE")
        cur.execute("SELECT count(*) FROM cycles_appraisal")
        appraisals = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM cycles_raterassignment")
        assignments = cur.fetchone()[0]
    print(f"setup ({label}): {N} workers, {appraisals} appraisals, {assignments} rater assignments "
          f"in {time.perf_counter() - t0:.1f}s")

    charts = list(CHARTS)
    if "alerts_alert" not in connection.introspection.table_names():
        charts.remove("alerts")  # the alerts app has no table (yet) in this checkout
        print("note: alerts chart left out — no alerts_alert table")

    def one_run(user: User, filters: Filters, only: list[str]) -> tuple[float, int]:
        user = User.objects.get(pk=user.pk)  # a fresh request: the scope is computed again
        with Timer() as t:
            payload = json.dumps(dashboard(user, filters, only).as_json(), ensure_ascii=False)
        return t.seconds, len(payload)

    def measure(name: str, user: User, filters: Filters, only: list[str] | None = None) -> float:
        one_run(user, filters, only or charts)  # warm
        times = []
        for _ in range(RUNS):
            seconds, size = one_run(user, filters, only or charts)
            times.append(seconds)
        med = statistics.median(times)
        print(f"{name}: median {med * 1000:.1f} ms (min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}), "
              f"{size} bytes of JSON")
        return med

    from outperform.org.models import Department
    from outperform.vendors.models import Vendor

    sup = User.objects.get(username="supervisor")
    vendor_user = User.objects.get(username="vendor")
    dept = Department.objects.get(code="OPS")
    vendor = Vendor.objects.order_by("id").first()
    assert vendor is not None
    measure("supervisor dashboard", sup, Filters())
    measure("vendor manager dashboard", vendor_user, Filters())
    measure("HR dashboard, department + vendor filter", hr, Filters(department_id=dept.pk, vendor_id=vendor.pk))
    seconds = measure("HR dashboard, whole organisation", hr, Filters())

    # Not in the target's set-up, shown for what it costs: the 4th cycle running with 200,000 rater
    # assignments, whose progress by department the dashboard also draws.
    with connection.cursor() as cur:
        running = cycles[3][0]
        # Running cycle: a self and a supervisor evaluation per appraisal, about 60 % submitted.
        cur.execute("""
            INSERT INTO cycles_raterassignment (cycle_id, appraisal_id, rater_id, role, state, reopened_reason)
            SELECT a.cycle_id, a.id, COALESCE(a.subject_user_id, %(hr)s), 'self',
                   CASE WHEN a.id %% 5 < 3 THEN 'submitted' ELSE 'pending' END, ''
            FROM cycles_appraisal a WHERE a.cycle_id = %(c)s
            UNION ALL
            SELECT a.cycle_id, a.id, COALESCE(w.supervisor_id, %(hr)s), 'supervisor',
                   CASE WHEN a.id %% 7 < 4 THEN 'submitted' ELSE 'pending' END, ''
            FROM cycles_appraisal a JOIN workers_worker w ON w.id = a.worker_id WHERE a.cycle_id = %(c)s
            ON CONFLICT DO NOTHING""", {"c": running.pk, "hr": hr.pk})
        cur.execute("ANALYZE")
    measure("HR dashboard + running cycle progress (200k rater assignments)", hr, Filters())
    # The progress chart alone: what the first viewer of a scope pays for it (dashboard_cached then
    # keeps it a minute). HR reads every department and the pending raters; a supervisor a subtree.
    measure("progress chart only, HR", hr, Filters(), ["progress"])
    measure("progress chart only, supervisor", sup, Filters(), ["progress"])
    report("dashboard_100k", seconds, 0.3, database=label, workers=N)


if __name__ == "__main__":
    main()
