"""Who may write what, and that every write leaves exactly one audit row."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from outperform.core.models import AuditLog
from outperform.workers.models import Worker

pytestmark = pytest.mark.django_db

VALID_ID = "11010519491231002X"


def _payload(world, vendor, **extra):  # type: ignore[no-untyped-def]
    return {
        "employee_no": "NEW001", "name": "新员工", "vendor": vendor.pk, "department": world.ops_cs.pk,
        "position": world.position.pk, "hire_date": "2026-02-01", "id_number": VALID_ID,
        "mobile": "13912345678", **extra,
    }


def _audit_rows(obj):  # type: ignore[no-untyped-def]
    return AuditLog.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))


@pytest.mark.parametrize(
    ("role", "vendor_key", "status"),
    [
        ("hr", "vendor_a", 201),
        ("system_admin", "vendor_b", 201),
        ("vendor_manager", "vendor_a", 201),
        ("vendor_manager", "vendor_b", 400),  # not a vendor they may choose
        ("supervisor", "vendor_a", 403),
        ("auditor", "vendor_a", 403),
        ("worker", "vendor_a", 403),
        ("nobody", "vendor_a", 403),
    ],
)
def test_api_create_worker_by_role(world, api_for, role, vendor_key, status):
    response = api_for(role).post("/api/v1/workers/", _payload(world, getattr(world, vendor_key)), format="json")
    assert response.status_code == status, response.content
    if status == 201:
        worker = Worker.objects.get(employee_no="NEW001")
        rows = _audit_rows(worker)
        assert rows.count() == 1
        assert rows.get().action == "create" and rows.get().actor == world.users[role]
    else:
        assert not Worker.objects.filter(employee_no="NEW001").exists()


def test_api_update_and_delete_write_one_audit_row_each(world, api_for):
    worker = world.workers["a_tech"]
    api = api_for("hr")
    response = api.patch(f"/api/v1/workers/{worker.pk}/", {"name": "改名"}, format="json")
    assert response.status_code == 200
    row = _audit_rows(worker).get()
    assert row.action == "update" and row.changes == {"name": [worker.name, "改名"]}
    assert api.delete(f"/api/v1/workers/{worker.pk}/").status_code == 204
    assert list(_audit_rows(worker).values_list("action", flat=True).order_by("id")) == ["update", "delete"]


def test_unchanged_save_writes_no_audit_row(world, api_for):
    worker = world.workers["a_tech"]
    assert api_for("hr").patch(f"/api/v1/workers/{worker.pk}/", {"name": worker.name}, format="json").status_code == 200
    assert not _audit_rows(worker).exists()


def test_vendor_manager_cannot_touch_another_vendors_worker(world, api_for):
    other = world.workers["b_ops"]
    api = api_for("vendor_manager")
    assert api.patch(f"/api/v1/workers/{other.pk}/", {"name": "x"}, format="json").status_code == 404
    assert api.delete(f"/api/v1/workers/{other.pk}/").status_code == 404
    assert Worker.objects.filter(pk=other.pk, name=other.name).exists()


def test_vendor_manager_cannot_move_own_worker_to_another_vendor(world, api_for):
    mine = world.workers["a_tech"]
    response = api_for("vendor_manager").patch(
        f"/api/v1/workers/{mine.pk}/", {"vendor": world.vendor_b.pk}, format="json"
    )
    assert response.status_code == 400
    mine.refresh_from_db()
    assert mine.vendor_id == world.vendor_a.pk


def test_supervisor_sees_but_cannot_edit(world, client_for, api_for):
    worker = world.workers["a_ops_cs"]
    assert client_for("supervisor").get(reverse("workers:workers_edit", args=[worker.pk])).status_code == 403
    assert api_for("supervisor").patch(f"/api/v1/workers/{worker.pk}/", {"name": "x"}, format="json").status_code == 403


def test_web_create_edit_delete_each_write_one_audit_row(world, client_for):
    web = client_for("hr")
    response = web.post(reverse("vendors:vendors_create"), {
        "name": "丙服务商", "credit_code": "91310000MA1FL0XQ3D", "category": "labour", "status": "active",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    from outperform.vendors.models import Vendor

    vendor = Vendor.objects.get(name="丙服务商")
    assert _audit_rows(vendor).count() == 1
    response = web.post(reverse("vendors:vendors_edit", args=[vendor.pk]), {
        "name": "丙服务商（新）", "credit_code": "91310000MA1FL0XQ3D", "category": "labour", "status": "active",
    })
    assert response.status_code == 302
    assert _audit_rows(vendor).count() == 2
    assert web.post(reverse("vendors:vendors_delete", args=[vendor.pk])).status_code == 302
    assert _audit_rows(vendor).count() == 3
    assert not Vendor.objects.filter(pk=vendor.pk).exists()


def test_web_form_errors_name_the_field_in_both_languages(world, client_for):
    response = client_for("hr").post(reverse("vendors:vendors_create"), {
        "name": "丁服务商", "credit_code": "91310000MA1FL0XQ3X", "category": "labour", "status": "active",
    })
    assert response.status_code == 400
    body = response.content.decode()
    assert "统一社会信用代码校验位不正确" in body and "check character is wrong" in body


def test_delete_of_referenced_row_is_refused_and_nothing_changes(world, client_for, api_for):
    assert api_for("hr").delete(f"/api/v1/vendors/{world.vendor_a.pk}/").status_code == 409
    response = client_for("hr").post(reverse("vendors:vendors_delete", args=[world.vendor_a.pk]))
    assert response.status_code == 302
    from outperform.vendors.models import Vendor

    assert Vendor.objects.filter(pk=world.vendor_a.pk).exists()
    assert not _audit_rows(world.vendor_a).filter(action="delete").exists()
