"""The generic CRUD + permission + one-audit-row-per-write checks for every compliance resource."""

from __future__ import annotations

import datetime as dt
from typing import Any

from outperform.compliance.builtin import load_default_checklists
from outperform.compliance.models import (
    AuditFinding,
    ComplianceChecklist,
    EmergencyContact,
    VendorAudit,
)
from outperform.testing.crud import READ_ONLY_ROLES, CrudCase

TODAY = dt.date(2026, 11, 20)


def _checklist() -> ComplianceChecklist:
    load_default_checklists()
    return ComplianceChecklist.objects.get(code="CL-ACCESS")


def _audit(world: Any) -> VendorAudit:
    return VendorAudit.objects.create(vendor=world.vendor_a, checklist=_checklist(), date=TODAY, results={})


class TestChecklistCrud(CrudCase):
    route = "compliance:checklists"
    api = "/api/v1/compliance/checklists/"
    model = ComplianceChecklist
    refused = (*READ_ONLY_ROLES, "vendor_manager")
    update_field = ("name", "新名称")

    @staticmethod
    def make(world: Any) -> ComplianceChecklist:
        return ComplianceChecklist.objects.create(code="CL-X", name="外包驻场检查", items=["门禁"])

    @staticmethod
    def form_data(world: Any) -> dict[str, Any]:
        return {"code": "CL-NEW", "name": "办公环境检查", "area": "other", "items": "门禁卡管理\n访客登记", "active": "on"}

    @staticmethod
    def api_data(world: Any) -> dict[str, Any]:
        return {"code": "CL-API", "name": "接口检查", "area": "other", "items": ["门禁卡管理"], "active": True}


class TestAuditCrud(CrudCase):
    route = "compliance:audits"
    api = "/api/v1/compliance/audits/"
    model = VendorAudit
    update_field = ("note", "复查通过")

    @staticmethod
    def make(world: Any) -> VendorAudit:
        return _audit(world)

    @staticmethod
    def form_data(world: Any) -> dict[str, Any]:
        return {"vendor": world.vendor_a.pk, "checklist": _checklist().pk, "date": "2026-11-01",
                "results_text": "账号实名且一人一号=pass\n按最小权限原则授权=fail"}

    @staticmethod
    def api_data(world: Any) -> dict[str, Any]:
        return {"vendor": world.vendor_a.pk, "checklist": _checklist().pk, "date": "2026-11-01",
                "results": {"账号实名且一人一号": "pass"}}


class TestFindingCrud(CrudCase):
    route = "compliance:findings"
    api = "/api/v1/compliance/findings/"
    model = AuditFinding
    update_field = ("severity", 1)

    @staticmethod
    def make(world: Any) -> AuditFinding:
        audit = _audit(world)
        return AuditFinding.objects.create(audit=audit, vendor=audit.vendor, found_on=TODAY, description="问题",
                                           severity=3, due_date=TODAY)

    @staticmethod
    def form_data(world: Any) -> dict[str, Any]:
        return {"audit": _audit(world).pk, "item": "按最小权限原则授权", "description": "权限过大", "severity": 2,
                "due_date": "2026-12-31", "status": "open"}


class TestContactCrud(CrudCase):
    route = "compliance:contacts"
    api = "/api/v1/compliance/contacts/"
    model = EmergencyContact
    writers = ("hr", "system_admin", "vendor_manager")  # a vendor keeps its own contacts
    refused = READ_ONLY_ROLES
    update_field = ("role", "值班经理")

    @staticmethod
    def make(world: Any) -> EmergencyContact:
        return EmergencyContact.objects.create(vendor=world.vendor_a, name="王伟", role="安全负责人",
                                               mobile="13812345678")

    @staticmethod
    def form_data(world: Any) -> dict[str, Any]:
        return {"vendor": world.vendor_a.pk, "name": "赵敏", "role": "值班主管", "mobile": "13912345678",
                "available_24h": "on"}


def test_vendor_manager_cannot_put_a_contact_on_another_vendor(world, client_for, api_for):
    from django.urls import reverse

    web = client_for("vendor_manager")
    response = web.post(reverse("compliance:contacts_create"), {
        "vendor": world.vendor_b.pk, "name": "赵敏", "role": "值班主管", "mobile": "13912345678"})
    assert response.status_code == 400  # vendor B is not a choice for them
    assert not EmergencyContact.objects.exists()


def test_contact_mobile_validated(world, client_for):
    from django.urls import reverse

    response = client_for("hr").post(reverse("compliance:contacts_create"), {
        "vendor": world.vendor_a.pk, "name": "赵敏", "role": "值班主管", "mobile": "12345"})
    assert response.status_code == 400
    assert not EmergencyContact.objects.exists()
