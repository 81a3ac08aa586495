"""Pages of rewards: thin views over the services and selectors.

Not allowed to see → 404 (`get_scoped_or_404`); allowed to see but not to act → 403."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from outperform.access.scoping import get_scoped_or_404, restrict, scope_for
from outperform.core import crud, excel
from outperform.core.display import fen_to_yuan, format_money, format_value, resolve
from outperform.core.jobs import job_live_progress
from outperform.core.masking import mask_field
from outperform.core.models import Job, JobState

from . import selectors, services
from .export import payroll_workbook
from .filters import LineFilterSet
from .forms import AcceptForm, GenerateForm, PlanForm, PoolsForm, ReasonForm, apply_errors
from .models import BonusLine, BonusPlan, PlanState, SalarySuggestion, SuggestionState
from .resources import PlanResource, SuggestionResource
from .tasks import start_prepare


def _require_writer(request: HttpRequest) -> None:
    if not scope_for(request.user).whole_write:
        raise PermissionDenied


def get_plan(request: HttpRequest, pk: int) -> BonusPlan:
    qs = BonusPlan.objects.select_related("cycle", "prepared_by", "submitted_by", "decided_by")
    return get_scoped_or_404(qs, request.user, "view", pk=pk)


def _detail(pk: int) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("rewards:plans_detail", args=[pk]))


class ExportingListView(crud.ListView):
    """crud's list page with an Excel export of its columns (numbers as numbers, money in yuan,
    personal columns masked as on the page) for resources without an importer."""

    def context(self, **extra: Any) -> dict[str, Any]:
        ctx = super().context(**extra)
        ctx["can_export"] = True
        return ctx

    def export(self, qs: QuerySet[Any]) -> HttpResponse:
        r = self.resource
        scope = self.scope

        def value(obj: Any, col: crud.Col) -> Any:
            v = resolve(obj, col.accessor)
            if v in (None, ""):
                return None
            if col.personal and not r.may_see_personal(scope, obj):
                return mask_field(col.accessor, v)
            if col.money:
                return fen_to_yuan(v)
            return v if isinstance(v, int | float) or type(v).__name__ == "Decimal" else format_value(v)

        rows = ([value(obj, c) for c in r.columns] for obj in qs.iterator(chunk_size=2000))
        content = excel.write_rows([str(c.label) for c in r.columns], rows, str(r.model._meta.verbose_name_plural))
        return crud.xlsx_response(content, f"{r.name}.xlsx")


class PlanListView(ExportingListView):
    def context(self, **extra: Any) -> dict[str, Any]:
        ctx = super().context(**extra)
        writer = self.scope.whole_write
        ctx.update(can_write=writer, create_url=reverse("rewards:plans_create") if writer else None)
        return ctx


class SuggestionListView(ExportingListView):
    def context(self, **extra: Any) -> dict[str, Any]:
        ctx = super().context(**extra)
        writer = self.scope.whole_write
        ctx.update(can_write=writer, create_url=reverse("rewards:suggestions_generate") if writer else None)
        return ctx


# --- plans ------------------------------------------------------------------------------------


@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    _require_writer(request)
    form = PlanForm(request.POST or None, initial={"cycle": request.GET.get("cycle")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.plan_create(actor=request.user, cycle=data["cycle"], name=data["name"],  # type: ignore[arg-type]
                                        mode=data["mode"], prorate=data["prorate"], note=data["note"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已创建奖金方案，请核对系数%s后计算") % (_("和奖金池") if plan.is_pool else ""))
            return _detail(plan.pk)
    return render(request, "rewards/plan_form.html", {"form": form, "plan": None},
                  status=400 if request.method == "POST" else 200)


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_plan(request, pk)
    _require_writer(request)
    if not plan.is_editable:
        messages.error(request, _("已提交或已批准的方案不能修改 / A submitted or approved plan can't be changed"))
        return _detail(pk)
    initial = {"name": plan.name, "mode": plan.mode, "prorate": plan.prorate, "note": plan.note}
    form = PlanForm(request.POST or None, plan=plan, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_update(actor=request.user, plan=plan, name=data["name"], mode=data["mode"],  # type: ignore[arg-type]
                                 prorate=data["prorate"], note=data["note"], coefficients=form.coefficients())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存，请重新计算 / Saved; recompute the plan"))
            return _detail(pk)
    return render(request, "rewards/plan_form.html", {"form": form, "plan": plan},
                  status=400 if request.method == "POST" else 200)


@login_required
def plan_pools(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_plan(request, pk)
    _require_writer(request)
    if not plan.is_pool or not plan.is_editable:
        messages.error(request, _("只有草稿或退回状态的奖金池方案可以设置奖金池 / Pools are set on a draft pool plan"))
        return _detail(pk)
    groups = services.plan_groups(plan)
    amounts = {p.group_id: p.amount_fen for p in plan.pools.all()}
    form = PoolsForm(request.POST or None, groups=groups, amounts=amounts)
    if request.method == "POST" and form.is_valid():
        try:
            services.pools_set(actor=request.user, plan=plan, amounts=form.amounts_fen())  # type: ignore[arg-type]
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("奖金池已保存，请重新计算 / Pools saved; recompute the plan"))
            return _detail(pk)
    return render(request, "rewards/plan_pools.html", {"form": form, "plan": plan},
                  status=400 if request.method == "POST" else 200)


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_plan(request, pk)
    user = request.user
    scope = scope_for(user)
    visible = selectors.lines_visible(user).filter(plan=plan)
    filterset = LineFilterSet(request.GET, queryset=selectors.plan_lines(plan, user), request=request,
                              grade_names=selectors.plan_grade_names(plan))
    crud.Resource._scope_filter_choices(filterset.form, request)
    lines = filterset.qs if filterset.is_valid() else selectors.plan_lines(plan, user)
    page, per_page = crud.paginate(request, lines)
    rows = [{"line": line, "base": _base_cell(plan, line, scope)} for line in page.object_list]
    totals = selectors.plan_totals(plan, visible)
    writer = scope.whole_write
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "rewards/plan_detail.html", {
        "plan": plan,
        "rows": rows,
        "page": page,
        "per_page": per_page,
        "page_sizes": crud.PAGE_SIZES,
        "querystring": params.urlencode(),
        "filter_form": filterset.form,
        "totals": totals,
        "grand": selectors.grand_total(totals),
        "lines_hidden": not visible.exists() and plan.line_count > 0,
        "can_edit": writer and plan.is_editable,
        "can_prepare": writer and plan.is_editable,
        "can_submit": writer and plan.state == PlanState.DRAFT,
        "can_decide": plan.state == PlanState.SUBMITTED and services.may_decide(user, plan),
        "decide_blocked": plan.state == PlanState.SUBMITTED and writer and not services.may_decide(user, plan),
        "can_export": plan.state == PlanState.APPROVED,
        "problems": services.plan_check(plan) if writer and plan.state == PlanState.DRAFT else [],
        "return_form": ReasonForm(),
        "jobs": list(restrict(Job.objects.filter(kind="bonus_prepare", kwargs__plan_id=plan.pk), user)
                     .order_by("-created_at")[:3]) if writer else [],
    })


def _base_cell(plan: BonusPlan, line: BonusLine, scope: Any) -> str:
    if plan.is_pool:
        return ""
    if scope.sees_personal_data(vendor_id=line.vendor_id, user_id=line.worker.user_id):
        return format_money(line.base_fen)
    return mask_field("base_fen", line.base_fen)  # type: ignore[return-value]


@login_required
@require_POST
def plan_prepare_view(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_plan(request, pk)
    _require_writer(request)
    if not plan.is_editable:
        messages.error(request, _("已提交或已批准的方案不能重新计算 / A submitted or approved plan can't be recomputed"))
        return _detail(pk)
    job = start_prepare(request.user, plan)  # type: ignore[arg-type]
    return HttpResponseRedirect(reverse("rewards:job_detail", args=[job.pk]))


def _transition(request: HttpRequest, pk: int, service: Any, done: str, **kwargs: Any) -> HttpResponse:
    plan = get_plan(request, pk)
    try:
        service(actor=request.user, plan=plan, **kwargs)
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, done)
    return _detail(pk)


@login_required
@require_POST
def plan_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, services.plan_submit, _("已提交审批 / Submitted for approval"))


@login_required
@require_POST
def plan_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, services.plan_approve, _("已批准，金额已冻结 / Approved; the figures are frozen"))


@login_required
@require_POST
def plan_return_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, services.plan_return, _("已退回 / Returned"), reason=request.POST.get("reason", ""))


@login_required
def plan_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_plan(request, pk)
    _require_writer(request)
    if request.method == "POST":
        try:
            services.plan_delete(actor=request.user, plan=plan)  # type: ignore[arg-type]
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
            return _detail(pk)
        messages.success(request, _("已删除 / Deleted"))
        return HttpResponseRedirect(reverse("rewards:plans_list"))
    return render(request, "core/object_confirm_delete.html",
                  {"object": plan, "list_url": reverse("rewards:plans_detail", args=[pk])})


@login_required
def plan_payroll(request: HttpRequest, pk: int) -> HttpResponse:
    """The payroll .xlsx: only for an approved plan, with the lines the user may see."""
    plan = get_plan(request, pk)
    if plan.state != PlanState.APPROVED:
        raise Http404
    scope = scope_for(request.user)
    visible = selectors.lines_visible(request.user).filter(plan=plan)
    lines = selectors.plan_lines(plan, request.user).iterator(chunk_size=2000)
    whole = selectors.plan_totals(plan, BonusLine.objects.filter(plan=plan))
    content = payroll_workbook(plan, lines, selectors.plan_totals(plan, visible), scope, whole)
    return crud.xlsx_response(content, f"payroll-{plan.pk}.xlsx")


@login_required
def my_bonus(request: HttpRequest) -> HttpResponse:
    """A worker's own approved bonus lines."""
    lines = (selectors.lines_visible(request.user)
             .filter(worker__user_id=request.user.pk or 0, plan__state=PlanState.APPROVED)
             .select_related("plan", "plan__cycle").order_by("-plan__cycle__start_date"))
    return render(request, "rewards/my_bonus.html", {"lines": lines})


# --- jobs -------------------------------------------------------------------------------------


def _job_context(request: HttpRequest, pk: int) -> dict[str, Any]:
    job = get_scoped_or_404(Job.objects.filter(kind="bonus_prepare"), request.user, "view", pk=pk)
    done, total, message = job_live_progress(job)
    finished = job.state in (JobState.SUCCEEDED, JobState.FAILED)
    percent = 100 if job.state == JobState.SUCCEEDED else (int(done * 100 / total) if total else 0)
    plan_id = (job.kwargs or {}).get("plan_id")
    plan_exists = isinstance(plan_id, int) and BonusPlan.objects.filter(pk=plan_id).exists()
    return {"job": job, "done": done, "total": total, "message": message, "finished": finished,
            "percent": percent, "error": job.error.split("\n\n", 1)[0] if job.error else "",
            "plan_url": reverse("rewards:plans_detail", args=[plan_id]) if plan_exists else None}


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "rewards/job.html", _job_context(request, pk))


@login_required
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "rewards/_job_progress.html", _job_context(request, pk))


# --- salary suggestions ---------------------------------------------------------------------------


def get_suggestion(request: HttpRequest, pk: int) -> SalarySuggestion:
    qs = SalarySuggestion.objects.select_related("cycle", "worker", "department", "vendor", "rule", "decided_by")
    return get_scoped_or_404(qs, request.user, "view", pk=pk)


@login_required
def suggestion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    s = get_suggestion(request, pk)
    scope = scope_for(request.user)
    sees_pay = scope.sees_personal_data(vendor_id=s.vendor_id, user_id=s.worker.user_id)
    accept_form = AcceptForm(initial={"pct": s.suggested_pct})
    reject_form = ReasonForm()
    status = 200
    if request.method == "POST":
        _require_writer(request)
        action = request.POST.get("action")
        try:
            if action == "accept":
                accept_form = AcceptForm(request.POST)
                if accept_form.is_valid():
                    services.suggestion_accept(actor=request.user, suggestion=s,  # type: ignore[arg-type]
                                               pct=accept_form.cleaned_data["pct"],
                                               reason=accept_form.cleaned_data["reason"])
                    messages.success(request, _("已采纳 / Accepted"))
                    return HttpResponseRedirect(reverse("rewards:suggestions_detail", args=[pk]))
            elif action == "reject":
                reject_form = ReasonForm(request.POST)
                if reject_form.is_valid():
                    services.suggestion_reject(actor=request.user, suggestion=s,  # type: ignore[arg-type]
                                               reason=reject_form.cleaned_data["reason"])
                    messages.success(request, _("已驳回 / Rejected"))
                    return HttpResponseRedirect(reverse("rewards:suggestions_detail", args=[pk]))
            else:
                raise Http404
        except ValidationError as exc:
            apply_errors(accept_form if action == "accept" else reject_form, exc)
        status = 400

    def money(fen: int | None) -> str:
        if fen is None:
            return ""
        return format_money(fen) if sees_pay else "***"

    return render(request, "rewards/suggestion_detail.html", {
        "s": s, "current": money(s.current_salary_fen), "suggested": money(s.suggested_salary_fen),
        "final": money(s.final_salary_fen), "accept_form": accept_form, "reject_form": reject_form,
        "can_decide": scope.whole_write and s.state == SuggestionState.PENDING,
    }, status=status)


@login_required
def suggestions_generate(request: HttpRequest) -> HttpResponse:
    _require_writer(request)
    form = GenerateForm(request.POST or None, initial={"cycle": request.GET.get("cycle")})
    if request.method == "POST" and form.is_valid():
        try:
            summary = services.suggestions_generate(actor=request.user, cycle=form.cleaned_data["cycle"])  # type: ignore[arg-type]
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已生成调薪建议 %(c)d 条（已审核的 %(k)d 条保留不变，%(n)d 人无匹配规则）")
                             % {"c": summary.created, "k": summary.kept, "n": summary.no_rule})
            return HttpResponseRedirect(reverse("rewards:suggestions_list")
                                        + f"?cycle={form.cleaned_data['cycle'].pk}")
    return render(request, "rewards/suggestions_generate.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


PLANS = PlanResource()
SUGGESTIONS = SuggestionResource()
