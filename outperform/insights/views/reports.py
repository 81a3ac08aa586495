"""Reports (报告): PDF and .xlsx of the individual, department, vendor and cycle reports, and the
batch generation of every worker's PDF for a cycle as a background job (a zip to download)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from outperform.access.scoping import get_scoped_or_404, restrict
from outperform.core.crud import xlsx_response
from outperform.cycles.models import Appraisal, Cycle

from .. import selectors
from ..models import ReportSchedule
from ..reports import data
from ..reports.pdf import render_pdf, tables_xlsx
from ..tasks import start_batch_reports
from .dashboards import is_worker_only


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


def group_title(kind: str) -> str:
    return {"cycle": _("周期汇总报告"), "department": _("部门绩效报告"), "vendor": _("服务商绩效报告")}[kind]


@login_required
def reports_index(request: HttpRequest) -> HttpResponse:
    if is_worker_only(request.user):
        mine = [a for a in restrict(Appraisal.objects.filter(subject_user_id=request.user.pk, composite__isnull=False)
                                    .select_related("cycle"), request.user).order_by("-cycle__start_date")
                if a.published_at is not None]
        return render(request, "insights/reports.html", {"mine": mine, "worker_only": True})
    cycles = selectors.visible_cycles(request.user)
    schedules = restrict(ReportSchedule.objects.all(), request.user).order_by("name")[:50]
    return render(request, "insights/reports.html", {
        "cycles": cycles, "choices": selectors.filter_choices(request.user), "schedules": schedules,
        "can_batch": True,
    })


def _group(request: HttpRequest, cycle_id: int, *, department_id: int | None = None,
           vendor_id: int | None = None) -> dict[str, Any]:
    if is_worker_only(request.user):
        raise Http404
    return data.group_report(request.user, cycle_id, department_id=department_id, vendor_id=vendor_id)


def _group_response(request: HttpRequest, report: dict[str, Any], fmt: str, name: str) -> HttpResponse:
    filename = f"{name}-{timezone.localdate():%Y%m%d}.{fmt}"
    if fmt == "xlsx":
        return xlsx_response(tables_xlsx(report["tables"]), filename)
    title = group_title(report["kind"])
    return pdf_response(render_pdf("insights/reports/group.html", {**report, "title": title}), filename)


@login_required
def cycle_report(request: HttpRequest, cycle_id: int, fmt: str) -> HttpResponse:
    return _group_response(request, _group(request, cycle_id), fmt, f"cycle-{cycle_id}")


@login_required
def department_report(request: HttpRequest, cycle_id: int, department_id: int, fmt: str) -> HttpResponse:
    return _group_response(request, _group(request, cycle_id, department_id=department_id), fmt,
                           f"department-{department_id}-cycle-{cycle_id}")


@login_required
def vendor_report(request: HttpRequest, cycle_id: int, vendor_id: int, fmt: str) -> HttpResponse:
    return _group_response(request, _group(request, cycle_id, vendor_id=vendor_id), fmt,
                           f"vendor-{vendor_id}-cycle-{cycle_id}")


@login_required
def individual_report(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    appraisal = data.appraisal_for_report(request.user, pk)
    report = data.individual(request.user, appraisal)
    name = f"report-{appraisal.worker.employee_no if appraisal.worker else appraisal.pk}-cycle-{appraisal.cycle_id}"
    if fmt == "xlsx":
        return xlsx_response(tables_xlsx(data.individual_tables(report)), f"{name}.xlsx")
    return pdf_response(render_pdf("insights/reports/individual.html", report), f"{name}.pdf")


@login_required
@require_POST
def batch_reports(request: HttpRequest, cycle_id: int) -> HttpResponse:
    if is_worker_only(request.user):
        raise Http404
    cycle = get_scoped_or_404(Cycle.objects.all(), request.user, pk=cycle_id)
    if cycle.pk not in {c.pk for c in selectors.visible_cycles(request.user)}:
        raise Http404
    job = start_batch_reports(request.user, cycle)  # type: ignore[arg-type]
    messages.success(request, _("已开始批量生成报告 / Batch generation started"))
    return HttpResponseRedirect(reverse("insights:job_detail", args=[job.pk]))


@login_required
def report_pick(request: HttpRequest) -> HttpResponse:
    """The form of the reports page: department → department report, vendor → vendor report."""
    params = selectors.Filters.from_params(request.GET)
    fmt = "xlsx" if request.GET.get("fmt") == "xlsx" else "pdf"
    if params.cycle_id is None:
        raise Http404
    if params.department_id is not None:
        url = reverse("insights:department_report", args=[params.cycle_id, params.department_id, fmt])
    elif params.vendor_id is not None:
        url = reverse("insights:vendor_report", args=[params.cycle_id, params.vendor_id, fmt])
    else:
        url = reverse("insights:cycle_report", args=[params.cycle_id, fmt])
    return HttpResponseRedirect(url)
