"""Role × scope, on the pages and in the API: who sees which training records, plans, suggestions,
commendations (private ones too) and articles (drafts too). Outside the scope answers 404."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from outperform.cycles.models import CycleState
from outperform.development.models import (
    Article,
    Commendation,
    DevelopmentRule,
    ImprovementPlan,
    Suggestion,
    TrainingRecord,
)
from outperform.testing.world import ROLES

WORKERS = ("a_ops_cs", "a_tech", "a_self", "b_ops", "b_tech")


def _rows(world, make):  # type: ignore[no-untyped-def]
    return {key: make(key, world.workers[key]) for key in WORKERS}


def check(world, client_for, api_for, route, api, objects, visible):  # type: ignore[no-untyped-def]
    """objects: {label: obj}; visible: {role: set of labels}."""
    for role in ROLES:
        web, rest = client_for(role), api_for(role)
        expected = visible[role]
        page = web.get(reverse(f"development:{route}_list"))
        assert page.status_code == 200, role
        assert page.context["page"].paginator.count == len(expected), role
        listed = rest.get(api)
        assert listed.status_code == 200, role
        assert {o["id"] for o in listed.json()["results"]} == {objects[k].pk for k in expected}, role
        for label, obj in objects.items():
            want = 200 if label in expected else 404
            assert web.get(reverse(f"development:{route}_detail", args=[obj.pk])).status_code == want, (role, label)
            assert rest.get(f"{api}{obj.pk}/").status_code == want, (role, label)


@pytest.mark.django_db
def test_training_records(world, client_for, api_for):
    objects = _rows(world, lambda key, w: TrainingRecord.objects.create(
        external_id=f"TR-{key}", worker=w, department_id=w.department_id, vendor_id=w.vendor_id, course="安全培训",
        date=dt.date(2026, 8, 1), hours=Decimal("2")))
    check(world, client_for, api_for, "training", "/api/v1/training-records/", objects,
          {role: world.visible_workers(role) for role in ROLES})


@pytest.mark.django_db
def test_improvement_plans(world, client_for, api_for):
    objects = _rows(world, lambda key, w: ImprovementPlan.objects.create(
        worker=w, department_id=w.department_id, vendor_id=w.vendor_id, title=f"计划{key}", problems="问题",
        start_date=dt.date(2026, 10, 1), deadline=dt.date(2026, 12, 31)))
    check(world, client_for, api_for, "plans", "/api/v1/improvement-plans/", objects,
          {role: world.visible_workers(role) for role in ROLES})


@pytest.mark.django_db
def test_plan_owner_sees_their_plan_outside_their_department(world, client_for):
    w = world.workers["b_tech"]  # TECH: outside the supervisor's OPS subtree
    plan = ImprovementPlan.objects.create(worker=w, department_id=w.department_id, vendor_id=w.vendor_id,
                                          title="计划", problems="问题", owner=world.users["supervisor"],
                                          start_date=dt.date(2026, 10, 1), deadline=dt.date(2026, 12, 31))
    assert client_for("supervisor").get(reverse("development:plans_detail", args=[plan.pk])).status_code == 200
    assert client_for("vendor_manager").get(reverse("development:plans_detail", args=[plan.pk])).status_code == 404


@pytest.mark.django_db
def test_suggestions(world, history, client_for, api_for):
    cycle = history.cycle("2026年第三季度", dt.date(2026, 7, 1), dt.date(2026, 9, 30), state=CycleState.ARCHIVED)
    rule = DevelopmentRule.objects.create(code="R", name="规则", kind="job_review")
    objects = _rows(world, lambda key, w: Suggestion.objects.create(
        kind="job_review", rule=rule, cycle=cycle, worker=w, department_id=w.department_id, vendor_id=w.vendor_id,
        reason="两次不合格"))
    visible = {role: world.visible_workers(role) for role in ROLES}
    visible["worker"] = set()  # suggestions are management's, not the worker's
    check(world, client_for, api_for, "suggestions", "/api/v1/development-suggestions/", objects, visible)


@pytest.mark.django_db
def test_commendations_public_and_private(world, client_for, api_for):
    objects = {}
    for key in WORKERS:
        w = world.workers[key]
        for visibility in ("public", "private"):
            c = Commendation(worker=w, title=f"{key}-{visibility}", text="表扬", visibility=visibility,
                             date=dt.date(2026, 9, 1), author=world.users["hr"])
            c.sync_from_worker()
            c.save()
            objects[f"{key}-{visibility}"] = c
    both = lambda keys: {f"{k}-{v}" for k in keys for v in ("public", "private")}  # noqa: E731
    visible = {
        "system_admin": both(WORKERS), "hr": both(WORKERS), "auditor": both(WORKERS),
        "supervisor": both({"a_ops_cs", "a_self", "b_ops"}),
        "vendor_manager": {"a_ops_cs-public", "a_tech-public", "a_self-public"},  # never the private ones
        "worker": both({"a_self"}),
        "nobody": set(),
    }
    check(world, client_for, api_for, "commendations", "/api/v1/commendations/", objects, visible)
    # The wall shows public ones only, within the same scope.
    for role in ROLES:
        page = client_for(role).get(reverse("development:wall"))
        assert page.status_code == 200
        assert {c.title for c in page.context["page"].object_list} == {k for k in visible[role] if k.endswith("public")}


@pytest.mark.django_db
def test_articles_drafts_only_for_writers(world, client_for, api_for):
    objects = {
        "published": Article.objects.create(title="已发布", body="x", published=True),
        "draft": Article.objects.create(title="草稿", body="x", published=False, author=world.users["hr"]),
    }
    everything = {"published", "draft"}
    visible = {"system_admin": everything, "hr": everything, "supervisor": everything, "auditor": {"published"},
               "vendor_manager": {"published"}, "worker": {"published"}, "nobody": set()}
    check(world, client_for, api_for, "articles", "/api/v1/articles/", objects, visible)


@pytest.mark.django_db
def test_vendor_manager_cannot_move_a_training_record_to_another_vendor(world, api_for):
    w = world.workers["a_tech"]
    record = TrainingRecord.objects.create(external_id="TR-1", worker=w, department_id=w.department_id,
                                           vendor_id=w.vendor_id, course="课", date=dt.date(2026, 8, 1),
                                           hours=Decimal("1"))
    r = api_for("vendor_manager").patch(f"/api/v1/training-records/{record.pk}/",
                                        {"worker": world.workers["b_ops"].pk}, format="json")
    assert r.status_code == 400  # b_ops is not a choice a vendor-A manager has
    record.refresh_from_db()
    assert record.worker_id == w.pk
