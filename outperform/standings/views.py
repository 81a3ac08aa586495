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

from outperform.access.routes import may_use
from outperform.access.scoping import get_scoped_or_404, restrict, scope_for
from outperform.core.audit import snapshot
from outperform.core.crud import PAGE_SIZES, paginate, xlsx_response
from outperform.core.services import object_update
from outperform.cycles.models import Appraisal, Cycle
from outperform.indicators.models import SubjectKind
from outperform.vendors.models import Vendor

from . import exports, selectors, services
from .filters import SettlementFilterSet
from .forms import OverviewFilterForm, SettlementComputeForm, StandingPolicyForm
from .models import Settlement, StandingBand, StandingPolicy, VendorStanding


def _hr(request: HttpRequest) -> bool:
    return scope_for(request.user).whole_write


def _band_colours() -> dict[str, str]:
    return dict(StandingBand.objects.values_list("code", "colour"))


def _querystrings(request: HttpRequest) -> dict[str, str]:
    params = request.GET.copy()
    params.pop("page", None)
    export = params.copy()
    export["export"] = "xlsx"
    return {"querystring": params.urlencode(), "export_querystring": export.urlencode()}


def _overview(request: HttpRequest, *, termination_only: bool, template: str, filename: str,
              title: str) -> HttpResponse:
    """The vendors in scope with their current standing: search, filters, pagination, export.
    Constant queries: the page of vendors (one query with the standing annotated), their
    standings, the bands."""
    bands = selectors.bands()
    form = OverviewFilterForm(request.GET, codes=[b.code for b in bands], termination_fixed=termination_only)
    code = form.cleaned_data.get("code", "") if form.is_valid() else ""
    search = request.GET.get("q", "").strip()
    qs = selectors.standing_overview(
        request.user, bands, search=search, code=code, rectification=form.flag("rectification"),
        termination=True if termination_only else form.flag("termination"))
    by_code = {b.code: b for b in bands}

    def rows(vendors: list[Vendor]) -> list[dict[str, Any]]:
        # The consequences as the band says now; the row's own copy for a band deleted since.
        current = selectors.current_standings({v.pk for v in vendors})
        out = []
        for v in vendors:
            s = current.get(v.pk)
            band = by_code.get(s.code) if s else None
            out.append({"vendor": v, "standing": s,
                        "rectification": band.require_rectification if band else bool(s and s.rectification_required),
                        "termination": band.termination_review if band else bool(s and s.termination_review)})
        return out

    if request.GET.get("export") == "xlsx":
        return xlsx_response(exports.overview_xlsx(rows(list(qs)), title), filename)
    page, per_page = paginate(request, qs)
    return render(request, template, {
        "page": page, "rows": rows(list(page.object_list)),
        "filter_form": form, "search": search, "per_page": per_page, "page_sizes": PAGE_SIZES,
        "bands": bands, "colours": {b.code: b.colour for b in bands}, "can_refresh": _hr(request),
        "weights": selectors.decay_weights(), **_querystrings(request),
    })


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Every vendor in scope with its current standing, worst first."""
    return _overview(request, termination_only=False, template="standings/index.html",
                     filename="standings.xlsx", title="服务商评级")


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
    scope = scope_for(request.user)
    sees_notices = scope.whole_view or vendor.pk in scope.vendor_ids
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
    bands = {b.code: b for b in selectors.bands()}
    band = bands.get(current.code) if current else None
    gates = [services.vendor_gate(vendor, a) for a in services.GATE_ACTIONS]
    return render(request, "standings/vendor.html", {
        "vendor": vendor, "current": current, "history": history, "rollup": rollup, "chart": chart,
        "scorecards": [{"a": a, "active": selectors.has_activity(a.composite, a.breakdown)} for a in cards],
        "warnings": [g.warning for g in gates if g.allowed and g.warning],
        "blocked": [g.warning for g in gates if not g.allowed],
        "colours": {code: b.colour for code, b in bands.items()},
        # The consequences as the band says now; the row's own copy for a band deleted since.
        "rectification": band.require_rectification if band else bool(current and current.rectification_required),
        "termination": band.termination_review if band else bool(current and current.termination_review),
        # Notices are the vendor's and the client's business: supervisors get no empty box.
        "notices": selectors.vendor_notices(request.user, vendor) if sees_notices else None,
        "can_issue": may_use("compliance:notices_create", scope),
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
    """Vendors side by side for one vendor cycle; the table pages, the charts show the page's
    vendors; the export has every row."""
    cycles = list(selectors.vendor_cycles())
    cycle = next((c for c in cycles if str(c.pk) == request.GET.get("cycle")), cycles[0] if cycles else None)
    search = request.GET.get("q", "").strip()
    data = selectors.comparison(request.user, cycle, search)
    dims, all_rows = data["dims"], data["rows"]
    if request.GET.get("export") == "xlsx":
        return xlsx_response(exports.compare_xlsx(dims, all_rows, "服务商对比"), "vendor-comparison.xlsx")
    page, per_page = paginate(request, all_rows)
    rows = list(page.object_list)
    trend = selectors.composite_trend({r["vendor"].pk for r in rows})
    names = {r["vendor"].pk: r["vendor"].name for r in rows}
    chart = {
        "dimensions": [d["name"] for d in dims],
        "radar": [{"name": r["vendor"].name, "value": [None if x is None else str(x) for x in r["dims"]]}
                  for r in rows if r["composite"] is not None],
        "trend": {"labels": trend["labels"], "series": [
            {"name": names[vid], "data": [None if x is None else str(x) for x in values]}
            for vid, values in trend["series"].items() if vid in names]},
        "cost": {"vendors": [r["vendor"].name for r in rows if r["cost"]],
                 "cost": [str(Decimal(r["cost"]["cost"]) / 100) for r in rows if r["cost"]],
                 "benchmark": [str(Decimal(r["cost"]["benchmark"]) / 100) for r in rows if r["cost"]]},
    }
    return render(request, "standings/compare.html", {
        "cycles": cycles, "cycle": cycle, "dims": dims, "rows": rows, "chart": chart, "colours": _band_colours(),
        "page": page, "per_page": per_page, "page_sizes": PAGE_SIZES, "search": search, **_querystrings(request),
    })


@login_required
def termination(request: HttpRequest) -> HttpResponse:
    """The vendors whose current band calls for a termination review."""
    return _overview(request, termination_only=True, template="standings/termination.html",
                     filename="termination-review.xlsx", title="终止合作评审")


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
