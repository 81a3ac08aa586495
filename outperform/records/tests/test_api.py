"""REST push: POST is an upsert by external_id; links by natural keys; derived columns returned."""

from __future__ import annotations

import pytest

from outperform.core.models import AuditLog
from outperform.records.models import TaskRecord, Ticket

from .factories import SlaPolicyFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/records/tasks/"


def payload(world, **extra):
    return {"external_id": "T-9", "title": "周报", "vendor": world.vendor_a.credit_code,
            "worker": world.workers["a_ops_cs"].employee_no, "due_date": "2026-10-15",
            "delivered_date": "2026-10-15", "acceptance": "accepted", "rework_count": 0, **extra}


def test_post_twice_is_one_record(world, api_for):
    api = api_for("hr")
    first = api.post(URL, payload(world), format="json")
    assert first.status_code == 201, first.content
    assert first.json()["on_time"] is True and first.json()["first_pass"] is True
    assert first.json()["department"] == "OPS-CS"  # filled from the worker
    again = api.post(URL, payload(world), format="json")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert TaskRecord.objects.count() == 1
    record = TaskRecord.objects.get()
    # Nothing changed the second time: only the create is audited.
    assert AuditLog.objects.filter(object_id=str(record.pk), content_type__model="taskrecord").count() == 1


def test_post_with_existing_id_updates_and_rederives(world, api_for):
    api = api_for("hr")
    api.post(URL, payload(world), format="json")
    response = api.post(URL, payload(world, delivered_date="2026-10-17", rework_count=1), format="json")
    assert response.status_code == 200
    record = TaskRecord.objects.get()
    assert (record.on_time, record.first_pass, record.rework_count) == (False, False, 1)
    assert AuditLog.objects.filter(object_id=str(record.pk), action="update").count() == 1


def test_unknown_natural_key_is_a_field_error(world, api_for):
    response = api_for("hr").post(URL, payload(world, vendor="NOPE"), format="json")
    assert response.status_code == 400
    assert "vendor" in response.json()


def test_a_worker_of_another_vendor_is_refused(world, api_for):
    response = api_for("hr").post(URL, payload(world, worker=world.workers["b_ops"].employee_no), format="json")
    assert response.status_code == 400
    assert "worker" in response.json()


def test_vendor_manager_cannot_push(world, api_for):
    assert api_for("vendor_manager").post(URL, payload(world), format="json").status_code == 403
    assert TaskRecord.objects.count() == 0


def test_ticket_push_returns_sla_columns(world, api_for):
    SlaPolicyFactory(contract=world.contract_a, priority="p1", response_minutes=30, resolution_minutes=240)
    response = api_for("hr").post("/api/v1/records/tickets/", {
        "external_id": "K-1", "title": "宕机", "vendor": world.vendor_a.credit_code, "contract": "HT-A",
        "priority": "p1", "opened_at": "2026-10-12T09:00:00+08:00", "first_response_at": "2026-10-12T09:10:00+08:00",
        "resolved_at": "2026-10-12T10:00:00+08:00"}, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["sla_status"] == "met"
    assert data["response_due_at"].startswith("2026-10-12T09:30:00")
    assert Ticket.objects.get().resolution_minutes == 60
