"""Appraisals: the list of a cycle (with the result export), the explain page and what happens on
it — goals, interviews, confirmation, appeals, reopening an evaluation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from outperform.access.scoping import get_scoped_or_404, restrict, scope_for
from outperform.core import excel
from outperform.core.crud import PAGE_SIZES, Resource, paginate, xlsx_response
from outperform.core.display import fen_to_yuan, format_money, format_value
from outperform.indicators.models import SubjectKind

from .. import queries
from ..filters import AppraisalFilterSet
from ..forms import (
    AppealForm,
    CompletionForm,
    GoalChangeForm,
    GoalForm,
    InterviewForm,
    ReasonForm,
    apply_errors,
)
from ..models import (
    Appraisal,
    AppraisalState,
    AssignmentState,
    Cycle,
    CycleState,
    Goal,
    GoalStatus,
    Interview,
    RaterAssignment,
    Score,
)
from ..resources import AppraisalResource
from ..services import (
    appeal_submit,
    appraisal_confirm,
    assignment_reopen,
    goal_agree,
    goal_change,
    goal_propose,
    interview_acknowledge,
    interview_save,
)
from ..services.results import appeal_deadline
from .common import get_appraisal, get_cycle, messages_of, require_hr

RESOURCE = AppraisalResource()
EXPORT_HEADERS = ("工号", "姓名", "服务商", "部门", "岗位", "综合得分", "等级", "排名", "系数", "奖金(元)")
SORTS = {"subject_name", "worker__employee_no", "vendor__name", "department__name", "position__name", "state",
         "composite", "grade", "rank", "bonus_fen"}


def _ordering(sort: str) -> list[Any]:
    field = sort.lstrip("-")
    expr = F(field).desc(nulls_last=True) if sort.startswith("-") else F(field).asc(nulls_last=True)
    return [expr, "pk"]


def filtered_appraisals(request: HttpRequest, cycle: Cycle) -> tuple[QuerySet[Appraisal], Any, str, str, bool]:
    """The cycle's appraisals the user may see, filtered, searched and sorted like a crud list.
    Before publication, a viewer who may not see results can neither filter nor sort by them."""
    user = request.user
    visible = queries.cycle_results_visible(cycle, user)
    qs = restrict(RESOURCE.queryset().filter(cycle=cycle), user)
    data = request.GET.copy()
    if not visible:
        data.pop("grade", None)
    filterset = AppraisalFilterSet(data, queryset=qs, request=request)
    Resource._scope_filter_choices(filterset.form, request)
    _by_template, bands = queries.cycle_bands(cycle)
    filterset.form.fields["grade"].widget = forms.Select(choices=[("", "---------")] + [
        (b["code"], b["name"]) for b in bands])
    if filterset.is_valid():
        qs = filterset.qs
    search = request.GET.get("q", "").strip()
    if search:
        qs = qs.filter(Q(subject_name__icontains=search) | Q(worker__employee_no__icontains=search))
    sort = request.GET.get("sort", "")
    if sort.lstrip("-") not in SORTS or (not visible and sort.lstrip("-") in AppraisalResource.RESULT_SORTS):
        sort = ""
    qs = qs.order_by(*_ordering(sort)) if sort else qs.order_by(*RESOURCE.default_ordering)
    return qs, filterset, search, sort, visible


def _result(a: Appraisal, visible: bool) -> dict[str, Any]:
    if not visible:
        return queries.hidden_result()
    return {"composite": a.composite, "grade": a.grade, "grade_name": a.grade_name, "rank": a.rank,
            "group_size": a.group_size, "coefficient": a.coefficient, "bonus_fen": a.bonus_fen}


@login_required
def appraisal_list(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = get_cycle(request, pk)
    user = request.user
    whole = scope_for(user).whole_view
    qs, filterset, search, sort, _visible = filtered_appraisals(request, cycle)
    if request.GET.get("export") == "xlsx":
        return _export(cycle, qs, whole)
    page, per_page = paginate(request, qs)
    by_template, _bands = queries.cycle_bands(cycle)
    rows = []
    for a in page.object_list:
        r = _result(a, whole or queries.results_public(a))
        band = by_template.get(a.cycle_template_id, {}).get(r["grade"])
        rows.append({
            "url": reverse("cycles:appraisal_detail", args=[a.pk]), "employee_no": a.worker.employee_no if a.worker else "",
            "name": a.subject_name, "vendor": a.vendor.name if a.vendor else "",
            "department": a.department.name if a.department else "", "position": a.position.name if a.position else "",
            "state": a.get_state_display(), "composite": format_value(r["composite"]), "grade_name": r["grade_name"],
            "colour": band["colour"] if band else "", "rank": r["rank"], "group_size": r["group_size"],
            "coefficient": format_value(r["coefficient"]), "bonus": format_money(r["bonus_fen"]),
        })
    params = request.GET.copy()
    params.pop("page", None)
    sort_params = params.copy()
    sort_params.pop("sort", None)
    export_params = request.GET.copy()
    export_params.pop("page", None)
    export_params["export"] = "xlsx"
    headers = [
        ("worker__employee_no", _("工号")), ("subject_name", _("姓名")), ("vendor__name", _("服务商")),
        ("department__name", _("部门")), ("position__name", _("岗位")), ("state", _("状态")),
        ("composite", _("综合得分")), ("grade", _("等级")), ("rank", _("排名")), (None, _("系数")),
        ("bonus_fen", _("奖金(元)")),
    ]
    return render(request, "cycles/appraisal_list.html", {
        "cycle": cycle, "page": page, "rows": rows, "filter_form": filterset.form, "search": search,
        "headers": [{"label": label, "sort": (("-" if sort == key else "") + key) if key else None,
                     "active": sort.lstrip("-") == key if key else False, "desc": sort.startswith("-")}
                    for key, label in headers],
        "querystring": params.urlencode(), "sort_querystring": sort_params.urlencode(),
        "export_querystring": export_params.urlencode(), "per_page": per_page, "page_sizes": PAGE_SIZES,
        "is_hr": queries.is_hr(user),
    })


def _export(cycle: Cycle, qs: QuerySet[Appraisal], whole: bool) -> HttpResponse:
    def rows() -> Any:
        for a in qs.iterator(chunk_size=2000):
            r = _result(a, whole or queries.results_public(a))
            yield [a.worker.employee_no if a.worker else "", a.subject_name, a.vendor.name if a.vendor else "",
                   a.department.name if a.department else "", a.position.name if a.position else "",
                   r["composite"], r["grade_name"], r["rank"], r["coefficient"], fen_to_yuan(r["bonus_fen"])]

    content = excel.write_rows(EXPORT_HEADERS, rows(), str(_("考核结果")))
    return xlsx_response(content, f"appraisals-{cycle.pk}.xlsx")


# --- the explain page ---------------------------------------------------------------------------


def _detail_context(request: HttpRequest, a: Appraisal, **forms_: Any) -> dict[str, Any]:
    user = request.user
    scope = scope_for(user)
    hr = queries.is_hr(user)
    cycle = a.cycle
    visible = queries.results_visible(a, user)
    snapshot = a.cycle_template.snapshot
    bands = snapshot["bands"]
    grades = [(b["code"], b["name"]) for b in bands]
    band = next((b for b in bands if b["code"] == a.grade), None)
    is_subject = a.subject_user_id == user.pk
    side = queries.goal_side(user, a)
    supervisor_rater = side == "supervisor" and queries.is_supervisor_rater(user, a)
    closed = cycle.state == CycleState.ARCHIVED
    after_publication = cycle.state in (CycleState.PUBLISHED, CycleState.CONFIRMATION)
    deadline = appeal_deadline(a)
    vendor_side = a.subject_kind == SubjectKind.VENDOR and a.vendor_id in scope.vendor_ids
    goals = list(a.goals.select_related("proposed_by"))
    for g in goals:
        g.my_turn = bool(side) and g.status != GoalStatus.AGREED and not (  # type: ignore[attr-defined]
            g.agreed_by_subject if side == "subject" else g.agreed_by_supervisor)
    context: dict[str, Any] = {
        "a": a, "cycle": cycle, "snapshot": snapshot, "template": snapshot["template"], "visible": visible,
        "result": _result(a, visible), "band": band if visible else None,
        "explain": queries.explain_for(a, user) if visible else None,
        "adjustment_entries": list(a.adjustment_entries.all()) if visible else [],
        "calibrations": list(a.calibrations.select_related("actor")) if visible else [],
        "goals": goals, "interviews": list(a.interviews.select_related("interviewer")),
        "appeals": list(a.appeals.select_related("submitted_by", "decided_by")),
        "is_hr": hr, "is_subject": is_subject, "side": side,
        "can_goal": side is not None and cycle.state in queries.GOAL_STATES,
        "can_interview": not closed and (scope.whole_write or supervisor_rater),
        "can_acknowledge": is_subject and not closed,
        "can_confirm": is_subject and after_publication and a.state == AppraisalState.PUBLISHED,
        "can_appeal": (is_subject or vendor_side) and after_publication and a.state == AppraisalState.PUBLISHED,
        "appeal_deadline": deadline,
        "goal_form": forms_.get("goal_form") or GoalForm(),
        "appeal_form": forms_.get("appeal_form") or AppealForm(),
        "grades": grades,
        "archive_url": (reverse("cycles:archive_worker", args=[a.worker_id]) if a.worker_id else
                        reverse("cycles:archive_vendor", args=[a.vendor_id])
                        if a.subject_kind == SubjectKind.VENDOR and a.vendor_id else None),
    }
    if hr:
        context["assignments"] = list(a.assignments.select_related("rater").order_by("role", "rater__username"))
        context["score_rows"] = list(
            Score.objects.filter(appraisal=a).select_related("assignment__rater")
            .order_by("role", "assignment__rater__username", "indicator_code"))
        context["reopen_form"] = ReasonForm()
        context["submitted"] = AssignmentState.SUBMITTED
    return context


@login_required
def appraisal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    a = get_appraisal(request, pk)
    return render(request, "cycles/appraisal_detail.html", _detail_context(request, a))


def _back(a: Appraisal, anchor: str = "") -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("cycles:appraisal_detail", args=[a.pk]) + (f"#{anchor}" if anchor else ""))


@login_required
@require_POST
def appraisal_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    a = get_appraisal(request, pk)
    try:
        appraisal_confirm(actor=request.user, appraisal=a)  # type: ignore[arg-type]
    except ValidationError as exc:
        for m in messages_of(exc):
            messages.error(request, m)
    else:
        messages.success(request, _("已确认考核结果 / Result confirmed"))
    return _back(a, "result")


@login_required
@require_POST
def appeal_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    a = get_appraisal(request, pk)
    form = AppealForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            appeal_submit(actor=request.user, appraisal=a, reason=form.cleaned_data["reason"],  # type: ignore[arg-type]
                          attachment=form.cleaned_data.get("attachment"))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("申诉已提交 / Appeal submitted"))
            return _back(a, "appeals")
    return render(request, "cycles/appraisal_detail.html", _detail_context(request, a, appeal_form=form), status=400)


# --- goals ------------------------------------------------------------------------------------


def _goal(request: HttpRequest, pk: int) -> Goal:
    qs = Goal.objects.select_related("appraisal__cycle", "appraisal__cycle_template")
    return get_scoped_or_404(qs, request.user, "view", pk=pk)


@login_required
@require_POST
def goal_propose_view(request: HttpRequest, pk: int) -> HttpResponse:
    a = get_appraisal(request, pk)
    form = GoalForm(request.POST)
    if form.is_valid():
        try:
            goal_propose(actor=request.user, appraisal=a, data=form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("目标已提出，等待对方确认 / Goal proposed"))
            return _back(a, "goals")
    return render(request, "cycles/appraisal_detail.html", _detail_context(request, a, goal_form=form), status=400)


@login_required
@require_POST
def goal_agree_view(request: HttpRequest, pk: int) -> HttpResponse:
    goal = _goal(request, pk)
    try:
        goal_agree(actor=request.user, goal=goal)  # type: ignore[arg-type]
    except ValidationError as exc:
        for m in messages_of(exc):
            messages.error(request, m)
    else:
        messages.success(request, _("已确认目标 / Goal agreed"))
    return _back(goal.appraisal, "goals")


@login_required
def goal_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    goal = _goal(request, pk)
    a = goal.appraisal
    if queries.goal_side(request.user, a) is None:
        raise PermissionDenied
    form = GoalChangeForm(request.POST or None, instance=Goal.objects.get(pk=goal.pk))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "change_reason"}
        try:
            goal_change(actor=request.user, goal=goal, data=data,  # type: ignore[arg-type]
                        reason=form.cleaned_data.get("change_reason") or "")
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("目标已调整 / Goal changed"))
            return _back(a, "goals")
    status = 400 if request.method == "POST" else 200
    return render(request, "cycles/goal_form.html", {"form": form, "goal": goal, "a": a}, status=status)


@login_required
@require_POST
def goal_completion_view(request: HttpRequest, pk: int) -> HttpResponse:
    goal = _goal(request, pk)
    form = CompletionForm(request.POST)
    if form.is_valid():
        try:
            goal_change(actor=request.user, goal=goal, data={"completion": form.cleaned_data["completion"]},  # type: ignore[arg-type]
                        reason="")
        except ValidationError as exc:
            for m in messages_of(exc):
                messages.error(request, m)
        else:
            messages.success(request, _("已更新完成度 / Completion saved"))
    else:
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, str(e))
    return _back(goal.appraisal, "goals")


# --- interviews -------------------------------------------------------------------------------


def _interview_page(request: HttpRequest, a: Appraisal, interview: Interview | None) -> HttpResponse:
    # The form works on its own copy: the service snapshots `interview` before changing it (audit).
    copy = Interview.objects.get(pk=interview.pk) if interview is not None else None
    form = InterviewForm(request.POST or None, instance=copy)
    if interview is None and request.method != "POST":
        form.initial.setdefault("participants", str(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            interview_save(actor=request.user, appraisal=a, data=form.service_data(),  # type: ignore[arg-type]
                           interview=interview)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("面谈记录已保存 / Interview saved"))
            return _back(a, "interviews")
    actions = form.actions + [{"action": "", "owner": "", "due": ""}]
    status = 400 if request.method == "POST" else 200
    return render(request, "cycles/interview_form.html",
                  {"form": form, "a": a, "interview": interview, "actions": actions}, status=status)


@login_required
def interview_new_view(request: HttpRequest, pk: int) -> HttpResponse:
    a = get_appraisal(request, pk)
    return _interview_page(request, a, None)


@login_required
def interview_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    interview = get_scoped_or_404(Interview.objects.select_related("appraisal__cycle"), request.user, "view", pk=pk)
    a = get_appraisal(request, interview.appraisal_id)
    return _interview_page(request, a, interview)


@login_required
@require_POST
def interview_acknowledge_view(request: HttpRequest, pk: int) -> HttpResponse:
    interview = get_scoped_or_404(Interview.objects.select_related("appraisal__cycle"), request.user, "view", pk=pk)
    try:
        interview_acknowledge(actor=request.user, interview=interview)  # type: ignore[arg-type]
    except ValidationError as exc:
        for m in messages_of(exc):
            messages.error(request, m)
    else:
        messages.success(request, _("已确认面谈记录 / Interview acknowledged"))
    return _back(interview.appraisal, "interviews")


# --- HR: reopen an evaluation --------------------------------------------------------------------


@login_required
@require_POST
def assignment_reopen_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_hr(request)
    assignment = get_scoped_or_404(RaterAssignment.objects.select_related("appraisal"), request.user, "view", pk=pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            assignment_reopen(actor=request.user, assignment=assignment,  # type: ignore[arg-type]
                              reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            for m in messages_of(exc):
                messages.error(request, m)
        else:
            messages.success(request, _("评价已退回给评价人 / The evaluation was reopened"))
    else:
        messages.error(request, _("请填写退回原因 / Give a reason"))
    return _back(assignment.appraisal, "ratings")


# --- 我的考核 ------------------------------------------------------------------------------------


@login_required
def my_appraisals(request: HttpRequest) -> HttpResponse:
    user = request.user
    scope = scope_for(user)
    mine = Q(subject_user_id=user.pk)
    if scope.vendor_ids:
        mine |= Q(subject_kind=SubjectKind.VENDOR, vendor_id__in=scope.vendor_ids)
    qs = restrict(Appraisal.objects.filter(mine).select_related("cycle", "vendor", "department"), user)
    appraisals = list(qs.order_by("-cycle__start_date", "-cycle_id"))
    rows = [{"a": a, "result": _result(a, scope.whole_view or queries.results_public(a))} for a in appraisals]
    own_worker_id = next((a.worker_id for a in appraisals if a.worker_id and a.subject_user_id == user.pk), None)
    return render(request, "cycles/my_appraisals.html", {"rows": rows, "own_worker_id": own_worker_id})
