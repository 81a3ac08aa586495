"""预警 pages: the alert list (filters, search, sort, pagination, Excel export), an alert with its
acknowledge / resolve forms, the catalogue of rule kinds, and "evaluate now"."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from outperform.access.scoping import get_scoped_or_404, restrict, scope_for
from outperform.core import excel
from outperform.core.crud import PAGE_SIZES, paginate, xlsx_response
from outperform.core.jobs import job_start
from outperform.core.permissions import require_write

from .filters import AlertFilterSet
from .forms import AlertNoteForm
from .kinds import all_kinds
from .models import Alert, AlertRule
from .selectors import alert_list, alert_may_change, alert_queryset, open_counts
from .services import alert_acknowledge, alert_resolve

SORTABLE = {
    "severity": "severity", "state": "state", "title": "title", "last_seen_at": "last_seen_at",
    "first_seen_at": "first_seen_at", "owner": "owner__username",
}
# Severity sorts by weight, not alphabetically.
SEVERITY_RANK = {"critical": 0, "warning": 1, "info": 2}

EXPORT_HEADERS = ["编号 / ID", "严重程度 / Severity", "状态 / State", "规则 / Rule", "标题 / Title", "说明 / Message",
                  "对象 / Subject", "部门 / Department", "服务商 / Vendor", "负责人 / Owner", "首次发现 / First seen",
                  "最近发现 / Last seen", "确认说明 / Ack note", "解决说明 / Resolve note"]


def _filtered(request: HttpRequest) -> tuple[Any, AlertFilterSet, str, str]:
    qs = alert_list(request.user)
    filterset = AlertFilterSet(request.GET, queryset=qs, request=request)
    for f in filterset.form.fields.values():
        queryset = getattr(f, "queryset", None)
        if queryset is not None:
            f.queryset = restrict(queryset, request.user, "view")
    if filterset.is_valid():
        qs = filterset.qs
    search = request.GET.get("q", "").strip()
    if search:
        from django.db.models import Q

        qs = qs.filter(Q(title__icontains=search) | Q(subject__icontains=search) | Q(message__icontains=search))
    sort = request.GET.get("sort", "")
    key = sort.lstrip("-")
    if key in SORTABLE:
        field = SORTABLE[key]
        qs = qs.order_by(f"-{field}" if sort.startswith("-") else field, "-id")
    else:
        qs = qs.order_by("-last_seen_at", "-id")
    return qs, filterset, search, sort


@login_required
def alert_list_view(request: HttpRequest) -> HttpResponse:
    qs, filterset, search, sort = _filtered(request)
    if request.GET.get("export") == "xlsx":
        return _export(qs)
    page, per_page = paginate(request, qs)
    params = request.GET.copy()
    params.pop("page", None)
    sort_params = params.copy()
    sort_params.pop("sort", None)
    export_params = params.copy()
    export_params["export"] = "xlsx"
    headers = [
        {"label": label, "sort": (("-" if sort == key else "") + key) if key else None,
         "active": bool(key) and sort.lstrip("-") == key, "desc": sort.startswith("-")}
        for key, label in (("severity", _("严重程度")), ("state", _("状态")), ("title", _("标题")), (None, _("对象")),
                           ("owner", _("负责人")), ("last_seen_at", _("最近发现")))
    ]
    scope = scope_for(request.user)
    return render(request, "alerts/alert_list.html", {
        "page": page, "alerts": page.object_list, "filter_form": filterset.form, "search": search,
        "querystring": params.urlencode(), "sort_querystring": sort_params.urlencode(),
        "export_querystring": export_params.urlencode(), "per_page": per_page, "page_sizes": PAGE_SIZES,
        "headers": headers, "counts": open_counts(request.user),
        "can_manage_rules": scope.can_write(AlertRule),
    })


def _export(qs: Any) -> HttpResponse:
    def rows() -> Any:
        tz = timezone.get_current_timezone()
        for a in qs.iterator(chunk_size=2000):
            yield [a.pk, a.get_severity_display(), a.get_state_display(), a.rule.name, a.title, a.message, a.subject,
                   a.department.name if a.department else "", a.vendor.name if a.vendor else "",
                   str(a.owner) if a.owner else "", a.first_seen_at.astimezone(tz).replace(tzinfo=None),
                   a.last_seen_at.astimezone(tz).replace(tzinfo=None), a.ack_note, a.resolve_note]

    return xlsx_response(excel.write_rows(EXPORT_HEADERS, rows(), "预警"), "alerts.xlsx")


@login_required
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_scoped_or_404(alert_queryset(), request.user, "view", pk=pk)
    return render(request, "alerts/alert_detail.html", {
        "alert": alert, "can_change": alert.is_open and alert_may_change(request.user, alert),
        "form": AlertNoteForm(), "history": _history(alert),
    })


def _history(alert: Alert) -> Any:
    from django.contrib.contenttypes.models import ContentType

    from outperform.core.models import AuditLog

    return AuditLog.objects.filter(content_type=ContentType.objects.get_for_model(Alert),
                                   object_id=str(alert.pk)).select_related("actor").order_by("at", "id")


def _act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    alert = get_scoped_or_404(alert_queryset(), request.user, "view", pk=pk)
    if not alert_may_change(request.user, alert):
        raise PermissionDenied
    form = AlertNoteForm(request.POST)
    if form.is_valid():
        note = form.cleaned_data["note"]
        try:
            if action == "ack":
                alert_acknowledge(actor=request.user, alert=alert, note=note)  # type: ignore[arg-type]
                messages.success(request, _("已确认预警"))
            else:
                alert_resolve(actor=request.user, alert=alert, note=note)  # type: ignore[arg-type]
                messages.success(request, _("预警已解决"))
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("note", message)
    if form.errors:
        return render(request, "alerts/alert_detail.html", {
            "alert": alert, "can_change": alert.is_open, "form": form, "history": _history(alert),
            "failed_action": action,
        }, status=400)
    return HttpResponseRedirect(reverse("alerts:alert_detail", args=[alert.pk]))


@login_required
@require_POST
def alert_acknowledge_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "ack")


@login_required
@require_POST
def alert_resolve_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "resolve")


@login_required
def rule_alerts(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_scoped_or_404(AlertRule.objects.all(), request.user, "view", pk=pk)
    return HttpResponseRedirect(reverse("alerts:alert_list") + f"?rule={rule.pk}")


@login_required
def kinds_view(request: HttpRequest) -> HttpResponse:
    """The catalogue of rule kinds and their parameters (what goes in a rule's JSON)."""
    scope = scope_for(request.user)
    if not scope.whole_view:
        raise Http404
    return render(request, "alerts/kinds.html", {"kinds": all_kinds()})


@login_required
@require_POST
def evaluate_now(request: HttpRequest) -> HttpResponse:
    """Evaluate every enabled rule as a background job with progress."""
    require_write(scope_for(request.user), AlertRule)
    job = job_start(actor=request.user, kind="alerts_evaluate", label=_("评估预警规则"),  # type: ignore[arg-type]
                    target="outperform.alerts.services.evaluate_job", retry_safe=True)
    return HttpResponseRedirect(reverse("cycles:job_detail", args=[job.pk]))
