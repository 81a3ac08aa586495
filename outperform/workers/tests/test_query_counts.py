"""List pages and API lists use a constant number of queries: the same for 10 rows as for 200."""

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
    web, rest = client_for(role), api_for(role)
    _grow(world, 5)
    small_page = _count(web, reverse(page), {"per_page": 200})
    small_api = _count(rest, api, {"page_size": 200})
    small_export = _count(web, reverse(page), {"export": "xlsx"})
    _grow(world, 195)
    assert _count(web, reverse(page), {"per_page": 200}) == small_page
    assert _count(rest, api, {"page_size": 200}) == small_api
    assert _count(web, reverse(page), {"export": "xlsx"}) == small_export
