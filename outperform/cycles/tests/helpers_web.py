"""Shared set-up for the page and API tests of cycles (test_views_*.py, test_api_*.py).

Set-up that is not what a test is about goes through the services directly; what a test checks
goes through real requests."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from outperform.cycles.models import AssignmentState, Cycle, CycleState, RaterAssignment
from outperform.cycles.services import assignment_save, cycle_advance, cycle_open
from outperform.workers.models import Worker

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)


def make_cycle(world: Any, template: Any, **fields: Any) -> Cycle:
    Worker.objects.update(supervisor=world.users["supervisor"])
    departments = fields.pop("departments", None)
    cycle = Cycle.objects.create(**{
        "name": "2026年第四季度", "start_date": dt.date(2026, 10, 1), "end_date": dt.date(2026, 12, 31),
        "default_template": template, "seed": 7, "peer_count": 2, **fields,
    })
    if departments:
        cycle.departments.set(departments)
    return cycle


def advance(cycle: Cycle, hr: Any, *states: str) -> Cycle:
    for state in states:
        cycle = cycle_advance(actor=hr, cycle=cycle, target=state)
    return cycle


def submit_all(cycle: Cycle, role: str, values: dict[str, tuple[str, str]], **only: Any) -> int:
    """Submit every open assignment of a role as its own rater (set-up only)."""
    n = 0
    qs = RaterAssignment.objects.filter(cycle=cycle, role=role).exclude(state=AssignmentState.SUBMITTED)
    for a in qs.filter(**only).select_related("rater"):
        assignment_save(actor=a.rater, assignment=a, values=values, submit=True)
        n += 1
    return n


def to_review(world: Any, cycle: Cycle, self_values: dict[str, tuple[str, str]]) -> Cycle:
    hr = world.users["hr"]
    cycle_open(actor=hr, cycle=cycle)
    cycle = advance(cycle, hr, CycleState.IN_PROGRESS, CycleState.SELF_REVIEW)
    submit_all(cycle, "self", self_values)
    return advance(cycle, hr, CycleState.REVIEW)


def has_inline_script(html: str) -> bool:
    return bool(INLINE_SCRIPT.search(html))


def published_360(world: Any, peers_rating: int) -> tuple[Cycle, list[Any]]:
    """A 360 cycle (self 20 / supervisor 50 / peer 30) where the worker log-in's appraisal got
    `peers_rating` submitted peer ratings (P1: 71, 83, 95), published. Returns the cycle and the
    peer users who rated."""
    from outperform.cycles.models import Appraisal
    from outperform.testing.factories import UserFactory, WorkerFactory
    from outperform.testing.templates import make_template

    roles = ["self", "supervisor", "peer"]
    template = make_template(code="T-360", role_weights={"self": "20", "supervisor": "50", "peer": "30"},
                             indicators=[{"code": "P1", "weight": 60, "rater_roles": roles},
                                         {"code": "P2", "weight": 40, "rater_roles": roles}])
    for _ in range(3):
        WorkerFactory(vendor=world.vendor_a, department=world.ops, position=world.position, user=UserFactory())
    cycle = make_cycle(world, template, departments=[world.ops], peer_count=3)
    cycle = to_review(world, cycle, {"P1": ("80", ""), "P2": ("75", "")})
    submit_all(cycle, "supervisor", {"P1": ("90", ""), "P2": ("85", "")})
    mine = Appraisal.objects.get(worker=world.workers["a_self"])
    peers = list(RaterAssignment.objects.filter(appraisal=mine, role="peer").select_related("rater").order_by("id"))
    assert len(peers) == 3
    for value, a in zip((71, 83, 95), peers[:peers_rating], strict=False):
        assignment_save(actor=a.rater, assignment=a, values={"P1": (str(value), ""), "P2": ("80", "")}, submit=True)
    cycle = advance(cycle, world.users["hr"], CycleState.CALIBRATION, CycleState.PUBLISHED)
    return cycle, [a.rater for a in peers]
