"""The running cycle's "who has most pending" list: organisation-wide without a filter it reads
the assignments alone (no appraisal join); with a filter it counts only the filtered appraisals'."""

from __future__ import annotations

import pytest

from outperform.insights.selectors import Filters, dashboard

pytestmark = pytest.mark.django_db


def _progress(user, **filters):
    return dashboard(user, Filters(**filters), only=["progress"]).as_json()["charts"]["progress"]


def test_raters_pending_whole_organisation_and_filtered(world, results):
    """Q4 pending: the supervisor's evaluations of a_tech (TECH), a_self and b_ops (OPS), and
    a_self's own → supervisor 3, worker 1. Filtered to TECH: the supervisor's 1 (a_tech) only."""
    hr = world.users["hr"]
    assert [r["pending"] for r in _progress(hr)["data"]["raters"]] == [3, 1]
    assert [r["pending"] for r in _progress(hr, department_id=world.tech.pk)["data"]["raters"]] == [1]
    assert [r["pending"] for r in _progress(hr, vendor_id=world.vendor_b.pk)["data"]["raters"]] == [1]  # b_ops


def test_the_unfiltered_raters_query_does_not_join_the_appraisals(world, results):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    hr = world.users["hr"]
    _progress(hr)  # warm the scope and content types
    with CaptureQueriesContext(connection) as ctx:
        _progress(hr)
    raters = [q["sql"] for q in ctx.captured_queries if "core_user" in q["sql"] and "GROUP BY" in q["sql"]]
    assert len(raters) == 1 and "cycles_appraisal" not in raters[0]
