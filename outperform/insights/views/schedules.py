"""定时报告: report schedules (create, edit, delete with confirmation — audited) and their deliveries."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from outperform.access.scoping import get_scoped_or_404, restrict, scope_for
from outperform.core.audit import snapshot
from outperform.core.crud import PAGE_SIZES, paginate

from ..forms import ReportScheduleForm
from ..models import ReportSchedule
from ..services import ensure_may_change, schedule_delete, schedule_save
from .dashboards import is_worker_only


def _may_write(request: HttpRequest) -> None:
    scope = scope_for(request.user)
    if is_worker_only(request.user) or not (scope.roles - {"auditor"} or scope.is_superuser):
        raise PermissionDenied


@login_required
def schedules_list(request: HttpRequest) -> HttpResponse:
    qs = restrict(ReportSchedule.objects.select_related("owner", "cycle", "department", "vendor"), request.user)
    if request.GET.get("q"):
        qs = qs.filter(name__icontains=request.GET["q"].strip())
    page, per_page = paginate(request, qs.order_by("name", "id"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "insights/schedules.html", {"page": page, "per_page": per_page, "page_sizes": PAGE_SIZES,
                                                       "querystring": params.urlencode()})


@login_required
def schedule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _may_write(request)
    schedule = get_scoped_or_404(ReportSchedule.objects.all(), request.user, pk=pk) if pk else ReportSchedule()
    if pk:
        ensure_may_change(request.user, schedule)  # type: ignore[arg-type]
    before = snapshot(schedule) if pk else None
    form = ReportScheduleForm(request.POST or None, instance=schedule, user=request.user)
    if request.method == "POST" and form.is_valid():
        obj = form.save(commit=False)
        schedule_save(actor=request.user, schedule=obj, recipients=list(form.cleaned_data["recipients"]),  # type: ignore[arg-type]
                      before=before)
        messages.success(request, _("定时报告已保存 / Saved"))
        return HttpResponseRedirect(reverse("insights:schedules"))
    return render(request, "insights/schedule_form.html", {"form": form, "schedule": schedule},
                  status=400 if request.method == "POST" else 200)


@login_required
def schedule_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = get_scoped_or_404(ReportSchedule.objects.all(), request.user, pk=pk)
    ensure_may_change(request.user, schedule)  # type: ignore[arg-type]
    if request.method == "POST":
        schedule_delete(actor=request.user, schedule=schedule)  # type: ignore[arg-type]
        messages.success(request, _("定时报告已删除 / Deleted"))
        return HttpResponseRedirect(reverse("insights:schedules"))
    return render(request, "insights/schedule_delete.html", {"schedule": schedule,
                                                             "deliveries": schedule.deliveries.all()[:24]})
