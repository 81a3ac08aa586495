from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from outperform.alerts.kinds import RuleContext, get_kind
from outperform.compliance import services
from outperform.compliance.models import AuditFinding, ComplianceChecklist, VendorAudit, audit_score
from outperform.records.registry import get_source

pytestmark = pytest.mark.django_db


def test_audit_finding_is_a_record_source():
    source = get_source("audit_finding")
    assert source.model is AuditFinding
    assert source.fields["severity"] == "number" and source.fields["is_open"] == "bool"
    assert source.fields["overdue"] == "bool"
    assert source.subject_paths == {"vendor": "vendor"}


def test_alert_kinds_registered_and_fire(world, cw):
    today = timezone.localdate()
    later = today + dt.timedelta(days=11)  # cw's notices (10 days) and findings (10 days) are late by 1
    notices = get_kind("rectification_overdue").evaluator(RuleContext(today=later, params={"days_after": 0}))
    assert {c.vendor_id for c in notices} == {world.vendor_a.pk, world.vendor_b.pk}
    assert get_kind("rectification_overdue").evaluator(RuleContext(today=later, params={"days_after": 1})) == []
    assert get_kind("rectification_overdue").evaluator(RuleContext(today=today, params={})) == []
    findings = get_kind("finding_overdue").evaluator(RuleContext(today=later, params={"max_severity": 2}))
    assert {c.dedup_key for c in findings} == {f"finding_overdue:{cw.finding_a.pk}", f"finding_overdue:{cw.finding_b.pk}"}
    assert get_kind("finding_overdue").evaluator(RuleContext(today=later, params={"max_severity": 1})) == []


def test_overdue_flag_follows_the_calendar(world, cw):
    later = timezone.localdate() + dt.timedelta(days=11)
    assert services.findings_refresh_overdue(later) == 2
    assert AuditFinding.objects.filter(overdue=True).count() == 2
    services.finding_close(actor=world.users["hr"], finding=AuditFinding.objects.get(pk=cw.finding_a.pk))
    f = AuditFinding.objects.get(pk=cw.finding_a.pk)
    assert (f.is_open, f.overdue) == (False, False) and f.closed_at is not None


def test_audit_score_rule():
    # 2 pass, 1 fail, 1 n/a: 2 / 3 × 100 = 66.666… → 66.67 (ROUND_HALF_UP, 2 places)
    assert str(audit_score({"a": "pass", "b": "pass", "c": "fail", "d": "na"})) == "66.67"
    assert audit_score({"a": "na"}) is None
    # 1 of 8 = 12.5 exactly
    assert str(audit_score({**{str(i): "fail" for i in range(7)}, "x": "pass"})) == "12.50"


def test_audit_rejects_unknown_items_and_results(world):
    from django.core.exceptions import ValidationError

    from outperform.compliance.builtin import load_default_checklists

    load_default_checklists()
    checklist = ComplianceChecklist.objects.get(code="CL-ACCESS")
    for results, needle in (({"不存在的项": "pass"}, "不存在的项"), ({"账号实名且一人一号": "maybe"}, "pass/fail/na")):
        with pytest.raises(ValidationError) as err:
            services.audit_save(actor=world.users["hr"], obj=VendorAudit(
                vendor=world.vendor_a, checklist=checklist, date=timezone.localdate(), results=results), before=None)
        assert needle in str(err.value.message_dict["results"])


def test_default_checklists_exist():
    from outperform.compliance.builtin import load_default_checklists

    load_default_checklists()
    names = set(ComplianceChecklist.objects.values_list("name", flat=True))
    assert {"信息安全审查", "保密义务", "人员安全培训", "访问控制"} <= names
