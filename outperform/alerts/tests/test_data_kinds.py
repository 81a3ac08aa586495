"""The kinds over other apps' data, on hand-built records: sla_breach (tickets), metric_threshold
(metrics engine over records, consecutive periods, not-applicable breaking the streak) and
improvement_plan_deadline (plans and milestones) — deduplication, automatic resolution, owners
and constant query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from outperform.alerts.data_kinds import periods_back
from outperform.alerts.kinds import get_kind
from outperform.alerts.models import Alert, AlertState, RuleStatus
from outperform.alerts.services import alerts_evaluate
from outperform.development.models import ImprovementPlan, PlanMilestone
from outperform.metrics.models import Metric
from outperform.records.models import Ticket
from outperform.records.tests.factories import TaskFactory, TicketFactory
from outperform.testing.factories import DepartmentFactory

from .conftest import TODAY, make_rule

pytestmark = pytest.mark.django_db


def _keys(rule):  # type: ignore[no-untyped-def]
    return set(Alert.objects.filter(rule=rule, state__in=["open", "acknowledged"]).values_list("dedup_key", flat=True))


def test_data_kinds_are_available():
    for key in ("sla_breach", "metric_threshold", "improvement_plan_deadline"):
        assert get_kind(key).available()


# --- sla_breach ----------------------------------------------------------------------------------


def _ticket(world, worker, status, *, resolved=False, **fields):  # type: ignore[no-untyped-def]
    t = TicketFactory(vendor=worker.vendor, worker=worker)
    Ticket.objects.filter(pk=t.pk).update(sla_status=status, resolved=resolved, **fields)
    return t


@pytest.fixture
def tickets(world):  # type: ignore[no-untyped-def]
    w = world.workers
    return {
        "risk_a": _ticket(world, w["a_ops_cs"], "at_risk"),
        "breach_a": _ticket(world, w["a_ops_cs"], "breached"),
        "breach_b": _ticket(world, w["b_tech"], "breached"),
        "soon_a": _ticket(world, w["a_tech"], "on_time", resolution_due_at=timezone.now() + dt.timedelta(hours=2)),
        "breach_resolved": _ticket(world, w["a_ops_cs"], "breached", resolved=True),
        "met": _ticket(world, w["b_ops"], "met"),
    }


def test_sla_per_ticket_statuses_and_escalation(world, tickets):
    rule = make_rule(world, "sla_breach", {}, severity="warning")
    alerts_evaluate(today=TODAY)
    t = tickets
    assert _keys(rule) == {f"sla:ticket:{t['risk_a'].pk}:risk", f"sla:ticket:{t['breach_a'].pk}:breached",
                           f"sla:ticket:{t['breach_b'].pk}:breached"}  # resolved and met tickets are not at risk
    breached = Alert.objects.get(rule=rule, dedup_key=f"sla:ticket:{t['breach_a'].pk}:breached")
    assert breached.severity == "critical"  # breached: one level up from the rule's warning
    assert breached.vendor == world.vendor_a and breached.department == world.ops_cs
    assert t["breach_a"].external_id in breached.title and "已超时" in breached.message
    assert Alert.objects.get(rule=rule, dedup_key=f"sla:ticket:{t['risk_a'].pk}:risk").severity == "warning"

    only_breached = make_rule(world, "sla_breach", {"statuses": "breached"})
    with_hours = make_rule(world, "sla_breach", {"statuses": "at_risk", "hours_before": 4})
    alerts_evaluate(today=TODAY, rules=[only_breached, with_hours])
    assert _keys(only_breached) == {f"sla:ticket:{t['breach_a'].pk}:breached", f"sla:ticket:{t['breach_b'].pk}:breached"}
    # on_time but due in 2 hours counts as at risk within a 4-hour window
    assert _keys(with_hours) == {f"sla:ticket:{t['risk_a'].pk}:risk", f"sla:ticket:{t['soon_a'].pk}:risk"}


def test_sla_risk_turning_into_breach_resolves_and_reopens(world, tickets):
    rule = make_rule(world, "sla_breach", {}, vendor=world.vendor_a)
    alerts_evaluate(today=TODAY)
    risk = Alert.objects.get(rule=rule, dedup_key=f"sla:ticket:{tickets['risk_a'].pk}:risk")
    Ticket.objects.filter(pk=tickets["risk_a"].pk).update(sla_status="breached")
    summary = alerts_evaluate(today=TODAY, rules=[rule])
    assert (summary.created, summary.resolved, summary.refreshed) == (1, 1, 1)
    risk.refresh_from_db()
    assert risk.state == AlertState.RESOLVED
    Ticket.objects.filter(pk__in=[tickets["risk_a"].pk, tickets["breach_a"].pk]).update(resolved=True)
    assert alerts_evaluate(today=TODAY, rules=[rule]).resolved == 2
    assert _keys(rule) == set()


def test_sla_grouped_per_vendor_and_rule_department(world, tickets):
    rule = make_rule(world, "sla_breach", {"group": "vendor"}, owner_mode="vendor_manager")
    alerts_evaluate(today=TODAY)
    va, vb = world.vendor_a.pk, world.vendor_b.pk
    assert _keys(rule) == {f"sla:vendor:{va}:risk", f"sla:vendor:{va}:breached", f"sla:vendor:{vb}:breached"}
    owners = {a.dedup_key: a.owner_id for a in Alert.objects.filter(rule=rule)}
    assert owners[f"sla:vendor:{va}:breached"] == world.users["vendor_manager"].pk
    assert owners[f"sla:vendor:{vb}:breached"] == world.users["hr"].pk  # vendor B has no manager: the rule's owner
    summary = Alert.objects.get(rule=rule, dedup_key=f"sla:vendor:{va}:breached")
    assert "1 张" in summary.title and tickets["breach_a"].external_id in summary.message

    ops = make_rule(world, "sla_breach", {"group": "vendor"}, department=world.ops)
    alerts_evaluate(today=TODAY, rules=[ops])
    # vendor B's breached ticket is in TECH, outside OPS; vendor A's two are in OPS-CS
    assert _keys(ops) == {f"sla:vendor:{va}:risk", f"sla:vendor:{va}:breached"}
    assert set(Alert.objects.filter(rule=ops).values_list("department_id", flat=True)) == {world.ops_cs.pk}


def test_sla_query_count_does_not_grow_with_tickets(world, tickets):
    rule = make_rule(world, "sla_breach", {"group": "vendor"})
    alerts_evaluate(today=TODAY)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            alerts_evaluate(today=TODAY, rules=[rule])
        return len(ctx.captured_queries)

    small = count()
    for _i in range(15):
        _ticket(world, world.workers["b_ops"], "breached")
        _ticket(world, world.workers["a_tech"], "at_risk")
    assert count() == small


# --- metric_threshold ----------------------------------------------------------------------------

# TODAY is Thursday 2026-12-10: the last complete weeks are W49 (11-30 … 12-06) and W48 (11-23 … 11-29).
W48, W49, W50 = dt.date(2026, 11, 24), dt.date(2026, 12, 1), dt.date(2026, 12, 8)


def _tasks(department, vendor, day, on_time, late):  # type: ignore[no-untyped-def]
    for _i in range(on_time):
        TaskFactory(vendor=vendor, department=department, due_date=day, delivered_date=day)
    for _i in range(late):
        TaskFactory(vendor=vendor, department=department, due_date=day, delivered_date=day + dt.timedelta(days=3))


@pytest.fixture
def on_time_rate(db):  # type: ignore[no-untyped-def]
    return Metric.objects.create(
        code="alert_on_time", name="按时完成率", source="task", aggregation="ratio",
        numerator=[{"field": "on_time", "op": "=", "value": True}], scale=Decimal(100), unit="%")


def test_periods_back_by_hand():
    assert periods_back(TODAY, "week", 2, False) == [
        (dt.date(2026, 11, 23), dt.date(2026, 11, 29), "2026-W48"),
        (dt.date(2026, 11, 30), dt.date(2026, 12, 6), "2026-W49")]
    assert periods_back(TODAY, "week", 1, True) == [(dt.date(2026, 12, 7), TODAY, "2026-W50")]
    assert periods_back(TODAY, "day", 3, False) == [
        (dt.date(2026, 12, 7),) * 2 + ("2026-12-07",), (dt.date(2026, 12, 8),) * 2 + ("2026-12-08",),
        (dt.date(2026, 12, 9),) * 2 + ("2026-12-09",)]
    assert periods_back(dt.date(2026, 3, 31), "month", 2, False) == [
        (dt.date(2026, 1, 1), dt.date(2026, 1, 31), "2026-01"), (dt.date(2026, 2, 1), dt.date(2026, 2, 28), "2026-02")]
    assert periods_back(TODAY, "month", 1, True) == [(dt.date(2026, 12, 1), TODAY, "2026-12")]


def test_department_kpi_below_threshold_two_weeks(world, on_time_rate):
    va = world.vendor_a
    _tasks(world.ops_cs, va, W48, 2, 2)  # W48: 2/4 = 50 %
    _tasks(world.ops_cs, va, W49, 1, 2)  # W49: 1/3 = 33.3333 %
    _tasks(world.tech, va, W49, 0, 1)  # TECH W49: 0 %, but no task in W48 → not applicable → no streak
    _tasks(world.tech, va, W50, 0, 5)  # the running week is not counted by default
    rule = make_rule(world, "metric_threshold", {"metric": "alert_on_time", "level": "department",
                                                 "threshold": "70", "period": "week", "periods": 2})
    alerts_evaluate(today=TODAY)
    # HQ and OPS include OPS-CS (sub-departments); HQ W49 = (1 + 0) / (3 + 1) = 25 %, W48 = 50 %
    assert _keys(rule) == {f"metric:alert_on_time:department:{d.pk}:week" for d in (world.hq, world.ops, world.ops_cs)}
    cs = Alert.objects.get(rule=rule, department=world.ops_cs)
    assert "2026-W48 50%、2026-W49 33.3333%" in cs.message and "按时完成率" in cs.title
    assert "连续 2 周 < 70%" in cs.title

    # OPS-CS catches up in W49: (1 + 7) / (3 + 7) = 80 %; HQ (1 + 7) / (4 + 7) = 72.7 % → all clear
    _tasks(world.ops_cs, va, W49, 7, 0)
    assert alerts_evaluate(today=TODAY, rules=[rule]).resolved == 3
    assert _keys(rule) == set()


def test_not_applicable_period_breaks_streak_and_current_period_option(world, on_time_rate):
    _tasks(world.tech, world.vendor_b, W48, 0, 1)  # W48 0 %, W49 nothing, W50 (running) 0 %
    _tasks(world.tech, world.vendor_b, W50, 0, 2)
    two_weeks = make_rule(world, "metric_threshold", {"metric": "alert_on_time", "level": "vendor",
                                                      "threshold": "70", "periods": 2})
    one_running = make_rule(world, "metric_threshold", {"metric": "alert_on_time", "level": "vendor",
                                                        "threshold": "70", "periods": 1, "include_current": True})
    alerts_evaluate(today=TODAY)
    assert _keys(two_weeks) == set()  # the empty W49 breaks the streak
    assert _keys(one_running) == {f"metric:alert_on_time:vendor:{world.vendor_b.pk}:week"}
    a = Alert.objects.get(rule=one_running)
    assert a.vendor == world.vendor_b and "2026-W50 0%" in a.message


def test_daily_worker_streak_with_ge(world, on_time_rate):
    w = world.workers["a_ops_cs"]
    for day in (dt.date(2026, 12, 8), dt.date(2026, 12, 9)):
        TaskFactory(vendor=w.vendor, worker=w, due_date=day, delivered_date=day)
    rule = make_rule(world, "metric_threshold", {"metric": "alert_on_time", "level": "worker", "op": "ge",
                                                 "threshold": "100", "period": "day", "periods": 2},
                     owner_mode="supervisor")
    alerts_evaluate(today=TODAY)
    a = Alert.objects.get(rule=rule)
    assert a.dedup_key == f"metric:alert_on_time:worker:{w.pk}:day"
    assert a.department_id == w.department_id and a.vendor_id == w.vendor_id
    three = make_rule(world, "metric_threshold", {"metric": "alert_on_time", "level": "worker", "op": "ge",
                                                  "threshold": "100", "period": "day", "periods": 3})
    alerts_evaluate(today=TODAY, rules=[three])
    assert _keys(three) == set()  # 12-07 had no task


def test_unknown_metric_or_level_is_an_error_on_the_rule(world, on_time_rate):
    missing = make_rule(world, "metric_threshold", {"metric": "nope", "threshold": "1"})
    Metric.objects.filter(pk=on_time_rate.pk).update(levels=["vendor"])
    wrong_level = make_rule(world, "metric_threshold", {"metric": "alert_on_time", "level": "worker",
                                                        "threshold": "1"})
    alerts_evaluate(today=TODAY)
    missing.refresh_from_db()
    wrong_level.refresh_from_db()
    assert missing.last_status == RuleStatus.ERROR and "metric" in missing.last_message
    assert wrong_level.last_status == RuleStatus.ERROR and "level" in wrong_level.last_message


def test_metric_threshold_engine_calls_per_period_not_per_subject(world, on_time_rate):
    rule = make_rule(world, "metric_threshold", {"metric": "alert_on_time", "level": "department",
                                                 "threshold": "101", "periods": 3})  # every department with data

    def setup(n):  # type: ignore[no-untyped-def]
        for _i in range(n):
            d = DepartmentFactory(parent=world.ops)
            for week in (W48 - dt.timedelta(days=7), W48, W49):
                _tasks(d, world.vendor_a, week, 1, 1)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            alerts_evaluate(today=TODAY, rules=[rule])
        return len(ctx.captured_queries)

    setup(2)
    alerts_evaluate(today=TODAY, rules=[rule])
    small = count()
    setup(6)
    alerts_evaluate(today=TODAY, rules=[rule])
    assert count() == small
    assert Alert.objects.filter(rule=rule, state="open").count() == 8 + 2  # the 8 new departments, OPS and HQ


# --- improvement_plan_deadline -------------------------------------------------------------------


def _plan(world, worker, deadline, state="active", owner=None, title="改进计划"):  # type: ignore[no-untyped-def]
    return ImprovementPlan.objects.create(
        worker=worker, vendor=worker.vendor, department=worker.department, title=title, problems="按时率偏低",
        owner=owner, start_date=dt.date(2026, 10, 1), deadline=deadline, state=state)


@pytest.fixture
def plans(world):  # type: ignore[no-untyped-def]
    w = world.workers
    soon = _plan(world, w["a_ops_cs"], dt.date(2026, 12, 12), owner=world.users["supervisor"], title="客服质量提升")
    missed = _plan(world, w["b_ops"], dt.date(2026, 12, 8), state="extended", title="工单时效整改")
    later = _plan(world, w["a_tech"], dt.date(2026, 12, 31), owner=world.users["vendor_manager"], title="技能提升")
    _plan(world, w["b_tech"], dt.date(2026, 12, 11), state="draft")  # not started: no reminder
    _plan(world, w["a_self"], dt.date(2026, 12, 9), state="passed")  # finished: no reminder
    m_missed = PlanMilestone.objects.create(plan=later, title="完成培训", due=dt.date(2026, 12, 9))
    PlanMilestone.objects.create(plan=later, title="已完成", due=dt.date(2026, 12, 9), done_at=dt.date(2026, 12, 9))
    PlanMilestone.objects.create(plan=later, title="远期", due=dt.date(2026, 12, 25))
    return {"soon": soon, "missed": missed, "later": later, "m_missed": m_missed}


def test_improvement_plan_deadlines_and_milestones(world, plans):
    rule = make_rule(world, "improvement_plan_deadline", {"days_before": 3}, owner_mode="record_owner",
                     severity="info")
    alerts_evaluate(today=TODAY)
    p = plans
    keys = {f"plan:{p['soon'].pk}:2026-12-12:soon", f"plan:{p['missed'].pk}:2026-12-08:missed",
            f"milestone:{p['m_missed'].pk}:2026-12-09:missed"}
    assert _keys(rule) == keys
    by_key = {a.dedup_key: a for a in Alert.objects.filter(rule=rule)}
    soon = by_key[f"plan:{p['soon'].pk}:2026-12-12:soon"]
    assert soon.owner == world.users["supervisor"]  # the plan's owner
    assert soon.severity == "info" and "还剩 2 天" in soon.message and "客服质量提升" in soon.title
    missed = by_key[f"plan:{p['missed'].pk}:2026-12-08:missed"]
    # no plan owner: the worker's supervisor, else the department head, else the rule's owner
    assert missed.owner == world.users["hr"] and missed.severity == "warning" and "已逾期 2 天" in missed.message
    assert by_key[f"milestone:{p['m_missed'].pk}:2026-12-09:missed"].owner == world.users["vendor_manager"]

    no_milestones = make_rule(world, "improvement_plan_deadline", {"when": "missed", "milestones": False})
    alerts_evaluate(today=TODAY, rules=[no_milestones])
    assert _keys(no_milestones) == {f"plan:{p['missed'].pk}:2026-12-08:missed"}


def test_extended_deadline_and_done_milestone_resolve(world, plans):
    rule = make_rule(world, "improvement_plan_deadline", {})
    alerts_evaluate(today=TODAY)
    ImprovementPlan.objects.filter(pk=plans["missed"].pk).update(deadline=dt.date(2027, 1, 31))
    PlanMilestone.objects.filter(pk=plans["m_missed"].pk).update(done_at=TODAY)
    summary = alerts_evaluate(today=TODAY, rules=[rule])
    assert summary.resolved == 2 and summary.created == 0
    assert _keys(rule) == {f"plan:{plans['soon'].pk}:2026-12-12:soon"}


def test_improvement_plan_query_count_constant(world, plans):
    rule = make_rule(world, "improvement_plan_deadline", {})
    alerts_evaluate(today=TODAY)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            alerts_evaluate(today=TODAY, rules=[rule])
        return len(ctx.captured_queries)

    small = count()
    for i in range(10):
        plan = _plan(world, world.workers["b_tech"], dt.date(2026, 12, 1 + i % 5), title=f"计划{i}")
        PlanMilestone.objects.create(plan=plan, title="里程碑", due=dt.date(2026, 12, 2))
    alerts_evaluate(today=TODAY, rules=[rule])
    assert count() == small
