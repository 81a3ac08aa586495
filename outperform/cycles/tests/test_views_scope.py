"""Who sees which appraisals, and when results reach them — pages and exports."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from outperform.cycles.models import Appraisal, CycleState
from outperform.cycles.services import cycle_open

from .helpers_web import advance, has_inline_script, make_cycle, submit_all, to_review

pytestmark = pytest.mark.django_db

ALL = {"a_ops_cs", "a_tech", "a_self", "b_ops", "b_tech"}


@pytest.fixture
def published(world, template):  # type: ignore[no-untyped-def]
    cycle = make_cycle(world, template)
    cycle = to_review(world, cycle, {"Q1": ("80", ""), "Q2": ("70", "")})
    submit_all(cycle, "supervisor", {"Q1": ("90", ""), "Q2": ("85", "")})
    return advance(cycle, world.users["hr"], CycleState.CALIBRATION, CycleState.PUBLISHED)


def _names(world, keys):  # type: ignore[no-untyped-def]
    return {world.workers[k].name for k in keys}


def _listed(world, client, cycle, **params):  # type: ignore[no-untyped-def]
    body = client.get(reverse("cycles:appraisal_list", args=[cycle.pk]), params).content.decode()
    return {k for k in ALL if world.workers[k].name in body}, body


def _exported(world, client, cycle):  # type: ignore[no-untyped-def]
    response = client.get(reverse("cycles:appraisal_list", args=[cycle.pk]), {"export": "xlsx"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("工号", "姓名", "服务商", "部门", "岗位", "综合得分", "等级", "排名", "系数", "奖金(元)")
    return rows[1:]


@pytest.mark.parametrize(("role", "expected"), [
    ("hr", ALL), ("auditor", ALL), ("system_admin", ALL),
    ("supervisor", {"a_ops_cs", "b_ops", "a_self"}),
    ("vendor_manager", {"a_ops_cs", "a_tech", "a_self"}),
    ("worker", {"a_self"}),
])
def test_appraisal_list_detail_and_export_are_scoped(world, client_for, published, role, expected):
    client = client_for(role)
    listed, body = _listed(world, client, published)
    assert listed == expected
    assert not has_inline_script(body)
    exported = {row[1] for row in _exported(world, client, published)}
    assert exported == _names(world, expected)
    for key in ALL:
        a = Appraisal.objects.get(worker=world.workers[key])
        status = client.get(reverse("cycles:appraisal_detail", args=[a.pk])).status_code
        assert status == (200 if key in expected else 404), (role, key)


def test_vendor_manager_never_reaches_another_vendors_appraisal(world, client_for, api_for, published):
    vm = client_for("vendor_manager")
    theirs = Appraisal.objects.get(worker=world.workers["b_ops"])
    assert vm.get(reverse("cycles:appraisal_detail", args=[theirs.pk])).status_code == 404
    assert vm.get(reverse("cycles:archive_worker", args=[world.workers["b_ops"].pk])).status_code == 404
    # vendor B is not a choice of the filter: the filter is ignored, B's rows never appear
    listed, _ = _listed(world, vm, published, vendor=world.vendor_b.pk)
    assert listed == {"a_ops_cs", "a_tech", "a_self"}
    rest = api_for("vendor_manager")
    assert rest.get(f"/api/v1/appraisals/{theirs.pk}/").status_code == 404
    assert rest.get(f"/api/v1/appraisals/{theirs.pk}/explain/").status_code == 404
    ids = {r["id"] for r in rest.get("/api/v1/appraisals/", {"page_size": 100}).json()["results"]}
    assert theirs.pk not in ids and len(ids) == 3


def test_worker_sees_own_result_only_after_publication(world, client_for, template):
    cycle = make_cycle(world, template)
    cycle = to_review(world, cycle, {"Q1": ("80", ""), "Q2": ("70", "")})
    submit_all(cycle, "supervisor", {"Q1": ("90", ""), "Q2": ("85", "")})
    cycle = advance(cycle, world.users["hr"], CycleState.CALIBRATION)  # computed
    me = client_for("worker")
    mine = Appraisal.objects.get(worker=world.workers["a_self"])
    assert mine.composite is not None
    url = reverse("cycles:appraisal_detail", args=[mine.pk])
    page = me.get(url).content.decode()
    assert "尚未发布" in page and "83.20" not in page and 'data-testid="breakdown"' not in page
    listed, body = _listed(world, me, cycle)
    assert listed == {"a_self"} and "83.20" not in body and ">良好</span>" not in body
    # neither filtering nor sorting by grade tells anything before publication
    assert _listed(world, me, cycle, grade="B")[0] == {"a_self"}
    assert _listed(world, me, cycle, grade="A")[0] == {"a_self"}
    assert all(row[5] is None and row[6] in (None, "") for row in _exported(world, me, cycle))
    # HR sees it all along; the supervisor not before publication either
    assert "83.20" in client_for("hr").get(url).content.decode()
    assert "83.20" not in client_for("supervisor").get(url).content.decode()
    advance(cycle, world.users["hr"], CycleState.PUBLISHED)
    page = me.get(url).content.decode()
    assert "83.20" in page and 'data-testid="breakdown"' in page
    assert [row[5] for row in _exported(world, me, cycle)] == [83.2]


def test_supervisor_sees_their_departments_in_the_cockpit(world, client_for, template):
    cycle = make_cycle(world, template)
    cycle_open(actor=world.users["hr"], cycle=cycle)
    page = client_for("supervisor").get(reverse("cycles:cycles_detail", args=[cycle.pk])).content.decode()
    # progress rows only for the supervisor's departments; no HR actions
    assert "运营中心" in page and "客服部" in page and "技术中心" not in page
    assert "开启周期" not in page and "进入下一阶段" not in page
    page = client_for("hr").get(reverse("cycles:cycles_detail", args=[cycle.pk])).content.decode()
    assert "技术中心" in page and "进入下一阶段" in page
    assert client_for("nobody").get(reverse("cycles:cycles_detail", args=[cycle.pk])).status_code == 404


def test_calibration_board_is_for_hr_only(world, client_for, published):
    for role in ("supervisor", "vendor_manager", "worker", "auditor"):
        assert client_for(role).get(reverse("cycles:calibration_board", args=[published.pk])).status_code == 403
    page = client_for("hr").get(reverse("cycles:calibration_board", args=[published.pk])).content.decode()
    assert "只有在“校准”阶段才能修改结果" in page and 'name="appraisal"' not in page
