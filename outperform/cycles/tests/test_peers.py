"""Peers chosen by the supervisor (互评人产生方式 = 上级指定).

The cycle covers OPS (so OPS-CS too). People with a log-in: a_self (OPS, the worker account) and
同事一 / 同事二 / 同事三 (OPS). a_ops_cs (OPS-CS, no log-in) shares team 热线一组 with 同事一.
Every worker reports to the supervisor account. Eligible colleagues (log-in, 在岗, same department
or team, not the subject, not the supervisor):

    a_self    (OPS)    : 同事一, 同事二, 同事三          → 3, required min(peer_count 2, 3) = 2
    a_ops_cs  (OPS-CS) : nobody in OPS-CS; 同事一 by team → 1, required min(2, 1) = 1
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outperform.core.models import AuditLog
from outperform.cycles.models import Appraisal, Cycle, CycleState, RaterAssignment, Team
from outperform.cycles.peers import pending_peer_choices
from outperform.cycles.services import (
    appraisal_peers_set,
    assignment_save,
    cycle_advance,
    cycle_blockers,
    cycle_move_back,
    cycle_open,
)
from outperform.testing.factories import UserFactory, WorkerFactory
from outperform.testing.templates import make_template
from outperform.workers.models import Worker

from .helpers_web import advance, submit_all

pytestmark = pytest.mark.django_db
ROLES = ["self", "supervisor", "peer"]


@pytest.fixture
def setup(world):  # type: ignore[no-untyped-def]
    template = make_template(code="T-PEER", role_weights={"self": "20", "supervisor": "50", "peer": "30"},
                             indicators=[{"code": "P1", "weight": 60, "rater_roles": ROLES},
                                         {"code": "P2", "weight": 40, "rater_roles": ROLES}])
    colleagues = [WorkerFactory(vendor=world.vendor_a, department=world.ops, position=world.position,
                                user=UserFactory(username=f"colleague{i}"), name=name)
                  for i, name in enumerate(["同事一", "同事二", "同事三"], 1)]
    team = Team.objects.create(code="TM1", name="热线一组", department=world.ops_cs)
    team.members.set([world.workers["a_ops_cs"], colleagues[0]])
    Worker.objects.update(supervisor=world.users["supervisor"])
    cycle = Cycle.objects.create(name="2026年第四季度", start_date=dt.date(2026, 10, 1), end_date=dt.date(2026, 12, 31),
                                 default_template=template, seed=7, peer_count=2, peer_selection="supervisor",
                                 review_due=dt.date(2026, 12, 31))
    cycle.departments.set([world.ops])
    cycle_open(actor=world.users["hr"], cycle=cycle)
    cycle.refresh_from_db()
    return cycle, colleagues


def _appraisal(worker):  # type: ignore[no-untyped-def]
    return Appraisal.objects.select_related("cycle", "cycle_template").get(worker=worker)


def _peers(appraisal) -> set[str]:  # type: ignore[no-untyped-def]
    return set(RaterAssignment.objects.filter(appraisal=appraisal, role="peer").values_list("rater__username", flat=True))


def test_opening_draws_no_peers_and_the_move_to_review_waits_for_them(world, setup):
    """OPS subtree: a_self, b_ops, a_ops_cs and the three colleagues = 6 appraisals, none with peers."""
    cycle, colleagues = setup
    hr = world.users["hr"]
    assert Appraisal.objects.filter(cycle=cycle).count() == 6
    assert not RaterAssignment.objects.filter(cycle=cycle, role="peer").exists()
    cycle = advance(cycle, hr, CycleState.IN_PROGRESS, CycleState.SELF_REVIEW)
    submit_all(cycle, "self", {"P1": ("80", ""), "P2": ("80", "")})
    assert cycle_blockers(cycle, CycleState.REVIEW) == [
        "6 份考核尚未指定同事评价人 / 6 appraisals have no peers chosen yet"]
    with pytest.raises(ValidationError) as exc:
        cycle_advance(actor=hr, cycle=cycle, target=CycleState.REVIEW)
    assert "6 份考核尚未指定同事评价人" in exc.value.messages[0]
    mine = _appraisal(world.workers["a_self"])
    appraisal_peers_set(actor=world.users["supervisor"], appraisal=mine, workers=[c.pk for c in colleagues[:2]])
    assert "5 份考核尚未指定同事评价人" in cycle_blockers(cycle, CycleState.REVIEW)[0]


def test_the_supervisor_chooses_exactly_the_count_among_eligible_colleagues(world, setup):
    cycle, (one, two, three) = setup
    sup = world.users["supervisor"]
    mine = _appraisal(world.workers["a_self"])
    with pytest.raises(ValidationError) as exc:
        appraisal_peers_set(actor=sup, appraisal=mine, workers=[one.pk])
    assert "须指定 2 名同事评价人，当前 1 名" in exc.value.message_dict["workers"][0]
    with pytest.raises(ValidationError) as exc:  # the subject, and someone of TECH
        appraisal_peers_set(actor=sup, appraisal=mine, workers=[world.workers["a_self"].pk, world.workers["a_tech"].pk])
    assert (f"ID {world.workers['a_self'].pk}、{world.workers['a_tech'].pk} 不是可选的同事"
            in exc.value.message_dict["workers"][0])
    chosen = appraisal_peers_set(actor=sup, appraisal=mine, workers=[one.pk, two.pk])
    assert {a.rater.username for a in chosen} == {"colleague1", "colleague2"}
    assert {a.due_date for a in chosen} == {dt.date(2026, 12, 31)} and {a.state for a in chosen} == {"pending"}
    row = AuditLog.objects.get(object_id=str(mine.pk), reason="peers chosen")
    assert row.changes["peers"] == [[], sorted([f"同事一（{one.employee_no}）", f"同事二（{two.employee_no}）"])]
    # changed before 评价: 同事二 out, 同事三 in
    appraisal_peers_set(actor=sup, appraisal=mine, workers=[one.pk, three.pk])
    assert _peers(mine) == {"colleague1", "colleague3"}
    # a_ops_cs: one eligible colleague (同事一, by team), so exactly one
    theirs = _appraisal(world.workers["a_ops_cs"])
    appraisal_peers_set(actor=sup, appraisal=theirs, workers=[one.pk])
    assert _peers(theirs) == {"colleague1"}


def test_who_may_choose_and_until_when(world, setup):
    cycle, (one, two, three) = setup
    hr = world.users["hr"]
    mine = _appraisal(world.workers["a_self"])
    for role in ("vendor_manager", "worker", "auditor"):
        with pytest.raises(PermissionDenied):
            appraisal_peers_set(actor=world.users[role], appraisal=mine, workers=[one.pk, two.pk])
    appraisal_peers_set(actor=hr, appraisal=mine, workers=[one.pk, two.pk])  # HR can do it too
    for a in Appraisal.objects.filter(cycle=cycle).exclude(pk=mine.pk).select_related("cycle", "cycle_template"):
        pool = list(Worker.objects.filter(user__isnull=False, department=a.department).exclude(pk=a.worker_id)
                    .values_list("pk", flat=True))
        if a.worker_id == world.workers["a_ops_cs"].pk:
            pool = [one.pk]
        appraisal_peers_set(actor=hr, appraisal=a, workers=pool[:2])
    cycle = advance(cycle, hr, CycleState.IN_PROGRESS, CycleState.SELF_REVIEW)
    submit_all(cycle, "self", {"P1": ("80", ""), "P2": ("80", "")})
    cycle = advance(cycle, hr, CycleState.REVIEW)
    with pytest.raises(ValidationError) as exc:
        appraisal_peers_set(actor=hr, appraisal=mine, workers=[one.pk, two.pk])
    assert "当前阶段（评价）不能进行此操作" in exc.value.messages[0]
    # 同事一 starts rating; back in 自评 they cannot be taken off
    started = RaterAssignment.objects.get(appraisal=mine, role="peer", rater__username="colleague1")
    assignment_save(actor=started.rater, assignment=started, values={"P1": ("80", "")}, submit=False)
    cycle = cycle_move_back(actor=hr, cycle=cycle, target=CycleState.SELF_REVIEW, reason="补充互评人")
    with pytest.raises(ValidationError) as exc:
        appraisal_peers_set(actor=hr, appraisal=mine, workers=[two.pk, three.pk])
    assert f"同事一（{one.employee_no}） 已开始评价，不能移除" in exc.value.message_dict["workers"][0]


def test_pages_list_choose_and_search(world, setup, client_for):
    cycle, (one, two, three) = setup
    sup, vm, me = client_for("supervisor"), client_for("vendor_manager"), client_for("worker")
    mine = _appraisal(world.workers["a_self"])
    todo = reverse("cycles:peer_choices", args=[cycle.pk])
    body = sup.get(todo, {"pending": "1"}).content.decode()
    assert body.count('data-testid="peer-pending-row"') == 6
    assert "互评人由上级指定" in sup.get(reverse("cycles:cycles_detail", args=[cycle.pk])).content.decode()
    page = reverse("cycles:peer_choose", args=[mine.pk])
    body = sup.get(page).content.decode()
    assert "须指定恰好 <strong>2</strong> 名同事（可选同事共 3 名" in body
    # the search offers the eligible colleagues, never the subject
    found = sup.get(reverse("cycles:peer_search", args=[mine.pk]), {"q": ""}).content.decode()
    assert {f'data-value="{w.pk}"' in found for w in (one, two, three)} == {True}
    assert f'data-value="{world.workers["a_self"].pk}"' not in found
    refused = sup.post(page, {"workers": [one.pk]})
    assert refused.status_code == 400 and "须指定 2 名同事评价人，当前 1 名" in refused.content.decode()
    done = sup.post(page, {"workers": [one.pk, two.pk]})
    assert done.status_code == 302
    assert _peers(mine) == {"colleague1", "colleague2"}
    assert sup.get(todo, {"pending": "1"}).content.decode().count('data-testid="peer-pending-row"') == 5
    # the vendor manager sees the appraisal but may not choose; the subject neither
    assert vm.get(page).status_code == 403 and me.get(page).status_code == 403
    assert vm.post(page, {"workers": [one.pk, three.pk]}).status_code == 403


def test_api_get_put_candidates_and_list(world, setup, api_for):
    cycle, (one, two, _three) = setup
    sup = api_for("supervisor")
    mine = _appraisal(world.workers["a_self"])
    url = f"/api/v1/appraisals/{mine.pk}/peers/"
    data = sup.get(url).json()
    assert (data["required"], data["eligible"], data["editable"], data["peers"]) == (2, 3, True, [])
    bad = sup.put(url, {"workers": [one.pk]}, format="json")
    assert bad.status_code == 400 and "须指定 2 名同事评价人" in bad.json()["workers"][0]
    data = sup.put(url, {"workers": [one.pk, two.pk]}, format="json").json()
    assert sorted(p["worker"] for p in data["peers"]) == sorted([one.pk, two.pk]) and data["chosen_at"]
    candidates = sup.get(f"/api/v1/appraisals/{mine.pk}/peer-candidates/", {"q": "同事"}).json()
    assert len(candidates["results"]) == 3 and not candidates["more"]
    listing = sup.get("/api/v1/appraisals/peer-choices/", {"cycle": cycle.pk, "pending": "true"}).json()
    assert (listing["count"], listing["pending"]) == (5, 5)
    assert api_for("worker").get(url).status_code == 403
    assert api_for("worker").put(url, {"workers": [one.pk, two.pk]}, format="json").status_code == 403


def test_my_todo_counts_pending_choices(world, setup):
    cycle, (one, two, _three) = setup
    sup = world.users["supervisor"]
    assert [(p["cycle_name"], p["count"]) for p in pending_peer_choices(sup)] == [("2026年第四季度", 6)]
    appraisal_peers_set(actor=sup, appraisal=_appraisal(world.workers["a_self"]), workers=[one.pk, two.pk])
    assert [p["count"] for p in pending_peer_choices(sup)] == [5]
    assert pending_peer_choices(world.users["worker"]) == []


def test_peer_list_page_is_a_constant_number_of_queries(world, setup, client_for):
    cycle, _colleagues = setup
    sup = client_for("supervisor")
    url = reverse("cycles:peer_choices", args=[cycle.pk])

    def count() -> int:
        sup.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert sup.get(url, {"per_page": 200}).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    WorkerFactory.create_batch(20, vendor=world.vendor_a, department=world.ops, position=world.position,
                               supervisor=world.users["supervisor"])
    cycle_open(actor=world.users["hr"], cycle=cycle)  # the new joiners
    assert Appraisal.objects.filter(cycle=cycle).count() == 26
    assert count() == small


def test_random_stays_the_default(world, template):
    cycle = Cycle.objects.create(name="默认", start_date=dt.date(2026, 10, 1), end_date=dt.date(2026, 12, 31),
                                 default_template=template)
    assert cycle.peer_selection == "random"


def test_the_page_warns_when_the_choosers_scope_holds_too_few(world, setup, client_for):
    """a_ops_cs's team also holds 研发同事 of TECH: eligible 同事一 + 研发同事 = 2, required
    min(2, 2) = 2; the supervisor (OPS subtree) can reach 同事一 only, so the page says so, and
    HR (whole organisation) can choose both."""
    cycle, (one, _two, _three) = setup
    tech = WorkerFactory(vendor=world.vendor_b, department=world.tech, position=world.position,
                         user=UserFactory(username="tech1"), name="研发同事")
    Team.objects.get(code="TM1").members.add(tech)
    theirs = _appraisal(world.workers["a_ops_cs"])
    page = reverse("cycles:peer_choose", args=[theirs.pk])
    body = client_for("supervisor").get(page).content.decode()
    assert "须指定恰好 <strong>2</strong> 名同事（可选同事共 2 名" in body
    assert "您的范围内只有 1 名可选同事" in body
    assert "您的范围内只有" not in client_for("hr").get(page).content.decode()
    assert client_for("hr").post(page, {"workers": [one.pk, tech.pk]}).status_code == 302
    assert _peers(theirs) == {"colleague1", "tech1"}


def test_supervisors_are_reminded_of_peers_still_to_choose(world, setup):
    """Self-review due 2026-11-12; on 11-10 (within the 3 reminder days) the supervisor rater of all six
    appraisals gets one reminder naming 6; once a_self's peers are chosen, the next day's names 5; HR and
    the workers get none; a second run the same day adds nothing."""
    from outperform.notifications.models import Notification
    from outperform.notifications.services import send_reminders

    cycle, colleagues = setup
    Cycle.objects.filter(pk=cycle.pk).update(self_review_due=dt.date(2026, 11, 12), goals_due=None)
    assert send_reminders(dt.date(2026, 11, 8)) == 0  # 4 days before: not yet
    assert send_reminders(dt.date(2026, 11, 10)) == 1
    assert send_reminders(dt.date(2026, 11, 10)) == 0
    note = Notification.objects.get(kind="peer_choice_due")
    assert note.user == world.users["supervisor"]
    assert "6 位考核对象尚未指定同事评价人" in note.body
    assert note.url == reverse("cycles:peer_choices", args=[cycle.pk]) + "?pending=1"
    appraisal_peers_set(actor=world.users["supervisor"], appraisal=_appraisal(world.workers["a_self"]),
                        workers=[c.pk for c in colleagues[:2]])
    assert send_reminders(dt.date(2026, 11, 11)) == 1
    latest = Notification.objects.filter(kind="peer_choice_due").order_by("-id").first()
    assert latest is not None and "5 位考核对象" in latest.body


def test_my_evaluations_shows_the_pending_choice(world, setup, client_for):
    cycle, _colleagues = setup
    body = client_for("supervisor").get(reverse("cycles:my_evaluations")).content.decode()
    assert 'data-testid="peer-choices-todo"' in body and "6 位考核对象待指定同事评价人" in body
    assert reverse("cycles:peer_choices", args=[cycle.pk]) + "?pending=1" in body
    assert "peer-choices-todo" not in client_for("worker").get(reverse("cycles:my_evaluations")).content.decode()
