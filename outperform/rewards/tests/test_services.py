"""Plans through their states: hand-computed amounts, the approval rules, frozen lines, audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from outperform.core.models import AuditLog
from outperform.cycles.models import CycleState
from outperform.rewards import services
from outperform.rewards.models import BonusLine, BonusPlan, PlanMode, PlanState
from outperform.testing.crud import audit_rows

from .helpers import approved_plan, base_world, lines_by_key, pool_world, published_cycle

pytestmark = pytest.mark.django_db


def test_base_mode_amounts_with_joiner_and_leaver(world):
    hr = world.users["hr"]
    plan = services.plan_create(actor=hr, cycle=base_world(world), name="Q3")
    assert plan.coefficients == {"A": "1.50", "B": "1.20", "C": "1.00", "D": "0.00"}  # from the bands
    summary = services.plan_prepare(actor=hr, plan=plan)
    lines = lines_by_key(world, plan)
    assert lines["a_ops_cs"].bonus_fen == 300000  # 2000.00 × 1.5
    assert (lines["a_tech"].days, lines["a_tech"].period_days) == (61, 92)
    assert lines["a_tech"].bonus_fen == 159130  # 2000.00 × 1.2 × 61/92 = 1591.304… → 1591.30
    assert lines["a_self"].bonus_fen == 300000  # 3000.00 × 1.0
    assert lines["b_ops"].bonus_fen == 0  # 不合格 × 0
    assert (lines["b_tech"].days, lines["b_tech"].bonus_fen) == (46, 120000)  # 2000.00 × 1.2 × ½
    assert summary.total_fen == 879130
    plan.refresh_from_db()
    assert (plan.total_fen, plan.line_count, plan.stale) == (879130, 5, False)


def test_edited_coefficients_and_no_proration(world):
    hr = world.users["hr"]
    plan = services.plan_create(actor=hr, cycle=base_world(world), name="Q3")
    services.plan_update(actor=hr, plan=plan, coefficients={"A": "2", "B": "1.2", "C": "1", "D": "0.1"},
                         prorate=False)
    services.plan_prepare(actor=hr, plan=plan)
    lines = lines_by_key(world, plan)
    assert lines["a_ops_cs"].bonus_fen == 400000  # 2000.00 × 2
    assert lines["a_tech"].bonus_fen == 240000  # no proration
    assert lines["b_ops"].bonus_fen == 20000  # 2000.00 × 0.1


def test_department_pools_are_paid_exactly(world):
    hr = world.users["hr"]
    plan = services.plan_create(actor=hr, cycle=pool_world(world), name="Q3", mode=PlanMode.POOL_DEPARTMENT)
    services.pools_set(actor=hr, plan=plan, amounts={world.ops_cs.pk: 50000, world.tech.pk: 100000,
                                                     world.ops.pk: 100001})
    services.plan_prepare(actor=hr, plan=plan)
    lines = lines_by_key(world, plan)
    assert lines["a_ops_cs"].bonus_fen == 50000  # alone in 客服部
    # 技术中心: weights 80×1.2×½ = 48 and 80×1.2 = 96 → 33333.33 and 66666.67 → 33333 + 66667
    assert (lines["a_tech"].bonus_fen, lines["b_tech"].bonus_fen) == (33333, 66667)
    # 运营中心: 70 and 70 share 1000.01: 50000.5 each; the odd fen to the smaller employee no. (a_self)
    assert world.workers["a_self"].employee_no < world.workers["b_ops"].employee_no
    assert (lines["a_self"].bonus_fen, lines["b_ops"].bonus_fen) == (50001, 50000)
    plan.refresh_from_db()
    assert plan.total_fen == 250001
    assert services.plan_check(plan) == []


def test_vendor_pools_are_paid_exactly(world):
    hr = world.users["hr"]
    plan = services.plan_create(actor=hr, cycle=pool_world(world), name="Q3", mode=PlanMode.POOL_VENDOR)
    services.pools_set(actor=hr, plan=plan, amounts={world.vendor_a.pk: 200000, world.vendor_b.pk: 16600})
    services.plan_prepare(actor=hr, plan=plan)
    lines = lines_by_key(world, plan)
    # 甲: 135, 48, 70 of 253 → floors 106719, 37944, 55335; 2 fen to the remainders .968 and .664
    assert [lines[k].bonus_fen for k in ("a_ops_cs", "a_tech", "a_self")] == [106719, 37945, 55336]
    # 乙: 96 and 70 of 166 share 166.00 → 96.00 and 70.00
    assert [lines[k].bonus_fen for k in ("b_tech", "b_ops")] == [9600, 7000]


def test_submit_names_what_is_missing(world):
    hr = world.users["hr"]
    plan = services.plan_create(actor=hr, cycle=pool_world(world), name="Q3", mode=PlanMode.POOL_DEPARTMENT)
    with pytest.raises(ValidationError, match="重新计算"):
        services.plan_submit(actor=hr, plan=plan)
    services.pools_set(actor=hr, plan=plan, amounts={world.ops_cs.pk: 50000})
    services.plan_prepare(actor=hr, plan=plan)
    with pytest.raises(ValidationError) as exc:
        services.plan_submit(actor=hr, plan=plan)
    text = " ".join(exc.value.messages)
    assert "技术中心" in text and "运营中心" in text and "客服部" not in text


def test_pool_with_zero_weights_cannot_be_submitted(world):
    hr = world.users["hr"]
    cycle = published_cycle(world, {"a_ops_cs": ("50", "D")})
    plan = services.plan_create(actor=hr, cycle=cycle, name="Q3", mode=PlanMode.POOL_DEPARTMENT)
    services.pools_set(actor=hr, plan=plan, amounts={world.ops_cs.pk: 1000})
    services.plan_prepare(actor=hr, plan=plan)
    with pytest.raises(ValidationError, match="1000"):
        services.plan_submit(actor=hr, plan=plan)


def test_only_cycles_with_published_results(world):
    cycle = published_cycle(world, {"a_ops_cs": ("90", "A")}, state=CycleState.REVIEW)
    with pytest.raises(ValidationError, match="已发布"):
        services.plan_create(actor=world.users["hr"], cycle=cycle, name="Q3")


def test_preparer_cannot_approve_and_another_writer_can(world):
    hr, admin = world.users["hr"], world.users["system_admin"]
    plan = services.plan_create(actor=hr, cycle=base_world(world), name="Q3")
    services.plan_prepare(actor=hr, plan=plan)
    services.plan_submit(actor=hr, plan=plan)
    with pytest.raises(PermissionDenied):
        services.plan_approve(actor=hr, plan=plan)
    with pytest.raises(PermissionDenied):
        services.plan_return(actor=hr, plan=plan, reason="自己退回")
    for role in ("supervisor", "vendor_manager", "auditor", "worker"):
        with pytest.raises(PermissionDenied):
            services.plan_approve(actor=world.users[role], plan=plan)
    plan = services.plan_approve(actor=admin, plan=plan)
    assert plan.state == PlanState.APPROVED and plan.decided_by == admin


def test_submitter_who_did_not_prepare_cannot_approve_either(world):
    hr, admin = world.users["hr"], world.users["system_admin"]
    plan = services.plan_create(actor=hr, cycle=base_world(world), name="Q3")
    services.plan_prepare(actor=hr, plan=plan)
    services.plan_submit(actor=admin, plan=plan)
    with pytest.raises(PermissionDenied):
        services.plan_approve(actor=admin, plan=plan)
    with pytest.raises(PermissionDenied):
        services.plan_approve(actor=hr, plan=plan)


def test_approved_plan_is_frozen(world):
    hr, admin = world.users["hr"], world.users["system_admin"]
    plan = approved_plan(world)
    assert set(BonusLine.objects.filter(plan=plan).values_list("frozen", flat=True)) == {True}
    before = list(BonusLine.objects.filter(plan=plan).order_by("id").values_list("id", "bonus_fen"))
    refusals = [
        lambda: services.plan_prepare(actor=hr, plan=plan),
        lambda: services.plan_update(actor=hr, plan=plan, name="改名"),
        lambda: services.plan_update(actor=admin, plan=plan, coefficients={"A": "3"}),
        lambda: services.plan_delete(actor=admin, plan=plan),
        lambda: services.plan_submit(actor=hr, plan=plan),
        lambda: services.plan_approve(actor=world.users["hr"], plan=plan),
    ]
    for attempt in refusals:
        with pytest.raises((ValidationError, PermissionDenied)):
            attempt()
    assert list(BonusLine.objects.filter(plan=plan).order_by("id").values_list("id", "bonus_fen")) == before
    plan.refresh_from_db()
    assert plan.state == PlanState.APPROVED and plan.name == "2026年Q3绩效奖金"


def test_pools_of_an_approved_pool_plan_cannot_change(world):
    hr, admin = world.users["hr"], world.users["system_admin"]
    plan = services.plan_create(actor=hr, cycle=pool_world(world), name="Q3", mode=PlanMode.POOL_VENDOR)
    services.pools_set(actor=hr, plan=plan, amounts={world.vendor_a.pk: 200000, world.vendor_b.pk: 16600})
    services.plan_prepare(actor=hr, plan=plan)
    services.plan_submit(actor=hr, plan=plan)
    services.plan_approve(actor=admin, plan=plan)
    with pytest.raises(ValidationError, match="冻结"):
        services.pools_set(actor=hr, plan=plan, amounts={world.vendor_a.pk: 1})
    assert plan.pools.get(vendor=world.vendor_a).amount_fen == 200000


def test_return_needs_a_reason_and_reopens_the_plan(world):
    hr, admin = world.users["hr"], world.users["system_admin"]
    plan = services.plan_create(actor=hr, cycle=base_world(world), name="Q3")
    services.plan_prepare(actor=hr, plan=plan)
    services.plan_submit(actor=hr, plan=plan)
    with pytest.raises(ValidationError, match="原因"):
        services.plan_return(actor=admin, plan=plan, reason="  ")
    plan = services.plan_return(actor=admin, plan=plan, reason="客服部系数需复核")
    assert (plan.state, plan.return_reason) == (PlanState.RETURNED, "客服部系数需复核")
    services.plan_update(actor=hr, plan=plan, coefficients={"A": "1.4", "B": "1.2", "C": "1", "D": "0"})
    services.plan_prepare(actor=hr, plan=plan)
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAFT
    assert lines_by_key(world, plan)["a_ops_cs"].bonus_fen == 280000  # 2000.00 × 1.4


def test_every_transition_leaves_one_audit_row(world):
    hr, admin = world.users["hr"], world.users["system_admin"]
    plan = services.plan_create(actor=hr, cycle=pool_world(world), name="Q3", mode=PlanMode.POOL_VENDOR)
    services.pools_set(actor=hr, plan=plan, amounts={world.vendor_a.pk: 200000, world.vendor_b.pk: 16600})
    services.plan_prepare(actor=hr, plan=plan)
    services.plan_submit(actor=hr, plan=plan)
    services.plan_return(actor=admin, plan=plan, reason="复核")
    services.plan_prepare(actor=hr, plan=plan)
    services.plan_submit(actor=hr, plan=plan)
    services.plan_approve(actor=admin, plan=plan)
    rows = list(audit_rows(plan).order_by("id"))
    assert [r.action for r in rows] == ["create"] + ["update"] * 7
    assert [r.actor for r in rows] == [hr, hr, hr, hr, admin, hr, hr, admin]
    assert rows[-1].changes["state"] == ["submitted", "approved"]
    assert rows[4].reason == "复核"
    assert rows[1].changes["pools_fen"][1] == {str(world.vendor_a.pk): 200000, str(world.vendor_b.pk): 16600}


def test_only_writers_prepare(world):
    plan = services.plan_create(actor=world.users["hr"], cycle=base_world(world), name="Q3")
    for role in ("supervisor", "vendor_manager", "auditor", "worker", "nobody"):
        with pytest.raises(PermissionDenied):
            services.plan_prepare(actor=world.users[role], plan=plan)
    assert not BonusLine.objects.exists()


def test_one_plan_per_cycle(world):
    hr = world.users["hr"]
    cycle = base_world(world)
    services.plan_create(actor=hr, cycle=cycle, name="Q3")
    with pytest.raises(ValidationError):
        services.plan_create(actor=hr, cycle=cycle, name="again")
    assert BonusPlan.objects.count() == 1


def test_prepare_query_count_does_not_grow_with_headcount(world, django_assert_max_num_queries):
    from outperform.testing.factories import WorkerFactory

    hr = world.users["hr"]
    cycle = base_world(world)
    plan = services.plan_create(actor=hr, cycle=cycle, name="Q3")
    with django_assert_max_num_queries(12) as small:
        services.plan_prepare(actor=hr, plan=plan)
    from outperform.cycles.models import Appraisal

    ct = cycle.cycle_templates.get()
    for _ in range(60):
        w = WorkerFactory(vendor=world.vendor_b, department=world.tech, position=world.position,
                          hire_date=dt.date(2026, 8, 1))
        Appraisal.objects.create(cycle=cycle, cycle_template=ct, subject_kind="worker", worker=w, vendor=w.vendor,
                                 department=w.department, subject_name=w.name, composite=Decimal("80"), grade="B",
                                 grade_name="良好", coefficient=Decimal("1.2"))
    with django_assert_max_num_queries(len(small.captured_queries)):
        services.plan_prepare(actor=hr, plan=plan)
    assert BonusLine.objects.filter(plan=plan).count() == 65
    assert AuditLog.objects.filter(object_id=str(plan.pk)).count() == 3
