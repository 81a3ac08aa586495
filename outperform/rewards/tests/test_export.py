"""The payroll workbook: Chinese headers, numbers as numbers, totals that reconcile exactly."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from outperform.rewards import services
from outperform.rewards.models import PlanMode

from .helpers import approved_plan, pool_world

pytestmark = pytest.mark.django_db


def read(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(response.content))


def fen(value) -> int:
    """A yuan cell as read back (a float) to fen: the file holds the decimal text, e.g. 1591.3."""
    return int((Decimal(str(value)) * 100).to_integral_value())


def test_base_payroll_rows_and_totals(world, client_for):
    plan = approved_plan(world)
    wb = read(client_for("hr").get(reverse("rewards:plans_payroll", args=[plan.pk])))
    ws = wb["奖金发放表"]
    rows = list(ws.values)
    assert rows[0][:12] == ("工号", "姓名", "服务商", "部门", "等级", "综合得分", "系数", "基数（元）", "在岗天数",
                            "周期天数", "折算比例", "奖金（元）")
    body, total = rows[1:-1], rows[-1]
    by_no = {r[0]: r for r in body}
    a_tech = by_no[world.workers["a_tech"].employee_no]
    assert a_tech[4] == "良好" and a_tech[8:10] == (61, 92)
    assert isinstance(a_tech[11], float) and fen(a_tech[11]) == 159130
    assert fen(by_no[world.workers["a_self"].employee_no][7]) == 300000  # base 3000.00, a number
    assert total[0] == "合计"
    # 3000.00 + 1591.30 + 3000.00 + 0 + 1200.00 = 8791.30, equal to the sum of the rows to the fen
    assert fen(total[11]) == 879130 == sum(fen(r[11]) for r in body)
    assert fen(total[7]) == 200000 * 4 + 300000
    assert ws["L2"].number_format == "#,##0.00"


def test_pool_payroll_reconciles_with_every_pool(world, client_for):
    hr, admin = world.users["hr"], world.users["system_admin"]
    plan = services.plan_create(actor=hr, cycle=pool_world(world), name="Q3", mode=PlanMode.POOL_VENDOR)
    services.pools_set(actor=hr, plan=plan, amounts={world.vendor_a.pk: 200000, world.vendor_b.pk: 16600})
    services.plan_prepare(actor=hr, plan=plan)
    services.plan_submit(actor=hr, plan=plan)
    services.plan_approve(actor=admin, plan=plan)
    wb = read(client_for("hr").get(reverse("rewards:plans_payroll", args=[plan.pk])))
    body = list(wb["奖金发放表"].values)[1:-1]
    by_vendor: dict[str, int] = {}
    for r in body:
        by_vendor[r[2]] = by_vendor.get(r[2], 0) + fen(r[11])
        assert r[7] is None  # a pool plan has no base
    assert by_vendor == {world.vendor_a.name: 200000, world.vendor_b.name: 16600}
    rec = list(wb["核对"].values)
    assert rec[1][:5] == ("服务商", "人数", "奖金池（元）", "已分配（元）", "差额（元）")
    groups = {r[0]: r for r in rec[2:4]}
    assert fen(groups[world.vendor_a.name][2]) == fen(groups[world.vendor_a.name][3]) == 200000
    assert fen(groups[world.vendor_a.name][4]) == 0
    total = rec[4]
    assert total[0] == "合计" and fen(total[2]) == fen(total[3]) == 216600 and fen(total[4]) == 0


def test_export_only_once_approved(world, client_for):
    hr = world.users["hr"]
    from .helpers import base_world

    plan = services.plan_create(actor=hr, cycle=base_world(world), name="Q3")
    services.plan_prepare(actor=hr, plan=plan)
    assert client_for("hr").get(reverse("rewards:plans_payroll", args=[plan.pk])).status_code == 404


def test_export_is_scoped_and_masks_pay(world, client_for):
    plan = approved_plan(world)
    url = reverse("rewards:plans_payroll", args=[plan.pk])
    w = world.workers

    def numbers(role):
        return {r[0]: r for r in list(read(client_for(role).get(url))["奖金发放表"].values)[1:-1]}

    vendor_rows = numbers("vendor_manager")
    assert set(vendor_rows) == {w[k].employee_no for k in ("a_ops_cs", "a_tech", "a_self")}
    assert fen(vendor_rows[w["a_self"].employee_no][7]) == 300000  # their own vendor's pay, whole
    sup_rows = numbers("supervisor")
    assert set(sup_rows) == {w[k].employee_no for k in ("a_ops_cs", "a_self", "b_ops")}
    assert {r[7] for r in sup_rows.values()} == {"***"}  # supervisors don't see the base
    assert fen(sup_rows[w["a_ops_cs"].employee_no][11]) == 300000
    assert {r[7] for r in numbers("auditor").values()} == {"***"}
    assert client_for("worker").get(url).status_code == 404
    assert client_for("nobody").get(url).status_code == 404
