"""Headcount values follow the roster: a worker edited through the API, the form or the admin
refreshes the vendor appraisals' avg_headcount and turnover_rate of the running cycles the worker's
stay overlaps (docs/metrics.md §Headcount, §Refresh as data arrives)."""

from decimal import Decimal

import pytest

from outperform.cycles.models import Appraisal, Cycle, CycleState, MetricValue
from outperform.cycles.services import cycle_open
from outperform.metrics.services import merge_spans, metrics_refresh, metrics_refresh_for_source
from outperform.metrics.tests.helpers import D, formula, metric, record
from outperform.testing.templates import make_template

pytestmark = pytest.mark.django_db


@pytest.fixture
def headcount_metrics(db):
    return [
        metric("avg_headcount", source="headcount", aggregation="active_avg"),
        metric("turnover_count", source="leaver", empty_as_zero=True),
        formula("turnover_rate", "turnover_count / avg_headcount * 100"),
    ]


def _cycle(world, name, start, end, code):
    template = make_template(code=code, subject_kind="vendor", role_weights={"supervisor": "100"}, indicators=[
        {"code": f"{code}-HC", "weight": 30, "kind": "quantitative", "metric": "avg_headcount",
         "rule": {"type": "linear", "floor": "0", "target": "10"}},
        {"code": f"{code}-TR", "weight": 30, "kind": "quantitative", "metric": "turnover_rate",
         "rule": {"type": "linear", "floor": "0", "target": "50"}},
        {"code": f"{code}-V1", "weight": 40, "rater_roles": ["supervisor"]},
    ])
    c = Cycle.objects.create(name=name, start_date=start, end_date=end, default_template=template, seed=7,
                             peer_count=0, subject_kind="vendor")
    cycle_open(actor=world.users["hr"], cycle=c)
    c.refresh_from_db()
    assert c.state == CycleState.GOAL_SETTING
    return c


@pytest.fixture
def q4(world, headcount_metrics):
    return _cycle(world, "2026年第四季度 服务商", D(2026, 10, 1), D(2026, 12, 31), "T-HCQ4")


@pytest.fixture
def x(world):
    """Vendor A's fourth worker (the world's three were hired 2025-03-01 and stay), with a leaver
    record on 16 Nov written straight to the table (no hook), as if HR recorded the leaving first."""
    from outperform.records.models import LeaverRecord
    from outperform.testing.factories import WorkerFactory

    w = WorkerFactory(vendor=world.vendor_a, department=world.tech, hire_date=D(2025, 1, 1), leave_date=None)
    record(LeaverRecord, worker=w, leave_date=D(2026, 11, 16), reason="voluntary")
    return w


def _values(cycle):
    return {(mv.appraisal.vendor_id, mv.metric): mv.value
            for mv in MetricValue.objects.filter(cycle=cycle).select_related("appraisal")}


def test_editing_a_leave_date_through_the_api_refreshes_the_vendor_appraisal(
        world, q4, x, api_for, django_capture_on_commit_callbacks):
    """Before: vendor A has 4 on the roster on 1 Oct and on 31 Dec → 4; 1 leaver / 4 × 100 = 25.
    x leaves on 16 Nov: 4 on 1 Oct, 3 on 31 Dec → (4 + 3) / 2 = 3.5; 1 / 3.5 × 100 = 28.571428…
    → 28.5714. Vendor B (b_ops, b_tech, no leaver): 2 and 0, before and after."""
    metrics_refresh(cycle=q4)
    va, vb = world.vendor_a.pk, world.vendor_b.pk
    assert _values(q4) == {(va, "avg_headcount"): Decimal(4), (va, "turnover_rate"): Decimal(25),
                           (vb, "avg_headcount"): Decimal(2), (vb, "turnover_rate"): Decimal(0)}
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for("hr").patch(f"/api/v1/workers/{x.pk}/", {"leave_date": "2026-11-16", "status": "left"},
                                       format="json")
    assert response.status_code == 200, response.content
    assert _values(q4) == {(va, "avg_headcount"): Decimal("3.5"), (va, "turnover_rate"): Decimal("28.5714"),
                           (vb, "avg_headcount"): Decimal(2), (vb, "turnover_rate"): Decimal(0)}


def test_a_worker_moved_to_another_vendor_refreshes_both(world, q4, x, client_for,
                                                           django_capture_on_commit_callbacks):
    """x (no leave date yet) moves from A to B through the form. A: 3 throughout → 3; its leaver
    record still says A: 1 / 3 × 100 = 33.3333. B: 3 → 3, no leaver → 0."""
    from django.urls import reverse

    metrics_refresh(cycle=q4)
    data = {"employee_no": x.employee_no, "name": x.name, "vendor": world.vendor_b.pk, "department": x.department_id,
            "position": x.position_id, "hire_date": "2025-01-01", "status": "active"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("hr").post(reverse("workers:workers_edit", args=[x.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    va, vb = world.vendor_a.pk, world.vendor_b.pk
    assert _values(q4) == {(va, "avg_headcount"): Decimal(3), (va, "turnover_rate"): Decimal("33.3333"),
                           (vb, "avg_headcount"): Decimal(3), (vb, "turnover_rate"): Decimal(0)}


def test_a_stay_reaches_every_cycle_it_overlaps_not_only_those_holding_its_dates(world, headcount_metrics):
    """A worker hired 2025-01-01 who stays is in Q4 2026 though neither date falls in it; a worker
    who left on 1 Oct 2026 is on no day of Q4 (off the roster on the day they leave)."""
    q4 = _cycle(world, "Q4", D(2026, 10, 1), D(2026, 12, 31), "T-HC1")
    va = world.vendor_a.pk
    assert [s.cycle_id for s in metrics_refresh_for_source("headcount", spans=[(D(2025, 1, 1), None)],
                                                           vendor_ids=[va])] == [q4.pk]
    assert metrics_refresh_for_source("headcount", spans=[(D(2025, 1, 1), D(2026, 9, 30))], vendor_ids=[va]) == []
    # the old hook's dates would have missed it
    assert metrics_refresh_for_source("headcount", dates=[D(2025, 1, 1)], vendor_ids=[va]) == []


def test_only_appraisals_that_can_hold_a_headcount_value_are_refreshed(world, headcount_metrics):
    """Headcount has no worker level, and the turnover formula allows vendor, project and department:
    a cycle of worker appraisals is not touched, even for a vendor's workers."""
    Cycle.objects.create(name="人员 Q4", start_date=D(2026, 10, 1), end_date=D(2026, 12, 31), seed=7, peer_count=0,
                         default_template=make_template(code="T-HCW", indicators=[
                             {"code": "T-HCW-HC", "weight": 50, "kind": "quantitative", "metric": "avg_headcount",
                              "rule": {"type": "linear", "floor": "0", "target": "10"}},
                             {"code": "T-HCW-Q", "weight": 50, "rater_roles": ["self", "supervisor"]}]))
    from outperform.workers.models import Worker

    Worker.objects.update(supervisor=world.users["supervisor"])
    cycle = Cycle.objects.get(name="人员 Q4")
    cycle_open(actor=world.users["hr"], cycle=cycle)
    assert Appraisal.objects.filter(cycle=cycle, subject_kind="worker").exists()
    assert metrics_refresh_for_source("headcount", vendor_ids=[world.vendor_a.pk]) == []
    metrics_refresh_for_source("headcount")  # every appraisal of every running cycle
    assert not MetricValue.objects.filter(cycle=cycle).exists()


def test_spans_are_merged_when_they_overlap_or_touch():
    assert merge_spans([(D(2026, 3, 1), D(2026, 3, 31)), (D(2025, 1, 1), D(2025, 6, 30)),
                        (D(2026, 4, 1), None), (D(2025, 7, 1), D(2025, 8, 1)), (D(2026, 5, 1), D(2026, 6, 1))]) == [
        (D(2025, 1, 1), D(2025, 8, 1)), (D(2026, 3, 1), None)]
    assert merge_spans([]) == []


def test_the_queued_task_reads_spans_back(world, q4, x, monkeypatch, django_capture_on_commit_callbacks):
    """The message is plain JSON: ISO days, None for a stay still going on; spans that touch
    (31 Dec 2024, 1 Jan 2025) are sent as one."""
    from outperform.metrics import tasks
    from outperform.metrics.services import metrics_refresh_for_source_later

    sent: list[dict] = []
    monkeypatch.setattr(tasks.refresh_for_source, "delay", lambda **kw: sent.append(kw))
    with django_capture_on_commit_callbacks(execute=True):
        metrics_refresh_for_source_later("headcount", spans=[(D(2025, 1, 1), None), (D(2024, 1, 1), D(2024, 12, 31))],
                                         vendor_ids=[world.vendor_a.pk])
    assert sent == [{"source_key": "headcount", "dates": None, "vendor_ids": [world.vendor_a.pk], "worker_ids": None,
                     "spans": [["2024-01-01", None]]}]
    [summary] = tasks.refresh_for_source(**sent[0])
    assert summary["cycle_id"] == q4.pk and summary["created"] == 2  # vendor A: avg_headcount, turnover_rate
