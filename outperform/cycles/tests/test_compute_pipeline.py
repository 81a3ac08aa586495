"""The pipelined compute of big cycles (PostgreSQL): chunks of whole groups scored by the parent and a
forked child, each saved by a thread as soon as it is ready. Forced here on small cycles with
FORK_FROM = 1: the number of queries is fixed by the number of chunks, not by the subjects."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from outperform.cycles.models import Appraisal, Cycle, CycleState
from outperform.cycles.services import computing, cycle_advance, cycle_compute, cycle_open
from outperform.testing.factories import DepartmentFactory, WorkerFactory

from .helpers_web import submit_all

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the pipeline is used on PostgreSQL only"),
]


def _compute_new(world, template, n):  # type: ignore[no-untyped-def]
    """Open a cycle of n new workers in two departments (two groups), rate them all (self), compute."""
    hr = world.users["hr"]
    depts = [DepartmentFactory(parent=world.tech), DepartmentFactory(parent=world.tech)]
    for i in range(n):
        WorkerFactory(vendor=world.vendor_b, department=depts[i % 2], position=world.position,
                      supervisor=world.users["supervisor"])
    cycle = Cycle.objects.create(name=f"c{n}", start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 3, 31),
                                 default_template=template)
    cycle.departments.set(depts)
    cycle_open(actor=hr, cycle=cycle)
    for target in (CycleState.IN_PROGRESS, CycleState.SELF_REVIEW, CycleState.REVIEW):
        cycle = cycle_advance(actor=hr, cycle=cycle, target=target)
    submit_all(cycle, "supervisor", {"Q1": ("88", ""), "Q2": ("76.5", "")})
    with CaptureQueriesContext(connection) as ctx:
        summary = cycle_compute(actor=hr, cycle=cycle)
    assert summary.computed == n
    assert Appraisal.objects.filter(cycle=cycle, composite__isnull=False).count() == n
    return len(ctx.captured_queries)


def test_pipelined_compute_query_count_does_not_grow_with_subjects(world, template, monkeypatch):
    monkeypatch.setattr(computing, "FORK_FROM", 1)
    _compute_new(world, template, 2)  # warm-up: per-process caches such as content types
    assert _compute_new(world, template, 4) == _compute_new(world, template, 30)


def test_a_failure_while_scoring_leaves_nothing_and_no_child(world, template, monkeypatch):
    _compute_new(world, template, 6)
    cycle = Cycle.objects.get(name="c6")
    before = list(Appraisal.objects.filter(cycle=cycle).order_by("id").values_list("id", "composite", "computed_at"))
    monkeypatch.setattr(computing, "FORK_FROM", 1)
    children: list[computing._ForkedChunks] = []
    original_init = computing._ForkedChunks.__init__

    def remember(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        original_init(self, *args, **kwargs)
        children.append(self)

    def broken(self, specs, share):  # type: ignore[no-untyped-def]
        raise RuntimeError("the engine breaks on the parent's first chunk")

    monkeypatch.setattr(computing._ForkedChunks, "__init__", remember)
    monkeypatch.setattr(computing._Render, "__call__", broken)
    # when: the parent fails while the child scores (the child's chunks render through text(), which
    # calls the broken __call__ too, so it fails and ends as well)
    with pytest.raises(RuntimeError, match="breaks"):
        cycle_compute(actor=world.users["hr"], cycle=cycle)
    # then: the transaction wrote nothing, the child is gone and its files are removed
    after = list(Appraisal.objects.filter(cycle=cycle).order_by("id").values_list("id", "composite", "computed_at"))
    assert after == before
    (child,) = children
    assert child.reaped and not computing.os.path.exists(child.folder)
