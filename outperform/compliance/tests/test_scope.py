"""Role × scope for every compliance list, detail and API endpoint, written out by hand: the vendor
manager sees vendor A only; supervisors and workers see none of it; whole-view roles see both."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

SEES = {  # role -> which vendors' rows it sees
    "system_admin": {"a", "b"}, "hr": {"a", "b"}, "auditor": {"a", "b"},
    "vendor_manager": {"a"}, "supervisor": set(), "worker": set(), "nobody": set(),
}
KINDS = {  # route stem / api path -> attribute pair on the fixture
    "notices": ("notice_a", "notice_b"),
    "audits": ("audit_a", "audit_b"),
    "findings": ("finding_a", "finding_b"),
    "contacts": ("contact_a", "contact_b"),
}


@pytest.mark.parametrize("role", list(SEES))
@pytest.mark.parametrize("kind", list(KINDS))
def test_web_detail_and_api_scope(world, cw, client_for, api_for, role, kind):
    objs = {"a": getattr(cw, KINDS[kind][0]), "b": getattr(cw, KINDS[kind][1])}
    web, rest = client_for(role), api_for(role)
    listed = rest.get(f"/api/v1/compliance/{kind}/")
    assert listed.status_code == 200
    ids = {row["id"] for row in listed.json()["results"]}
    assert ids == {objs[v].pk for v in SEES[role]}
    for v, obj in objs.items():
        expected = 200 if v in SEES[role] else 404
        assert web.get(reverse(f"compliance:{kind}_detail", args=[obj.pk])).status_code == expected, (role, v)
        assert rest.get(f"/api/v1/compliance/{kind}/{obj.pk}/").status_code == expected, (role, v)


@pytest.mark.parametrize("role", list(SEES))
def test_web_lists_show_only_scope(world, cw, client_for, role):
    page = client_for(role).get(reverse("compliance:notices_list")).content.decode()
    assert ("A 整改" in page) == ("a" in SEES[role])
    assert ("B 整改" in page) == ("b" in SEES[role])


def test_vendor_manager_api_actions_on_other_vendor_are_404(world, cw, api_for):
    rest = api_for("vendor_manager")
    for action in ("respond", "submit", "evidence"):
        assert rest.post(f"/api/v1/compliance/notices/{cw.notice_b.pk}/{action}/", {}).status_code == 404


def test_api_flow(world, cw, api_for):
    from .conftest import pdf

    vm, hr = api_for("vendor_manager"), api_for("hr")
    url = f"/api/v1/compliance/notices/{cw.notice_a.pk}/"
    assert vm.post(url + "verify/", {}, format="json").status_code == 403
    bad = vm.post(url + "submit/", {"vendor_response": "x"}, format="json")
    assert bad.status_code == 400 and "已发出" in bad.content.decode()
    assert vm.post(url + "respond/", {"vendor_plan": "方案"}, format="json").json()["state"] == "in_progress"
    assert vm.post(url + "evidence/", {"file": pdf()}, format="multipart").status_code == 201
    assert vm.post(url + "submit/", {"vendor_response": "完成"}, format="json").json()["state"] == "pending"
    assert hr.post(url + "reject/", {"reason": "不足"}, format="json").json()["state"] == "rejected"


def test_api_issue(world, api_for):
    payload = {"vendor": world.vendor_a.pk, "title": "t", "problems": "p", "measures": "m", "deadline": "2999-01-01",
               "links": [{"kind": "incident", "id": 5, "label": "事件"}]}
    assert api_for("vendor_manager").post("/api/v1/compliance/notices/", payload, format="json").status_code == 403
    created = api_for("hr").post("/api/v1/compliance/notices/", payload, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["links"] == [{"kind": "incident", "id": 5, "label": "事件"}]


@pytest.mark.parametrize(("role", "shown"), [
    ("hr", "13812345678"), ("system_admin", "13812345678"), ("vendor_manager", "13812345678"),
    ("auditor", "138****5678"),
])
def test_contact_mobile_masking(world, cw, client_for, api_for, role, shown):
    data = api_for(role).get(f"/api/v1/compliance/contacts/{cw.contact_a.pk}/").json()
    assert data["mobile"] == shown
    page = client_for(role).get(reverse("compliance:contacts_list")).content.decode()
    assert shown in page
    if shown != "13812345678":
        assert "13812345678" not in page


def test_contact_export_masks_for_auditor(world, cw, client_for):
    from io import BytesIO

    from openpyxl import load_workbook

    response = client_for("auditor").get(reverse("compliance:contacts_list") + "?export=xlsx")
    assert response.status_code == 200
    values = [c.value for row in load_workbook(BytesIO(response.content)).active.iter_rows() for c in row]
    assert "138****5678" in values and "13812345678" not in values


def test_list_query_count_is_constant(world, cw, client_for, django_assert_max_num_queries):
    from .conftest import issue

    hr = client_for("hr")
    url = reverse("compliance:notices_list")
    hr.get(url)
    with django_assert_max_num_queries(12) as ctx:
        hr.get(url)
    few = len(ctx.captured_queries)
    for i in range(15):
        issue(world, world.vendor_a, f"更多{i}")
    with django_assert_max_num_queries(few):
        hr.get(url)
