"""Settlement per contract and period: arithmetic on real rows, SLA breaches from tickets, approval,
the finance export (read back with openpyxl; totals reconcile to the fen)."""

import datetime as dt
import io
from decimal import Decimal as Dec

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from outperform.core.models import AuditLog
from outperform.records.models import SlaStatus, Ticket
from outperform.standings.models import Settlement, SettlementRule, SettlementState, VendorStanding
from outperform.standings.services import settlements_compute
from outperform.testing.factories import ContractFactory

from .helpers import Q3, vendor_cycle


def ticket(vendor, contract, n, status=SlaStatus.BREACHED, day=dt.date(2026, 8, 1)):
    opened = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    ids = [Ticket.objects.create(external_id=f"T-{vendor.pk}-{contract.pk if contract else 0}-{status}-{i}-{day}",
                                 vendor=vendor, contract=contract, title="工单", opened_at=opened).pk
           for i in range(n)]
    Ticket.objects.filter(pk__in=ids).update(sla_status=status)  # as the SLA refresh would derive it


@pytest.fixture
def setup(world):
    cycle = vendor_cycle("2026Q3", *Q3, {world.vendor_a: "75", world.vendor_b: "92"})
    VendorStanding.objects.create(vendor=world.vendor_a, cycle=cycle, score=Dec("75"), code="C", period_label="Q3")
    VendorStanding.objects.create(vendor=world.vendor_b, cycle=cycle, score=Dec("92"), code="A", period_label="Q3")
    adj = {"A": "2", "B": "0", "C": "-5", "D": "-10"}
    SettlementRule.objects.create(contract=world.contract_a, period_fee_fen=10_000_000, standing_adjustments=adj,
                                  breach_deduction_fen=30_000, breach_cap_fen=100_000)
    SettlementRule.objects.create(contract=world.contract_b, period_fee_fen=3_333_333, standing_adjustments=adj,
                                  breach_deduction_fen=50_000, breach_cap_fen=None)
    ticket(world.vendor_a, world.contract_a, 3)
    ticket(world.vendor_a, None, 2)  # no contract: counted against vendor A's ruled contract running that day
    ticket(world.vendor_a, world.contract_a, 4, status=SlaStatus.MET)  # met: not a breach
    ticket(world.vendor_a, world.contract_a, 1, day=dt.date(2026, 10, 2))  # outside the period
    ticket(world.vendor_b, world.contract_b, 1)
    return cycle


@pytest.mark.django_db
def test_compute_applies_standing_then_capped_breaches(world, setup):
    n = settlements_compute(actor=world.users["hr"], cycle=setup)
    assert n == 2
    a = Settlement.objects.get(contract=world.contract_a)
    # fee 100 000.00; C −5 % = −5 000.00; 5 breaches × 300.00 = 1 500.00 capped at 1 000.00 → 94 000.00
    assert (a.standing_code, a.adjustment_pct, a.breach_count) == ("C", Dec("-5"), 5)
    assert (a.standing_adjustment_fen, a.breach_deduction_fen, a.final_fen) == (-500_000, 100_000, 9_400_000)
    assert a.deduction_fen == 600_000
    b = Settlement.objects.get(contract=world.contract_b)
    # 33 333.33 × 2 % = 666.6666 → 666.67 (66 667 fen); 1 breach × 500.00; 33 333.33 + 666.67 − 500 = 33 500.00
    assert (b.standing_adjustment_fen, b.breach_deduction_fen, b.final_fen) == (66_667, 50_000, 3_350_000)
    assert [s["amount_fen"] for s in a.breakdown] == [10_000_000, -500_000, -100_000, 9_400_000]
    assert AuditLog.objects.filter(content_type__model="settlement", action="create").count() == 2


@pytest.mark.django_db
def test_recompute_keeps_approved_and_writes_nothing_unchanged(world, setup, api_for):
    settlements_compute(actor=world.users["hr"], cycle=setup)
    a = Settlement.objects.get(contract=world.contract_a)
    assert api_for("vendor_manager").post(f"/api/v1/standings/settlements/{a.pk}/approve/").status_code == 403
    r = api_for("hr").post(f"/api/v1/standings/settlements/{a.pk}/approve/")
    assert r.status_code == 200 and r.json()["state"] == SettlementState.APPROVED
    assert api_for("hr").post(f"/api/v1/standings/settlements/{a.pk}/approve/").status_code == 400
    ticket(world.vendor_a, world.contract_a, 1, day=dt.date(2026, 9, 1))
    assert settlements_compute(actor=world.users["hr"], cycle=setup) == 0  # approved A untouched, B unchanged
    assert Settlement.objects.get(pk=a.pk).breach_count == 5


@pytest.mark.django_db
def test_export_has_chinese_headers_and_totals_reconcile(world, setup, client_for):
    settlements_compute(actor=world.users["hr"], cycle=setup)
    response = client_for("hr").get(reverse("standings:settlements") + "?export=xlsx")
    assert response.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(response.content))["结算汇总"]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0][:9]) == ["合同编号", "服务商", "期间", "合同费用", "评级", "调整比例", "SLA违约次数", "扣款",
                                 "结算金额"]
    body, total = rows[1:-1], rows[-1]
    assert {r[0] for r in body} == {"HT-A", "HT-B"}

    def fen(x):
        return int((Dec(str(x)) * 100).quantize(Dec(1)))

    assert fen(total[3]) == 10_000_000 + 3_333_333 == sum(fen(r[3]) for r in body)
    assert fen(total[8]) == 9_400_000 + 3_350_000 == sum(fen(r[8]) for r in body)
    assert fen(total[7]) == 600_000 + (3_333_333 - 3_350_000) == sum(fen(r[7]) for r in body)
    assert total[6] == 6
    for r in body:  # each row: fee − deduction = final, exactly
        assert fen(r[3]) - fen(r[7]) == fen(r[8])


@pytest.mark.django_db
def test_vendor_manager_sees_and_exports_only_their_own(world, setup, client_for, api_for):
    settlements_compute(actor=world.users["hr"], cycle=setup)
    b = Settlement.objects.get(contract=world.contract_b)
    page = client_for("vendor_manager").get(reverse("standings:settlements"))
    assert "HT-A" in page.content.decode() and "HT-B" not in page.content.decode()
    assert client_for("vendor_manager").get(reverse("standings:settlement_detail", args=[b.pk])).status_code == 404
    api = api_for("vendor_manager").get("/api/v1/standings/settlements/").json()
    assert [r["contract_number"] for r in api["results"]] == ["HT-A"]
    assert api_for("vendor_manager").get(f"/api/v1/standings/settlements/{b.pk}/").status_code == 404
    for role in ("supervisor", "worker"):
        assert api_for(role).get("/api/v1/standings/settlements/").json()["count"] == 0
    ws = openpyxl.load_workbook(io.BytesIO(
        client_for("vendor_manager").get(reverse("standings:settlements") + "?export=xlsx").content))["结算汇总"]
    assert [r[0] for r in ws.iter_rows(min_row=2, values_only=True)] == ["HT-A", "合计"]
    assert client_for("vendor_manager").post(reverse("standings:settlement_compute"),
                                             {"cycle": setup.pk}).status_code == 403


@pytest.mark.django_db
def test_compute_web_and_query_count_constant(world, setup, client_for, django_assert_max_num_queries):
    r = client_for("hr").post(reverse("standings:settlement_compute"), {"cycle": setup.pk})
    assert r.status_code == 302 and Settlement.objects.count() == 2
    Settlement.objects.all().delete()
    for i in range(10):
        SettlementRule.objects.create(contract=ContractFactory(vendor=world.vendor_a), period_fee_fen=100 * i)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        settlements_compute(actor=world.users["hr"], cycle=setup)
    # the actor's scope is read once and kept on the user object; compare the rest
    many = [q["sql"][:30] for q in ctx.captured_queries if "rolegrant" not in q["sql"] and "SAVEPOINT" not in q["sql"]]
    Settlement.objects.all().delete()
    SettlementRule.objects.exclude(contract__in=[world.contract_a, world.contract_b]).delete()
    with CaptureQueriesContext(connection) as ctx:
        settlements_compute(actor=world.users["hr"], cycle=setup)
    assert [q["sql"][:30] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]] == many
