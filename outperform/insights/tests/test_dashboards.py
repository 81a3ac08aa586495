"""Dashboard numbers, worked out by hand from the result history in conftest.py, for every role."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from outperform.cycles.models import CycleState
from outperform.insights.models import CycleSummary, ResultCell
from outperform.insights.selectors import Filters, dashboard, my_dashboard

pytestmark = pytest.mark.django_db


def charts(user, **filters):  # type: ignore[no-untyped-def]
    return dashboard(user, Filters(**filters)).as_json()["charts"]


@pytest.mark.parametrize("archived", [True, False], ids=["from-cells", "from-appraisals"])
def test_hr_distribution_comparisons_trend_and_ranking(world, results, archived):
    if not archived:  # the same numbers read from the appraisals themselves
        for name in ("2026Q2", "2026Q3"):
            results[name].state = CycleState.CONFIRMATION
            results[name].save()
    c = charts(world.users["hr"])
    # Q3: A 1 (a_ops_cs), B 2 (a_tech, b_tech), C 1 (a_self), D 1 (b_ops); 5 graded
    dist = c["distribution"]["data"]
    assert dist["labels"] == ["优秀", "良好", "合格", "不合格"]
    assert dist["values"] == [1, 2, 1, 1]
    # A ≤ 20 % of 5 → floor(1.0) = 1 place; D ≥ 5 % of 5 → ceil(0.25) = 1 place
    assert dist["quota_max"] == [1, None, None, None]
    assert dist["quota_min"] == [None, None, None, 1]
    # departments: OPS-CS 92; TECH (85 + 88) / 2 = 86.50; OPS (75 + 55) / 2 = 65.00 — best mean first
    deps = c["departments"]["data"]
    assert deps["categories"] == ["客服部", "技术中心", "运营中心"]
    assert deps["means"] == [92.0, 86.5, 65.0]
    # TECH: B 2 of 2 = 100 %; OPS: C 1 of 2 = 50 %, D 50 %
    shares = {s["name"]: s["data"] for s in deps["series"]}
    assert shares["良好"] == [0.0, 100.0, 0.0]
    assert shares["合格"] == [0.0, 0.0, 50.0] and shares["不合格"] == [0.0, 0.0, 50.0]
    # vendors: A (92 + 85 + 75) / 3 = 84.00; B (55 + 88) / 2 = 71.50
    assert c["vendors"]["data"]["categories"] == ["甲服务商", "乙服务商"]
    assert c["vendors"]["data"]["means"] == [84.0, 71.5]
    # trend: Q2 (80 + 70 + 65 + 60 + 90) / 5 = 73.00, Q3 395 / 5 = 79.00
    assert c["trend"]["data"]["categories"] == ["2026Q2", "2026Q3"]
    assert c["trend"]["data"]["means"] == [73.0, 79.0]
    best = [r["composite"] for r in c["ranking"]["data"]["best"]]
    worst = [r["composite"] for r in c["ranking"]["data"]["worst"]]
    assert best == [92.0, 88.0, 85.0, 75.0, 55.0] and worst == [55.0, 75.0, 85.0, 88.0, 92.0]
    assert c["ranking"]["data"]["best"][0]["name"] == world.workers["a_ops_cs"].name
    assert CycleSummary.objects.exists() is archived


def test_filters_narrow_every_chart(world, results):
    # TECH and vendor B: b_tech only (88, B); Q2 90
    c = charts(world.users["hr"], department_id=world.tech.pk, vendor_id=world.vendor_b.pk)
    assert c["distribution"]["data"]["values"] == [0, 1, 0, 0]
    assert c["trend"]["data"]["means"] == [90.0, 88.0]
    assert [r["name"] for r in c["ranking"]["data"]["best"]] == [world.workers["b_tech"].name]
    # a department filter includes the subtree: OPS = OPS + OPS-CS → a_ops_cs 92, a_self 75, b_ops 55
    c = charts(world.users["hr"], department_id=world.ops.pk, cycle_id=results["2026Q3"].pk)
    assert c["distribution"]["data"]["values"] == [1, 0, 1, 1]
    # an earlier cycle: Q2 grades B, C, C, C, A
    c = charts(world.users["hr"], cycle_id=results["2026Q2"].pk, position_id=world.position.pk)
    assert c["distribution"]["data"]["values"] == [1, 1, 3, 0]


def test_supervisor_sees_the_department_subtree(world, results):
    c = charts(world.users["supervisor"])
    # OPS subtree: a_ops_cs 92 A, a_self 75 C, b_ops 55 D
    assert c["distribution"]["data"]["values"] == [1, 0, 1, 1]
    assert c["departments"]["data"]["categories"] == ["客服部", "运营中心"]
    assert set(c["vendors"]["data"]["categories"]) == {"甲服务商", "乙服务商"}
    names = {r["name"] for r in c["ranking"]["data"]["best"]}
    assert names == {world.workers[k].name for k in ("a_ops_cs", "a_self", "b_ops")}
    # Q2 OPS subtree: (80 + 65 + 60) / 3 = 68.33 (205 / 3 = 68.333… → 68.33)
    assert c["trend"]["data"]["means"] == [68.33, 74.0]


def test_vendor_manager_never_sees_another_vendor(world, results):
    c = charts(world.users["vendor_manager"])
    assert c["distribution"]["data"]["values"] == [1, 1, 1, 0]
    assert c["vendors"]["data"]["categories"] == ["甲服务商"]
    assert world.workers["b_tech"].name not in {r["name"] for r in c["ranking"]["data"]["best"]}
    # asking for vendor B gives nothing, not B's numbers
    c = charts(world.users["vendor_manager"], vendor_id=world.vendor_b.pk)
    assert c["distribution"]["data"]["values"] == [0, 0, 0, 0]
    assert c["ranking"]["data"]["best"] == []


def test_unpublished_results_stay_hidden_from_non_hr(world, results):
    for a in results["2026Q3_appraisals"].values():
        a.published_at = None
        a.save()
    results["2026Q3"].state = CycleState.CALIBRATION
    results["2026Q3"].save()
    c = dashboard(world.users["supervisor"], Filters()).as_json()
    assert c["cycle"]["name"] == "2026Q2"  # Q3 is not yet public
    assert [x["name"] for x in c["cycles"]] == ["2026Q2"]
    assert charts(world.users["hr"])["distribution"]["data"]["values"] == [1, 2, 1, 1]  # HR sees Q3


def test_nobody_sees_nothing(world, results):
    board = dashboard(world.users["nobody"], Filters()).as_json()
    assert board["cycle"] is None and board["cycles"] == []
    assert board["charts"]["progress"]["data"]["categories"] == []


def test_running_cycle_progress_by_department(world, results):
    c = charts(world.users["hr"])["progress"]
    # Q4: supervisor evaluations of 5 (a_ops_cs, b_tech submitted) + a_self's own (pending)
    rows = {r[0]: r[1:] for r in c["table"]["rows"]}
    assert rows["客服部"] == [1, 1, 0, "100.0"]
    assert rows["运营中心"] == [3, 0, 3, "0.0"]  # a_self: supervisor + self; b_ops: supervisor
    assert rows["技术中心"] == [2, 1, 1, "50.0"]
    # HR sees who has not rated; pending: the supervisor 3 (a_tech, a_self, b_ops), the worker 1
    assert [(r["pending"]) for r in c["data"]["raters"]] == [3, 1]
    # a supervisor sees the counts of their subtree, never names
    sup = charts(world.users["supervisor"])["progress"]
    assert {r[0] for r in sup["table"]["rows"]} == {"客服部", "运营中心"}
    assert sup["data"]["raters"] == []


def test_worker_dashboard_is_their_own_trend_and_goals(world, results):
    from outperform.cycles.models import Goal

    Goal.objects.create(appraisal=results["2026Q4_appraisals"]["a_self"], title="工单按时关闭", measure="SLA 内关闭",
                        target="≥ 98%", weight=Decimal(50), proposed_by=world.users["worker"])
    Goal.objects.create(appraisal=results["2026Q4_appraisals"]["b_ops"], title="别人的目标", measure="-", target="-",
                        proposed_by=world.users["hr"])
    board = my_dashboard(world.users["worker"]).as_json()["charts"]
    assert board["my_trend"]["data"]["scores"] == [65.0, 75.0]
    assert [g["title"] for g in board["my_goals"]["data"]["goals"]] == ["工单按时关闭"]


def test_cells_are_rebuilt_when_a_cycle_is_archived_again(world, results):
    from django.utils import timezone

    charts(world.users["hr"])
    q3 = results["2026Q3"]
    assert ResultCell.objects.filter(cycle=q3).exists()
    # moved back, a result changed, archived again: the old cells are not read
    q3.state = CycleState.CONFIRMATION
    q3.save()
    a = results["2026Q3_appraisals"]["b_ops"]
    a.composite, a.grade, a.grade_name = Decimal("95"), "A", "优秀"
    a.save()
    q3.state, q3.archived_at = CycleState.ARCHIVED, timezone.now()
    q3.save()
    assert charts(world.users["hr"])["distribution"]["data"]["values"] == [2, 2, 1, 0]


def test_query_count_does_not_grow_with_people(world, results, django_assert_max_num_queries):
    from types import SimpleNamespace

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from outperform.testing.factories import WorkerFactory

    from .conftest import add_appraisals

    q3 = results["2026Q3"]
    q3.state = CycleState.CONFIRMATION  # read from the appraisals, the table that grows
    q3.save()
    with CaptureQueriesContext(connection) as before:
        charts(world.users["hr"])
    more = {f"n{i}": WorkerFactory(vendor=world.vendor_a, department=world.tech, position=world.position)
            for i in range(12)}
    add_appraisals(q3, q3.cycle_templates.first(), SimpleNamespace(workers=more), {k: ("70", "C") for k in more})
    with django_assert_max_num_queries(len(before.captured_queries)):
        board = charts(world.users["hr"])
    assert board["distribution"]["data"]["values"] == [1, 2, 13, 1]


@pytest.mark.parametrize("role", ["hr", "supervisor", "vendor_manager", "auditor", "system_admin"])
def test_page_json_and_xlsx_per_role(world, results, client_for, role):
    client = client_for(role)
    page = client.get(reverse("insights:dashboard"))
    assert page.status_code == 200
    assert b'id="insights-data"' in page.content and b"<script>" not in page.content.replace(b"<script src", b"")
    data = client.get(reverse("insights:dashboard_data")).json()
    assert set(data["charts"]) == {"distribution", "departments", "vendors", "trend", "progress", "ranking", "alerts"}
    response = client.get(reverse("insights:dashboard_xlsx", args=["departments"]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("部门", "人数", "平均综合得分")
    expected = {"hr": 3, "system_admin": 3, "auditor": 3, "supervisor": 2, "vendor_manager": 3}[role]
    assert len(rows) - 1 == expected


def test_vendor_manager_xlsx_has_only_their_vendor(world, results, client_for):
    response = client_for("vendor_manager").get(reverse("insights:dashboard_xlsx", args=["ranking"]))
    names = {r[2] for r in list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))[1:]}
    assert names == {world.workers[k].name for k in ("a_ops_cs", "a_tech", "a_self")}


def test_worker_goes_to_their_own_dashboard(world, results, client_for):
    client = client_for("worker")
    assert client.get(reverse("insights:dashboard"))["Location"] == reverse("insights:my_dashboard")
    assert client.get(reverse("insights:my_dashboard")).status_code == 200
    assert client.get(reverse("insights:my_data")).json()["charts"]["my_trend"]["data"]["scores"] == [65.0, 75.0]
    assert client.get(reverse("insights:my_xlsx", args=["my_trend"])).status_code == 200
    assert client.get(reverse("insights:dashboard_xlsx", args=["nope"])).status_code == 404


@pytest.mark.parametrize(("role", "values"), [("hr", [1, 2, 1, 1]), ("supervisor", [1, 0, 1, 1]),
                                              ("vendor_manager", [1, 1, 1, 0]), ("worker", [0, 0, 1, 0]),
                                              ("nobody", None)])
def test_api_dashboards_per_role(world, results, api_for, role, values):
    data = api_for(role).get("/api/v1/dashboards/").json()
    if values is None:
        assert data["cycle"] is None
    else:
        assert data["charts"]["distribution"]["data"]["values"] == values
    one = api_for(role).get("/api/v1/dashboards/trend/")
    assert one.status_code == 200 and one.json()["key"] == "trend"
    assert api_for(role).get("/api/v1/dashboards/unknown/").status_code == 404
    me = api_for(role).get("/api/v1/dashboards/me/").json()
    assert me["charts"]["my_trend"]["data"]["scores"] == ([65.0, 75.0] if role == "worker" else [])


def test_english_strings(world, results, client_for, settings):
    client = client_for("hr")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("insights:dashboard")).content.decode()
    assert "Performance dashboard" in page and "Grade distribution and forced-distribution quotas" in page
    jobs = client.get(reverse("insights:jobs")).content.decode()
    assert "No background jobs" in jobs and "Started – finished" in jobs
