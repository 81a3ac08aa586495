"""A small result history on top of the role world, with numbers chosen to be added up by hand:

            2026Q2 (archived)   2026Q3 (archived)    dept     vendor
a_ops_cs         80  B               92  A           OPS-CS   A
a_tech           70  C               85  B           TECH     A
a_self           65  C               75  C           OPS      A   (the worker log-in)
b_ops            60  C               55  D           OPS      B
b_tech           90  A               88  B           TECH     B

2026Q4 is running (评价): each worker has a supervisor evaluation (submitted for a_ops_cs and
b_tech only) and a_self a self-evaluation (pending). Template: bands A ≥ 90, B ≥ 80, C ≥ 60, D;
quotas A ≤ 20 %, D ≥ 5 %.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from outperform.cycles.models import (
    Appraisal,
    AppraisalState,
    AssignmentState,
    Cycle,
    CycleState,
    CycleTemplate,
    RaterAssignment,
)
from outperform.indicators.snapshot import template_snapshot
from outperform.testing.templates import make_template
from outperform.testing.world import World

GRADES = {"A": "优秀", "B": "良好", "C": "合格", "D": "不合格"}
Q2 = {"a_ops_cs": ("80", "B"), "a_tech": ("70", "C"), "a_self": ("65", "C"), "b_ops": ("60", "C"), "b_tech": ("90", "A")}
Q3 = {"a_ops_cs": ("92", "A"), "a_tech": ("85", "B"), "a_self": ("75", "C"), "b_ops": ("55", "D"), "b_tech": ("88", "B")}


def add_appraisals(cycle: Cycle, ct: CycleTemplate, world: World, scores: dict[str, tuple[str, str]] | None,
                   *, published: bool = True) -> dict[str, Appraisal]:
    out = {}
    now = timezone.now()
    for key, worker in world.workers.items():
        composite, grade = scores[key] if scores else (None, "")
        out[key] = Appraisal.objects.create(
            cycle=cycle, cycle_template=ct, subject_kind="worker", worker=worker, vendor=worker.vendor,
            department=worker.department, position=worker.position, subject_user=worker.user,
            subject_name=worker.name, group_key="ALL",
            state=AppraisalState.CONFIRMED if scores else AppraisalState.OPEN,
            composite=Decimal(composite) if composite else None, grade=grade, grade_name=GRADES.get(grade, ""),
            published_at=now if scores and published else None, computed_at=now if scores else None)
    return out


@pytest.fixture
def results(world: World) -> dict[str, Any]:
    template = make_template(code="T-INS", grading="forced_distribution", quotas=[("A", "max", 20), ("D", "min", 5)])
    snapshot = template_snapshot(template)
    now = timezone.now()
    made: dict[str, Any] = {"template": template}
    for name, start, scores in (("2026Q2", dt.date(2026, 4, 1), Q2), ("2026Q3", dt.date(2026, 7, 1), Q3)):
        cycle = Cycle.objects.create(name=name, start_date=start, end_date=start + dt.timedelta(days=90),
                                     default_template=template, state=CycleState.ARCHIVED, published_at=now,
                                     archived_at=now)
        ct = CycleTemplate.objects.create(cycle=cycle, template=template, snapshot=snapshot)
        made[name] = cycle
        made[f"{name}_appraisals"] = add_appraisals(cycle, ct, world, scores)
    running = Cycle.objects.create(name="2026Q4", start_date=dt.date(2026, 10, 1), end_date=dt.date(2026, 12, 31),
                                   default_template=template, state=CycleState.REVIEW)
    ct = CycleTemplate.objects.create(cycle=running, template=template, snapshot=snapshot)
    open_appraisals = add_appraisals(running, ct, world, None)
    sup = world.users["supervisor"]
    for key, a in open_appraisals.items():
        done = key in ("a_ops_cs", "b_tech")
        RaterAssignment.objects.create(cycle=running, appraisal=a, rater=sup, role="supervisor",
                                       state=AssignmentState.SUBMITTED if done else AssignmentState.PENDING)
    RaterAssignment.objects.create(cycle=running, appraisal=open_appraisals["a_self"], rater=world.users["worker"],
                                   role="self", state=AssignmentState.PENDING)
    made["2026Q4"] = running
    made["2026Q4_appraisals"] = open_appraisals
    return made


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Job progress lives in the cache (in-process here): no test sees another's."""
    from django.core.cache import cache

    cache.clear()
