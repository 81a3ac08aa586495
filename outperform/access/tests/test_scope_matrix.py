"""Role × scope on every list, detail and export of the foundation, in the pages and the API.

Expected sets are written out by hand in testing/world.py; a vendor manager never sees another
vendor's worker, not even by guessing an id (404, not 403)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from outperform.testing.world import ROLES

pytestmark = pytest.mark.django_db


def _employee_nos(world):  # type: ignore[no-untyped-def]
    return {k: w.employee_no for k, w in world.workers.items()}


@pytest.mark.parametrize("role", ROLES)
def test_worker_list_page_shows_exactly_the_scope(world, client_for, role):
    response = client_for(role).get(reverse("workers:workers_list"), {"per_page": 200})
    assert response.status_code == 200
    body = response.content.decode()
    shown = {k for k, no in _employee_nos(world).items() if no in body}
    assert shown == world.visible_workers(role)


@pytest.mark.parametrize("role", ROLES)
def test_worker_api_list_shows_exactly_the_scope(world, api_for, role):
    response = api_for(role).get("/api/v1/workers/", {"page_size": 200})
    assert response.status_code == 200
    got = {row["employee_no"] for row in response.json()["results"]}
    assert got == {no for k, no in _employee_nos(world).items() if k in world.visible_workers(role)}


@pytest.mark.parametrize("role", ROLES)
def test_worker_detail_is_404_outside_the_scope(world, client_for, api_for, role):
    web, api = client_for(role), api_for(role)
    for key, worker in world.workers.items():
        expected = 200 if key in world.visible_workers(role) else 404
        assert web.get(reverse("workers:workers_detail", args=[worker.pk])).status_code == expected, key
        assert api.get(f"/api/v1/workers/{worker.pk}/").status_code == expected, key


@pytest.mark.parametrize("role", ROLES)
def test_worker_export_contains_exactly_the_scope(world, client_for, role):
    response = client_for(role).get(reverse("workers:workers_list"), {"export": "xlsx"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    got = {str(r[0]) for r in rows if r and r[0]}
    assert got == {no for k, no in _employee_nos(world).items() if k in world.visible_workers(role)}


@pytest.mark.parametrize("role", ROLES)
def test_contract_lists_and_details_follow_the_vendor_scope(world, client_for, api_for, role):
    expected = world.visible_contracts(role)
    contracts = {"a": world.contract_a, "b": world.contract_b}
    api_numbers = {r["number"] for r in api_for(role).get("/api/v1/contracts/").json()["results"]}
    assert api_numbers == {contracts[k].number for k in expected}
    page = client_for(role).get(reverse("vendors:contracts_list")).content.decode()
    assert {k for k, c in contracts.items() if c.number in page} == expected
    for key, contract in contracts.items():
        status = 200 if key in expected else 404
        assert client_for(role).get(reverse("vendors:contracts_detail", args=[contract.pk])).status_code == status
        assert api_for(role).get(f"/api/v1/contracts/{contract.pk}/").status_code == status


# Who sees 身份证号 and mobile whole for worker a_ops_cs (vendor A, OPS-CS): HR and admin, vendor A's
# manager. The supervisor and the auditor see them masked; the worker role does not see a_ops_cs.
WHOLE = {"system_admin": True, "hr": True, "vendor_manager": True, "supervisor": False, "auditor": False}


@pytest.mark.parametrize(("role", "whole"), WHOLE.items())
def test_personal_data_masked_for_roles_without_the_right(world, client_for, api_for, role, whole):
    worker = world.workers["a_ops_cs"]
    masked_id = worker.id_number[:3] + "*" * 11 + worker.id_number[-4:]
    page = client_for(role).get(reverse("workers:workers_detail", args=[worker.pk])).content.decode()
    data = api_for(role).get(f"/api/v1/workers/{worker.pk}/").json()
    if whole:
        assert worker.id_number in page and data["id_number"] == worker.id_number
        assert data["mobile"] == worker.mobile and data["base_salary_fen"] == worker.base_salary_fen
    else:
        assert worker.id_number not in page and masked_id in page
        assert data["id_number"] == masked_id
        assert data["mobile"] == worker.mobile[:3] + "****" + worker.mobile[-4:]
        assert data["base_salary_fen"] == "***"


def test_worker_sees_own_personal_data_whole(world, api_for):
    me = world.workers["a_self"]
    assert api_for("worker").get(f"/api/v1/workers/{me.pk}/").json()["id_number"] == me.id_number


@pytest.mark.parametrize("role", ROLES)
def test_audit_log_only_for_whole_organisation_viewers(world, client_for, role):
    response = client_for(role).get(reverse("core:audit_list"))
    assert response.status_code == 200
    # Non-whole roles get the page with no rows: the log declares no scope paths.
    from outperform.core.audit import audit_create

    entry = audit_create(world.users["hr"], world.vendor_a)
    response = client_for(role).get(reverse("core:audit_list"))
    seen = f'/audit/{entry.pk}/' in response.content.decode()
    assert seen == (role in {"system_admin", "hr", "auditor"})
