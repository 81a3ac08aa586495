"""Pages of the development app beyond the declared lists and forms: the plan, suggestion and article
pages with their actions, the recognition wall, 我的发展 and the rule-evaluation start page. Thin:
each finds the object in the user's scope, calls one service, renders."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import ChoiceField
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from outperform.access.scoping import get_scoped_or_404, restrict, scope_for
from outperform.core.crud import PAGE_SIZES, ListView, ResourceView, paginate
from outperform.cycles.models import Cycle

from . import services
from .filters import CommendationFilterSet
from .forms import PLAN_ACTIONS, CheckInForm, DecideForm, EvaluateForm, MilestoneForm, TransitionForm
from .models import (
    OPEN_PLAN_STATES,
    Article,
    Commendation,
    CycleEvaluation,
    ImprovementPlan,
    PlanMilestone,
    Suggestion,
    SuggestionState,
    Visibility,
)
from .rendering import render_markdown
from .selectors import archive_extras, articles_visible, own_worker


def _errors(exc: ValidationError) -> list[str]:
    return list(exc.messages)


def _can_change(model: Any, pk: int, user: Any) -> bool:
    return scope_for(user).can_write(model) and restrict(model._default_manager.filter(pk=pk), user, "change").exists()


class ExportListView(ListView):
    """A declared list whose spreadsheet is export-only (no import button, no import routes)."""

    def context(self, **extra: Any) -> dict[str, Any]:
        r = self.resource
        meta = r.model._meta
        return {
            "resource": r,
            "verbose_name": meta.verbose_name,
            "verbose_name_plural": meta.verbose_name_plural,
            "list_url": reverse(r.route("list")),
            "can_write": self.scope.can_write(r.model) and r.form_class is not None,
            "can_import": False,
            "import_url": None,
            "create_url": reverse(r.route("create")) if r.form_class is not None else None,
            **extra,
        }


class NoImportView(ResourceView):
    def get(self, request: HttpRequest) -> HttpResponse:
        raise Http404

    def post(self, request: HttpRequest) -> HttpResponse:
        raise Http404


# --- suggestions ------------------------------------------------------------------------------------


class SuggestionDetailView(ResourceView):
    def _page(self, suggestion: Suggestion, form: DecideForm | None = None, errors: list[str] | None = None,
              status: int = 200) -> HttpResponse:
        r = self.resource
        fields = [(c.label, r.cell(suggestion, c, self.scope)) for c in r.detail_fields]
        can_decide = suggestion.state == SuggestionState.OPEN and _can_change(Suggestion, suggestion.pk,
                                                                              self.request.user)
        return render(self.request, "development/suggestion_detail.html", self.context(
            object=suggestion, fields=fields, can_decide=can_decide, form=form or DecideForm(), errors=errors or [],
        ), status=status)

    def _get(self, pk: int) -> Suggestion:
        return get_scoped_or_404(self.resource.queryset(), self.request.user, "view", pk=pk)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._page(self._get(pk))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        suggestion = self._get(pk)
        form = DecideForm(request.POST)
        if not form.is_valid():
            return self._page(suggestion, form, status=400)
        try:
            services.suggestion_decide(actor=request.user, suggestion=suggestion,  # type: ignore[arg-type]
                                       state=form.cleaned_data["state"], reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            return self._page(suggestion, form, _errors(exc), status=400)
        messages.success(request, _("已处理 / Decided"))
        return HttpResponseRedirect(reverse("development:suggestions_detail", args=[pk]))


# --- improvement plans ------------------------------------------------------------------------------


class PlanDetailView(ResourceView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = get_scoped_or_404(self.resource.queryset(), request.user, "view", pk=pk)
        return plan_page(request, plan, self.context())


def plan_page(request: HttpRequest, plan: ImprovementPlan, context: dict[str, Any] | None = None,
              status: int = 200, **forms: Any) -> HttpResponse:
    can_change = _can_change(ImprovementPlan, plan.pk, request.user)
    is_open = plan.state in OPEN_PLAN_STATES
    actions = [a for a, (sources, _t) in services.TRANSITIONS.items() if plan.state in sources]
    transition_form = forms.get("transition_form") or TransitionForm(initial={"on": timezone.localdate()})
    action_field = transition_form.fields["action"]
    assert isinstance(action_field, ChoiceField)
    action_field.choices = [c for c in PLAN_ACTIONS if c[0] in actions]
    ctx = {
        **(context or {}),
        "object": plan,
        "plan": plan,
        "list_url": reverse("development:plans_list"),
        "verbose_name_plural": ImprovementPlan._meta.verbose_name_plural,
        "can_change": can_change,
        "can_edit": can_change and is_open,
        "is_open": is_open,
        "milestones": list(plan.milestones.order_by("due", "id")),
        "check_ins": list(plan.check_ins.select_related("author").order_by("-date", "-id")),
        "articles": list(articles_visible(plan.articles.all(), request.user)),
        "transition_form": transition_form if actions else None,
        "milestone_form": forms.get("milestone_form") or MilestoneForm(),
        "checkin_form": forms.get("checkin_form") or CheckInForm(initial={"date": timezone.localdate()}),
        "errors": forms.get("errors", []),
        "archive_url": reverse("cycles:archive_worker", args=[plan.worker_id]) if plan.worker_id else None,
        "edit_url": reverse("development:plans_edit", args=[plan.pk]),
        "delete_url": reverse("development:plans_delete", args=[plan.pk]),
    }
    return render(request, "development/plan_detail.html", ctx, status=status)


def _plan(request: HttpRequest, pk: int) -> ImprovementPlan:
    return get_scoped_or_404(ImprovementPlan.objects.select_related("worker", "vendor", "owner", "department"),
                             request.user, "view", pk=pk)


@login_required
@require_POST
def plan_transition(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            services.plan_transition(actor=request.user, plan=plan,  # type: ignore[arg-type]
                                     action=form.cleaned_data["action"], note=form.cleaned_data["note"],
                                     deadline=form.cleaned_data["deadline"], on=form.cleaned_data["on"])
        except ValidationError as exc:
            return plan_page(request, plan, status=400, transition_form=form, errors=_errors(exc))
        messages.success(request, _("已更新计划状态 / The plan was updated"))
        return HttpResponseRedirect(reverse("development:plans_detail", args=[pk]))
    if not _can_change(ImprovementPlan, plan.pk, request.user):
        raise PermissionDenied
    return plan_page(request, plan, status=400, transition_form=form)


@login_required
@require_POST
def milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    form = MilestoneForm(request.POST)
    if form.is_valid():
        try:
            services.milestone_add(actor=request.user, plan=plan, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            return plan_page(request, plan, status=400, milestone_form=form, errors=_errors(exc))
        return HttpResponseRedirect(reverse("development:plans_detail", args=[pk]))
    if not _can_change(ImprovementPlan, plan.pk, request.user):
        raise PermissionDenied
    return plan_page(request, plan, status=400, milestone_form=form)


@login_required
@require_POST
def milestone_done(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = get_scoped_or_404(PlanMilestone.objects.select_related("plan"), request.user, "view", pk=pk)
    try:
        services.milestone_done(actor=request.user, milestone=milestone)  # type: ignore[arg-type]
    except ValidationError as exc:
        return plan_page(request, milestone.plan, status=400, errors=_errors(exc))
    return HttpResponseRedirect(reverse("development:plans_detail", args=[milestone.plan_id]))


@login_required
@require_POST
def checkin_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    form = CheckInForm(request.POST)
    if form.is_valid():
        try:
            services.checkin_add(actor=request.user, plan=plan, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            return plan_page(request, plan, status=400, checkin_form=form, errors=_errors(exc))
        return HttpResponseRedirect(reverse("development:plans_detail", args=[pk]))
    if not _can_change(ImprovementPlan, plan.pk, request.user):
        raise PermissionDenied
    return plan_page(request, plan, status=400, checkin_form=form)


# --- knowledge --------------------------------------------------------------------------------------


class ArticleDetailView(ResourceView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        article = get_scoped_or_404(articles_visible(Article.objects.select_related("author"), request.user),
                                    request.user, "view", pk=pk)
        plans = list(restrict(ImprovementPlan.objects.filter(articles=article).select_related("worker"), request.user).order_by("-start_date")[:20])
        return render(request, "development/article_detail.html", self.context(
            object=article,
            body=render_markdown(article.body),
            indicators=list(article.indicators.all()),
            dimensions=list(article.dimensions.all()),
            plans=plans,
            can_change=_can_change(Article, article.pk, request.user),
            edit_url=reverse("development:articles_edit", args=[pk]),
            delete_url=reverse("development:articles_delete", args=[pk]),
        ))


# --- recognition ------------------------------------------------------------------------------------


@login_required
def recognition_wall(request: HttpRequest) -> HttpResponse:
    """赞扬墙: public commendations the user's scope reaches, newest first."""
    qs = restrict(Commendation.objects.filter(visibility=Visibility.PUBLIC)
                  .select_related("worker", "author", "cycle", "indicator", "department"), request.user)
    filterset = CommendationFilterSet(request.GET, queryset=qs, request=request)
    filterset.form.fields.pop("visibility", None)
    for f in filterset.form.fields.values():
        if getattr(f, "queryset", None) is not None:
            f.queryset = restrict(f.queryset, request.user)
    if filterset.is_valid():
        qs = filterset.qs
    search = request.GET.get("q", "").strip()
    if search:
        from django.db.models import Q

        qs = qs.filter(Q(title__icontains=search) | Q(text__icontains=search) | Q(worker__name__icontains=search))
    page, per_page = paginate(request, qs.order_by("-date", "-id"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "development/wall.html", {
        "page": page, "per_page": per_page, "page_sizes": PAGE_SIZES, "filter_form": filterset.form,
        "search": search, "querystring": params.urlencode(),
        "can_commend": scope_for(request.user).can_write(Commendation),
    })


# --- 我的发展 ---------------------------------------------------------------------------------------


@login_required
def my_development(request: HttpRequest) -> HttpResponse:
    worker = own_worker(request.user)
    extras = archive_extras(worker, request.user) if worker is not None else {}
    return render(request, "development/mine.html", {"worker": worker, **extras})


# --- rule evaluation --------------------------------------------------------------------------------


@login_required
def evaluate(request: HttpRequest) -> HttpResponse:
    """HR starts the rules over a published cycle; the job page shows the progress."""
    if not scope_for(request.user).whole_write:
        raise PermissionDenied
    from .tasks import start_evaluate

    cycles = Cycle.objects.filter(state__in=services.PUBLISHED_STATES).order_by("-end_date")
    form = EvaluateForm(request.POST or None, cycles=cycles)
    if request.method == "POST" and form.is_valid():
        job = start_evaluate(request.user, form.cleaned_data["cycle"])  # type: ignore[arg-type]
        return HttpResponseRedirect(reverse("cycles:job_detail", args=[job.pk]))
    runs = list(CycleEvaluation.objects.select_related("cycle").order_by("-evaluated_at")[:20])
    return render(request, "development/evaluate.html", {"form": form, "runs": runs},
                  status=400 if request.method == "POST" else 200)
