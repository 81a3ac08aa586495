"""Findings and incidents feed the veto: a severity-1 finding or a veto incident open in the cycle's
period records the template's veto on the vendor's appraisal (once)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from outperform.compliance import services
from outperform.compliance.builtin import load_default_checklists
from outperform.compliance.models import AuditFinding, ComplianceChecklist, FindingStatus, VendorAudit
from outperform.cycles.models import AdjustmentEntry, Appraisal, Cycle, CycleState, CycleTemplate
from outperform.indicators.models import VetoItem
from outperform.indicators.snapshot import template_snapshot
from outperform.records.models import Incident, IncidentStatus
from outperform.records.services import record_save
from outperform.testing.templates import make_template

pytestmark = pytest.mark.django_db
START, END = dt.date(2026, 10, 1), dt.date(2026, 12, 31)


@pytest.fixture
def vendor_cycle(world):
    template = make_template(code="T-VENDOR", subject_kind="vendor")
    VetoItem.objects.create(template=template, code="INFOSEC", name="重大信息安全事故一票否决")
    cycle = Cycle.objects.create(name="2026Q4 服务商", start_date=START, end_date=END, subject_kind="vendor",
                                 default_template=template, state=CycleState.REVIEW)
    ct = CycleTemplate.objects.create(cycle=cycle, template=template, snapshot=template_snapshot(template))
    apps = {v: Appraisal.objects.create(cycle=cycle, cycle_template=ct, subject_kind="vendor", vendor=v,
                                        subject_name=v.name)
            for v in (world.vendor_a, world.vendor_b)}
    return cycle, apps


def _finding(world, vendor, severity, found, status=FindingStatus.OPEN):
    load_default_checklists()
    checklist = ComplianceChecklist.objects.get(code="CL-INFOSEC")
    audit = services.audit_save(actor=world.users["hr"], obj=VendorAudit(vendor=vendor, checklist=checklist, date=found,
                                                                          results={}), before=None)
    return services.finding_save(actor=world.users["hr"], obj=AuditFinding(
        audit=audit, description="数据泄露风险", severity=severity, due_date=found + dt.timedelta(days=30),
        status=status), before=None)


def test_open_severity_one_finding_vetoes_the_vendor(world, vendor_cycle):
    cycle, apps = vendor_cycle
    _finding(world, world.vendor_a, 1, dt.date(2026, 11, 5))
    _finding(world, world.vendor_b, 2, dt.date(2026, 11, 5))  # severity 2: no veto
    done = services.compliance_vetoes_apply(actor=world.users["hr"], cycle=cycle)
    assert done == [apps[world.vendor_a].pk]
    entry = AdjustmentEntry.objects.get(appraisal=apps[world.vendor_a], is_veto=True)
    assert entry.code == "INFOSEC" and "重大合规审查问题" in entry.reason
    # idempotent: running again records nothing new
    assert services.compliance_vetoes_apply(actor=world.users["hr"], cycle=cycle) == []
    assert AdjustmentEntry.objects.filter(is_veto=True).count() == 1


def test_finding_closed_before_the_period_does_not_veto(world, vendor_cycle):
    cycle, _apps = vendor_cycle
    f = _finding(world, world.vendor_a, 1, dt.date(2026, 8, 1), status=FindingStatus.CLOSED)
    AuditFinding.objects.filter(pk=f.pk).update(closed_at=dt.datetime(2026, 9, 1, tzinfo=dt.UTC))
    assert services.compliance_vetoes_apply(actor=world.users["hr"], cycle=cycle) == []


def test_veto_incident_in_period_vetoes(world, vendor_cycle):
    cycle, apps = vendor_cycle
    record_save(actor=world.users["hr"], obj=Incident(
        external_id="INC-1", vendor=world.vendor_b, title="客户数据外泄", kind="infosec", severity="critical",
        occurred_date=dt.date(2026, 10, 20), status=IncidentStatus.CLOSED), before=None)
    record_save(actor=world.users["hr"], obj=Incident(
        external_id="INC-2", vendor=world.vendor_a, title="轻微违规", kind="regulatory", severity="trivial",
        occurred_date=dt.date(2026, 10, 20)), before=None)
    assert services.compliance_vetoes_apply(actor=world.users["hr"], cycle=cycle) == [apps[world.vendor_b].pk]


def test_only_hr_applies_vetoes(world, vendor_cycle):
    cycle, _apps = vendor_cycle
    with pytest.raises(PermissionDenied):
        services.compliance_vetoes_apply(actor=world.users["vendor_manager"], cycle=cycle)


def test_veto_page_and_api(world, vendor_cycle, client_for, api_for):
    from django.urls import reverse

    cycle, apps = vendor_cycle
    _finding(world, world.vendor_a, 1, dt.date(2026, 11, 5))
    assert client_for("vendor_manager").get(reverse("compliance:vetoes")).status_code == 403
    assert api_for("vendor_manager").post("/api/v1/compliance/vetoes/", {"cycle": cycle.pk},
                                          format="json").status_code == 403
    assert api_for("hr").post("/api/v1/compliance/vetoes/", {"cycle": "x"}, format="json").status_code == 400
    response = client_for("hr").post(reverse("compliance:vetoes"), {"cycle": cycle.pk})
    assert response.status_code == 302
    assert AdjustmentEntry.objects.filter(appraisal=apps[world.vendor_a], is_veto=True).count() == 1
    again = api_for("hr").post("/api/v1/compliance/vetoes/", {"cycle": cycle.pk}, format="json")
    assert again.json() == {"vetoed_appraisals": []}
