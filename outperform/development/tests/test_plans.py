"""Improvement plans: legal and illegal transitions, milestones, check-ins, reminders."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from outperform.core.models import AuditLog
from outperform.development import services
from outperform.development.models import ImprovementPlan, PlanCheckIn, PlanMilestone, PlanState
from outperform.notifications.models import Notification
from outperform.testing.crud import audit_rows


@pytest.fixture
def plan(world):  # type: ignore[no-untyped-def]
    w = world.workers["a_self"]  # OPS, vendor A, the worker log-in
    return ImprovementPlan.objects.create(
        worker=w, department_id=w.department_id, vendor_id=w.vendor_id, title="服务质量改进", problems="投诉多",
        owner=world.users["supervisor"], start_date=dt.date(2026, 10, 1), deadline=dt.date(2026, 12, 31))


@pytest.mark.django_db
def test_the_happy_path_with_an_extension(world, plan):
    hr = world.users["hr"]
    plan = services.plan_transition(actor=hr, plan=plan, action="activate")
    assert plan.state == PlanState.ACTIVE
    plan = services.plan_transition(actor=hr, plan=plan, action="extend", note="需要更多时间",
                                    deadline=dt.date(2027, 1, 31), on=dt.date(2026, 12, 30))
    assert (plan.state, plan.outcome, plan.deadline) == (PlanState.EXTENDED, "extended", dt.date(2027, 1, 31))
    plan = services.plan_transition(actor=hr, plan=plan, action="pass", note="投诉清零", on=dt.date(2027, 1, 30))
    assert (plan.state, plan.outcome, plan.outcome_date, plan.outcome_note) == (
        PlanState.PASSED, "passed", dt.date(2027, 1, 30), "投诉清零")
    assert audit_rows(plan).filter(action="update").count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize(("state", "action"), [
    ("draft", "pass"), ("draft", "extend"), ("draft", "fail"), ("active", "activate"), ("passed", "activate"),
    ("passed", "close"), ("failed", "extend"), ("closed", "activate"), ("extended", "activate"),
])
def test_illegal_transitions_are_refused_and_write_nothing(world, plan, state, action):
    ImprovementPlan.objects.filter(pk=plan.pk).update(state=state)
    plan.refresh_from_db()
    audits = AuditLog.objects.count()
    with pytest.raises(ValidationError):
        services.plan_transition(actor=world.users["hr"], plan=plan, action=action, note="x",
                                 deadline=dt.date(2027, 6, 30))
    plan.refresh_from_db()
    assert plan.state == state and AuditLog.objects.count() == audits


@pytest.mark.django_db
def test_extend_needs_a_later_deadline_and_a_note(world, plan):
    ImprovementPlan.objects.filter(pk=plan.pk).update(state="active")
    plan.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.plan_transition(actor=world.users["hr"], plan=plan, action="extend", note="x",
                                 deadline=dt.date(2026, 12, 31))
    assert "deadline" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.plan_transition(actor=world.users["hr"], plan=plan, action="fail")
    assert "note" in exc.value.message_dict


@pytest.mark.django_db
def test_who_may_move_a_plan(world, plan):
    ImprovementPlan.objects.filter(pk=plan.pk).update(state="active")
    for role in ("worker", "vendor_manager", "auditor"):
        with pytest.raises(PermissionDenied):
            services.plan_transition(actor=world.users[role], plan=plan, action="pass")
    plan = services.plan_transition(actor=world.users["supervisor"], plan=plan, action="pass")
    assert plan.state == PlanState.PASSED


@pytest.mark.django_db
def test_plan_page_actions(world, plan, client_for):
    sup = client_for("supervisor")
    url = reverse("development:plans_detail", args=[plan.pk])
    assert sup.post(reverse("development:plan_transition", args=[plan.pk]), {"action": "activate"}).status_code == 302
    r = sup.post(reverse("development:milestone_add", args=[plan.pk]), {"title": "第一次复盘", "due": "2026-10-15"})
    assert r.status_code == 302
    milestone = PlanMilestone.objects.get(plan=plan)
    assert audit_rows(milestone).filter(action="create").count() == 1
    assert sup.post(reverse("development:milestone_done", args=[milestone.pk])).status_code == 302
    milestone.refresh_from_db()
    assert milestone.done_at is not None
    r = sup.post(reverse("development:checkin_add", args=[plan.pk]), {"date": "2026-10-16", "note": "投诉减少两起"})
    assert r.status_code == 302
    checkin = PlanCheckIn.objects.get(plan=plan)
    assert checkin.author == world.users["supervisor"]
    # A bad transition re-renders the page with the reason (400), not a crash.
    r = sup.post(reverse("development:plan_transition", args=[plan.pk]), {"action": "extend", "note": "x",
                                                                           "deadline": "2026-11-01"})
    assert r.status_code == 400 and "新的截止日期须晚于原截止日期" in r.content.decode()
    page = sup.get(url)
    assert page.status_code == 200 and "投诉减少两起" in page.content.decode()
    # The worker sees their plan, without the forms, and cannot post.
    own = client_for("worker")
    body = own.get(url).content.decode()
    assert "投诉减少两起" in body and 'action="/development/plans/' not in body
    assert own.post(reverse("development:checkin_add", args=[plan.pk]), {"date": "2026-10-16",
                                                                        "note": "x"}).status_code == 403
    # Outside the scope: 404 (vendor B's manager would be; the world's manager holds vendor A, so use nobody).
    assert client_for("nobody").post(reverse("development:checkin_add", args=[plan.pk]),
                                     {"date": "2026-10-16", "note": "x"}).status_code == 404
    assert PlanCheckIn.objects.count() == 1


@pytest.mark.django_db
def test_finished_plans_take_no_more_check_ins(world, plan):
    ImprovementPlan.objects.filter(pk=plan.pk).update(state="failed")
    plan.refresh_from_db()
    with pytest.raises(ValidationError):
        services.checkin_add(actor=world.users["hr"], plan=plan, date=dt.date(2026, 12, 1), note="x")


@pytest.mark.django_db
def test_api_transition(world, plan, api_for):
    url = f"/api/v1/improvement-plans/{plan.pk}/transition/"
    assert api_for("hr").post(url, {"action": "pass"}, format="json").status_code == 400  # draft
    assert api_for("worker").post(url, {"action": "activate"}, format="json").status_code == 403
    # A supervisor may move plans, but not one outside their subtree: 404.
    w = world.workers["b_tech"]
    other = ImprovementPlan.objects.create(worker=w, department_id=w.department_id, vendor_id=w.vendor_id,
                                           title="其他", problems="x", start_date=dt.date(2026, 10, 1),
                                           deadline=dt.date(2026, 12, 31))
    assert api_for("supervisor").post(f"/api/v1/improvement-plans/{other.pk}/transition/", {"action": "activate"},
                                      format="json").status_code == 404
    r = api_for("supervisor").post(url, {"action": "activate"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "active"
    # State is read-only through a plain update.
    r = api_for("hr").patch(f"/api/v1/improvement-plans/{plan.pk}/", {"state": "passed"}, format="json")
    plan.refresh_from_db()
    assert plan.state == "active"


@pytest.mark.django_db
def test_reminders_before_milestones_and_deadlines_once_a_day(world, plan):
    ImprovementPlan.objects.filter(pk=plan.pk).update(state="active")
    today = dt.date(2026, 11, 10)
    PlanMilestone.objects.bulk_create([
        PlanMilestone(plan=plan, title="两天后", due=dt.date(2026, 11, 12)),   # within 3 days: due soon
        PlanMilestone(plan=plan, title="昨天", due=dt.date(2026, 11, 9)),     # overdue
        PlanMilestone(plan=plan, title="下月", due=dt.date(2026, 12, 10)),    # too far
        PlanMilestone(plan=plan, title="已完成", due=dt.date(2026, 11, 11), done_at=dt.date(2026, 11, 1)),
    ])
    # Two milestones × (owner + worker) = 4; the deadline (12-31) is too far.
    assert services.plan_reminders(today) == 4
    assert services.plan_reminders(today) == 0
    kinds = set(Notification.objects.values_list("user__username", "kind"))
    assert kinds == {("supervisor", "plan_milestone_due"), ("supervisor", "plan_milestone_overdue"),
                     ("worker", "plan_milestone_due"), ("worker", "plan_milestone_overdue")}
    # 2026-12-29: three open milestones are overdue (×2 people = 6) and the deadline 12-31 is within
    # three days (×2 = 2): 8, all new as the dedupe key names the day.
    assert services.plan_reminders(dt.date(2026, 12, 29)) == 8


@pytest.mark.django_db
def test_reminders_follow_each_persons_notification_preferences(world, plan):
    """The worker turned in-app off and e-mail on for "milestone due soon": they get one e-mail and no
    in-app notice; the supervisor (no saved choice) gets the default — in-app only."""
    from outperform.notifications.models import Delivery, NotificationPreference

    ImprovementPlan.objects.filter(pk=plan.pk).update(state="active")
    worker_user = world.users["worker"]
    worker_user.email = "worker@example.com"
    worker_user.save(update_fields=["email"])
    NotificationPreference.objects.bulk_create([
        NotificationPreference(user=worker_user, kind="plan_milestone_due", channel="inapp", enabled=False),
        NotificationPreference(user=worker_user, kind="plan_milestone_due", channel="email", enabled=True),
    ])
    PlanMilestone.objects.create(plan=plan, title="两天后", due=dt.date(2026, 11, 12))

    assert services.plan_reminders(dt.date(2026, 11, 10)) == 1  # the supervisor's in-app notice only
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["supervisor"]
    assert list(Delivery.objects.values_list("recipient__username", "channel_kind", "target")) == [
        ("worker", "email", "worker@example.com")]
