"""standings_refresh: history, notifications once, idempotence, rectification hook, alert kind."""

import sys
import types
from decimal import Decimal as Dec

import pytest

from outperform.access.models import Role, RoleGrant
from outperform.alerts.kinds import RuleContext, get_kind
from outperform.core.models import AuditLog
from outperform.notifications.models import Notification
from outperform.standings.models import VendorStanding
from outperform.standings.services import standings_refresh
from outperform.testing.factories import UserFactory, VendorFactory

from .helpers import Q1, Q2, Q3, vendor_cycle


@pytest.fixture
def periods(world):
    a, b = world.vendor_a, world.vendor_b
    vendor_cycle("Q1", *Q1, {a: "90", b: "60"})
    vendor_cycle("Q2", *Q2, {a: "80", b: None})
    return a, b


@pytest.mark.django_db
def test_refresh_records_history_from_decayed_scores(world, periods):
    a, b = periods
    standings_refresh(actor=world.users["hr"])
    # a: latest Q2 80 (w 50), Q1 90 (w 30) → (4000 + 2700) / 80 = 83.75 → B
    sa = VendorStanding.objects.get(vendor=a, is_current=True)
    assert (sa.score, sa.code, sa.period_label) == (Dec("83.75"), "B", "Q2")
    # b: Q2 had no activity, only Q1 60 counts → 60.00 → D, which requires rectification and review
    sb = VendorStanding.objects.get(vendor=b, is_current=True)
    assert (sb.score, sb.code, sb.period_label) == (Dec("60.00"), "D", "Q1")
    assert sb.termination_review and sb.rectification_required
    assert AuditLog.objects.filter(content_type__model="vendorstanding", action="create").count() == 2


@pytest.mark.django_db
def test_refresh_is_idempotent(world, periods):
    standings_refresh(actor=world.users["hr"])
    second = standings_refresh(actor=world.users["hr"])
    assert second.created == 0
    assert VendorStanding.objects.count() == 2


@pytest.mark.django_db
def test_change_notifies_hr_and_the_vendors_managers_once(world, periods):
    a, b = periods
    other_manager = UserFactory(username="vm_b")
    RoleGrant.objects.create(user=other_manager, role=Role.VENDOR_MANAGER, vendor=b)
    standings_refresh(actor=world.users["hr"])
    standing_notes = Notification.objects.filter(kind="alert")  # compliance sends its own notices
    assert standing_notes.count() == 0  # first standings: nothing changed
    vendor_cycle("Q3", *Q3, {a: "50", b: None})
    summary = standings_refresh(actor=world.users["hr"])
    # a: Q3 50×50 + Q2 80×30 + Q1 90×20 = 2500+2400+1800 = 6700/100 = 67.00 → D (was B)
    sa = VendorStanding.objects.get(vendor=a, is_current=True)
    assert (sa.score, sa.code, sa.previous_code) == (Dec("67.00"), "D", "B")
    assert summary.changed == 1
    got = set(standing_notes.values_list("user__username", flat=True))
    assert got == {"hr", "vendor_manager"}  # HR and vendor A's manager; not vendor B's
    assert VendorStanding.objects.filter(vendor=a).count() == 2
    assert VendorStanding.objects.filter(vendor=a, is_current=True).count() == 1
    standings_refresh(actor=world.users["hr"])
    assert standing_notes.count() == 2


@pytest.mark.django_db
def test_rectification_hook_is_called_when_compliance_provides_it(world, periods, monkeypatch):
    calls = []
    import outperform.compliance as compliance_pkg

    fake = types.ModuleType("outperform.compliance.services")
    fake.rectification_required = lambda vendor, standing, actor: calls.append((vendor.pk, standing.code, actor))
    monkeypatch.setitem(sys.modules, "outperform.compliance.services", fake)
    monkeypatch.setattr(compliance_pkg, "services", fake, raising=False)
    standings_refresh(actor=world.users["hr"])
    assert calls == [(periods[1].pk, "D", world.users["hr"])]
    standings_refresh(actor=world.users["hr"])
    assert len(calls) == 1


@pytest.mark.django_db
def test_refresh_query_count_does_not_grow_with_vendors(world, django_assert_max_num_queries):
    def run(n):
        vendors = [VendorFactory() for _ in range(n)]
        vendor_cycle(f"P{n}", *Q1, {v: "85" for v in vendors})
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            standings_refresh(actor=world.users["hr"])
        return len(ctx.captured_queries)

    small = run(2)
    VendorStanding.objects.all().delete()
    big = run(12)
    assert big == small


@pytest.mark.django_db
def test_vendor_standing_drop_alert_kind(world, periods):
    kind = get_kind("vendor_standing_drop")
    assert kind is not None and kind.available()
    standings_refresh(actor=world.users["hr"])
    vendor_cycle("Q3", *Q3, {periods[0]: "50", periods[1]: None})
    standings_refresh(actor=world.users["hr"])
    found = kind.evaluator(RuleContext(today=Q3[1], params={"levels": 1}))
    assert [c.vendor_id for c in found] == [periods[0].pk]
    assert kind.evaluator(RuleContext(today=Q3[1], params={"levels": 3})) == []  # B → D is two levels
