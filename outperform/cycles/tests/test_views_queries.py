"""Pages and API lists of cycles use a constant number of queries, whatever the number of rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outperform.cycles.services import cycle_compute, cycle_open
from outperform.testing.factories import WorkerFactory

from .helpers_web import make_cycle

pytestmark = pytest.mark.django_db


def _count(client, url, params=None):  # type: ignore[no-untyped-def]
    client.get(url, params or {})  # warm-up: per-process caches (content types, the API user's scope)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _grow(world, cycle, n):  # type: ignore[no-untyped-def]
    WorkerFactory.create_batch(n, vendor=world.vendor_a, department=world.ops_cs, position=world.position,
                               project=world.project, supervisor=world.users["supervisor"])
    cycle_open(actor=world.users["hr"], cycle=cycle)  # opening again adds the new joiners
    cycle_compute(actor=world.users["hr"], cycle=cycle)


@pytest.mark.parametrize("role", ["hr", "supervisor", "vendor_manager"])
def test_appraisal_list_page_export_and_api_are_constant(world, client_for, api_for, template, role):
    cycle = make_cycle(world, template)
    web, rest = client_for(role), api_for(role)
    page = reverse("cycles:appraisal_list", args=[cycle.pk])
    _grow(world, cycle, 5)  # 10 appraisals
    small = (_count(web, page, {"per_page": 200}), _count(web, page, {"export": "xlsx"}),
             _count(rest, "/api/v1/appraisals/", {"cycle": cycle.pk, "page_size": 200}))
    _grow(world, cycle, 30)  # 40 appraisals
    large = (_count(web, page, {"per_page": 200}), _count(web, page, {"export": "xlsx"}),
             _count(rest, "/api/v1/appraisals/", {"cycle": cycle.pk, "page_size": 200}))
    assert small == large


def test_published_list_and_my_evaluations_are_constant(world, client_for, api_for, template):
    cycle = make_cycle(world, template)
    _grow(world, cycle, 5)
    sup = client_for("supervisor")
    small_todo = _count(sup, reverse("cycles:my_evaluations"))
    small_api = _count(api_for("supervisor"), "/api/v1/my-evaluations/", {"page_size": 200})
    _grow(world, cycle, 30)
    assert _count(sup, reverse("cycles:my_evaluations")) == small_todo
    assert _count(api_for("supervisor"), "/api/v1/my-evaluations/", {"page_size": 200}) == small_api


def test_rating_grid_is_constant(world, client_for, template):
    from .helpers_web import to_review

    def grid_queries(n):  # type: ignore[no-untyped-def]
        WorkerFactory.create_batch(n, vendor=world.vendor_a, department=world.ops_cs, position=world.position)
        cycle = to_review(world, make_cycle(world, template, name=f"c{n}"), {"Q1": ("80", ""), "Q2": ("80", "")})
        return _count(client_for("supervisor"), reverse("cycles:rating_grid", args=[cycle.pk, "supervisor"]))

    assert grid_queries(5) == grid_queries(30)
