"""Dashboards (看板): the page renders the charts from one selector call (data in json_script,
drawn by static/insights/dashboard.js); the same data answers as JSON and, per chart, as .xlsx."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from outperform.access.scoping import scope_for
from outperform.core import excel
from outperform.core.crud import xlsx_response

from .. import selectors
from ..selectors import CHARTS, WORKER_CHARTS, Chart, Filters


def is_worker_only(user: Any) -> bool:
    scope = scope_for(user)
    return scope.is_worker and not (scope.whole_view or scope.department_ids or scope.vendor_ids)


def chart_xlsx(chart: Chart, filename: str) -> HttpResponse:
    content = excel.write_rows(chart.headers, chart.rows, sheet_title=chart.title[:31], tz=timezone.get_current_timezone())
    return xlsx_response(content, f"{filename}-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
def dashboard_page(request: HttpRequest) -> HttpResponse:
    if is_worker_only(request.user):
        return HttpResponseRedirect(reverse("insights:my_dashboard"))
    filters = Filters.from_params(request.GET)
    board = selectors.dashboard_cached(request.user, filters)
    params = board.filters.as_params()
    if board.cycle is not None:
        params.setdefault("cycle", board.cycle.pk)
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return render(request, "insights/dashboard.html", {
        "board": board, "payload": board.as_json(), "choices": selectors.filter_choices(request.user),
        "filters": board.filters, "query": query, "charts": board.charts, "scope": scope_for(request.user),
    })


@login_required
def dashboard_data(request: HttpRequest) -> JsonResponse:
    """All charts (or `?chart=key`) as JSON; the REST API serves the same under /api/v1/dashboards/."""
    only = [request.GET["chart"]] if request.GET.get("chart") else list(CHARTS)
    if any(k not in CHARTS for k in only):
        raise Http404
    return JsonResponse(selectors.dashboard_cached(request.user, Filters.from_params(request.GET), only).as_json(),
                        json_dumps_params={"ensure_ascii": False})


@login_required
def dashboard_xlsx(request: HttpRequest, chart: str) -> HttpResponse:
    if chart not in CHARTS:
        raise Http404
    board = selectors.dashboard_cached(request.user, Filters.from_params(request.GET), [chart])
    if chart not in board.charts:  # no cycle with visible results: an empty table with its headers
        return chart_xlsx(Chart(key=chart, title=_("看板"), data={}, headers=[_("暂无数据")]), chart)
    return chart_xlsx(board.charts[chart], chart)


@login_required
def my_dashboard(request: HttpRequest) -> HttpResponse:
    board = selectors.my_dashboard(request.user)
    return render(request, "insights/my_dashboard.html", {"board": board, "payload": board.as_json(),
                                                           "charts": board.charts})


@login_required
def my_data(request: HttpRequest) -> JsonResponse:
    return JsonResponse(selectors.my_dashboard(request.user).as_json(), json_dumps_params={"ensure_ascii": False})


@login_required
def my_xlsx(request: HttpRequest, chart: str) -> HttpResponse:
    if chart not in WORKER_CHARTS:
        raise Http404
    return chart_xlsx(selectors.my_dashboard(request.user).charts[chart], chart)
