"""Rewards at 10,000 workers: prepare a department-pool bonus plan (read results, share pools to the
fen, write lines), export its payroll workbook, and generate salary suggestions over two cycles of
history. Target: prepare under 10 s. BENCH_DATABASE_URL=postgres://… runs it on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from _setup import Timer, report, setup_django

N = 10_000
FLOOR = 10.0


def main() -> None:
    db = setup_django("rewards")
    from outperform.access.models import Role, RoleGrant
    from outperform.access.scoping import scope_for
    from outperform.core.models import User
    from outperform.cycles.models import Appraisal, Cycle, CycleState, CycleTemplate
    from outperform.indicators.snapshot import template_snapshot
    from outperform.org.models import Department, Position
    from outperform.org.services import department_rebuild_paths
    from outperform.rewards import services
    from outperform.rewards.export import payroll_workbook
    from outperform.rewards.models import BonusLine, PlanMode, SalaryRule
    from outperform.rewards.selectors import plan_lines, plan_totals
    from outperform.testing.templates import make_template
    from outperform.vendors.models import Vendor
    from outperform.workers.models import Worker

    rng = random.Random(1)
    hr = User.objects.create(username="hr")
    admin = User.objects.create(username="admin")
    RoleGrant.objects.bulk_create([RoleGrant(user=hr, role=Role.HR_ADMIN), RoleGrant(user=admin, role=Role.SYSTEM_ADMIN)])
    depts = [Department.objects.create(code=f"D{i:02d}", name=f"部门{i}") for i in range(20)]
    department_rebuild_paths()
    vendors = [Vendor.objects.create(name=f"服务商{i}有限公司", credit_code=f"91310000MA1K{i:06d}") for i in range(8)]
    position = Position.objects.create(code="P-CS", name="客服专员")
    Worker.objects.bulk_create([
        Worker(employee_no=f"B{i:06d}", name=f"员工{i}", vendor=vendors[i % 8], department=depts[i % 20],
               position=position, hire_date=dt.date(2026, rng.randint(1, 9), rng.randint(1, 28)),
               base_salary_fen=rng.randint(4500, 12000) * 100, base_bonus_fen=rng.randint(10, 40) * 10000)
        for i in range(N)
    ], batch_size=2000)
    workers = list(Worker.objects.order_by("id"))
    template = make_template()
    grades = [("A", "优秀", "1.50", 92), ("B", "良好", "1.20", 85), ("C", "合格", "1.00", 72), ("D", "不合格", "0", 50)]
    cycles = []
    for name, start, end in (("2026年Q2", dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
                             ("2026年Q3", dt.date(2026, 7, 1), dt.date(2026, 9, 30))):
        cycle = Cycle.objects.create(name=name, start_date=start, end_date=end, default_template=template,
                                     state=CycleState.PUBLISHED)
        ct = CycleTemplate.objects.create(cycle=cycle, template=template, snapshot=template_snapshot(template))
        rows = []
        for w in workers:
            code, gname, coef, score = rng.choices(grades, weights=(20, 45, 30, 5))[0]
            rows.append(Appraisal(cycle=cycle, cycle_template=ct, subject_kind="worker", worker=w, vendor_id=w.vendor_id,
                                  department_id=w.department_id, subject_name=w.name, state="published",
                                  composite=Decimal(score - rng.randint(0, 7)), grade=code, grade_name=gname,
                                  coefficient=Decimal(coef)))
        Appraisal.objects.bulk_create(rows, batch_size=2000)
        cycles.append(cycle)
    SalaryRule.objects.create(name="连续两期优秀", grade_name="优秀", match="all", cycles=2, min_pct=8, max_pct=12, priority=1)
    SalaryRule.objects.create(name="本期良好", grade_name="良好", match="all", cycles=1, min_pct=2, max_pct=3, priority=2)

    plan = services.plan_create(actor=hr, cycle=cycles[1], name="Q3", mode=PlanMode.POOL_DEPARTMENT)
    services.pools_set(actor=hr, plan=plan, amounts={d.pk: 1_000_000_01 + i for i, d in enumerate(depts)})
    with Timer() as t_prepare:
        services.plan_prepare(actor=hr, plan=plan)
    plan.refresh_from_db()
    assert plan.line_count == N
    assert plan.total_fen == sum(1_000_000_01 + i for i in range(20))
    services.plan_submit(actor=hr, plan=plan)
    services.plan_approve(actor=admin, plan=plan)
    everyone = BonusLine.objects.filter(plan=plan)
    with Timer() as t_export:
        content = payroll_workbook(plan, plan_lines(plan, hr).iterator(chunk_size=2000), plan_totals(plan, everyone),
                                   scope_for(hr), plan_totals(plan, everyone))
    with Timer() as t_suggest:
        summary = services.suggestions_generate(actor=hr, cycle=cycles[1])
    print(f"database={db} workers={N} prepare={t_prepare.seconds:.2f}s payroll_xlsx={t_export.seconds:.2f}s "
          f"({len(content) // 1024} KB) suggestions={t_suggest.seconds:.2f}s ({summary.created} created)")
    report("rewards_prepare_10k", t_prepare.seconds, FLOOR, payroll_seconds=f"{t_export.seconds:.3f}",
           suggestions_seconds=f"{t_suggest.seconds:.3f}")


if __name__ == "__main__":
    main()
