"""Pagination for pages (`EstimatedPaginator`) and for the API (`Pagination`).

At 100,000 workers an exact COUNT(*) of a scoped, filtered or searched list can cost more than the
page itself: a search for 王 finds its first 20 rows at once but must scan the whole table to count
them all. So a page counts only when counting is cheap (see docs/performance.md):

1. the page is read with one row more than it shows: that row tells whether a next page exists;
2. a page that ends the list knows the total exactly (its offset plus its rows): no count query;
3. otherwise PostgreSQL's planner is asked (EXPLAIN, nothing executed) what counting would cost and
   how many rows it expects; a count that costs at most COUNT_COST_LIMIT planner units (an
   index-only count of about 40,000 index entries) is run exactly, anything dearer is shown as the
   planner's estimate, "约 N 条".

SQLite — the embedded default, a small organisation — always counts exactly.

The API keeps exact counts (`count` in a DRF page is a contract with API clients).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination

COUNT_COST_LIMIT = 1000.0


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


def planner_count(qs: QuerySet[Any]) -> tuple[float, int]:
    """(estimated cost of counting `qs`, estimated rows), from PostgreSQL's EXPLAIN of the count."""
    inner = qs.order_by().values("pk")
    try:
        sql, params = inner.query.sql_with_params()
    except EmptyResultSet:  # a scope or filter that matches nothing (`pk IN ()`): nothing to count
        return 0.0, 0
    with connections[qs.db].cursor() as cursor:
        # Django compiled the SQL; the values travel as parameters.
        # Django compiled the SQL; the values travel as parameters.
        cursor.execute(f"EXPLAIN (FORMAT JSON) SELECT COUNT(*) FROM ({sql}) AS counted", params)  # noqa: S608  # noqa: S608
        raw = cursor.fetchone()[0]
    plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
    rows = plan["Plans"][0]["Plan Rows"] if plan.get("Plans") else plan["Plan Rows"]
    return float(plan["Total Cost"]), int(rows)


class EstimatedPage(Page):
    def __init__(self, object_list: Any, number: int, paginator: EstimatedPaginator, more: bool) -> None:
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more


class EstimatedPaginator(Paginator):
    """A paginator that counts only when counting is cheap; `estimated` says the count is the
    planner's figure (templates show "约 N 条")."""

    _estimated = False

    @property
    def estimated(self) -> bool:
        """Whether `count` is the planner's estimate (asking decides the count, if not yet known)."""
        return self.count >= 0 and self._estimated

    def validate_number(self, number: Any) -> int:
        # No upper bound: the end of the list is found by reading it, not by counting it.
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def rows(self, bottom: int, top: int) -> list[Any]:
        qs = self.object_list
        if not isinstance(qs, QuerySet) or not qs.query.select_related:
            return list(qs[bottom:top])
        # The page's ids first, from the list's own table, then those rows with their joins: to sort
        # or skip (OFFSET) 100,000 workers joined to vendor, department and position moves four
        # tables' columns through the sort; the ids move one.
        ids = list(qs.values_list("pk", flat=True)[bottom:top])
        by_pk = {obj.pk: obj for obj in qs.order_by().filter(pk__in=ids)} if ids else {}
        return [by_pk[pk] for pk in ids if pk in by_pk]

    def page(self, number: Any) -> EstimatedPage:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = self.rows(bottom, bottom + self.per_page + 1)
        more = len(rows) > self.per_page
        rows = rows[: self.per_page]
        if not more and (rows or number == 1):
            self.__dict__["count"] = bottom + len(rows)  # the last page: the total is known, exactly
        return EstimatedPage(rows, number, self, more)

    def get_page(self, number: Any) -> EstimatedPage:
        try:
            number = self.validate_number(number)
        except (PageNotAnInteger, EmptyPage):
            number = 1
        page = self.page(number)
        if not page.object_list and number > 1:
            # Past the end: the last page, as Django's paginator does — when the length is known
            # exactly; an estimated length may point past the end again, so the empty page stays.
            last = self.num_pages
            if not self._estimated and last < number:
                return self.page(last)
        return page

    @cached_property
    def count(self) -> int:
        qs = self.object_list
        if not isinstance(qs, QuerySet) or connections[qs.db].vendor != "postgresql":
            return super().count
        cost, rows = planner_count(qs)
        if cost <= COUNT_COST_LIMIT:
            return qs.count()
        self._estimated = True
        return rows

    @property
    def approximate(self) -> int:
        """The count to two significant figures (36,207 → 36,000): an estimate shown as one."""
        n = self.count
        if n < 100:
            return n
        step = 10 ** (len(str(n)) - 2)
        return round(n / step) * step
