"""Role × scope for the other foundation lists (pages, API, details, exports), written out by hand."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from outperform.testing.factories import ServiceLevelFactory
from outperform.testing.world import ROLES

pytestmark = pytest.mark.django_db

EVERY_ROLE = {"system_admin", "hr", "auditor", "supervisor", "vendor_manager", "worker"}

# resource → (page namespace:name stem, API path, objects getter, {role: visible keys})
CASES = {
    "vendors": ("vendors:vendors", "/api/v1/vendors/", lambda w: {"a": w.vendor_a, "b": w.vendor_b},
                {"system_admin": {"a", "b"}, "hr": {"a", "b"}, "auditor": {"a", "b"}, "supervisor": {"a", "b"},
                 "vendor_manager": {"a"}, "worker": set(), "nobody": set()}),
    "service_levels": ("vendors:service_levels", "/api/v1/service-levels/",
                       lambda w: {"a": ServiceLevelFactory(contract=w.contract_a, metric="甲SLA"),
                                  "b": ServiceLevelFactory(contract=w.contract_b, metric="乙SLA")},
                       {"system_admin": {"a", "b"}, "hr": {"a", "b"}, "auditor": {"a", "b"}, "supervisor": set(),
                        "vendor_manager": {"a"}, "worker": set(), "nobody": set()}),
    "departments": ("org:departments", "/api/v1/departments/", lambda w: {"ops": w.ops, "tech": w.tech},
                    {**{r: {"ops", "tech"} for r in EVERY_ROLE}, "nobody": set()}),
    "positions": ("org:positions", "/api/v1/positions/", lambda w: {"p": w.position},
                  {**{r: {"p"} for r in EVERY_ROLE}, "nobody": set()}),
    "projects": ("org:projects", "/api/v1/projects/", lambda w: {"p": w.project},
                 {**{r: {"p"} for r in EVERY_ROLE}, "nobody": set()}),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES)
def test_lists_details_and_api_follow_the_scope(world, client_for, api_for, role, case):
    stem, api, objects, expected = CASES[case]
    objs = objects(world)
    web, rest = client_for(role), api_for(role)
    page = web.get(reverse(f"{stem}_list"), {"per_page": 200})
    assert page.status_code == 200
    ids = {r["id"] for r in rest.get(api, {"page_size": 500}).json()["results"]}
    for key, obj in objs.items():
        visible = key in expected[role]
        assert (obj.pk in ids) == visible, (case, role, key)
        detail_url = reverse(f"{stem}_detail", args=[obj.pk])
        assert (detail_url in page.content.decode()) == visible, (case, role, key)
        assert web.get(detail_url).status_code == (200 if visible else 404)
        assert rest.get(f"{api}{obj.pk}/").status_code == (200 if visible else 404)


@pytest.mark.parametrize("role", ROLES)
def test_vendor_export_follows_the_scope(world, client_for, role):
    response = client_for(role).get(reverse("vendors:vendors_list"), {"export": "xlsx"})
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=2, values_only=True))
    codes = {r[0] for r in rows if r and r[0]}
    expected = CASES["vendors"][3][role]
    assert codes == {v.credit_code for k, v in {"a": world.vendor_a, "b": world.vendor_b}.items() if k in expected}


@pytest.mark.parametrize(("role", "status"), [("hr", 201), ("system_admin", 201), ("supervisor", 403),
                                              ("vendor_manager", 403), ("worker", 403), ("auditor", 403)])
def test_reference_data_writes_are_for_hr_and_admin(world, api_for, role, status):
    response = api_for(role).post("/api/v1/positions/", {"code": "P-NEW", "name": "新岗位", "category": "service"},
                                  format="json")
    assert response.status_code == status
