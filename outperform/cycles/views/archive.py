"""绩效档案: every cycle's result of one worker, vendor or team, with the trend and comparisons."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from outperform.access.scoping import get_scoped_or_404, restrict
from outperform.indicators.models import SubjectKind
from outperform.vendors.models import Vendor
from outperform.workers.models import Worker

from .. import queries
from ..models import Appraisal, Team


def _page(request: HttpRequest, subject: Any, kind: str, qs: QuerySet[Appraisal], back_url: str) -> HttpResponse:
    appraisals = list(restrict(qs.select_related("cycle"), request.user).order_by("cycle__start_date", "cycle_id"))
    rows = queries.archive_rows(appraisals, request.user)
    return render(request, "cycles/archive.html", {
        "subject": subject, "kind": kind, "rows": rows, "chart": queries.archive_chart(rows), "back_url": back_url,
    })


@login_required
def archive_worker(request: HttpRequest, pk: int) -> HttpResponse:
    worker = get_scoped_or_404(Worker.objects.select_related("vendor", "department", "position"), request.user,
                               "view", pk=pk)
    return _page(request, worker, SubjectKind.WORKER, Appraisal.objects.filter(worker=worker),
                 reverse("workers:workers_detail", args=[pk]))


@login_required
def archive_vendor(request: HttpRequest, pk: int) -> HttpResponse:
    vendor = get_scoped_or_404(Vendor.objects.all(), request.user, "view", pk=pk)
    return _page(request, vendor, SubjectKind.VENDOR,
                 Appraisal.objects.filter(vendor=vendor, subject_kind=SubjectKind.VENDOR),
                 reverse("vendors:vendors_detail", args=[pk]))


@login_required
def archive_team(request: HttpRequest, pk: int) -> HttpResponse:
    # The team is looked up through its own scope (department subtree, vendor): a worker or a
    # manager of another vendor gets 404 for the team as a whole, not an empty archive.
    team = get_scoped_or_404(Team.objects.select_related("department", "vendor"), request.user, "view", pk=pk)
    return _page(request, team, SubjectKind.TEAM,
                 Appraisal.objects.filter(team=team, subject_kind=SubjectKind.TEAM),
                 reverse("cycles:teams_detail", args=[pk]))
