"""Set-up shared by the rewards tests: a cycle with published results, built row by row so that
every expected amount can be worked out by hand (the cycle flow itself is tested in cycles)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from outperform.cycles.models import Appraisal, Cycle, CycleState, CycleTemplate
from outperform.indicators.models import Template
from outperform.indicators.snapshot import template_snapshot
from outperform.testing.templates import make_template

GRADES = {"A": ("优秀", "1.50"), "B": ("良好", "1.20"), "C": ("合格", "1.00"), "D": ("不合格", "0.00")}
Q3 = (dt.date(2026, 7, 1), dt.date(2026, 9, 30))  # 92 days


def published_cycle(world: Any, results: dict[str, tuple[str | None, str]], *, name: str = "2026年第三季度",
                    period: tuple[dt.date, dt.date] = Q3, state: str = CycleState.PUBLISHED) -> Cycle:
    """results: world worker key → (composite, grade code); a grade "" means no result."""
    template = Template.objects.filter(code="T-TEST").first() or make_template()
    cycle = Cycle.objects.create(name=name, start_date=period[0], end_date=period[1], default_template=template,
                                 state=state)
    ct = CycleTemplate.objects.create(cycle=cycle, template=template, snapshot=template_snapshot(template))
    for key, (score, grade) in results.items():
        w = world.workers[key]
        Appraisal.objects.create(
            cycle=cycle, cycle_template=ct, subject_kind="worker", worker=w, vendor=w.vendor, department=w.department,
            position=w.position, subject_user=w.user, subject_name=w.name, state="published",
            composite=Decimal(score) if score else None, grade=grade, grade_name=GRADES[grade][0] if grade else "",
            coefficient=Decimal(GRADES[grade][1]) if grade else None,
        )
    return cycle


# The base-mode example of docs/rewards.md: one joiner and one leaver.
BASE_RESULTS = {"a_ops_cs": ("95", "A"), "a_tech": ("85", "B"), "a_self": ("70", "C"), "b_ops": ("50", "D"),
                "b_tech": ("88", "B")}


def base_world(world: Any) -> Cycle:
    w = world.workers
    w["a_tech"].hire_date = dt.date(2026, 8, 1)  # joined: 1 Aug – 30 Sep = 61 of 92 days
    w["a_tech"].save()
    w["b_tech"].leave_date = dt.date(2026, 8, 15)  # left: 1 Jul – 15 Aug = 46 of 92 days
    w["b_tech"].save()
    w["a_self"].base_bonus_fen = 3000_00
    w["a_self"].save()
    return published_cycle(world, BASE_RESULTS)


# The pool example: a_tech joined on 16 Aug (46 of 92 days = 1/2).
POOL_RESULTS = {"a_ops_cs": ("90", "A"), "a_tech": ("80", "B"), "b_tech": ("80", "B"), "a_self": ("70", "C"),
                "b_ops": ("70", "C")}


def pool_world(world: Any) -> Cycle:
    w = world.workers
    w["a_tech"].hire_date = dt.date(2026, 8, 16)
    w["a_tech"].save()
    return published_cycle(world, POOL_RESULTS)


def lines_by_key(world: Any, plan: Any) -> dict[str, Any]:
    by_worker = {line.worker_id: line for line in plan.lines.all()}
    return {key: by_worker[w.pk] for key, w in world.workers.items() if w.pk in by_worker}


def approved_plan(world: Any, cycle: Cycle | None = None, **kwargs: Any) -> Any:
    """A base-mode plan prepared and submitted by HR, approved by the system admin."""
    from outperform.rewards import services

    hr, admin = world.users["hr"], world.users["system_admin"]
    plan = services.plan_create(actor=hr, cycle=cycle or base_world(world), name="2026年Q3绩效奖金", **kwargs)
    services.plan_prepare(actor=hr, plan=plan)
    services.plan_submit(actor=hr, plan=plan)
    return services.plan_approve(actor=admin, plan=plan)
