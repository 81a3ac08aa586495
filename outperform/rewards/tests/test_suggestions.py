"""Salary rules over the history of grades, suggestions, and HR's review."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from outperform.cycles.models import CycleState
from outperform.rewards import services
from outperform.rewards.models import SalaryRule, SalarySuggestion, SuggestionState
from outperform.testing.crud import CrudCase, audit_rows

from .helpers import published_cycle

pytestmark = pytest.mark.django_db
Q2 = (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
Q3 = (dt.date(2026, 7, 1), dt.date(2026, 9, 30))


def rules() -> None:
    SalaryRule.objects.create(name="不合格不调薪", grade_name="不合格", match="any", cycles=1, min_pct=0, max_pct=0,
                              priority=1)
    SalaryRule.objects.create(name="连续两期优秀", grade_name="优秀", match="all", cycles=2, min_pct=8, max_pct=12,
                              priority=5)
    SalaryRule.objects.create(name="本期良好", grade_name="良好", match="all", cycles=1, min_pct=2, max_pct=3,
                              priority=9)
    SalaryRule.objects.create(name="停用规则", grade_name="合格", match="all", cycles=1, min_pct=1, max_pct=1,
                              is_active=False)


def history(world):
    published_cycle(world, {"a_ops_cs": ("95", "A"), "a_tech": ("92", "A"), "b_ops": ("80", "B")},
                    name="2026年Q2", period=Q2, state=CycleState.ARCHIVED)
    # a later cycle still in review must not count
    published_cycle(world, {"a_ops_cs": ("40", "D")}, name="2026年Q4", period=(dt.date(2026, 10, 1),
                    dt.date(2026, 12, 31)), state=CycleState.REVIEW)
    return published_cycle(world, {"a_ops_cs": ("93", "A"), "a_tech": ("85", "B"), "a_self": ("70", "C"),
                                   "b_ops": ("55", "D")}, name="2026年Q3", period=Q3)


def test_generate_applies_rules_over_history(world):
    rules()
    cycle = history(world)
    world.workers["a_ops_cs"].base_salary_fen = 9000_00
    world.workers["a_ops_cs"].save()
    summary = services.suggestions_generate(actor=world.users["hr"], cycle=cycle)
    assert (summary.created, summary.kept, summary.no_rule) == (3, 0, 1)  # a_self: 合格 matches no active rule
    s = {x.worker_id: x for x in SalarySuggestion.objects.filter(cycle=cycle)}
    top = s[world.workers["a_ops_cs"].pk]
    assert (top.suggested_pct, top.current_salary_fen, top.suggested_salary_fen) == (Decimal("10.00"), 900000, 990000)
    assert "2026年Q3、2026年Q2" in top.reason and "连续两期优秀" in top.reason
    good = s[world.workers["a_tech"].pk]  # 优秀 then 良好: not two 优秀 → 良好 rule, 2.5 %
    assert (good.suggested_pct, good.suggested_salary_fen) == (Decimal("2.50"), 820000)  # 8000.00 × 1.025
    fail = s[world.workers["b_ops"].pk]
    assert (fail.suggested_pct, fail.suggested_salary_fen, fail.rule.name) == (Decimal("0.00"), 800000, "不合格不调薪")
    assert audit_rows(top).filter(action="create").count() == 1


def test_accept_edit_reject_are_audited_and_kept_on_regenerate(world):
    rules()
    cycle = history(world)
    hr = world.users["hr"]
    services.suggestions_generate(actor=hr, cycle=cycle)
    top = SalarySuggestion.objects.get(worker=world.workers["a_ops_cs"])
    with pytest.raises(ValidationError, match="原因"):
        services.suggestion_accept(actor=hr, suggestion=top, pct=Decimal("9"))
    top = services.suggestion_accept(actor=hr, suggestion=top, pct=Decimal("9"), reason="预算控制")
    assert (top.state, top.final_pct, top.final_salary_fen) == (SuggestionState.ACCEPTED, Decimal("9"), 872000)
    fail = SalarySuggestion.objects.get(worker=world.workers["b_ops"])
    with pytest.raises(ValidationError):
        services.suggestion_reject(actor=hr, suggestion=fail, reason="")
    services.suggestion_reject(actor=hr, suggestion=fail, reason="已另行处理")
    with pytest.raises(ValidationError, match="已审核"):
        services.suggestion_accept(actor=hr, suggestion=fail)
    for role in ("supervisor", "vendor_manager", "auditor"):
        with pytest.raises(PermissionDenied):
            services.suggestion_accept(actor=world.users[role], suggestion=SalarySuggestion.objects.get(
                worker=world.workers["a_tech"]))
    assert audit_rows(top).filter(action="update").get().reason == "预算控制"
    summary = services.suggestions_generate(actor=hr, cycle=cycle)
    assert (summary.created, summary.kept) == (1, 2)
    top.refresh_from_db()
    assert top.final_pct == Decimal("9")


def test_generate_query_count_is_constant(world, django_assert_max_num_queries):
    from outperform.cycles.models import Appraisal
    from outperform.testing.factories import WorkerFactory

    rules()
    cycle = history(world)
    hr = world.users["hr"]
    with django_assert_max_num_queries(15) as small:
        services.suggestions_generate(actor=hr, cycle=cycle)
    ct = cycle.cycle_templates.get()
    for _ in range(40):
        w = WorkerFactory(vendor=world.vendor_b, department=world.tech, position=world.position)
        Appraisal.objects.create(cycle=cycle, cycle_template=ct, subject_kind="worker", worker=w, vendor=w.vendor,
                                 department=w.department, subject_name=w.name, composite=Decimal("85"), grade="B",
                                 grade_name="良好", coefficient=Decimal("1.2"))
    with django_assert_max_num_queries(len(small.captured_queries)):
        services.suggestions_generate(actor=hr, cycle=cycle)
    assert SalarySuggestion.objects.filter(cycle=cycle).count() == 43


def test_suggestion_pages_and_api_scope_and_masking(world, client_for, api_for):
    rules()
    cycle = history(world)
    hr = client_for("hr")
    response = hr.post(reverse("rewards:suggestions_generate"), {"cycle": cycle.pk})
    assert response.status_code == 302
    top = SalarySuggestion.objects.get(worker=world.workers["a_ops_cs"])
    url = reverse("rewards:suggestions_detail", args=[top.pk])
    response = hr.post(url, {"action": "accept", "pct": "11", "reason": ""})
    assert response.status_code == 400 and "原因" in response.content.decode()
    assert hr.post(url, {"action": "accept", "pct": "", "reason": ""}).status_code == 302
    top.refresh_from_db()
    assert top.final_pct == Decimal("10.00")
    # vendor manager: own vendor's people, pay whole; supervisor: departments, pay masked
    w = world.workers
    by_no = {x.employee_no: k for k, x in w.items()}
    seen = {role: {by_no[r["employee_no"]]: r for r in api_for(role).get("/api/v1/salary-suggestions/").json()[
        "results"]} for role in ("hr", "vendor_manager", "supervisor", "worker")}
    assert set(seen["hr"]) == {"a_ops_cs", "a_tech", "b_ops"}
    assert set(seen["vendor_manager"]) == {"a_ops_cs", "a_tech"}
    assert seen["vendor_manager"]["a_ops_cs"]["current_salary_fen"] == 800000
    assert set(seen["supervisor"]) == {"a_ops_cs", "b_ops"}
    assert seen["supervisor"]["b_ops"]["current_salary_fen"] == "***"
    assert seen["worker"] == {}
    assert client_for("worker").get(url).status_code == 404
    assert "***" in client_for("supervisor").get(url).content.decode()
    assert client_for("supervisor").post(url, {"action": "reject", "reason": "x"}).status_code == 403
    other = SalarySuggestion.objects.get(worker=w["b_ops"])
    assert client_for("vendor_manager").get(reverse("rewards:suggestions_detail", args=[other.pk])).status_code == 404
    reject = api_for("system_admin").post(f"/api/v1/salary-suggestions/{other.pk}/reject/", {"reason": "另议"},
                                          format="json")
    assert reject.status_code == 200 and reject.json()["state"] == "rejected"
    listing = hr.get(reverse("rewards:suggestions_list"), {"export": "xlsx"})
    assert listing.status_code == 200


class TestSalaryRuleCrud(CrudCase):
    route = "rewards:rules"
    api = "/api/v1/salary-rules/"
    model = SalaryRule
    update_field = ("max_pct", "15.00")

    @staticmethod
    def make(world):
        return SalaryRule.objects.create(name="连续两期优秀", grade_name="优秀", match="all", cycles=2, min_pct=8,
                                         max_pct=12)

    @staticmethod
    def form_data(world):
        return {"name": "本期良好", "grade_name": "良好", "match": "all", "cycles": 1, "min_pct": "2",
                "max_pct": "3", "priority": 9, "is_active": True}


def test_rule_band_must_be_ordered(world, client_for):
    response = client_for("hr").post(reverse("rewards:rules_create"), {
        "name": "倒挂", "grade_name": "优秀", "match": "all", "cycles": 1, "min_pct": "9", "max_pct": "3",
        "priority": 1})
    assert response.status_code == 400 and "上限不能低于下限" in response.content.decode()
