"""The worker list at scale (docs/performance.md): counts only when cheap, search without
upper-casing for uncased text, sorts an index can serve in both directions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse

from outperform.core import pagination
from outperform.core.pagination import EstimatedPaginator
from outperform.testing.factories import WorkerFactory
from outperform.workers.models import Worker

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's estimate is PostgreSQL's")


def _grow(world, n, **fields):  # type: ignore[no-untyped-def]
    return WorkerFactory.create_batch(n, vendor=world.vendor_a, department=world.ops_cs, position=world.position,
                                      **fields)


def _codes(response):  # type: ignore[no-untyped-def]
    return [row["cells"][0][0] for row in response.context["rows"]]


def test_search_finds_chinese_names_and_ignores_the_case_of_latin_text(world, client_for):
    """甄小明 and 小甄 contain 甄, 李华 does not; "ab12" finds employee no. AB1234 as "AB12" does.
    (甄: a character the factories' random names never use, so no other worker can match.)"""
    for no, name in (("AB1234", "甄小明"), ("CD5678", "小甄"), ("EF9012", "李华")):
        _grow(world, 1, employee_no=no, name=name)
    hr = client_for("hr")
    url = reverse("workers:workers_list")
    assert _codes(hr.get(url, {"q": "甄"})) == ["AB1234", "CD5678"]
    assert _codes(hr.get(url, {"q": "ab12"})) == ["AB1234"]
    assert _codes(hr.get(url, {"q": "AB12"})) == ["AB1234"]


def test_sorting_breaks_ties_in_the_sort_s_direction(world, client_for):
    """Three people hired on 2026-01-01 (after everyone else): newest first lists them last id first."""
    made = _grow(world, 3, hire_date=dt.date(2026, 1, 1))
    by_id = [w.employee_no for w in sorted(made, key=lambda w: w.pk)]
    hr = client_for("hr")
    url = reverse("workers:workers_list")
    assert _codes(hr.get(url, {"sort": "-hire_date"}))[:3] == by_id[::-1]
    assert _codes(hr.get(url, {"sort": "hire_date"}))[-3:] == by_id


def test_sorting_by_vendor_name_orders_by_the_name_not_the_id(world, client_for):
    """Vendors 乙服务 and 甲服务: 乙 (U+4E59) sorts before 甲 (U+7532) by code point (the C
    collation and SQLite's), so 乙's three people come first ascending and last descending; within
    a vendor, ids in the sort's direction."""
    from outperform.testing.factories import VendorFactory

    jia, yi = VendorFactory(name="甲服务"), VendorFactory(name="乙服务")  # by id 甲 first, by name 乙
    hr = client_for("hr")
    for worker in Worker.objects.all():  # the world's 5 people move to 甲, three newcomers join 乙
        worker.vendor = jia
        worker.save(update_fields=["vendor"])
    newcomers = [w.employee_no for w in sorted(
        WorkerFactory.create_batch(3, vendor=yi, department=world.ops_cs, position=world.position),
        key=lambda w: w.pk)]
    url = reverse("workers:workers_list")
    assert _codes(hr.get(url, {"sort": "vendor__name"}))[:3] == newcomers
    assert _codes(hr.get(url, {"sort": "-vendor__name"}))[-3:] == newcomers[::-1]


def test_a_page_past_the_end_of_a_counted_list_is_its_last_page(world, client_for):
    """5 + 25 = 30 people, pages of 20: page 99 shows page 2, the last 10."""
    _grow(world, 25)
    response = client_for("hr").get(reverse("workers:workers_list"), {"page": 99})
    assert response.context["page"].number == 2 and len(response.context["rows"]) == 10
    assert "共 30 条" in response.content.decode()


@postgres_only
def test_a_cheap_count_is_exact(world, client_for):
    """30 people: counting them costs far less than the limit, so the list says 共 30 条."""
    _grow(world, 25)
    response = client_for("hr").get(reverse("workers:workers_list"))
    assert not response.context["page"].paginator.estimated
    assert "共 30 条" in response.content.decode()


@postgres_only
def test_a_dear_count_is_the_planner_s_estimate(world, client_for, monkeypatch):
    """With the limit below any plan's cost, a list longer than its page shows the estimate (约 …)
    and pages on without counting; a list that fits its page still knows its total exactly."""
    monkeypatch.setattr(pagination, "COUNT_COST_LIMIT", -1.0)
    _grow(world, 25)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE workers_worker")
    hr = client_for("hr")
    url = reverse("workers:workers_list")
    first = hr.get(url)
    assert first.context["page"].paginator.estimated
    assert 'data-testid="list-count">约 ' in first.content.decode()
    assert first.context["page"].has_next()
    last = hr.get(url, {"page": 2})
    assert len(last.context["rows"]) == 10 and not last.context["page"].has_next()
    fits = hr.get(url, {"per_page": 50})
    assert not fits.context["page"].paginator.estimated and "共 30 条" in fits.content.decode()


@pytest.mark.parametrize(("count", "shown"), [(36207, 36000), (100000, 100000), (1029, 1000), (99, 99), (155, 160)])
def test_an_estimate_is_shown_to_two_significant_figures(count, shown):
    paginator = EstimatedPaginator(Worker.objects.none().order_by("pk"), 20)
    paginator.__dict__["count"] = count
    assert paginator.approximate == shown


def test_a_masked_mobile_is_not_searchable(world, client_for):
    """a_ops_cs (OPS-CS, vendor A) and b_ops (OPS, vendor B) have mobiles starting 1391234. HR sees
    mobiles whole and finds both; vendor A's manager sees vendor A's whole and finds a_ops_cs only; the
    OPS supervisor sees both people but their mobiles masked, so the digits find nobody."""
    Worker.objects.filter(pk=world.workers["a_ops_cs"].pk).update(mobile="13912345678")
    Worker.objects.filter(pk=world.workers["b_ops"].pk).update(mobile="13912340000")
    url = reverse("workers:workers_list")
    codes = lambda role: sorted(_codes(client_for(role).get(url, {"q": "1391234"})))  # noqa: E731
    a_ops_cs, b_ops = world.workers["a_ops_cs"].employee_no, world.workers["b_ops"].employee_no
    assert codes("hr") == sorted([a_ops_cs, b_ops])
    assert codes("vendor_manager") == [a_ops_cs]
    assert codes("supervisor") == []
    # the name is still searchable by all three
    name = world.workers["a_ops_cs"].name
    assert a_ops_cs in _codes(client_for("supervisor").get(url, {"q": name}))
