"""metrics_refresh feeds cycles.MetricValue: right rows, manual values kept, constant queries."""

import datetime as dt
from decimal import Decimal

import pytest

from outperform.cycles.models import Appraisal, Cycle, CycleState, MetricValue
from outperform.cycles.services import cycle_open
from outperform.metrics.services import metrics_refresh, metrics_refresh_for_source
from outperform.metrics.tests.helpers import D, metric, task
from outperform.testing.templates import make_template

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(world):
    from outperform.workers.models import Worker

    Worker.objects.update(supervisor=world.users["supervisor"])
    template = make_template(code="T-DATA", indicators=[
        {"code": "QN1", "weight": 40, "kind": "quantitative", "metric": "on_time_rate",
         "rule": {"type": "linear", "floor": "80", "target": "100"}},
        # a formula also reads `tasks_assigned`
        {"code": "QN2", "weight": 20, "kind": "quantitative", "metric": "tasks_done",
         "rule": {"type": "formula", "expression": "value / tasks_assigned * 100"}},
        {"code": "QL1", "weight": 40, "rater_roles": ["self", "supervisor"]},
    ])
    c = Cycle.objects.create(name="2026年第四季度", start_date=dt.date(2026, 10, 1), end_date=dt.date(2026, 12, 31),
                             default_template=template, seed=7, peer_count=0)
    cycle_open(actor=world.users["hr"], cycle=c)
    c.refresh_from_db()
    return c


@pytest.fixture
def metrics(db):
    return [
        metric("on_time_rate", aggregation="ratio", scale=Decimal(100),
               filters=[{"field": "on_time", "op": "!=", "value": None}],
               numerator=[{"field": "on_time", "op": "=", "value": True}]),
        metric("tasks_done", filters=[{"field": "on_time", "op": "!=", "value": None}]),
        metric("tasks_assigned"),
        metric("unused_metric"),
    ]


def _values(cycle):
    return {(mv.appraisal.worker_id, mv.metric): (mv.value, mv.source)
            for mv in MetricValue.objects.filter(cycle=cycle).select_related("appraisal")}


def test_refresh_writes_the_values_of_the_metrics_the_template_reads(world, cycle, metrics):
    w = world.workers
    task(w["a_ops_cs"], D(2026, 10, 5))
    task(w["a_ops_cs"], D(2026, 11, 5), on_time=False)
    task(w["a_ops_cs"], D(2026, 12, 5), on_time=None, first_pass=None, acceptance="pending")
    task(w["a_ops_cs"], D(2027, 1, 5))  # outside the cycle
    task(w["b_ops"], D(2026, 10, 9))
    summary = metrics_refresh(cycle=cycle, actor=world.users["hr"])
    assert summary.metrics == ["on_time_rate", "tasks_assigned", "tasks_done"]
    values = _values(cycle)
    a, b, s = w["a_ops_cs"].pk, w["b_ops"].pk, w["b_tech"].pk
    # a_ops_cs: delivered 2 (on time 1) of 3 due → on-time 1/2 = 50; done 2; assigned 3
    assert values[(a, "on_time_rate")] == (Decimal("50.0000"), "metric")
    assert values[(a, "tasks_done")] == (Decimal(2), "metric")
    assert values[(a, "tasks_assigned")] == (Decimal(3), "metric")
    assert values[(b, "on_time_rate")] == (Decimal(100), "metric")
    # no tasks → not applicable (None), never 0
    assert values[(s, "on_time_rate")] == (None, "metric")
    assert not MetricValue.objects.filter(metric="unused_metric").exists()
    appraisals = Appraisal.objects.filter(cycle=cycle).count()
    assert summary.created == appraisals * 3 and summary.updated == 0


def test_refresh_keeps_manual_values_and_updates_only_changes(world, cycle, metrics):
    from outperform.core.models import AuditLog

    w = world.workers
    a = w["a_ops_cs"]
    mine = Appraisal.objects.get(cycle=cycle, worker=a)
    MetricValue.objects.create(appraisal=mine, cycle=cycle, metric="on_time_rate", value=Decimal(99), source="manual")
    task(a, D(2026, 10, 5), on_time=False)
    first = metrics_refresh(cycle=cycle)
    assert first.kept_manual == 1
    assert MetricValue.objects.get(appraisal=mine, metric="on_time_rate").value == Decimal(99)
    audits = AuditLog.objects.count()
    again = metrics_refresh(cycle=cycle)
    assert (again.created, again.updated, again.kept_manual) == (0, 0, 1)
    assert AuditLog.objects.count() == audits  # nothing changed, nothing written
    task(a, D(2026, 10, 6))
    third = metrics_refresh(cycle=cycle)
    # tasks_done 1 → 2, tasks_assigned 1 → 2 changed; on_time_rate is HR's
    assert third.updated == 2
    assert MetricValue.objects.get(appraisal=mine, metric="tasks_done").value == 2
    assert AuditLog.objects.count() == audits + 2


def test_published_cycles_are_not_refreshed(world, cycle, metrics):
    Cycle.objects.filter(pk=cycle.pk).update(state=CycleState.PUBLISHED)
    cycle.refresh_from_db()
    task(world.workers["a_ops_cs"], D(2026, 10, 5))
    assert metrics_refresh(cycle=cycle).created == 0
    assert not MetricValue.objects.filter(cycle=cycle).exists()


def test_query_count_is_constant(world, cycle, metrics):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from outperform.testing.factories import WorkerFactory

    def queries() -> int:
        MetricValue.objects.filter(cycle=cycle).delete()
        with CaptureQueriesContext(connection) as ctx:
            metrics_refresh(cycle=cycle)
        return len(ctx)

    task(world.workers["a_ops_cs"], D(2026, 11, 1))
    small = queries()
    extra = [WorkerFactory(vendor=world.vendor_a, department=world.ops, supervisor=world.users["supervisor"])
             for _ in range(15)]
    cycle_open(actor=world.users["hr"], cycle=cycle)
    for w in extra:
        task(w, D(2026, 11, 1))
    assert Appraisal.objects.filter(cycle=cycle).count() == 20
    assert queries() == small
    # and it stays small: templates, metrics, appraisals, one GROUP BY per metric, existing values,
    # one insert, the audit insert, and the savepoint pair
    assert small <= 12


def test_hook_refreshes_running_cycles_of_the_touched_dates(world, cycle, metrics):
    a = world.workers["a_ops_cs"]
    task(a, D(2026, 10, 5))
    assert metrics_refresh_for_source("task", dates=[D(2027, 2, 1)]) == []
    assert metrics_refresh_for_source("ticket") == []  # no metric reads tickets
    [summary] = metrics_refresh_for_source("task", dates=[D(2026, 10, 5)], worker_ids=[a.pk])
    # only a_ops_cs's appraisal: 3 metrics
    assert summary.created == 3
    assert _values(cycle)[(a.pk, "on_time_rate")] == (Decimal(100), "metric")
