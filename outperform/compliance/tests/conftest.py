"""Compliance rows on top of the role world: vendor A (the vendor manager's) and vendor B each get an
open notice, an audit with a finding and an emergency contact."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from outperform.compliance import services
from outperform.compliance.builtin import load_default_checklists
from outperform.compliance.models import (
    AuditFinding,
    ComplianceChecklist,
    EmergencyContact,
    RectificationNotice,
    VendorAudit,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "evidence.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@dataclass
class Compliance:
    notice_a: RectificationNotice
    notice_b: RectificationNotice
    audit_a: VendorAudit
    audit_b: VendorAudit
    finding_a: AuditFinding
    finding_b: AuditFinding
    contact_a: EmergencyContact
    contact_b: EmergencyContact


def issue(world: Any, vendor: Any, title: str = "整改", days: int = 10, **kw: Any) -> RectificationNotice:
    return services.notice_issue(actor=world.users["hr"], vendor=vendor, title=title, problems="问题", measures="措施",
                                 deadline=timezone.localdate() + dt.timedelta(days=days), **kw)


@pytest.fixture
def cw(world: Any, settings: Any, tmp_path: Any) -> Compliance:
    settings.MEDIA_ROOT = str(tmp_path)
    load_default_checklists()
    hr = world.users["hr"]
    checklist = ComplianceChecklist.objects.get(code="CL-ACCESS")
    audits = {}
    findings = {}
    for key, vendor in (("a", world.vendor_a), ("b", world.vendor_b)):
        audits[key] = services.audit_save(actor=hr, obj=VendorAudit(
            vendor=vendor, checklist=checklist, date=timezone.localdate() - dt.timedelta(days=5),
            results={"账号实名且一人一号": "pass", "按最小权限原则授权": "fail"}), before=None)
        findings[key] = services.finding_save(actor=hr, obj=AuditFinding(
            audit=audits[key], item="按最小权限原则授权", description=f"权限过大 {key}", severity=2,
            due_date=timezone.localdate() + dt.timedelta(days=10)), before=None)
    return Compliance(
        notice_a=issue(world, world.vendor_a, "A 整改"), notice_b=issue(world, world.vendor_b, "B 整改"),
        audit_a=audits["a"], audit_b=audits["b"], finding_a=findings["a"], finding_b=findings["b"],
        contact_a=EmergencyContact.objects.create(vendor=world.vendor_a, name="王伟", role="安全负责人",
                                                  mobile="13812345678"),
        contact_b=EmergencyContact.objects.create(vendor=world.vendor_b, name="李娜", role="值班主管",
                                                  mobile="13987654321"),
    )
