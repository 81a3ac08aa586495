"""Action links show only to the users who may use them: "发出整改通知" (issue a rectification
notice) is HR's, so the vendor manager and the worker never see it and HR does — on the finding
page, on the notices list and on the vendor's standing page."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ISSUE_FROM_FINDING = "/findings/{pk}/notice/"
ISSUE = "/compliance/notices/new/"


def page(client, url: str) -> tuple[int, str]:
    r = client.get(url)
    return r.status_code, r.content.decode()


@pytest.mark.parametrize(("role", "status", "shown"), [
    ("hr", 200, True), ("system_admin", 200, True),
    ("vendor_manager", 200, False),  # their own vendor's finding: the page, without the link
    ("auditor", 200, False),  # sees everything, issues nothing
    ("worker", 404, False),
])
def test_issue_link_on_a_finding(world, cw, client_for, role, status, shown):
    code, html = page(client_for(role), reverse("compliance:findings_detail", args=[cw.finding_a.pk]))
    assert code == status
    assert (ISSUE_FROM_FINDING.format(pk=cw.finding_a.pk) in html) is shown
    assert ("发出整改通知" in html) is shown


def test_the_issue_link_leads_somewhere_for_hr_and_is_refused_to_the_vendor(world, cw, client_for):
    url = reverse("compliance:notice_from_finding", args=[cw.finding_a.pk])
    assert client_for("hr").get(url).status_code == 302
    assert client_for("vendor_manager").get(url).status_code == 403


@pytest.mark.parametrize(("role", "shown"), [("hr", True), ("vendor_manager", False), ("auditor", False)])
def test_new_notice_button_on_the_notices_list(world, cw, client_for, role, shown):
    code, html = page(client_for(role), reverse("compliance:notices_list"))
    assert code == 200
    assert (f'href="{ISSUE}"' in html) is shown


@pytest.mark.parametrize(("role", "status", "shown"), [
    ("hr", 200, True), ("vendor_manager", 200, False), ("supervisor", 200, False), ("worker", 404, False),
])
def test_issue_button_on_the_vendor_standing_page(world, cw, client_for, role, status, shown):
    code, html = page(client_for(role), reverse("standings:vendor", args=[world.vendor_a.pk]))
    assert code == status
    assert (f'href="{ISSUE}?vendor={world.vendor_a.pk}"' in html) is shown


@pytest.mark.parametrize(("role", "shown"), [("hr", True), ("vendor_manager", True), ("supervisor", False)])
def test_vendor_standing_page_lists_notices_to_those_who_may_see_them(world, cw, client_for, role, shown):
    _code, html = page(client_for(role), reverse("standings:vendor", args=[world.vendor_a.pk]))
    assert ('data-testid="notices-table"' in html) is shown
    assert (cw.notice_a.number in html) is shown
    assert cw.notice_b.number not in html  # vendor B's notice is never on vendor A's page


@pytest.mark.parametrize("role", ["vendor_manager", "auditor"])
def test_audit_page_offers_no_edit_and_no_new_finding_to_read_only_roles(world, cw, client_for, role):
    code, html = page(client_for(role), reverse("compliance:audits_detail", args=[cw.audit_a.pk]))
    assert code == 200
    assert reverse("compliance:audits_edit", args=[cw.audit_a.pk]) not in html
    assert reverse("compliance:findings_create") not in html


def test_contacts_stay_editable_by_their_vendor(world, cw, client_for):
    code, html = page(client_for("vendor_manager"), reverse("compliance:contacts_detail", args=[cw.contact_a.pk]))
    assert code == 200 and reverse("compliance:contacts_edit", args=[cw.contact_a.pk]) in html
