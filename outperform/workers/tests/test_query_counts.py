"""List pages and API lists use a constant number of queries: the same for 10 rows as for 190.

A page reads one row more than it shows (core.pagination.EstimatedPaginator): a page that ends
the list knows its total without a count query, a page followed by more pays for the count. So the
pins compare like with like: a whole list on one page, small and large; the first of several
pages, short list and long list."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outperform.testing.factories import WorkerFactory

pytestmark = pytest.mark.django_db


def _count(client, url, params):  # type: ignore[no-untyped-def]
    client.get(url, params)  # warm-up: per-process caches (content types, the forced API user's scope)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _grow(world, n):  # type: ignore[no-untyped-def]
    WorkerFactory.create_batch(
        n, vendor=world.vendor_a, department=world.ops_cs, position=world.position, project=world.project
    )


LISTS = [
    ("workers:workers_list", "/api/v1/workers/"),
    ("vendors:contracts_list", "/api/v1/contracts/"),
]


@pytest.mark.parametrize("role", ["hr", "vendor_manager", "supervisor"])
@pytest.mark.parametrize(("page", "api"), LISTS)
def test_list_query_count_does_not_grow_with_rows(world, client_for, api_for, role, page, api):
    """The world's 5 workers + 5, then + 180 more: at most 190 rows, still one page of 200."""
    web, rest = client_for(role), api_for(role)
    _grow(world, 5)
    small_page = _count(web, reverse(page), {"per_page": 200})
    small_api = _count(rest, api, {"page_size": 200})
    small_export = _count(web, reverse(page), {"export": "xlsx"})
    _grow(world, 180)
    assert _count(web, reverse(page), {"per_page": 200}) == small_page
    assert _count(rest, api, {"page_size": 200}) == small_api
    assert _count(web, reverse(page), {"export": "xlsx"}) == small_export


@pytest.mark.parametrize("role", ["hr", "vendor_manager", "supervisor"])
def test_first_of_many_pages_costs_the_same_for_a_long_list(world, client_for, role):
    """25 more workers make 2+ pages of 20 for every role here (each sees vendor A's ops_cs
    people); 200 more make 10+. The first page's queries are the same."""
    web = client_for(role)
    url = reverse("workers:workers_list")
    _grow(world, 25)
    short = _count(web, url, {"per_page": 20})
    _grow(world, 200)
    assert _count(web, url, {"per_page": 20}) == short


def test_a_whole_list_on_one_page_needs_no_count_query(world, client_for):
    """HR sees the world's 5 workers on one page of 20: the page query's one extra row comes back
    empty, so the total (5) is known without SELECT COUNT."""
    web = client_for("hr")
    url = reverse("workers:workers_list")
    web.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = web.get(url)
    assert response.context["page"].paginator.count == 5
    assert not [q for q in ctx.captured_queries if "COUNT(" in q["sql"].upper() and "workers_worker" in q["sql"]]
