"""The REST API: same services, scope and masking as the pages."""

from __future__ import annotations

import pytest

from outperform.rewards.models import BonusPlan, PlanState

from .helpers import approved_plan, base_world, pool_world

pytestmark = pytest.mark.django_db


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_flow_through_the_api(world, api_for, django_capture_on_commit_callbacks):
    cycle = pool_world(world)
    hr, admin = api_for("hr"), api_for("system_admin")
    created = hr.post("/api/v1/bonus-plans/", {"cycle": cycle.pk, "name": "Q3", "mode": "pool_vendor"}, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["coefficients"]["A"] == "1.50"
    bad = hr.put(f"/api/v1/bonus-plans/{pk}/pools/", {"pools": [{"group": world.vendor_a.pk, "amount": "1.001"}]},
                 format="json")
    assert bad.status_code == 400
    ok = hr.put(f"/api/v1/bonus-plans/{pk}/pools/", {"pools": [
        {"group": world.vendor_a.pk, "amount": "2000.00"}, {"group": world.vendor_b.pk, "amount": "166"}]},
        format="json")
    assert ok.status_code == 200, ok.content
    assert sorted(p["amount_fen"] for p in ok.json()["pools"]) == [16600, 200000]
    with django_capture_on_commit_callbacks(execute=True):
        job = hr.post(f"/api/v1/bonus-plans/{pk}/prepare/")
    assert job.status_code == 202
    assert hr.get(f"/api/v1/jobs/{job.json()['job']}/").json()["state"] == "succeeded"
    totals = hr.get(f"/api/v1/bonus-plans/{pk}/totals/").json()
    assert {t["name"]: (t["pool_fen"], t["bonus_fen"], t["difference_fen"]) for t in totals} == {
        world.vendor_a.name: (200000, 200000, 0), world.vendor_b.name: (16600, 16600, 0)}
    assert hr.post(f"/api/v1/bonus-plans/{pk}/submit/").status_code == 200
    assert hr.post(f"/api/v1/bonus-plans/{pk}/approve/").status_code == 403
    assert admin.post(f"/api/v1/bonus-plans/{pk}/return/", {}, format="json").status_code == 400
    approved = admin.post(f"/api/v1/bonus-plans/{pk}/approve/")
    assert approved.status_code == 200 and approved.json()["state"] == PlanState.APPROVED
    frozen = hr.patch(f"/api/v1/bonus-plans/{pk}/", {"name": "改"}, format="json")
    assert frozen.status_code == 400 and "冻结" in str(frozen.json())
    assert hr.delete(f"/api/v1/bonus-plans/{pk}/").status_code == 400
    assert hr.post(f"/api/v1/bonus-plans/{pk}/prepare/").status_code == 400
    assert BonusPlan.objects.get(pk=pk).name == "Q3"


def test_lines_scope_and_masking(world, api_for):
    plan = approved_plan(world)
    w = world.workers
    expected = {
        "hr": set(w), "system_admin": set(w), "auditor": set(w),
        "supervisor": {"a_ops_cs", "a_self", "b_ops"},
        "vendor_manager": {"a_ops_cs", "a_tech", "a_self"},
        "worker": {"a_self"}, "nobody": set(),
    }
    by_no = {worker.employee_no: k for k, worker in w.items()}
    for role, keys in expected.items():
        rows = results(api_for(role).get("/api/v1/bonus-lines/", {"plan": plan.pk}))
        assert {by_no[r["employee_no"]] for r in rows} == keys, role
        for r in rows:
            masked = role in ("supervisor", "auditor")  # pay: HR, admin, own vendor, the person
            assert (r["base_fen"] == "***") == masked, (role, r)
    others = [line.pk for line in plan.lines.exclude(worker=w["a_self"])]
    assert api_for("worker").get(f"/api/v1/bonus-lines/{others[0]}/").status_code == 404
    assert api_for("worker").get(f"/api/v1/bonus-plans/{plan.pk}/").status_code == 404


def test_unapproved_lines_reach_only_reviewers(world, api_for):
    from outperform.rewards import services

    hr = world.users["hr"]
    plan = services.plan_create(actor=hr, cycle=base_world(world), name="Q3")
    services.plan_prepare(actor=hr, plan=plan)
    assert results(api_for("vendor_manager").get("/api/v1/bonus-lines/")) == []
    assert results(api_for("worker").get("/api/v1/bonus-lines/")) == []
    assert len(results(api_for("supervisor").get("/api/v1/bonus-lines/"))) == 3
    assert len(results(api_for("auditor").get("/api/v1/bonus-lines/"))) == 5


def test_writes_refused_for_other_roles(world, api_for):
    cycle = base_world(world)
    for role in ("supervisor", "vendor_manager", "auditor", "worker", "nobody"):
        response = api_for(role).post("/api/v1/bonus-plans/", {"cycle": cycle.pk, "name": "x"}, format="json")
        assert response.status_code == 403, role
    assert not BonusPlan.objects.exists()
