"""Consequences of a standing: vendor_gate, and the web form / API / import paths that create
contracts and workers for a vendor."""

import io
from decimal import Decimal as Dec

import openpyxl
import pytest
from django.urls import reverse

from outperform.standings.models import StandingBand, VendorStanding
from outperform.standings.services import vendor_gate
from outperform.vendors.models import Contract
from outperform.workers.importers import WorkerImporter
from outperform.workers.models import Worker

CONTRACT_FORM = {"number": "HT-NEW", "title": "新合同", "start_date": "2026-01-01", "end_date": "2026-12-31",
                 "amount_yuan": "1000.00", "confidentiality_duty": "on", "status": "active"}
CONTRACT_API = {"number": "HT-API", "title": "新合同", "start_date": "2026-01-01", "end_date": "2026-12-31",
                "amount_fen": 100000, "status": "active"}


def worker_form(world, no="GATE-W"):
    return {"employee_no": no, "name": "新员工", "vendor": world.vendor_a.pk, "department": world.ops.pk,
            "position": world.position.pk, "hire_date": "2026-01-05", "status": "active", "gender": "F"}


def stand(vendor, code, score):
    return VendorStanding.objects.create(vendor=vendor, score=Dec(score), code=code, period_label="Q3", is_current=True)


@pytest.mark.django_db
def test_gate_follows_the_band_actions(world):
    assert vendor_gate(world.vendor_a, "new_contract").allowed  # no standing yet: allowed, no warning
    stand(world.vendor_a, "C", "75")
    gate = vendor_gate(world.vendor_a, "new_contract")
    assert gate.allowed and "C" in (gate.warning or "")  # default band C warns
    VendorStanding.objects.all().delete()
    stand(world.vendor_a, "D", "50")
    for action in ("new_contract", "new_worker", "new_project_assignment"):
        assert not vendor_gate(world.vendor_a, action).allowed  # default band D blocks
    StandingBand.objects.filter(code="D").update(block_new_worker=False, warn_new_worker=True)
    assert vendor_gate(world.vendor_a, "new_worker").allowed
    other = vendor_gate(world.vendor_b, "new_worker")
    assert other.allowed and other.warning is None


@pytest.mark.django_db
def test_blocked_contract_in_web_form_and_api_is_a_clear_error(world, client_for, api_for):
    stand(world.vendor_a, "D", "50")
    response = client_for("hr").post(reverse("vendors:contracts_create"), {**CONTRACT_FORM, "vendor": world.vendor_a.pk})
    assert response.status_code == 400
    assert "不允许新签合同" in response.content.decode()
    api = api_for("hr").post("/api/v1/contracts/", {**CONTRACT_API, "vendor": world.vendor_a.pk}, format="json")
    assert api.status_code == 400 and "vendor" in api.json()
    assert not Contract.objects.filter(number__in=["HT-NEW", "HT-API"]).exists()
    # another vendor is not affected
    ok = api_for("hr").post("/api/v1/contracts/", {**CONTRACT_API, "vendor": world.vendor_b.pk}, format="json")
    assert ok.status_code == 201


@pytest.mark.django_db
def test_blocked_worker_in_web_form_and_api(world, client_for, api_for):
    stand(world.vendor_a, "D", "50")
    response = client_for("vendor_manager").post(reverse("workers:workers_create"), worker_form(world))
    assert response.status_code == 400 and "不允许新增人员" in response.content.decode()
    api = api_for("hr").post("/api/v1/workers/", worker_form(world, "GATE-API"), format="json")
    assert api.status_code == 400
    assert not Worker.objects.filter(employee_no__startswith="GATE").exists()


@pytest.mark.django_db
def test_warning_standing_lets_the_worker_in(world, client_for):
    stand(world.vendor_a, "C", "75")
    assert client_for("hr").post(reverse("workers:workers_create"), worker_form(world)).status_code == 302
    page = client_for("hr").get(reverse("standings:vendor", args=[world.vendor_a.pk]))
    assert "新增人员需谨慎" in page.content.decode()


@pytest.mark.django_db
def test_moving_a_worker_to_another_project_is_gated_but_editing_is_not(world):
    from outperform.testing.factories import ProjectFactory

    stand(world.vendor_a, "D", "50")
    w = world.workers["a_tech"]
    w.name = "改名"
    w.save()  # an edit that is not a new assignment goes through
    w.project = ProjectFactory(department=world.tech)
    with pytest.raises(Exception, match="派入新项目"):
        w.save()


def _xlsx(rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["工号", "姓名", "性别", "手机号", "身份证号", "服务商", "部门", "岗位", "入场日期", "基本工资（元）",
               "绩效奖金基数（元）"])
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


@pytest.mark.django_db
def test_blocked_worker_in_excel_import(world):
    stand(world.vendor_a, "D", "50")
    result = WorkerImporter().run(_xlsx([["IMP-1", "新人", "女", "", "", "甲服务商", "OPS", "P-CS", "2026-01-05",
                                          "5000", "1000"]]), "w.xlsx", actor=world.users["hr"], dry_run=False)
    assert not result.ok
    assert not Worker.objects.filter(employee_no="IMP-1").exists()
