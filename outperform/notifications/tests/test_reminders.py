"""send_reminders: who gets what, once a day, in a constant number of queries."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outperform.cycles.models import (
    Appeal,
    AssignmentState,
    CycleState,
    Goal,
    RaterAssignment,
)
from outperform.notifications.models import Notification, NotificationKind
from outperform.notifications.services import send_reminders
from outperform.testing.factories import WorkerFactory

from .conftest import TODAY, open_cycle

pytestmark = pytest.mark.django_db


def _sup(world, key):  # type: ignore[no-untyped-def]
    return RaterAssignment.objects.get(appraisal__worker=world.workers[key], role="supervisor")


def _arrange(world, cycle):  # type: ignore[no-untyped-def]
    """a_ops_cs due in 2 days, b_ops overdue, a_tech submitted but overdue, b_tech due far ahead,
    a_self due tomorrow but a draft; the self-evaluation has no due date."""
    RaterAssignment.objects.filter(cycle=cycle).update(due_date=None)
    due = {"a_ops_cs": TODAY + dt.timedelta(days=2), "b_ops": TODAY - dt.timedelta(days=1),
           "a_tech": TODAY - dt.timedelta(days=5), "b_tech": TODAY + dt.timedelta(days=10),
           "a_self": TODAY + dt.timedelta(days=1)}
    for key, d in due.items():
        RaterAssignment.objects.filter(pk=_sup(world, key).pk).update(due_date=d)
    RaterAssignment.objects.filter(pk=_sup(world, "a_tech").pk).update(state=AssignmentState.SUBMITTED)
    RaterAssignment.objects.filter(pk=_sup(world, "a_self").pk).update(state=AssignmentState.DRAFT)


def test_due_soon_and_overdue_only(world, cycle):
    _arrange(world, cycle)
    assert send_reminders(today=TODAY) == 3
    sup = world.users["supervisor"]
    got = {(n.kind, n.url) for n in Notification.objects.all()}
    form = lambda key: reverse("cycles:evaluation_form", args=[_sup(world, key).pk])  # noqa: E731
    assert got == {
        (NotificationKind.EVALUATION_DUE_SOON, form("a_ops_cs")),
        (NotificationKind.EVALUATION_DUE_SOON, form("a_self")),
        (NotificationKind.EVALUATION_OVERDUE, form("b_ops")),
    }
    assert set(Notification.objects.values_list("user", flat=True)) == {sup.pk}
    overdue = Notification.objects.get(kind=NotificationKind.EVALUATION_OVERDUE)
    subject = _sup(world, "b_ops").appraisal.subject_name
    assert subject in overdue.title and "逾期" in overdue.title
    for text in (subject, cycle.name, str((TODAY - dt.timedelta(days=1)).isoformat()), "上级"):
        assert text in overdue.body, text


def test_archived_cycles_are_left_alone(world, cycle):
    _arrange(world, cycle)
    type(cycle).objects.filter(pk=cycle.pk).update(state=CycleState.ARCHIVED)
    assert send_reminders(today=TODAY) == 0
    assert not Notification.objects.exists()


def test_running_twice_the_same_day_creates_nothing_new(world, cycle):
    _arrange(world, cycle)
    assert send_reminders(today=TODAY) == 3
    assert send_reminders(today=TODAY) == 0
    assert Notification.objects.count() == 3
    # the next day reminds again (still open), a day further on a_ops_cs is still due soon
    assert send_reminders(today=TODAY + dt.timedelta(days=1)) == 3
    assert Notification.objects.count() == 6


def test_days_before_is_a_setting(world, cycle, settings):
    _arrange(world, cycle)
    settings.REMINDER_DAYS_BEFORE = 1
    assert send_reminders(today=TODAY) == 2  # a_self (tomorrow) and b_ops (overdue)


def _queries(today):  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        created = send_reminders(today=today)
    return created, len(ctx.captured_queries)


def test_query_count_does_not_grow_with_people(world, template):
    cycle = open_cycle(world, template)
    RaterAssignment.objects.filter(cycle=cycle).update(due_date=TODAY)
    small, small_q = _queries(TODAY)
    WorkerFactory.create_batch(27, vendor=world.vendor_a, department=world.ops_cs, position=world.position,
                               supervisor=world.users["supervisor"])
    from outperform.cycles.services import cycle_open

    cycle_open(actor=world.users["hr"], cycle=cycle)
    RaterAssignment.objects.filter(cycle=cycle).update(due_date=TODAY)
    Notification.objects.all().delete()
    large, large_q = _queries(TODAY)
    assert (small, large) == (6, 33)
    assert small_q == large_q


def test_appeals_waiting_reach_hr(world, cycle):
    appraisal = _sup(world, "a_ops_cs").appraisal
    appeal = Appeal.objects.create(appraisal=appraisal, submitted_by=world.users["worker"], reason="不认可")
    Appeal.objects.filter(pk=appeal.pk).update(created_at=dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC))
    RaterAssignment.objects.update(due_date=None)
    assert send_reminders(today=TODAY) == 1
    n = Notification.objects.get()
    assert (n.user, n.kind) == (world.users["hr"], NotificationKind.APPEAL_OPEN)
    assert n.url == reverse("cycles:appeals_detail", args=[appeal.pk])


def test_goals_not_agreed_before_goals_due(world, cycle):
    RaterAssignment.objects.update(due_date=None)
    type(cycle).objects.filter(pk=cycle.pk).update(goals_due=TODAY + dt.timedelta(days=2))
    appraisal = _sup(world, "a_self").appraisal
    Goal.objects.create(appraisal=appraisal, title="降低差错率", measure="质检", target="<1%",
                        proposed_by=world.users["worker"])
    assert cycle.state == CycleState.GOAL_SETTING
    assert send_reminders(today=TODAY) == 2
    assert set(Notification.objects.values_list("user", flat=True)) == {
        world.users["worker"].pk, world.users["supervisor"].pk}


def test_command_prints_the_count(world, cycle):
    _arrange(world, cycle)
    out = StringIO()
    call_command("send_reminders", "--date", TODAY.isoformat(), stdout=out)
    assert "3 notification(s) created" in out.getvalue()
    out = StringIO()
    call_command("send_reminders", stdout=out)  # today: runs, whatever it finds
    assert "notification(s) created" in out.getvalue()


def test_celery_task_runs_inline(world, cycle):
    from outperform.notifications.tasks import send_reminders_task

    assert send_reminders_task.delay().get() >= 0
