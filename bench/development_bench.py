"""Development rules over 10,000 workers: three published quarters of history, supervisor scores in
the latest, all four rule kinds active (promotion, job review, training need, auto-opened plans).
Target: one evaluation under 20 s; the second run (idempotent, nothing new) too.
BENCH_DATABASE_URL=postgres://… runs it on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import random
from decimal import Decimal

from _setup import Timer, report, setup_django

N = int(os.environ.get("BENCH_WORKERS", "10000"))
FLOOR = 20.0
GRADES = [("优秀", 92), ("良好", 85), ("合格", 72), ("不合格", 50)]


def main() -> None:
    db = setup_django("development")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from outperform.core.demo.loader import load_demo
    from outperform.core.models import User
    from outperform.cycles.models import (
        Appraisal,
        AssignmentState,
        Cycle,
        CycleState,
        CycleTemplate,
        RaterAssignment,
        Score,
    )
    from outperform.development.models import DevelopmentRule, ImprovementPlan, Suggestion
    from outperform.development.services import development_evaluate
    from outperform.indicators.snapshot import template_snapshot
    from outperform.testing.templates import make_template
    from outperform.workers.models import Worker

    load_demo(workers=N, with_cycles=False)
    rng = random.Random(7)
    template = make_template(code="T-BENCH", role_weights={"supervisor": "100"}, indicators=[
        {"code": "B1", "weight": 40, "rater_roles": ["supervisor"], "name": "服务态度"},
        {"code": "B2", "weight": 30, "rater_roles": ["supervisor"], "name": "工作质量"},
        {"code": "B3", "weight": 30, "rater_roles": ["supervisor"], "name": "工作效率"}])
    workers = list(Worker.objects.values_list("pk", "department_id", "vendor_id", "position_id", "name"))
    hr = User.objects.get(username="hr")
    cycles = []
    for q, (start, end) in enumerate([(dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
                                      (dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
                                      (dt.date(2026, 7, 1), dt.date(2026, 9, 30))], 1):
        cycle = Cycle.objects.create(name=f"2026年第{q}季度", start_date=start, end_date=end, default_template=template,
                                     state=CycleState.ARCHIVED)
        ct = CycleTemplate.objects.create(cycle=cycle, template=template, snapshot=template_snapshot(template))
        now = timezone.now()
        appraisals = []
        for pk, dept, vendor, position, name in workers:
            grade, score = GRADES[min(rng.choices(range(4), weights=[15, 45, 35, 5])[0], 3)]
            appraisals.append(Appraisal(cycle=cycle, cycle_template=ct, subject_kind="worker", worker_id=pk,
                                        vendor_id=vendor, department_id=dept, position_id=position, subject_name=name,
                                        grade_name=grade, composite=Decimal(score), state="published",
                                        published_at=now))
        Appraisal.objects.bulk_create(appraisals, batch_size=2000)
        cycles.append(cycle)
    latest = cycles[-1]
    assignments = [RaterAssignment(cycle=latest, appraisal=a, rater=hr, role="supervisor",
                                   state=AssignmentState.SUBMITTED) for a in Appraisal.objects.filter(cycle=latest)]
    RaterAssignment.objects.bulk_create(assignments, batch_size=2000)
    Score.objects.bulk_create([
        Score(cycle=latest, appraisal_id=ra.appraisal_id, assignment=ra, role="supervisor", indicator_code=code,
              value=Decimal(rng.randint(40, 100)))
        for ra in assignments for code in ("B1", "B2", "B3")
    ], batch_size=5000)
    for spec in [
        {"code": "P", "name": "晋升", "kind": "promotion", "window": 3, "count": 1, "min_tenure_months": 6},
        {"code": "J", "name": "复核", "kind": "job_review", "window": 3, "count": 2},
        {"code": "A", "name": "改进", "kind": "auto_plan"},
        {"code": "T", "name": "培训", "kind": "training_need", "score_below": Decimal("60"), "max_items": 2},
    ]:
        DevelopmentRule.objects.create(**spec)
    with CaptureQueriesContext(connection) as queries, Timer() as t:
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            with cProfile.Profile() as prof:
                summary = development_evaluate(actor=hr, cycle=latest)
            pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
        else:
            summary = development_evaluate(actor=hr, cycle=latest)
    with Timer() as t2:
        again = development_evaluate(actor=hr, cycle=latest)
    assert again["suggestions"] == 0
    assert again["plans"] == 0
    assert Suggestion.objects.count() == summary["suggestions"]
    assert ImprovementPlan.objects.count() == summary["plans"]
    print(f"database={db} workers={N} summary={summary} queries={len(queries.captured_queries)} "
          f"first={t.seconds:.2f}s second={t2.seconds:.2f}s")
    report("development_rules", t.seconds, FLOOR, workers=N, suggestions=summary["suggestions"],
           plans=summary["plans"], second_run=f"{t2.seconds:.3f}")


if __name__ == "__main__":
    main()
