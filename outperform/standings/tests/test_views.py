"""Pages and API: roll-up numbers, comparison, scorecard, role × scope (web and API)."""

import datetime as dt
from decimal import Decimal as Dec

import pytest
from django.urls import reverse

from outperform.standings.models import StandingBand, VendorStanding
from outperform.standings.scorecards import run_vendor_period
from outperform.standings.services import standings_refresh
from outperform.testing.factories import WorkerFactory

from .helpers import Q1, Q2, vendor_cycle, worker_cycle


@pytest.fixture
def data(world):
    w = world.workers
    # Q1: vendor A 4 people: 优秀 1, 良好 1, 合格 1, 不合格 1 → 不合格 25.00 %, mean (95+85+70+50)/4 = 75.00
    worker_cycle("2026Q1人员", Q1[0], [(w["a_ops_cs"], "95", "优秀"), (w["a_tech"], "85", "良好"),
                                       (w["a_self"], "70", "合格"), (WorkerFactory(vendor=world.vendor_a), "50", "不合格"),
                                       (w["b_ops"], "40", "不合格")])
    # Q2: vendor A 3 people, none failing: mean (90+80+71)/3 = 80.333… → 80.33
    worker_cycle("2026Q2人员", Q2[0], [(w["a_ops_cs"], "90", "优秀"), (w["a_tech"], "80", "良好"),
                                       (w["a_self"], "71", "合格")])
    # a running (unpublished) cycle does not count
    worker_cycle("2026Q3人员", dt.date(2026, 7, 1), [(w["a_tech"], "10", "不合格")], state="review")
    vendor_cycle("Q1", *Q1, {world.vendor_a: "88", world.vendor_b: "95"})
    vendor_cycle("Q2", *Q2, {world.vendor_a: "76", world.vendor_b: "94"})
    standings_refresh(actor=world.users["hr"])
    return world


@pytest.mark.django_db
def test_vendor_rollup_numbers(data, client_for):
    r = client_for("hr").get(reverse("standings:vendor", args=[data.vendor_a.pk]))
    assert r.status_code == 200
    rollup = r.context["rollup"]
    assert rollup["grades"] == ["优秀", "良好", "合格", "不合格"]
    q1, q2 = rollup["cycles"]
    assert (q1["name"], q1["counts"], q1["total"], q1["fail_share"], q1["mean"]) == (
        "2026Q1人员", [1, 1, 1, 1], 4, Dec("25.00"), Dec("75.00"))
    assert (q2["counts"], q2["fail_share"], q2["mean"]) == ([1, 1, 1, 0], Dec("0.00"), Dec("80.33"))
    # standing: 76×50 + 88×30 = 3800 + 2640 = 6440 / 80 = 80.50 → B
    assert r.context["current"].score == Dec("80.50") and r.context["current"].code == "B"
    assert 'id="standings-vendor-data"' in r.content.decode()


@pytest.mark.django_db
def test_vendor_page_query_count_is_constant(data, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("hr")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("standings:vendor", args=[data.vendor_a.pk])).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    w = data.workers
    worker_cycle("2026Q4人员", dt.date(2026, 10, 1), [(WorkerFactory(vendor=data.vendor_a), "60", "合格")
                                                     for _ in range(10)] + [(w["a_tech"], "50", "不合格")])
    vendor_cycle("Q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31), {data.vendor_a: "70"})
    standings_refresh(actor=data.users["hr"])
    assert count() == before


WEB_VENDOR_PAGE = {  # role → (own vendor A, other vendor B)
    "system_admin": (200, 200), "hr": (200, 200), "auditor": (200, 200), "supervisor": (200, 200),
    "vendor_manager": (200, 404), "worker": (404, 404), "nobody": (404, 404),
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(WEB_VENDOR_PAGE))
def test_role_scope_web(data, client_for, role):
    c = client_for(role)
    got = (c.get(reverse("standings:vendor", args=[data.vendor_a.pk])).status_code,
           c.get(reverse("standings:vendor", args=[data.vendor_b.pk])).status_code)
    assert got == WEB_VENDOR_PAGE[role]
    index = c.get(reverse("standings:index")).content.decode()
    sees_b = role in ("system_admin", "hr", "auditor", "supervisor")
    assert (data.vendor_b.name in index) == sees_b
    if role == "vendor_manager":
        assert data.vendor_a.name in index
    compare = c.get(reverse("standings:compare"))
    assert compare.status_code == 200
    assert (data.vendor_b.name in compare.content.decode()) == sees_b


API_VISIBLE = {
    "system_admin": {"a", "b"}, "hr": {"a", "b"}, "auditor": {"a", "b"}, "supervisor": {"a", "b"},
    "vendor_manager": {"a"}, "worker": set(), "nobody": set(),
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(API_VISIBLE))
def test_role_scope_api(data, api_for, role):
    names = {data.vendor_a.pk: "a", data.vendor_b.pk: "b"}
    r = api_for(role).get("/api/v1/standings/history/")
    assert r.status_code == 200
    assert {names[x["vendor"]] for x in r.json()["results"]} == API_VISIBLE[role]
    b = VendorStanding.objects.get(vendor=data.vendor_b, is_current=True)
    assert api_for(role).get(f"/api/v1/standings/history/{b.pk}/").status_code == (
        200 if "b" in API_VISIBLE[role] else 404)
    # results are written by services only
    assert api_for(role).post("/api/v1/standings/history/", {}, format="json").status_code in (403, 405)
    refresh = api_for(role).post("/api/v1/standings/history/refresh/")
    assert refresh.status_code == (200 if role in ("system_admin", "hr") else 403)
    gate = api_for(role).get(f"/api/v1/standings/history/gate/{data.vendor_b.pk}/")
    assert gate.status_code == (200 if "b" in API_VISIBLE[role] else 404)


@pytest.mark.django_db
def test_only_hr_refreshes_and_sees_termination_review(data, client_for):
    assert client_for("vendor_manager").post(reverse("standings:refresh")).status_code == 403
    assert client_for("hr").post(reverse("standings:refresh")).status_code == 302
    # the list follows the bands as configured now: B (vendor A, 80.50) now calls for a review
    StandingBand.objects.filter(code="B").update(termination_review=True)
    page = client_for("hr").get(reverse("standings:termination")).content.decode()
    assert data.vendor_a.name in page and data.vendor_b.name not in page
    vm = client_for("vendor_manager").get(reverse("standings:termination")).content.decode()
    assert data.vendor_a.name in vm


@pytest.mark.django_db
def test_policy_weights_validated_and_used(data, client_for):
    c = client_for("hr")
    assert c.post(reverse("standings:policy"), {"decay_weights": "[-1]"}).status_code == 400
    assert c.post(reverse("standings:policy"), {"decay_weights": "[100]"}).status_code == 302
    standings_refresh(actor=data.users["hr"])
    # only the latest period now: A = 76.00 → C
    a = VendorStanding.objects.get(vendor=data.vendor_a, is_current=True)
    assert (a.score, a.code) == (Dec("76.00"), "C")
    assert client_for("vendor_manager").get(reverse("standings:policy")).status_code == 403


@pytest.mark.django_db
def test_scorecard_and_comparison_through_the_real_cycle_flow(world, client_for):
    hr = world.users["hr"]
    cycle = run_vendor_period(actor=hr, name="2026Q3服务商", start=dt.date(2026, 7, 1), end=dt.date(2026, 9, 30),
                              quality={world.vendor_a.pk: 0.9, world.vendor_b.pk: None})
    standings_refresh(actor=hr)
    assert not VendorStanding.objects.filter(vendor=world.vendor_b).exists()  # no activity: no standing
    a = cycle.appraisals.get(vendor=world.vendor_a)
    b = cycle.appraisals.get(vendor=world.vendor_b)
    page = client_for("hr").get(reverse("standings:scorecard", args=[a.pk]))
    assert page.status_code == 200
    dims = page.context["dimensions"]
    assert len(dims) == 8  # TPL-VENDOR-Q: delivery, quality, customer, cost, communication, innovation, compliance, SLA
    assert sum(d["contribution"] for d in dims) == Dec(page.context["explain"]["weighted_score"])
    idle = client_for("hr").get(reverse("standings:scorecard", args=[b.pk]))
    assert 'data-testid="no-activity"' in idle.content.decode()
    assert client_for("vendor_manager").get(reverse("standings:scorecard", args=[a.pk])).status_code == 200
    assert client_for("vendor_manager").get(reverse("standings:scorecard", args=[b.pk])).status_code == 404
    cmp = client_for("hr").get(reverse("standings:compare") + f"?cycle={cycle.pk}")
    rows = {r["vendor"].pk: r for r in cmp.context["rows"]}
    assert rows[world.vendor_a.pk]["composite"] == a.composite
    assert all(x is not None for x in rows[world.vendor_a.pk]["dims"])
    assert rows[world.vendor_b.pk]["composite"] is None
    assert len(cmp.context["chart"]["radar"]) == 1
