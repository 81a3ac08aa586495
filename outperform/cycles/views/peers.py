"""Peers chosen by the supervisor: the list of a cycle's appraisals waiting for (or having) their
peers, the page that chooses them for one appraisal, and its colleague search. Rules: cycles/peers.py."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from outperform.core.crud import PAGE_SIZES, paginate

from .. import peers, queries
from ..forms import PeerChoiceForm, apply_errors
from ..models import Appraisal
from ..scope import SEARCH_LIMIT, search_options
from ..services import appraisal_peers_set
from .common import get_appraisal, get_cycle


@login_required
def peer_choices(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = get_cycle(request, pk)
    if not peers.chooses_peers(cycle):
        raise Http404
    pending_only = request.GET.get("pending") == "1"
    page, per_page = paginate(request, peers.choice_list(cycle, request.user, pending_only=pending_only))
    rows = [{"a": a, "peer_total": a.peer_total, "url": reverse("cycles:peer_choose", args=[a.pk])}
            for a in page.object_list]
    return render(request, "cycles/peer_choices.html", {
        "cycle": cycle, "page": page, "rows": rows, "pending_only": pending_only, "per_page": per_page,
        "page_sizes": PAGE_SIZES, "open": cycle.state in peers.PEER_STAGES, "is_hr": queries.is_hr(request.user),
        "pending": peers.pending_count(cycle) if queries.is_hr(request.user) else None,
    })


def _chooser(request: HttpRequest, pk: int) -> Appraisal:
    a = get_appraisal(request, pk)
    if not peers.needs_peers(a):
        raise Http404
    if not peers.may_choose(request.user, a):
        raise PermissionDenied
    return a


def _page(request: HttpRequest, a: Appraisal, form: PeerChoiceForm, status: int = 200) -> HttpResponse:
    chosen = peers.chosen_peers(a)
    pool_size = peers.peer_pool(a).count()
    return render(request, "cycles/peer_choose.html", {
        "a": a, "cycle": a.cycle, "form": form, "chosen": chosen, "pool_size": pool_size,
        "within_scope": peers.choosable(a, request.user).count(),
        "required": peers.required_count(a, pool_size), "editable": peers.choice_open(a),
        "list_url": reverse("cycles:peer_choices", args=[a.cycle_id]),
    }, status=status)


def _form(request: HttpRequest, a: Appraisal, data: Any = None) -> PeerChoiceForm:
    initial = {"workers": [p["worker_id"] for p in peers.chosen_peers(a) if p["worker_id"]]}
    return PeerChoiceForm(data, initial=initial, choosable=peers.choosable(a, request.user),
                          search_url=reverse("cycles:peer_search", args=[a.pk]))


@login_required
def peer_choose(request: HttpRequest, pk: int) -> HttpResponse:
    a = _chooser(request, pk)
    if request.method != "POST":
        return _page(request, a, _form(request, a))
    form = _form(request, a, request.POST)
    if form.is_valid():
        try:
            appraisal_peers_set(actor=request.user, appraisal=a,  # type: ignore[arg-type]
                                workers=[w.pk for w in form.cleaned_data["workers"]])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存互评人 / Peers saved"))
            return HttpResponseRedirect(reverse("cycles:peer_choices", args=[a.cycle_id]) + "?pending=1")
    return _page(request, a, form, status=400)


@login_required
@require_GET
def peer_search(request: HttpRequest, pk: int) -> HttpResponse:
    """Colleagues the caller may choose for this appraisal, matching `q` (name or 工号)."""
    a = _chooser(request, pk)
    q = request.GET.get("q", "").strip()
    qs = peers.choosable(a, request.user).select_related("department", "vendor").order_by("employee_no", "pk")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(employee_no__icontains=q))
    options, more = search_options(qs)
    return render(request, "cycles/_picker_options.html", {"options": options, "more": more, "limit": SEARCH_LIMIT})
