"""Rules over a hand-built history: who is found, idempotence, audit, refused cycles, query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outperform.core.models import AuditLog
from outperform.cycles.models import CycleState
from outperform.development.models import (
    DevelopmentRule,
    ImprovementPlan,
    PlanMilestone,
    PlanState,
    Suggestion,
    TrainingTopic,
)
from outperform.development.services import development_evaluate, evaluate_pending_cycles
from outperform.indicators.models import Indicator
from outperform.testing.factories import WorkerFactory
from outperform.workers.models import Worker

TODAY = dt.date(2026, 10, 20)


def make_rules() -> dict[str, DevelopmentRule]:
    return {
        "promo": DevelopmentRule.objects.create(code="PROMO", name="晋升", kind="promotion", window=3, count=1,
                                                min_grade="良好", top_grade="优秀", min_tenure_months=12),
        "review": DevelopmentRule.objects.create(code="REVIEW", name="复核", kind="job_review", window=3, count=2,
                                                 low_grade="不合格"),
        "plan": DevelopmentRule.objects.create(code="PIP", name="改进", kind="auto_plan", low_grade="不合格",
                                               plan_days=90),
        "train": DevelopmentRule.objects.create(code="TRAIN", name="培训", kind="training_need", score_below=70,
                                                max_items=2),
    }


@pytest.fixture
def scenario(world, history):  # type: ignore[no-untyped-def]
    Worker.objects.update(supervisor=world.users["supervisor"])
    q1, q2, q3 = history.quarters()
    grades = {  # worker: (Q1, Q2, Q3); None = no result that quarter
        "a_ops_cs": ("良好", "优秀", "良好"),    # promotion: all ≥ 良好, one 优秀, tenure 18 months
        "a_tech": ("优秀", "优秀", "合格"),      # 合格 in the window: no promotion
        "a_self": ("不合格", "合格", "不合格"),  # 2 × 不合格 of 3: job review; 不合格 now: plan
        "b_ops": ("合格", "合格", "不合格"),     # one 不合格: plan only
        "b_tech": (None, "优秀", "优秀"),        # two results only: no promotion
    }
    current = {}
    for key, row in grades.items():
        for cycle, grade in zip((q1, q2, q3), row, strict=True):
            if grade is not None:
                a = history.result(cycle, key, grade)
                if cycle is q3:
                    current[key] = a
    history.scores(current["a_ops_cs"], Q1="65", Q2="80")   # 服务态度 65 < 70
    history.scores(current["b_ops"], Q1="90", Q2="50")      # 问题解决 50 < 70
    history.scores(current["a_tech"], Q1="75", Q2="70")     # nothing strictly below 70
    TrainingTopic.objects.create(topic="客户沟通技巧", indicator=Indicator.objects.get(code="Q1"))
    return {"rules": make_rules(), "q3": q3, "q2": q2}


def found(kind: str, world) -> set[str]:  # type: ignore[no-untyped-def]
    names = {w.pk: k for k, w in world.workers.items()}
    return {names[w] for w in Suggestion.objects.filter(kind=kind).values_list("worker_id", flat=True)}


@pytest.mark.django_db
def test_rules_find_what_the_history_says(world, scenario):
    summary = development_evaluate(actor=world.users["hr"], cycle=scenario["q3"], today=TODAY)
    assert found("promotion", world) == {"a_ops_cs"}
    assert found("job_review", world) == {"a_self"}
    assert found("training_need", world) == {"a_ops_cs", "b_ops"}
    assert summary == {"appraisals": 5, "suggestions": 4, "plans": 2, "promotion": 1, "job_review": 1,
                       "training_need": 2}
    promo = Suggestion.objects.get(kind="promotion")
    assert "2026年第三季度良好、2026年第二季度优秀、2026年第一季度良好" in promo.reason
    need = Suggestion.objects.get(kind="training_need", worker=world.workers["a_ops_cs"])
    assert need.topics == ["客户沟通技巧"] and "服务态度65.00分" in need.reason
    other = Suggestion.objects.get(kind="training_need", worker=world.workers["b_ops"])
    assert other.topics == ["问题解决专项提升"] and "问题解决50.00分" in other.reason
    # Plans: 不合格 in Q3, owned by the supervisor, 90 days from today, two milestones.
    plans = ImprovementPlan.objects.order_by("worker_id")
    assert {p.worker_id for p in plans} == {world.workers["a_self"].pk, world.workers["b_ops"].pk}
    for plan in plans:
        assert plan.state == PlanState.ACTIVE
        assert plan.owner == world.users["supervisor"]
        assert plan.start_date == TODAY and plan.deadline == dt.date(2027, 1, 18)
        assert plan.vendor_id == plan.worker.vendor_id and plan.department_id == plan.worker.department_id
        assert sorted(plan.milestones.values_list("due", flat=True)) == [dt.date(2026, 12, 4), dt.date(2027, 1, 18)]
    # One audit row per created row: 4 suggestions + 2 plans + 4 milestones.
    assert AuditLog.objects.filter(action="create", reason__startswith="development rules").count() == 10


@pytest.mark.django_db
def test_running_twice_makes_nothing_new(world, scenario):
    development_evaluate(actor=world.users["hr"], cycle=scenario["q3"], today=TODAY)
    counts = (Suggestion.objects.count(), ImprovementPlan.objects.count(), PlanMilestone.objects.count(),
              AuditLog.objects.count())
    again = development_evaluate(actor=world.users["hr"], cycle=scenario["q3"], today=TODAY + dt.timedelta(days=1))
    assert again["suggestions"] == 0 and again["plans"] == 0
    assert (Suggestion.objects.count(), ImprovementPlan.objects.count(), PlanMilestone.objects.count(),
            AuditLog.objects.count()) == counts


@pytest.mark.django_db
def test_auto_plan_can_be_switched_off(world, scenario):
    DevelopmentRule.objects.filter(kind="auto_plan").update(active=False)
    summary = development_evaluate(actor=world.users["hr"], cycle=scenario["q3"], today=TODAY)
    assert summary["plans"] == 0 and not ImprovementPlan.objects.exists()


@pytest.mark.django_db
def test_history_stops_at_the_evaluated_cycle(world, scenario):
    # Evaluated for Q2, a_self has 不合格 + 合格: one 不合格 only → no job review, and Q2 grades are no 不合格 → no plan.
    development_evaluate(actor=world.users["hr"], cycle=scenario["q2"], today=TODAY)
    assert found("job_review", world) == set()
    assert not ImprovementPlan.objects.exists()


@pytest.mark.django_db
def test_unpublished_cycle_and_non_hr_are_refused(world, history, scenario):
    running = history.cycle("2026年第四季度", dt.date(2026, 10, 1), dt.date(2026, 12, 31), state=CycleState.REVIEW)
    with pytest.raises(ValidationError):
        development_evaluate(actor=world.users["hr"], cycle=running)
    with pytest.raises(PermissionDenied):
        development_evaluate(actor=world.users["supervisor"], cycle=scenario["q3"])


@pytest.mark.django_db
def test_daily_job_evaluates_each_published_cycle_once(world, scenario):
    assert evaluate_pending_cycles(today=TODAY) == 3
    assert evaluate_pending_cycles(today=TODAY) == 0


@pytest.mark.django_db
def test_query_count_does_not_grow_with_workers(world, history):
    make_rules()
    DevelopmentRule.objects.filter(kind="job_review").update(count=1)  # every 不合格 also makes a suggestion
    small, big = history.cycle("A", dt.date(2025, 1, 1), dt.date(2025, 3, 31)), history.cycle(
        "B", dt.date(2025, 4, 1), dt.date(2025, 6, 30))
    warm = history.cycle("W", dt.date(2024, 1, 1), dt.date(2024, 3, 31))
    history.result(warm, "a_tech", "不合格")
    development_evaluate(actor=world.users["hr"], cycle=warm)  # content types and the like cached
    history.result(small, "a_ops_cs", "不合格")
    for i in range(8):
        w = WorkerFactory(vendor=world.vendor_a, department=world.ops, position=world.position)
        world.workers[f"extra{i}"] = w
        history.result(big, f"extra{i}", "不合格")
    with CaptureQueriesContext(connection) as one:
        development_evaluate(actor=world.users["hr"], cycle=small)
    with CaptureQueriesContext(connection) as many:
        development_evaluate(actor=world.users["hr"], cycle=big)
    assert ImprovementPlan.objects.filter(source_cycle=big).count() == 8
    assert Suggestion.objects.filter(cycle=big, kind="job_review").count() == 8
    assert len(many.captured_queries) == len(one.captured_queries)


@pytest.mark.django_db
def test_hr_starts_the_job_from_the_page(world, scenario, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("hr").post(reverse("development:evaluate"), {"cycle": scenario["q3"].pk})
    assert response.status_code == 302
    assert Suggestion.objects.count() == 4
    assert client_for("supervisor").get(reverse("development:evaluate")).status_code == 403


@pytest.mark.django_db
def test_api_evaluate_and_decide(world, scenario, api_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        r = api_for("hr").post("/api/v1/development-suggestions/evaluate/", {"cycle": scenario["q3"].pk},
                               format="json")
    assert r.status_code == 202, r.content
    assert Suggestion.objects.count() == 4
    assert api_for("supervisor").post("/api/v1/development-suggestions/evaluate/", {"cycle": scenario["q3"].pk},
                                      format="json").status_code == 403
    promo = Suggestion.objects.get(kind="promotion")  # a_ops_cs, in the supervisor's subtree
    r = api_for("supervisor").post(f"/api/v1/development-suggestions/{promo.pk}/decide/",
                                   {"state": "dismissed"}, format="json")
    assert r.status_code == 400  # a dismissal needs a reason
    r = api_for("supervisor").post(f"/api/v1/development-suggestions/{promo.pk}/decide/",
                                   {"state": "accepted", "reason": "同意晋升"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "accepted"
    assert AuditLog.objects.filter(object_id=str(promo.pk), action="update", reason="同意晋升").count() == 1
    r = api_for("supervisor").post(f"/api/v1/development-suggestions/{promo.pk}/decide/",
                                   {"state": "dismissed", "reason": "x"}, format="json")
    assert r.status_code == 400  # already decided
    # b_ops's training need is outside a vendor-A manager's scope: 404.
    other = Suggestion.objects.get(kind="training_need", worker=world.workers["b_ops"])
    assert api_for("vendor_manager").get(f"/api/v1/development-suggestions/{other.pk}/").status_code == 404
    assert api_for("worker").get("/api/v1/development-suggestions/").json()["count"] == 0
