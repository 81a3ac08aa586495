"""Pages of the compliance app that are workflow rather than plain CRUD: issuing a notice, its page
with the answer / verification forms and timeline, evidence download, and the vendor portal."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from outperform.access.scoping import get_scoped_or_404, restrict, scope_for
from outperform.core.crud import PAGE_SIZES, Col, paginate, xlsx_response
from outperform.cycles.models import Appraisal, Cycle
from outperform.records.registry import sources

from . import selectors, services
from .exports import exporter_for
from .forms import EvidenceForm, NoticeIssueForm, RejectForm, RespondForm, SubmitForm, VerifyForm, VetoForm
from .models import VENDOR_TURN_STATES, AuditFinding, NoticeState, RectificationNotice


def _apply_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def notice_issue_view(request: HttpRequest) -> HttpResponse:
    if not scope_for(request.user).whole_write:
        raise PermissionDenied
    form = NoticeIssueForm(request.POST or None, initial=request.GET.dict() if request.method == "GET" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                notice = services.notice_issue(
                    actor=request.user, vendor=d["vendor"], title=d["title"], problems=d["problems"],  # type: ignore[arg-type]
                    measures=d["measures"], deadline=d["deadline"], indicators=list(d["indicators"]),
                    links=d["links"], owner=d.get("owner"), escalate_to=d.get("escalate_to"))
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("整改通知已发出 / Notice issued"))
                return HttpResponseRedirect(reverse("compliance:notices_detail", args=[notice.pk]))
        status = 400
    return render(request, "compliance/notice_issue.html", {"form": form}, status=status)


# Linked records this app knows how to show; other kinds come from records.registry.
LINK_LABELS = {"audit_finding": gettext_lazy("审查发现"), "scorecard": gettext_lazy("服务商计分卡")}


def _record_url(kind: str, record_id: int) -> str:
    if kind == "audit_finding":
        return reverse("compliance:findings_detail", args=[record_id])
    if kind == "scorecard":
        return reverse("standings:scorecard", args=[record_id])
    return ""


@login_required
def notice_detail(request: HttpRequest, pk: int, forms: dict[str, Any] | None = None,
                  status: int = 200) -> HttpResponse:
    notice = selectors.notice_get(request.user, pk)
    scope = scope_for(request.user)
    vendor_side = services.is_vendor_side(request.user, notice.vendor_id)  # type: ignore[arg-type]
    hr = scope.whole_write
    labels = {**{k: s.label for k, s in sources().items()}, **LINK_LABELS}
    links = [{"label": link.label or f"#{link.record_id}", "kind": labels.get(link.record_kind, link.record_kind),
              "url": _record_url(link.record_kind, link.record_id)} for link in notice.links.all()]
    forms = forms or {}
    ctx = {
        "notice": notice, "plan": notice.plan, "links": links, "indicators": list(notice.indicators.all()),
        "evidence": list(notice.evidence.select_related("uploaded_by")),
        "events": list(notice.events.select_related("actor")),
        "can_respond": vendor_side and notice.state in (NoticeState.ISSUED, NoticeState.REJECTED),
        "can_submit": vendor_side and notice.state == NoticeState.IN_PROGRESS,
        "can_upload": (vendor_side or hr) and notice.state in VENDOR_TURN_STATES,
        "can_verify": hr and notice.state == NoticeState.PENDING,
        "respond_form": forms.get("respond") or RespondForm(initial={"vendor_plan": notice.vendor_plan}),
        "submit_form": forms.get("submit") or SubmitForm(),
        "evidence_form": forms.get("evidence") or EvidenceForm(),
        "verify_form": forms.get("verify") or VerifyForm(),
        "reject_form": forms.get("reject") or RejectForm(),
        "action_labels": services.ACTION_LABELS,
        "list_url": reverse("compliance:notices_list"),
    }
    return render(request, "compliance/notice_detail.html", ctx, status=status)


FORMS = {"respond": RespondForm, "submit": SubmitForm, "evidence": EvidenceForm, "verify": VerifyForm,
         "reject": RejectForm}


def _run(action: str, request: HttpRequest, notice: RectificationNotice, data: dict[str, Any]) -> None:
    user: Any = request.user
    if action == "respond":
        services.notice_respond(actor=user, notice=notice, plan_text=data["vendor_plan"])
    elif action == "submit":
        services.notice_submit(actor=user, notice=notice, response=data["vendor_response"])
    elif action == "evidence":
        services.evidence_add(actor=user, notice=notice, upload=data["file"], note=data.get("note", ""))
    elif action == "verify":
        services.notice_verify(actor=user, notice=notice, note=data.get("note", ""))
    elif action == "reject":
        services.notice_reject(actor=user, notice=notice, reason=data["reason"])


@login_required
@require_POST
def notice_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    notice = selectors.notice_get(request.user, pk)  # 404 outside the scope, before anything else
    if action not in FORMS:
        raise Http404
    form = FORMS[action](request.POST, request.FILES)
    if form.is_valid():
        try:
            _run(action, request, notice, form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("已完成：%s") % services.ACTION_LABELS[action])
            return HttpResponseRedirect(reverse("compliance:notices_detail", args=[pk]))
    return notice_detail(request, pk, forms={action: form}, status=400)


@login_required
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    evidence = selectors.evidence_get(request.user, pk)
    try:
        fh = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(fh, as_attachment=True, filename=evidence.original_name)


@login_required
def notice_from_finding(request: HttpRequest, pk: int) -> HttpResponse:
    """The issue form pre-filled from an audit finding (HR)."""
    finding = get_scoped_or_404(AuditFinding.objects.select_related("audit__checklist"), request.user, "view", pk=pk)
    if not scope_for(request.user).whole_write:
        raise PermissionDenied
    query = QueryDict(mutable=True)
    query.update({
        "vendor": str(finding.vendor_id), "title": _("整改：%s") % finding.description[:60],
        "problems": f"{finding.audit.checklist.name}：{finding.item}\n{finding.description}".strip(),
        "deadline": finding.due_date.isoformat(), "links": f"audit_finding:{finding.pk} {finding.description[:60]}",
    })
    return HttpResponseRedirect(reverse("compliance:notices_create") + "?" + query.urlencode())


@login_required
def vetoes_view(request: HttpRequest) -> HttpResponse:
    """HR: record the compliance veto on a vendor cycle's appraisals (see docs/compliance.md)."""
    if not scope_for(request.user).whole_write:
        raise PermissionDenied
    cycles = Cycle.objects.filter(subject_kind="vendor").order_by("-end_date")
    form = VetoForm(request.POST or None, cycles=cycles)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            cycle = form.cleaned_data["cycle"]
            try:
                done = services.compliance_vetoes_apply(actor=request.user, cycle=cycle)  # type: ignore[arg-type]
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("已记录 %(n)s 个一票否决 / %(n)s vetoes recorded") % {"n": len(done)})
                return HttpResponseRedirect(reverse("compliance:vetoes"))
        status = 400
    return render(request, "compliance/vetoes.html", {"form": form}, status=status)


# --- vendor portal -------------------------------------------------------------------------------


@login_required
def portal(request: HttpRequest) -> HttpResponse:
    vendor = selectors.portal_vendor(request.user, request.GET.get("vendor"))
    scope = scope_for(request.user)
    data = selectors.portal_data(request.user, vendor)
    vendors = list(restrict(vendor.__class__.objects.all(), request.user, "view").order_by("name")
                   .values_list("pk", "name")) if scope.whole_view else []
    latest = data["latest"]
    can_appeal = bool(latest and latest.vendor_id in scope.vendor_ids and latest.state == "published")
    # The appeal is the cycles app's (POST only): its form is shown here and posts there.
    from outperform.cycles.forms import AppealForm

    return render(request, "compliance/portal.html", {
        **data, "vendor": vendor, "vendors": vendors, "can_appeal": can_appeal,
        "appeal_form": AppealForm() if can_appeal else None,
    })


@login_required
def portal_results(request: HttpRequest) -> HttpResponse:
    """Published results of the vendor's workers: filter by cycle and grade, paginate, export."""
    vendor = selectors.portal_vendor(request.user, request.GET.get("vendor"))
    qs = selectors.published_results(request.user, vendor)
    cycles = list(qs.order_by().values_list("cycle_id", "cycle__name").distinct())
    grades = sorted({g for g in qs.order_by().values_list("grade_name", flat=True).distinct() if g})
    cycle_id, grade = request.GET.get("cycle", ""), request.GET.get("grade", "")
    search = request.GET.get("q", "").strip()
    if search:
        qs = qs.filter(subject_name__icontains=search)
    if cycle_id.isdigit():
        qs = qs.filter(cycle_id=int(cycle_id))
    if grade:
        qs = qs.filter(grade_name=grade)
    if request.GET.get("export") == "xlsx":
        content = _RESULTS_EXPORTER.export(qs.iterator(chunk_size=2000))
        return xlsx_response(content, "published_results.xlsx")
    page, per_page = paginate(request, qs)
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "compliance/portal_results.html", {
        "vendor": vendor, "page": page, "per_page": per_page, "page_sizes": PAGE_SIZES,
        "querystring": params.urlencode(), "cycles": sorted(set(cycles), key=lambda c: -c[0]), "grades": grades,
        "cycle_id": cycle_id, "grade": grade, "search": search, "whole_view": scope_for(request.user).whole_view,
    })


def _results_exporter() -> Any:
    return exporter_for(Appraisal, "已发布结果", (
        Col("cycle.name", gettext_lazy("考核周期")), Col("subject_name", gettext_lazy("外包人员")),
        Col("composite", gettext_lazy("综合得分")), Col("grade_name", gettext_lazy("绩效等级")),
        Col("rank", gettext_lazy("排名")), Col("get_state_display", gettext_lazy("状态")),
    ))


_RESULTS_EXPORTER = _results_exporter()
