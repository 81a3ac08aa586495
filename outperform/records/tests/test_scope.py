"""Role × scope for records, in pages, exports and the API. Expected sets written out by hand from
the world (testing/world.py): vendor A's records are seen by its vendor manager, records in OPS and
below by the supervisor, a worker's own records by that worker."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from outperform.testing.world import ROLES

from .factories import FindingFactory, InspectionFactory, TaskFactory, TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks(world):
    w = world.workers
    return {
        "a_self": TaskFactory(external_id="A-SELF", vendor=world.vendor_a, worker=w["a_self"]),
        "a_cs": TaskFactory(external_id="A-CS", vendor=world.vendor_a, worker=w["a_ops_cs"]),
        "a_tech": TaskFactory(external_id="A-TECH", vendor=world.vendor_a, department=world.tech),
        "b_ops": TaskFactory(external_id="B-OPS", vendor=world.vendor_b, worker=w["b_ops"]),
        "b_tech": TaskFactory(external_id="B-TECH", vendor=world.vendor_b, department=world.tech),
    }


EXPECTED = {
    "system_admin": {"A-SELF", "A-CS", "A-TECH", "B-OPS", "B-TECH"},
    "hr": {"A-SELF", "A-CS", "A-TECH", "B-OPS", "B-TECH"},
    "auditor": {"A-SELF", "A-CS", "A-TECH", "B-OPS", "B-TECH"},
    "supervisor": {"A-SELF", "A-CS", "B-OPS"},  # OPS and OPS-CS; a_self works in OPS
    "vendor_manager": {"A-SELF", "A-CS", "A-TECH"},
    "worker": {"A-SELF"},
    "nobody": set(),
}


@pytest.mark.parametrize("role", ROLES)
def test_api_list(role, tasks, api_for):
    response = api_for(role).get("/api/v1/records/tasks/?page_size=100")
    assert response.status_code == 200
    assert {r["external_id"] for r in response.json()["results"]} == EXPECTED[role]


@pytest.mark.parametrize("role", ROLES)
def test_web_list_and_export(role, tasks, client_for):
    client = client_for(role)
    page = client.get(reverse("records:tasks_list") + "?per_page=100").content.decode()
    assert {k for k in EXPECTED["hr"] if k in page} == EXPECTED[role]
    export = client.get(reverse("records:tasks_list") + "?export=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    assert {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)} == EXPECTED[role]


@pytest.mark.parametrize("role", ROLES)
def test_detail_outside_scope_is_404(role, tasks, client_for, api_for):
    for key, task in tasks.items():
        visible = task.external_id in EXPECTED[role]
        web = client_for(role).get(reverse("records:tasks_detail", args=[task.pk])).status_code
        api = api_for(role).get(f"/api/v1/records/tasks/{task.pk}/").status_code
        assert (web, api) == ((200, 200) if visible else (404, 404)), (role, key)


def test_vendor_manager_sees_only_own_tickets_and_findings(world, api_for, client_for):
    TicketFactory(external_id="K-A", vendor=world.vendor_a)
    TicketFactory(external_id="K-B", vendor=world.vendor_b)
    FindingFactory(external_id="F-A", inspection=InspectionFactory(vendor=world.vendor_a))
    FindingFactory(external_id="F-B", inspection=InspectionFactory(vendor=world.vendor_b))
    api = api_for("vendor_manager")
    assert [r["external_id"] for r in api.get("/api/v1/records/tickets/").json()["results"]] == ["K-A"]
    assert [r["external_id"] for r in api.get("/api/v1/records/inspection-findings/").json()["results"]] == ["F-A"]
    page = client_for("vendor_manager").get(reverse("records:tickets_list")).content.decode()
    assert "K-A" in page and "K-B" not in page


def test_vendor_filter_choices_are_scoped(world, client_for):
    page = client_for("vendor_manager").get(reverse("records:tasks_list")).content.decode()
    assert world.vendor_a.name in page and world.vendor_b.name not in page


def test_upsert_cannot_touch_a_record_outside_scope(world, api_for):
    """A vendor manager can't write at all; the upsert path must not open a side door."""
    task = TaskFactory(external_id="B-1", vendor=world.vendor_b, title="原标题")
    response = api_for("vendor_manager").post("/api/v1/records/tasks/", {
        "external_id": "B-1", "title": "改", "vendor": world.vendor_a.credit_code, "due_date": "2026-10-15"},
        format="json")
    assert response.status_code in (403, 404)
    task.refresh_from_db()
    assert task.title == "原标题"
