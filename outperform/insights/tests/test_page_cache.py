"""The home page's figures and the dashboards are kept per scope for PAGE_CACHE_SECONDS (a time box,
docs/performance.md). Clearing the cache stands for the minute passing."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outperform.cycles.models import AssignmentState, RaterAssignment
from outperform.testing.factories import WorkerFactory

pytestmark = pytest.mark.django_db


def _progress_done(client) -> int:  # type: ignore[no-untyped-def]
    data = client.get(reverse("insights:dashboard_data"), {"chart": "progress"}).json()
    return sum(data["charts"]["progress"]["data"]["done"])


def test_dashboard_figures_are_kept_a_minute_and_shared_by_organisation_wide_viewers(world, results, client_for):
    """The running cycle 2026Q4 has 2 of 6 evaluations submitted (a_ops_cs, b_tech). HR looks; then
    a_tech's is submitted: HR — and the auditor, who shares HR's entry — still read 2 until the
    minute has passed, then 3."""
    hr, auditor = client_for("hr"), client_for("auditor")
    assert _progress_done(hr) == 2
    RaterAssignment.objects.filter(appraisal=results["2026Q4_appraisals"]["a_tech"], role="supervisor").update(
        state=AssignmentState.SUBMITTED)
    assert _progress_done(hr) == 2
    assert _progress_done(auditor) == 2
    cache.clear()
    assert _progress_done(hr) == 3
    assert _progress_done(auditor) == 3


def test_a_cached_dashboard_reads_nothing_but_the_request_s_own_rows(world, results, client_for):
    """The second viewer of a shared entry runs none of the dashboard's GROUP BY queries."""
    client_for("hr").get(reverse("insights:dashboard_data"))
    auditor = client_for("auditor")
    auditor.get(reverse("core:home"))  # session, scope and inbox badge warmed
    with CaptureQueriesContext(connection) as ctx:
        assert auditor.get(reverse("insights:dashboard_data")).status_code == 200
    assert not [q for q in ctx.captured_queries if "cycles_raterassignment" in q["sql"]
                or "cycles_appraisal" in q["sql"]]


def test_each_other_viewer_has_their_own_figures(world, results, client_for):
    """HR's entry is not the supervisor's: the supervisor's progress covers their subtree only —
    客服部 (a_ops_cs) and 运营中心 (a_self, b_ops) — and names no rater."""
    client_for("hr").get(reverse("insights:dashboard_data"))
    data = client_for("supervisor").get(reverse("insights:dashboard_data"), {"chart": "progress"}).json()
    progress = data["charts"]["progress"]
    assert set(progress["data"]["categories"]) == {"客服部", "运营中心"}
    assert progress["data"]["raters"] == []


def test_no_cache_when_the_time_box_is_zero(world, results, client_for, settings):
    settings.PAGE_CACHE_SECONDS = 0
    hr = client_for("hr")
    assert _progress_done(hr) == 2
    RaterAssignment.objects.filter(appraisal=results["2026Q4_appraisals"]["a_tech"], role="supervisor").update(
        state=AssignmentState.SUBMITTED)
    assert _progress_done(hr) == 3


def test_the_page_says_when_its_figures_were_counted(world, results, client_for):
    page = client_for("hr").get(reverse("insights:dashboard")).content.decode()
    assert 'data-testid="counted-at"' in page and "统计于" in page


def _active(client) -> int:  # type: ignore[no-untyped-def]
    return int(client.get(reverse("core:home")).context["cards"][0]["value"])


def test_home_figures_are_kept_a_minute_per_scope(world, client_for):
    """Active workers: HR 5 (the world's), the vendor manager 3 (vendor A: a_ops_cs, a_tech,
    a_self). A new vendor-A hire shows to both once the minute has passed, not before."""
    hr, vm = client_for("hr"), client_for("vendor_manager")
    assert (_active(hr), _active(vm)) == (5, 3)
    WorkerFactory(vendor=world.vendor_a, department=world.ops, position=world.position)
    assert (_active(hr), _active(vm)) == (5, 3)
    cache.clear()
    assert (_active(hr), _active(vm)) == (6, 4)
