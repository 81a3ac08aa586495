"""A small appraisal history built row by row, so that what the rules must find can be worked out
by hand in each test."""

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
    Score,
)
from outperform.indicators.snapshot import template_snapshot
from outperform.testing.templates import make_template

QUARTERS = [  # name, start, end
    ("2026年第一季度", dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
    ("2026年第二季度", dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
    ("2026年第三季度", dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
]


class History:
    """Cycles and published appraisals for the world's workers."""

    def __init__(self, world: Any) -> None:
        self.world = world
        self.template = make_template(indicators=[
            {"code": "Q1", "weight": 60, "rater_roles": ["supervisor"], "name": "服务态度"},
            {"code": "Q2", "weight": 40, "rater_roles": ["supervisor"], "name": "问题解决"},
        ], role_weights={"supervisor": "100"})
        self.cycles: list[Cycle] = []
        self.templates: dict[int, CycleTemplate] = {}

    def cycle(self, name: str, start: dt.date, end: dt.date, state: str = CycleState.ARCHIVED) -> Cycle:
        cycle = Cycle.objects.create(name=name, start_date=start, end_date=end, default_template=self.template,
                                     state=state)
        self.templates[cycle.pk] = CycleTemplate.objects.create(cycle=cycle, template=self.template,
                                                                snapshot=template_snapshot(self.template))
        self.cycles.append(cycle)
        return cycle

    def quarters(self) -> list[Cycle]:
        return [self.cycle(*q) for q in QUARTERS]

    def result(self, cycle: Cycle, worker_key: str, grade: str, composite: str = "75.00", *,
               published: bool = True) -> Appraisal:
        worker = self.world.workers[worker_key]
        return Appraisal.objects.create(
            cycle=cycle, cycle_template=self.templates[cycle.pk], subject_kind="worker", worker=worker,
            vendor_id=worker.vendor_id, department_id=worker.department_id, position_id=worker.position_id,
            subject_user=worker.user, subject_name=worker.name, grade_name=grade, composite=Decimal(composite),
            state=AppraisalState.PUBLISHED if published else AppraisalState.COMPUTED,
            published_at=timezone.now() if published else None,
        )

    def scores(self, appraisal: Appraisal, **values: str) -> None:
        """Submitted supervisor scores for the appraisal's indicators, e.g. Q1="55", Q2="80"."""
        rater = self.world.users["supervisor"]
        assignment = RaterAssignment.objects.create(cycle=appraisal.cycle, appraisal=appraisal, rater=rater,
                                                    role="supervisor", state=AssignmentState.SUBMITTED)
        Score.objects.bulk_create([
            Score(cycle=appraisal.cycle, appraisal=appraisal, assignment=assignment, role="supervisor",
                  indicator_code=code, value=Decimal(v))
            for code, v in values.items()
        ])


@pytest.fixture
def history(world):  # type: ignore[no-untyped-def]
    return History(world)
