"""A refresh that moves several vendors into a band requiring rectification issues their notices in
bulk (compliance.services.rectifications_required): constant queries, one audit row per notice,
both sides notified, and never twice for the same vendor and period."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from outperform.access.models import Role, RoleGrant
from outperform.access.scoping import scope_for
from outperform.compliance import services as compliance
from outperform.compliance.models import NoticeEvent, RectificationNotice
from outperform.core.models import AuditLog
from outperform.cycles.models import Appraisal
from outperform.development.models import ImprovementPlan
from outperform.notifications.models import Notification
from outperform.standings.models import VendorStanding
from outperform.standings.services import standings_refresh
from outperform.testing.factories import UserFactory, VendorFactory

from .helpers import Q1, vendor_cycle

pytestmark = pytest.mark.django_db


def managed_vendors(n: int, prefix: str) -> list:
    """n vendors, each with one manager of its own (username <prefix><i>)."""
    vendors = [VendorFactory(name=f"{prefix}服务商{i}") for i in range(n)]
    for i, v in enumerate(vendors):
        RoleGrant.objects.create(user=UserFactory(username=f"{prefix}{i}"), role=Role.VENDOR_MANAGER, vendor=v)
    return vendors


def audit_count(model: type, pks: list[int]) -> int:
    return AuditLog.objects.filter(content_type=ContentType.objects.get_for_model(model), action="create",
                                   object_id__in=[str(pk) for pk in pks]).count()


def test_refresh_issues_notices_in_bulk_to_both_sides(world):
    hr = world.users["hr"]
    c1, c2, c3, good = managed_vendors(4, "vm")
    # one period: the standing is the period's score. 75, 72, 78 → C (requires rectification); 95 → A.
    q1 = vendor_cycle("2026Q1", *Q1, {c1: "75", c2: "72", c3: "78", good: "95"})
    summary = standings_refresh(actor=hr)
    assert summary.rectifications == 3
    notices = {n.vendor_id: n for n in RectificationNotice.objects.select_related("plan")}
    assert set(notices) == {c1.pk, c2.pk, c3.pk}
    for v in (c1, c2, c3):
        n = notices[v.pk]
        assert n.source_key == f"standing:{v.pk}:{q1.pk}"
        assert n.state == "issued" and n.plan.source_cycle_id == q1.pk and n.plan.owner_id == hr.pk
        assert n.deadline - n.plan.start_date == dt.timedelta(days=30)
        card = Appraisal.objects.get(cycle=q1, vendor=v)
        assert list(n.links.values_list("record_kind", "record_id")) == [("scorecard", card.pk)]
        assert list(NoticeEvent.objects.filter(notice=n).values_list("action", flat=True)) == ["issue"]
    assert len({n.number for n in notices.values()}) == 3
    # one audit row per notice and per plan
    assert audit_count(RectificationNotice, [n.pk for n in notices.values()]) == 3
    assert audit_count(ImprovementPlan, [n.plan_id for n in notices.values()]) == 3
    # the vendor side: each manager gets exactly their own notice; the A vendor's manager nothing
    issued = Notification.objects.filter(kind=compliance.KIND_ISSUED)
    for i, v in enumerate((c1, c2, c3)):
        mine = issued.filter(user__username=f"vm{i}")
        assert [x.url for x in mine] == [f"/compliance/notices/{notices[v.pk].pk}/"]
    assert not issued.filter(user__username="vm3").exists()
    # the client side: HR gets one summary naming the three vendors
    (summary_note,) = issued.filter(user=hr)
    assert summary_note.title.startswith("评级要求整改：已向 3 家服务商")
    assert all(v.name in summary_note.body for v in (c1, c2, c3)) and good.name not in summary_note.body


def test_refresh_again_and_a_round_trip_within_the_period_issue_no_duplicate(world):
    hr = world.users["hr"]
    (v,) = managed_vendors(1, "vm")
    q1 = vendor_cycle("2026Q1", *Q1, {v: "75"})
    standings_refresh(actor=hr)
    assert RectificationNotice.objects.count() == 1
    again = standings_refresh(actor=hr)
    assert (again.created, again.rectifications) == (0, 0)
    # the period's score is corrected to 85 (B), then back to 75 (C): C is entered again, same period
    card = Appraisal.objects.get(cycle=q1, vendor=v)
    for score in ("85", "75"):
        Appraisal.objects.filter(pk=card.pk).update(composite=score, breakdown={"weighted_score": score})
        standings_refresh(actor=hr)
    assert list(VendorStanding.objects.filter(vendor=v).order_by("id").values_list("code", flat=True)) == [
        "C", "B", "C"]
    assert RectificationNotice.objects.count() == 1
    assert Notification.objects.filter(kind=compliance.KIND_ISSUED, user__username="vm0").count() == 1


def test_bulk_issue_query_count_does_not_grow_with_vendors(world):
    hr = world.users["hr"]
    scope_for(hr)  # the actor's scope is read once and kept on the user object

    def run(n: int, prefix: str) -> int:
        vendors = managed_vendors(n, prefix)
        vendor_cycle(f"P{prefix}", *Q1, {v: "75" for v in vendors})
        with CaptureQueriesContext(connection) as ctx:
            summary = standings_refresh(actor=hr)
        assert summary.rectifications == n
        return len(ctx.captured_queries)

    small = run(2, "s")
    VendorStanding.objects.all().delete()
    assert run(7, "b") == small


def test_notice_numbers_drawn_again_when_they_clash(world, monkeypatch):
    """Random suffixes: a clash with a stored number or within the batch is drawn again."""
    today = dt.date(2026, 11, 22)
    stored = compliance.rectification_required(world.vendor_a, type("S", (), {"pk": 1, "cycle_id": None})(), None)
    draws = iter([stored.number, "ZG20261122-000001", "ZG20261122-000001", "ZG20261122-000002"])
    monkeypatch.setattr(compliance, "_number", lambda day: next(draws))
    got = compliance._numbers(today, 2)
    assert sorted(got) == ["ZG20261122-000001", "ZG20261122-000002"]


def test_old_standing_keys_are_rewritten_by_the_migration(world):
    """Keys "standing:<row>" of the first version become "standing:<vendor>:<cycle>"; a second
    notice on the same key (the old rule reopened after closing) keeps its key with "#<id>"."""
    from importlib import import_module

    from django.apps import apps

    (v,) = managed_vendors(1, "vm")
    q1 = vendor_cycle("2026Q1", *Q1, {v: "75"})
    standings_refresh(actor=world.users["hr"])
    first = RectificationNotice.objects.get()
    row = VendorStanding.objects.get(vendor=v)
    migration = import_module("outperform.compliance.migrations.0003_notice_source_per_vendor_period")
    RectificationNotice.objects.filter(pk=first.pk).update(source_key=f"standing:{row.pk}", state="closed")
    migration.rekey(apps, None)
    assert RectificationNotice.objects.get(pk=first.pk).source_key == f"standing:{v.pk}:{q1.pk}"
    second = compliance.notice_issue(actor=None, vendor=v, title="t", problems="p", measures="m",
                                     deadline=dt.date.today() + dt.timedelta(days=3), source_key=f"standing:{row.pk}")
    migration.rekey(apps, None)
    assert RectificationNotice.objects.get(pk=second.pk).source_key == f"standing:{row.pk}#{second.pk}"
    assert RectificationNotice.objects.get(pk=first.pk).source_key == f"standing:{v.pk}:{q1.pk}"
