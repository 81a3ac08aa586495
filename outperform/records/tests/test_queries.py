"""List pages, exports and API lists use a constant number of queries, however many rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from . import factories as f

pytestmark = pytest.mark.django_db

KINDS = [
    ("tasks", "tasks", f.TaskFactory),
    ("tickets", "tickets", f.TicketFactory),
    ("defects", "defects", f.DefectFactory),
    ("complaints", "complaints", f.ComplaintFactory),
    ("inspections", "inspections", f.InspectionFactory),
    ("innovations", "innovations", f.InnovationFactory),
    ("costs", "costs", f.CostFactory),
    ("recruitments", "recruitments", f.RecruitmentFactory),
    ("leavers", "leavers", f.LeaverFactory),
    ("trainings", "training-plans", f.TrainingFactory),
    ("incidents", "incidents", f.IncidentFactory),
]


def make(world, factory, n):
    workers = list(world.workers.values())
    for i in range(n):
        kwargs = {"vendor": workers[i % len(workers)].vendor, "project": world.project}
        if "worker" in [fld.name for fld in factory._meta.model._meta.fields]:
            kwargs["worker"] = workers[i % len(workers)]
        factory(**kwargs)


def count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(("name", "api", "factory"), KINDS)
def test_list_export_and_api_queries_do_not_grow(name, api, factory, world, client_for, api_for):
    web, rest = client_for("supervisor"), api_for("vendor_manager")
    list_url = reverse(f"records:{name}_list") + "?per_page=100"
    export_url = reverse(f"records:{name}_list") + "?export=xlsx"
    api_url = f"/api/v1/records/{api}/?page_size=100"
    make(world, factory, 3)
    count(web, list_url), count(rest, api_url)  # warm: the session, the caller's scope
    few = (count(web, list_url), count(web, export_url), count(rest, api_url))
    make(world, factory, 12)
    assert (count(web, list_url), count(web, export_url), count(rest, api_url)) == few


def test_breaches_page_is_one_query_for_the_table(world, client_for, django_assert_max_num_queries):
    for i in range(10):
        f.TicketFactory(vendor=world.vendor_a if i % 2 else world.vendor_b)
    client = client_for("hr")
    client.get(reverse("records:sla_breaches"))  # warm the session and scope
    with django_assert_max_num_queries(8):
        assert client.get(reverse("records:sla_breaches")).status_code == 200
