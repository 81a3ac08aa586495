"""Pages of standings: overview, a vendor's standing and roll-up, scorecards, comparison,
termination review, settlements. Thin: check scope, call a selector or a service, render."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from outperform.access.scoping import get_scoped_or_404, restrict, scope_for
from outperform.core.audit import snapshot
from outperform.core.crud import PAGE_SIZES, paginate, xlsx_response
from outperform.core.services import object_update
from outperform.cycles.models import Appraisal, Cycle
from outperform.indicators.models import SubjectKind
from outperform.vendors.models import Vendor

from . import selectors, services
from .filters import SettlementFilterSet
from .forms import SettlementComputeForm, StandingPolicyForm
from .models import Settlement, StandingBand, StandingPolicy, VendorStanding


def _hr(request: HttpRequest) -> bool:
    return scope_for(request.user).whole_write


def _band_colours() -> dict[str, str]:
    return dict(StandingBand.objects.values_list("code", "colour"))


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Every vendor in scope with its current standing (two queries)."""
    vendors = list(restrict(Vendor.objects.all(), request.user).order_by("name"))
    current = selectors.current_standings({v.pk for v in vendors})
    rows: list[dict[str, Any]] = [{"vendor": v, "standing": current.get(v.pk)} for v in vendors]
    rows.sort(key=lambda r: (r["standing"] is None, r["standing"].score if r["standing"] else Decimal(0)))
    return render(request, "standings/index.html", {
        "rows": rows, "bands": selectors.bands(), "can_refresh": _hr(request),
        "weights": selectors.decay_weights(),
    })


@login_required
@require_POST
def refresh(request: HttpRequest) -> HttpResponse:
    if not _hr(request):
        raise PermissionDenied
    summary = services.standings_refresh(actor=request.user)
    messages.success(request, _("评级已更新：%(v)d 家服务商，新增 %(c)d 条记录，%(ch)d 家评级变化 / Standings refreshed")
                     % {"v": summary.vendors, "c": summary.created, "ch": summary.changed})
    return HttpResponseRedirect(reverse("standings:index"))


@login_required
def vendor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    vendor = get_scoped_or_404(Vendor.objects.all(), request.user, pk=pk)
    history = list(VendorStanding.objects.filter(vendor=vendor).select_related("cycle").order_by("-created_at", "-id"))
    current = next((s for s in history if s.is_current), None)
    rollup = selectors.vendor_rollup(vendor)
    cards = list(restrict(selectors.scorecards(vendor), request.user))
    chart = {
        "cycles": [c["name"] for c in rollup["cycles"]],
        "grades": rollup["grades"],
        "counts": [[c["counts"][i] for c in rollup["cycles"]] for i in range(len(rollup["grades"]))],
        "fail_share": [None if c["fail_share"] is None else str(c["fail_share"]) for c in rollup["cycles"]],
        "mean": [None if c["mean"] is None else str(c["mean"]) for c in rollup["cycles"]],
        "standing": [{"at": s.created_at.date().isoformat(), "score": str(s.score), "code": s.code}
                     for s in reversed(history)],
    }
    return render(request, "standings/vendor.html", {
        "vendor": vendor, "current": current, "history": history, "rollup": rollup, "chart": chart,
        "scorecards": [{"a": a, "active": selectors.has_activity(a.composite, a.breakdown)} for a in cards],
        "warnings": services.gate_warnings(vendor), "colours": _band_colours(),
        "blocked": [a for a in services.GATE_ACTIONS if not services.vendor_gate(vendor, a).allowed],
    })


@login_required
def scorecard(request: HttpRequest, pk: int) -> HttpResponse:
    """One vendor's scorecard of one period, by dimension."""
    from outperform.cycles.services.computing import appraisal_explain

    appraisal = get_scoped_or_404(Appraisal.objects.select_related("cycle", "vendor", "cycle_template"),
                                  request.user, pk=pk, subject_kind=SubjectKind.VENDOR)
    explain = appraisal_explain(appraisal)
    dims: dict[str, dict[str, Any]] = {}
    for row in explain["indicators"]:
        d = dims.setdefault(row["dimension"] or "-", {"name": row["dimension"] or "-", "rows": [],
                                                      "weight": Decimal(0), "contribution": Decimal(0)})
        d["rows"].append(row)
        d["weight"] += Decimal(row["weight"] or 0)
        if row["contribution"] is not None:
            d["contribution"] += Decimal(row["contribution"])
    return render(request, "standings/scorecard.html", {
        "appraisal": appraisal, "explain": explain, "dimensions": list(dims.values()),
        "active": selectors.has_activity(appraisal.composite, appraisal.breakdown),
    })


@login_required
def compare(request: HttpRequest) -> HttpResponse:
    vendors = list(restrict(Vendor.objects.all(), request.user).order_by("name"))
    ids = {v.pk for v in vendors}
    cycles = list(selectors.vendor_cycles())
    cycle = next((c for c in cycles if str(c.pk) == request.GET.get("cycle")), cycles[0] if cycles else None)
    dims: list[dict[str, str]] = []
    scores: dict[int, dict[str, Any]] = {}
    if cycle is not None:
        dims, scores = selectors.dimension_scores(cycle, ids)
    costs = selectors.cost_comparison(ids, cycle.start_date if cycle else None, cycle.end_date if cycle else None)
    current = selectors.current_standings(ids)
    trend = selectors.composite_trend(ids)
    rows: list[dict[str, Any]] = []
    for v in vendors:
        s = scores.get(v.pk)
        cost = costs.get(v.pk)
        if s is None and cost is None and v.pk not in current:
            continue
        ratio = None
        if cost and cost["benchmark"]:
            ratio = (Decimal(cost["cost"]) * 100 / Decimal(cost["benchmark"])).quantize(Decimal("0.1"))
        rows.append({"vendor": v, "composite": s["composite"] if s else None,
                     "dims": [s["dims"].get(d["code"]) if s else None for d in dims],
                     "cost": cost, "ratio": ratio, "standing": current.get(v.pk)})
    names = {v.pk: v.name for v in vendors}
    chart = {
        "dimensions": [d["name"] for d in dims],
        "radar": [{"name": r["vendor"].name, "value": [None if x is None else str(x) for x in r["dims"]]}
                  for r in rows if r["composite"] is not None],
        "trend": {"labels": trend["labels"], "series": [
            {"name": names[vid], "data": [None if x is None else str(x) for x in data]}
            for vid, data in trend["series"].items() if vid in names]},
        "cost": {"vendors": [r["vendor"].name for r in rows if r["cost"]],
                 "cost": [str(Decimal(r["cost"]["cost"]) / 100) for r in rows if r["cost"]],
                 "benchmark": [str(Decimal(r["cost"]["benchmark"]) / 100) for r in rows if r["cost"]]},
    }
    return render(request, "standings/compare.html", {
        "cycles": cycles, "cycle": cycle, "dims": dims, "rows": rows, "chart": chart, "colours": _band_colours(),
    })


@login_required
def termination(request: HttpRequest) -> HttpResponse:
    rows = selectors.termination_review_list(request.user)
    return render(request, "standings/termination.html", {"rows": rows, "colours": _band_colours()})


@login_required
def policy(request: HttpRequest) -> HttpResponse:
    if not _hr(request):
        raise PermissionDenied
    obj, _created = StandingPolicy.objects.get_or_create(pk=1)
    before = snapshot(obj)
    form = StandingPolicyForm(request.POST or None, instance=obj)
    if request.method == "POST" and form.is_valid():
        try:
            object_update(actor=request.user, obj=form.save(commit=False), before=before)  # type: ignore[arg-type]
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已保存 / Saved"))
            return HttpResponseRedirect(reverse("standings:index"))
    return render(request, "standings/policy.html", {"form": form}, status=400 if form.errors else 200)


# --- settlements --------------------------------------------------------------------------------


def _settlements(request: HttpRequest) -> tuple[Any, SettlementFilterSet, str]:
    qs = restrict(Settlement.objects.select_related("contract", "vendor", "cycle"), request.user)
    fs = SettlementFilterSet(request.GET, queryset=qs, request=request)
    for f in fs.form.fields.values():
        if getattr(f, "queryset", None) is not None:
            f.queryset = restrict(f.queryset, request.user)
    if fs.is_valid():
        qs = fs.qs
    search = request.GET.get("q", "").strip()
    if search:
        qs = qs.filter(Q(contract__number__icontains=search) | Q(vendor__name__icontains=search))
    return qs.order_by("-cycle__start_date", "contract__number", "pk"), fs, search


@login_required
def settlement_list(request: HttpRequest) -> HttpResponse:
    qs, fs, search = _settlements(request)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(services.settlements_xlsx(list(qs)), "settlements.xlsx")
    page, per_page = paginate(request, qs)
    params = request.GET.copy()
    params.pop("page", None)
    export = request.GET.copy()
    export.pop("page", None)
    export["export"] = "xlsx"
    return render(request, "standings/settlements.html", {
        "page": page, "filter_form": fs.form, "search": search, "querystring": params.urlencode(),
        "export_querystring": export.urlencode(), "per_page": per_page, "page_sizes": PAGE_SIZES,
        "can_write": _hr(request), "compute_form": SettlementComputeForm() if _hr(request) else None,
    })


@login_required
@require_POST
def settlement_compute(request: HttpRequest) -> HttpResponse:
    if not _hr(request):
        raise PermissionDenied
    form = SettlementComputeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择期间 / Choose a period"))
        return HttpResponseRedirect(reverse("standings:settlements"))
    cycle: Cycle = form.cleaned_data["cycle"]
    n = services.settlements_compute(actor=request.user, cycle=cycle)
    messages.success(request, _("已计算 %(n)d 份结算 / %(n)d settlements computed") % {"n": n})
    return HttpResponseRedirect(reverse("standings:settlements") + f"?cycle={cycle.pk}")


@login_required
def settlement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    s = get_scoped_or_404(Settlement.objects.select_related("contract", "vendor", "cycle", "approved_by"),
                          request.user, pk=pk)
    return render(request, "standings/settlement_detail.html", {"s": s, "can_approve": _hr(request)})


@login_required
@require_POST
def settlement_approve(request: HttpRequest, pk: int) -> HttpResponse:
    s = get_scoped_or_404(Settlement.objects.all(), request.user, pk=pk)
    if not _hr(request):
        raise PermissionDenied
    try:
        services.settlement_approve(actor=request.user, settlement=s)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已审批 / Approved"))
    return HttpResponseRedirect(reverse("standings:settlement_detail", args=[pk]))
