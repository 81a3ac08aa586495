"""Metric pages beyond the declared list: the explorer and the refresh action."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from outperform.access.scoping import get_scoped_or_404, scope_for
from outperform.core import excel
from outperform.core.crud import PAGE_SIZES, paginate, xlsx_response
from outperform.core.display import format_value

from . import selectors
from .forms import ExploreForm, RefreshForm
from .models import Metric
from .tasks import start_refresh

EXPORT_LIMIT = 100_000


@login_required
def explore_metric(request: HttpRequest, pk: int) -> HttpResponse:
    metric = get_scoped_or_404(Metric.objects.all(), request.user, "view", pk=pk)
    return HttpResponseRedirect(reverse("metrics:explore") + f"?metric={metric.pk}")


@login_required
def explore(request: HttpRequest) -> HttpResponse:
    form = ExploreForm(request.GET or None)
    level = request.GET.get("level") or ""
    choices = selectors.subject_choices(request.user, level) if level else []
    form.fields["subject"].widget.choices = [("", "---------"), *choices]
    ctx: dict[str, Any] = {"form": form, "page_sizes": PAGE_SIZES}
    if "metric" in request.GET and "start" not in request.GET and "cycle" not in request.GET:
        form = ExploreForm(initial={"metric": request.GET.get("metric")})
        form.fields["subject"].widget.choices = [("", "---------")]
        ctx["form"] = form
    elif form.is_bound and form.is_valid():
        data = form.cleaned_data
        metric: Metric = data["metric"]
        result = selectors.explore(request.user, metric, data.get("level") or None, data.get("subject"),
                                   data["start"], data["end"])
        ctx.update(_summary(metric, result))
        if result.records is None:
            if request.GET.get("export") == "xlsx":
                return _export_parts(metric, result)
            export_params = request.GET.copy()
            export_params["export"] = "xlsx"
            ctx.update({"parts": _parts(request, result), "export_querystring": export_params.urlencode()})
            return render(request, "metrics/explore.html", ctx)
        columns = selectors.record_columns(metric)
        records = result.records.select_related(*selectors.record_select_related(metric))
        if request.GET.get("export") == "xlsx":
            return _export(metric, columns, records, result)
        page, per_page = paginate(request, records)
        params = request.GET.copy()
        params.pop("page", None)
        export_params = params.copy()
        export_params["export"] = "xlsx"
        ctx.update({
            "result": result, "metric": metric, "columns": columns, "page": page, "per_page": per_page,
            "rows": [{"cells": [format_value(v) for v in selectors.record_cells(o, columns)],
                      "in_numerator": getattr(o, "in_numerator", None)} for o in page.object_list],
            "querystring": params.urlencode(), "export_querystring": export_params.urlencode(),
        })
    return render(request, "metrics/explore.html", ctx)


def _number(value: Any) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def _summary(metric: Metric, result: selectors.Exploration) -> dict[str, Any]:
    return {
        "result": result, "metric": metric,
        "trend": {"labels": [m.strftime("%Y-%m") for m, _ in result.trend],
                  "series": [{"name": metric.name,
                              "data": [None if o.value is None else float(o.value) for _, o in result.trend]}]},
        "is_ratio": metric.aggregation == "ratio",
        "value_text": _number(result.outcome.value),
    }


def _parts(request: HttpRequest, result: selectors.Exploration) -> list[dict[str, Any]]:
    """A formula's parts: value, and a link to the same subject and period in the explorer, where
    the part's records are listed."""
    params = request.GET.copy()
    for key in ("metric", "page", "export", "per_page"):
        params.pop(key, None)
    rows = []
    for part in result.parts:
        url = None
        if part.metric is not None and part.metric.is_active:
            params["metric"] = str(part.metric.pk)
            url = reverse("metrics:explore") + "?" + params.urlencode()
        rows.append({"code": part.code, "metric": part.metric, "value_text": _number(part.outcome.value),
                     "url": url})
    return rows


def _export_parts(metric: Metric, result: selectors.Exploration) -> HttpResponse:
    headers = [_("指标编码"), _("名称"), _("值"), _("单位")]
    rows = [[metric.code, metric.name, result.outcome.value, metric.unit]]
    rows += [[p.code, p.metric.name if p.metric else "", p.outcome.value, p.metric.unit if p.metric else ""]
             for p in result.parts]
    content = excel.write_rows(headers, rows, metric.code[:31])
    return xlsx_response(content, f"{metric.code}-{result.start}-{result.end}.xlsx")


def _export(metric: Metric, columns: list[tuple[str, Any]], records: Any, result: selectors.Exploration
            ) -> HttpResponse:
    headers = [str(label) for _, label in columns]
    ratio = metric.aggregation == "ratio"
    if ratio:
        headers.append(_("计入分子"))

    def rows() -> Any:
        for obj in records[:EXPORT_LIMIT].iterator(chunk_size=2000):
            cells = [v if not hasattr(v, "_meta") else str(v) for v in selectors.record_cells(obj, columns)]
            if ratio:
                cells.append(bool(getattr(obj, "in_numerator", False)))
            yield cells

    content = excel.write_rows(headers, rows(), metric.code[:31])
    return xlsx_response(content, f"{metric.code}-{result.start}-{result.end}.xlsx")


@login_required
def refresh(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    if not scope.whole_write:
        raise PermissionDenied
    form = RefreshForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        job = start_refresh(request.user, form.cleaned_data["cycle"])  # type: ignore[arg-type]
        messages.success(request, _("已开始刷新数据指标 / Refreshing metrics"))
        return HttpResponseRedirect(reverse("cycles:job_detail", args=[job.pk]))
    return render(request, "metrics/refresh.html", {"form": form}, status=400 if form.is_bound else 200)
