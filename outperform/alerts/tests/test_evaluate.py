"""alerts_evaluate on hand-built data: each kind, deduplication, automatic resolution, recurrence,
rule scope filters, owners, notifications, audit and constant query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from outperform.alerts.models import Alert, AlertState, RuleStatus
from outperform.alerts.services import alerts_evaluate, alerts_evaluate_for
from outperform.core.models import AuditLog
from outperform.cycles.models import (
    Appeal,
    Appraisal,
    AssignmentState,
    Cycle,
    CycleState,
    Goal,
    GoalStatus,
    Interview,
    MetricValue,
    RaterAssignment,
)
from outperform.notifications.models import Channel, ChannelKind, Delivery, Notification
from outperform.notifications.tests.conftest import open_cycle
from outperform.testing.factories import ContractFactory, VendorFactory

from .conftest import TODAY, make_rule

pytestmark = pytest.mark.django_db


def _keys(rule):  # type: ignore[no-untyped-def]
    return set(Alert.objects.filter(rule=rule, state__in=["open", "acknowledged"]).values_list("dedup_key", flat=True))


# --- contracts -----------------------------------------------------------------------------------


def test_contract_expiring_window_and_escalation(world):
    # world contracts end 2026-12-31: 21 days after TODAY
    rule = make_rule(world, "contract_expiring", {"days": 30, "critical_days": 21}, severity="warning")
    alerts_evaluate(today=TODAY)
    a = Alert.objects.get(rule=rule, vendor=world.vendor_a)
    assert a.dedup_key == f"contract:{world.contract_a.pk}:2026-12-31"
    assert a.severity == "critical"  # 21 days left ≤ critical_days → one level up
    assert "HT-A" in a.title and "2026-12-31" in a.message and "还剩 21 天" in a.message
    assert _keys(rule) == {f"contract:{world.contract_a.pk}:2026-12-31", f"contract:{world.contract_b.pk}:2026-12-31"}
    narrow = make_rule(world, "contract_expiring", {"days": 20})
    alerts_evaluate(today=TODAY, rules=[narrow])
    assert _keys(narrow) == set()


def test_same_condition_is_one_alert_and_refreshes(world):
    rule = make_rule(world, "contract_expiring", {"days": 30})
    alerts_evaluate(today=TODAY)
    first = Alert.objects.get(rule=rule, vendor=world.vendor_a)
    summary = alerts_evaluate(today=TODAY + dt.timedelta(days=1))
    assert Alert.objects.filter(rule=rule).count() == 2
    assert summary.created == 0 and summary.refreshed == 2
    first.refresh_from_db()
    assert first.last_seen_at > first.first_seen_at
    assert "还剩 20 天" in first.message


def test_cleared_condition_resolves_and_recurrence_opens_a_new_alert(world):
    rule = make_rule(world, "contract_expiring", {"days": 30}, vendor=world.vendor_a)
    alerts_evaluate(today=TODAY)
    first = Alert.objects.get(rule=rule)
    type(world.contract_a).objects.filter(pk=world.contract_a.pk).update(status="terminated")
    assert alerts_evaluate(today=TODAY).resolved == 1
    first.refresh_from_db()
    assert first.state == AlertState.RESOLVED and "自动" in first.resolve_note and first.resolved_by is None
    type(world.contract_a).objects.filter(pk=world.contract_a.pk).update(status="active")
    assert alerts_evaluate(today=TODAY).created == 1
    assert Alert.objects.filter(rule=rule).count() == 2
    assert Alert.objects.filter(rule=rule, state="open").exclude(pk=first.pk).get().dedup_key == first.dedup_key


def test_acknowledged_alert_is_not_duplicated(world):
    from outperform.alerts.services import alert_acknowledge

    rule = make_rule(world, "contract_expiring", {"days": 30}, vendor=world.vendor_a)
    alerts_evaluate(today=TODAY)
    alert_acknowledge(actor=world.users["hr"], alert=Alert.objects.get(rule=rule), note="已联系服务商")
    alerts_evaluate(today=TODAY)
    assert Alert.objects.filter(rule=rule).count() == 1
    assert Alert.objects.get(rule=rule).state == AlertState.ACKNOWLEDGED


def test_auto_resolve_off_keeps_alert_open(world):
    rule = make_rule(world, "contract_expiring", {"days": 30}, vendor=world.vendor_a, auto_resolve=False)
    alerts_evaluate(today=TODAY)
    type(world.contract_a).objects.filter(pk=world.contract_a.pk).update(status="terminated")
    alerts_evaluate(today=TODAY)
    assert Alert.objects.get(rule=rule).state == AlertState.OPEN


def test_owner_modes(world):
    vm = make_rule(world, "contract_expiring", {"days": 30}, owner_mode="vendor_manager", owner=world.users["hr"])
    alerts_evaluate(today=TODAY)
    owners = dict(Alert.objects.filter(rule=vm).values_list("vendor_id", "owner_id"))
    # vendor A has a vendor manager; vendor B none → the rule's own owner
    assert owners == {world.vendor_a.pk: world.users["vendor_manager"].pk, world.vendor_b.pk: world.users["hr"].pk}


def test_new_alerts_are_announced_once(world):
    channel = Channel.objects.create(name="运营群", kind=ChannelKind.WECOM, webhook_url="http://127.0.0.1:9/hook?key=k")
    rule = make_rule(world, "contract_expiring", {"days": 30}, owner=world.users["supervisor"])
    rule.channels.add(channel)
    type(world.users["supervisor"]).objects.filter(pk=world.users["supervisor"].pk).update(email="s@example.cn")
    alerts_evaluate(today=TODAY)
    # in-app: one per alert to the owner; e-mail: one digest to the owner; the group bot: one digest
    assert Notification.objects.filter(user=world.users["supervisor"], kind="alert").count() == 2
    assert Delivery.objects.filter(channel_kind="email", recipient=world.users["supervisor"]).count() == 1
    bot = Delivery.objects.get(channel=channel)
    assert "新增 2 条预警" in bot.title and bot.body.count("\n") == 1
    alerts_evaluate(today=TODAY)
    assert Notification.objects.count() == 2 and Delivery.objects.count() == 2


def test_creation_and_auto_resolution_are_audited(world):
    rule = make_rule(world, "contract_expiring", {"days": 30}, vendor=world.vendor_a)
    alerts_evaluate(today=TODAY)
    alert = Alert.objects.get(rule=rule)
    ct = ContentType.objects.get_for_model(Alert)
    assert AuditLog.objects.filter(content_type=ct, object_id=str(alert.pk), action="create").count() == 1
    type(world.contract_a).objects.filter(pk=world.contract_a.pk).update(status="terminated")
    alerts_evaluate(today=TODAY)
    row = AuditLog.objects.get(content_type=ct, object_id=str(alert.pk), action="update")
    assert row.changes["state"] == ["open", "resolved"] and row.actor is None


def test_query_count_does_not_grow_with_contracts(world):
    rule = make_rule(world, "contract_expiring", {"days": 30}, owner_mode="vendor_manager")
    with CaptureQueriesContext(connection) as small:
        alerts_evaluate(today=TODAY, rules=[rule])
    Alert.objects.all().delete()
    for _i in range(15):
        ContractFactory(vendor=VendorFactory(), end_date=TODAY + dt.timedelta(days=5))
    with CaptureQueriesContext(connection) as large:
        alerts_evaluate(today=TODAY, rules=[rule])
    assert Alert.objects.filter(rule=rule).count() == 17
    assert len(small.captured_queries) == len(large.captured_queries)


def test_rule_scope_filters(world):
    by_vendor = make_rule(world, "contract_expiring", {"days": 30}, vendor=world.vendor_b)
    by_department = make_rule(world, "contract_expiring", {"days": 30}, department=world.ops)
    alerts_evaluate(today=TODAY)
    assert _keys(by_vendor) == {f"contract:{world.contract_b.pk}:2026-12-31"}
    assert _keys(by_department) == set()  # contracts belong to no department


def test_placeholder_kinds_report_missing_source(world, monkeypatch):
    from outperform.alerts import kinds

    rule = make_rule(world, "sla_breach", {})
    # As when outperform.records is not installed: the kind stays registered, its source unavailable.
    real = kinds.get_kind("sla_breach")
    monkeypatch.setitem(kinds._REGISTRY, "sla_breach", kinds.Kind(
        key="sla_breach", label=real.label, evaluator=real.evaluator, params_schema=real.params_schema,
        available=lambda: False, source="outperform.records"))
    summary = alerts_evaluate(today=TODAY)
    rule.refresh_from_db()
    assert rule.last_status == RuleStatus.SOURCE_MISSING and "outperform.records" in rule.last_message
    assert summary.as_dict()["not_run"] == [rule.pk]
    assert not Alert.objects.exists()


def test_evaluate_for_runs_only_that_kind(world):
    contracts = make_rule(world, "contract_expiring", {"days": 30})
    other = make_rule(world, "fail_streak", {})
    summary = alerts_evaluate_for("contract_expiring", today=TODAY)
    assert [r.rule_id for r in summary.rules] == [contracts.pk]
    other.refresh_from_db()
    assert other.last_evaluated_at is None


def test_disabled_rules_are_skipped(world):
    make_rule(world, "contract_expiring", {"days": 30}, enabled=False)
    assert alerts_evaluate(today=TODAY).rules == []


# --- cycle deadlines -----------------------------------------------------------------------------


def _sup(world, key):  # type: ignore[no-untyped-def]
    return RaterAssignment.objects.get(appraisal__worker=world.workers[key], role="supervisor")


def test_evaluation_deadline(world, template):
    cycle = open_cycle(world, template)
    RaterAssignment.objects.filter(cycle=cycle).update(due_date=None)
    due = {"a_ops_cs": TODAY + dt.timedelta(days=2), "b_ops": TODAY - dt.timedelta(days=1),
           "a_tech": TODAY - dt.timedelta(days=5), "b_tech": TODAY + dt.timedelta(days=10)}
    for key, d in due.items():
        RaterAssignment.objects.filter(pk=_sup(world, key).pk).update(due_date=d)
    RaterAssignment.objects.filter(pk=_sup(world, "a_tech").pk).update(state=AssignmentState.SUBMITTED)
    rule = make_rule(world, "evaluation_deadline", {"days_before": 3}, severity="info", owner_mode="supervisor")
    alerts_evaluate(today=TODAY)
    assert _keys(rule) == {f"evaluation:{_sup(world, 'a_ops_cs').pk}:soon",
                           f"evaluation:{_sup(world, 'b_ops').pk}:missed"}
    missed = Alert.objects.get(dedup_key__endswith=":missed")
    assert missed.severity == "warning" and "逾期 1 天" in missed.message
    assert missed.department == world.ops and missed.vendor == world.vendor_b
    assert missed.owner == world.users["supervisor"]  # the worker's supervisor
    only_missed = make_rule(world, "evaluation_deadline", {"when": "missed"})
    alerts_evaluate(today=TODAY, rules=[only_missed])
    assert _keys(only_missed) == {f"evaluation:{_sup(world, 'b_ops').pk}:missed"}
    # A day later a_ops_cs is still "soon"; three days later it is missed: the "soon" alert resolves.
    alerts_evaluate(today=TODAY + dt.timedelta(days=3), rules=[rule])
    assert _keys(rule) == {f"evaluation:{_sup(world, 'a_ops_cs').pk}:missed",
                           f"evaluation:{_sup(world, 'b_ops').pk}:missed"}


def test_goal_deadline(world, template):
    cycle = open_cycle(world, template)
    Cycle.objects.filter(pk=cycle.pk).update(goals_due=TODAY + dt.timedelta(days=2))
    agreed = Appraisal.objects.get(cycle=cycle, worker=world.workers["a_ops_cs"])
    pending = Appraisal.objects.get(cycle=cycle, worker=world.workers["b_ops"])
    Goal.objects.create(appraisal=agreed, title="接通率", measure="月度", target="95%", status=GoalStatus.AGREED,
                        proposed_by=world.users["supervisor"])
    Goal.objects.create(appraisal=pending, title="接通率", measure="月度", target="95%",
                        proposed_by=world.users["supervisor"])
    rule = make_rule(world, "goal_deadline", {"days_before": 3})
    alerts_evaluate(today=TODAY)
    others = Appraisal.objects.filter(cycle=cycle).exclude(pk__in=[agreed.pk, pending.pk])
    assert _keys(rule) == {f"goals:{pending.pk}:soon"} | {f"goals:{a.pk}:soon" for a in others}
    assert "0/1 项已确认" in Alert.objects.get(dedup_key=f"goals:{pending.pk}:soon").message


def _publish(cycle, state=CycleState.PUBLISHED):  # type: ignore[no-untyped-def]
    Cycle.objects.filter(pk=cycle.pk).update(state=state)


def test_interview_deadline(world, template):
    cycle = open_cycle(world, template)
    _publish(cycle)
    published = timezone.make_aware(dt.datetime(2026, 11, 28, 10))  # deadline 28 Nov + 14 = 12 Dec
    late = timezone.make_aware(dt.datetime(2026, 11, 20, 10))  # deadline 4 Dec: missed
    early = timezone.make_aware(dt.datetime(2026, 12, 5, 10))  # deadline 19 Dec: not yet
    rows = {k: Appraisal.objects.get(cycle=cycle, worker=world.workers[k]) for k in ("a_ops_cs", "b_ops", "a_tech")}
    Appraisal.objects.filter(pk=rows["a_ops_cs"].pk).update(published_at=published, grade="D", grade_name="不合格")
    Appraisal.objects.filter(pk=rows["b_ops"].pk).update(published_at=late, grade="C", grade_name="合格")
    Appraisal.objects.filter(pk=rows["a_tech"].pk).update(published_at=early)
    held = Appraisal.objects.get(cycle=cycle, worker=world.workers["b_tech"])
    Appraisal.objects.filter(pk=held.pk).update(published_at=late)
    Interview.objects.create(appraisal=held, held_on=TODAY, participants="主管", interviewer=world.users["supervisor"])
    rule = make_rule(world, "interview_deadline", {"within_days": 14, "days_before": 3})
    alerts_evaluate(today=TODAY)
    assert _keys(rule) == {f"interview:{rows['a_ops_cs'].pk}:soon", f"interview:{rows['b_ops'].pk}:missed"}
    failing_only = make_rule(world, "interview_deadline", {"grades": "D"})
    alerts_evaluate(today=TODAY, rules=[failing_only])
    assert _keys(failing_only) == {f"interview:{rows['a_ops_cs'].pk}:soon"}


def test_appeal_deadline(world, template):
    cycle = open_cycle(world, template)
    appraisal = Appraisal.objects.get(cycle=cycle, worker=world.workers["a_ops_cs"])
    old = Appeal.objects.create(appraisal=appraisal, submitted_by=world.users["worker"], reason="不认可")
    new = Appeal.objects.create(appraisal=appraisal, submitted_by=world.users["worker"], reason="补充")
    done = Appeal.objects.create(appraisal=appraisal, submitted_by=world.users["worker"], reason="x", state="rejected")
    Appeal.objects.filter(pk__in=[old.pk, done.pk]).update(created_at=timezone.make_aware(dt.datetime(2026, 12, 1, 9)))
    Appeal.objects.filter(pk=new.pk).update(created_at=timezone.make_aware(dt.datetime(2026, 12, 9, 9)))
    rule = make_rule(world, "appeal_deadline", {"within_days": 7, "days_before": 2})
    alerts_evaluate(today=TODAY)
    # old: due 8 Dec, missed; new: due 16 Dec, more than 2 days ahead; done: decided
    assert _keys(rule) == {f"appeal:{old.pk}:missed"}


# --- results over consecutive cycles -------------------------------------------------------------


def _two_cycles(world, template):  # type: ignore[no-untyped-def]
    q3 = open_cycle(world, template, name="2026年第三季度")
    Cycle.objects.filter(pk=q3.pk).update(start_date=dt.date(2026, 7, 1), end_date=dt.date(2026, 9, 30))
    q4 = open_cycle(world, template, name="2026年第四季度")
    return q3, q4


def _result(cycle, world, key, grade, composite):  # type: ignore[no-untyped-def]
    names = {"A": "优秀", "B": "良好", "C": "合格", "D": "不合格"}
    Appraisal.objects.filter(cycle=cycle, worker=world.workers[key]).update(
        grade=grade, grade_name=names[grade], composite=Decimal(composite), published_at=timezone.now())


def test_fail_streak(world, template):
    q3, q4 = _two_cycles(world, template)
    _result(q3, world, "a_ops_cs", "D", "55"), _result(q4, world, "a_ops_cs", "D", "58")
    _result(q3, world, "a_tech", "C", "70"), _result(q4, world, "a_tech", "D", "50")
    _result(q3, world, "b_ops", "D", "40"), _result(q4, world, "b_ops", "C", "65")
    rule = make_rule(world, "fail_streak", {}, owner_mode="supervisor")
    alerts_evaluate(today=TODAY)
    assert _keys(rule) == {f"fail:{world.workers['a_ops_cs'].pk}"}
    alert = Alert.objects.get(rule=rule)
    assert "连续 2 次考核不合格" in alert.title
    assert "2026年第三季度、2026年第四季度" in alert.message
    assert alert.owner == world.users["supervisor"]
    # three in a row required: nobody qualifies
    three = make_rule(world, "fail_streak", {"times": 3})
    alerts_evaluate(today=TODAY, rules=[three])
    assert _keys(three) == set()
    # named grades instead of each template's lowest band
    by_name = make_rule(world, "fail_streak", {"grades": "合格,不合格"})
    alerts_evaluate(today=TODAY, rules=[by_name])
    assert _keys(by_name) == {f"fail:{world.workers[k].pk}" for k in ("a_ops_cs", "a_tech", "b_ops")}


def test_fail_streak_query_count_constant(world, template):
    q3, q4 = _two_cycles(world, template)
    rule = make_rule(world, "fail_streak", {})
    _result(q3, world, "a_ops_cs", "D", "55"), _result(q4, world, "a_ops_cs", "D", "58")
    with CaptureQueriesContext(connection) as small:
        alerts_evaluate(today=TODAY, rules=[rule])
    Alert.objects.all().delete()
    for key in ("a_tech", "b_ops", "b_tech", "a_self"):
        _result(q3, world, key, "D", "55"), _result(q4, world, key, "D", "58")
    with CaptureQueriesContext(connection) as large:
        alerts_evaluate(today=TODAY, rules=[rule])
    assert Alert.objects.count() == 5
    assert len(small.captured_queries) == len(large.captured_queries)


def test_indicator_threshold_on_composite(world, template):
    q3, q4 = _two_cycles(world, template)
    _result(q3, world, "a_ops_cs", "C", "69.50"), _result(q4, world, "a_ops_cs", "C", "65")
    _result(q3, world, "b_ops", "C", "75"), _result(q4, world, "b_ops", "C", "60")
    _result(q3, world, "a_tech", "C", "70"), _result(q4, world, "a_tech", "C", "61")
    rule = make_rule(world, "indicator_threshold", {"threshold": "70", "op": "lt", "periods": 2})
    alerts_evaluate(today=TODAY)
    # a_ops_cs 69.5 and 65 are both < 70; b_ops 75 is not; a_tech 70 is not < 70
    assert _keys(rule) == {f"indicator:composite:worker:{world.workers['a_ops_cs'].pk}"}
    assert "69.5、" in Alert.objects.get(rule=rule).message
    le = make_rule(world, "indicator_threshold", {"threshold": "70", "op": "le", "periods": 2})
    alerts_evaluate(today=TODAY, rules=[le])
    assert _keys(le) == {f"indicator:composite:worker:{world.workers[k].pk}" for k in ("a_ops_cs", "a_tech")}


def test_indicator_threshold_on_a_metric(world, template):
    q3, q4 = _two_cycles(world, template)
    for cycle, values in ((q3, {"a_ops_cs": "0.80", "b_ops": "0.95"}), (q4, {"a_ops_cs": "0.85", "b_ops": "0.70"})):
        for key, value in values.items():
            appraisal = Appraisal.objects.get(cycle=cycle, worker=world.workers[key])
            MetricValue.objects.create(appraisal=appraisal, cycle=cycle, metric="answer_rate", value=Decimal(value))
    rule = make_rule(world, "indicator_threshold", {"measure": "answer_rate", "threshold": "0.9", "op": "lt"})
    alerts_evaluate(today=TODAY)
    assert _keys(rule) == {f"indicator:answer_rate:worker:{world.workers['a_ops_cs'].pk}"}
    one_period = make_rule(world, "indicator_threshold", {"measure": "answer_rate", "threshold": "0.9",
                                                          "periods": 1})
    alerts_evaluate(today=TODAY, rules=[one_period])
    assert _keys(one_period) == {f"indicator:answer_rate:worker:{world.workers[k].pk}" for k in ("a_ops_cs", "b_ops")}


def test_broken_rule_does_not_stop_the_others(world, monkeypatch):
    from outperform.alerts import kinds

    def boom(ctx):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    bad = make_rule(world, "contract_expiring", {"days": 30}, name="a")
    good = make_rule(world, "fail_streak", {}, name="b")
    real = kinds._REGISTRY["contract_expiring"]
    monkeypatch.setitem(kinds._REGISTRY, "contract_expiring", kinds.Kind(
        key=real.key, label=real.label, evaluator=boom, params_schema=real.params_schema))
    summary = alerts_evaluate(today=TODAY)
    bad.refresh_from_db(), good.refresh_from_db()
    assert bad.last_status == RuleStatus.ERROR and "boom" in bad.last_message
    assert good.last_status == RuleStatus.OK
    assert len(summary.rules) == 2
