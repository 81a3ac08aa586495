"""Cycle list, set-up form, the cockpit (detail) with its stage actions, and job progress pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from outperform.access.scoping import get_scoped_or_404, restrict
from outperform.core import crud
from outperform.core.audit import snapshot
from outperform.core.jobs import job_live_progress
from outperform.core.models import Job, JobState
from outperform.indicators.models import SubjectKind, Template
from outperform.org.models import PositionCategory
from outperform.vendors.models import VendorCategory

from .. import peers, queries
from ..forms import RULE_FIELD_LABELS, CycleForm, MoveBackForm, apply_errors
from ..models import Appraisal, Cycle, CycleState, CycleTemplate
from ..resources import CycleResource
from ..scope import NAMED, cycle_subjects, template_counts, template_plan
from ..selectors import cycle_progress, grade_distribution, template_rules_get
from ..services import cycle_advance, cycle_move_back, cycle_scope_set
from ..tasks import start_compute, start_open
from .common import get_cycle, messages_of, require_hr

RESOURCE = CycleResource()


class CycleEditView(crud.EditView):
    """crud's form page in sections (with the subject pickers), refused (with a message) once the
    cycle has left 草稿. The scope lists go through services.cycle_scope_set (checked, audited)."""

    template_name = "cycles/cycle_form.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        pk = kwargs.get("pk")
        if pk is not None and request.user.is_authenticated and queries.is_hr(request.user):
            cycle = get_cycle(request, pk)
            if cycle.state != CycleState.DRAFT:
                messages.error(request, _("只有草稿状态的周期可以修改 / Only a draft cycle can be edited"))
                return HttpResponseRedirect(reverse("cycles:cycles_detail", args=[pk]))
        return super().dispatch(request, *args, **kwargs)

    def page(self, form: Any, obj: Any, status: int = 200) -> HttpResponse:
        kind = form["subject_kind"].value() or SubjectKind.WORKER
        return render(self.request, self.template_name, self.context(
            form=form, object=obj, kind=kind, kinds=[(k, NAMED[k][1], NAMED[k][2]) for k in NAMED],
        ), status=status)

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self.get_object(pk)
        return self.page(self.make_form(obj), obj)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self.get_object(pk)
        before = snapshot(obj) if obj is not None else None
        form = self.make_form(obj, request.POST)
        if form.is_valid():
            assert isinstance(form, CycleForm)
            try:
                with transaction.atomic():
                    instance = form.save(commit=False)
                    self.resource.save(actor=request.user, obj=instance, before=before)
                    cycle_scope_set(actor=request.user, cycle=instance,  # type: ignore[arg-type]
                                    values=form.scope_values())
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已保存 / Saved"))
                return HttpResponseRedirect(reverse("cycles:cycles_detail", args=[instance.pk]))
        return self.page(form, obj, status=400)


class CycleDeleteView(crud.DeleteView):
    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self.get_object(pk)
        assert obj is not None
        try:
            self.resource.delete(actor=request.user, obj=obj)
        except ValidationError as exc:
            for m in messages_of(exc):
                messages.error(request, m)
            return HttpResponseRedirect(reverse("cycles:cycles_detail", args=[obj.pk]))
        messages.success(request, _("已删除 / Deleted"))
        return HttpResponseRedirect(reverse("cycles:cycles_list"))


def _cockpit(request: HttpRequest, cycle: Cycle, *, status: int = 200, **extra: Any) -> HttpResponse:
    user = request.user
    hr = queries.is_hr(user)
    appraisals = restrict(Appraisal.objects.filter(cycle=cycle), user)
    nxt = queries.next_state(cycle)
    earlier = queries.earlier_states(cycle)
    show_results = queries.cycle_results_visible(cycle, user) and appraisals.filter(computed_at__isnull=False).exists()
    chart = None
    if show_results:
        _by_template, bands = queries.cycle_bands(cycle)
        chart = queries.distribution_chart(grade_distribution(appraisals), bands)
    jobs = list(restrict(Job.objects.filter(kind__in=["cycle_open", "cycle_compute"], kwargs__cycle_id=cycle.pk),
                         user).order_by("-created_at")[:5]) if hr else []
    context = {
        "cycle": cycle,
        "steps": queries.stepper(cycle),
        "is_hr": hr,
        "next_state": nxt,
        "next_label": CycleState(nxt).label if nxt else "",
        "can_edit": hr and cycle.state == CycleState.DRAFT,
        "can_open": hr and cycle.state in queries.OPEN_STATES,
        "can_compute": hr and cycle.state in queries.COMPUTE_STATES,
        "can_advance": hr and nxt is not None,
        "can_move_back": hr and bool(earlier) and cycle.state != CycleState.ARCHIVED,
        "can_calibrate": hr and cycle.state == CycleState.CALIBRATION,
        "move_back_form": MoveBackForm(choices=earlier),
        "progress": cycle_progress(cycle, user),
        "state_counts": queries.state_counts(appraisals),
        "total": appraisals.count(),
        "chart": chart,
        "pending": queries.pending_raters(cycle, user) if hr else [],
        # Before opening, HR sees how many subjects the scope holds (one count query).
        "subjects_in_scope": cycle_subjects(cycle).count() if hr and cycle.state == CycleState.DRAFT else None,
        "named": _named_counts(cycle) if hr else {},
        "peer_choice": _peer_choice(cycle, user),
        "templates": _templates(cycle) if hr else [],
        "jobs": jobs,
        "blockers": [],
        **extra,
    }
    return render(request, "cycles/cycle_detail.html", context, status=status)


def _templates(cycle: Cycle) -> list[dict[str, Any]]:
    """Which template applies to whom: once opened, the frozen ones with their appraisal counts;
    in 草稿, what opening would do now — the default, the templates whose own 适用类别 apply, those
    the cycle's rules name (what each names, counted per list) — and how many subjects each would
    get (scope.template_counts: a fixed number of queries)."""
    labels = dict(PositionCategory.choices if cycle.subject_kind == SubjectKind.WORKER else VendorCategory.choices)
    if cycle.state != CycleState.DRAFT:
        return [{"template": ct.template, "default": ct.template_id == cycle.default_template_id, "count": ct.n,
                 "categories": [str(labels.get(c, c)) for c in ct.categories], "rules": []}
                for ct in CycleTemplate.objects.filter(cycle=cycle).select_related("template")
                .annotate(n=Count("appraisals")).order_by("pk")]
    rows: dict[int, dict[str, Any]] = {}
    for t, cats in template_plan(cycle):
        rows[t.pk] = {"template": t, "default": t.pk == cycle.default_template_id, "count": 0,
                      "categories": [str(labels.get(c, c)) for c in cats], "rules": []}
    groups = template_rules_get(cycle)
    missing = [g["template"] for g in groups if g["template"] not in rows]
    for t in Template.objects.filter(pk__in=missing).order_by("code", "-version"):
        rows[t.pk] = {"template": t, "default": False, "count": 0, "categories": [], "rules": []}
    for g in groups:
        rows[g["template"]]["rules"] = [f"{RULE_FIELD_LABELS[f]} {len(g[f])}" for f in RULE_FIELD_LABELS if g[f]]
    for template_id, n in template_counts(cycle).items():
        if template_id in rows:
            rows[template_id]["count"] = n
    return list(rows.values())


def _named_counts(cycle: Cycle) -> dict[str, int]:
    _model, include, exclude = NAMED.get(cycle.subject_kind, NAMED[SubjectKind.WORKER])
    return {"include": getattr(cycle, include).count(), "exclude": getattr(cycle, exclude).count()}


def _peer_choice(cycle: Cycle, user: Any) -> dict[str, Any] | None:
    """The cockpit's card for peers chosen by the supervisor: how many still wait (HR: all in
    scope; a supervisor: theirs), with the link to the list."""
    if not peers.chooses_peers(cycle) or not queries.reached(cycle, CycleState.GOAL_SETTING):
        return None
    rows = peers.choice_list(cycle, user)
    total = rows.count()
    if not total:
        return None
    return {"total": total, "pending": rows.filter(peers_chosen_at__isnull=True).count(),
            "open": cycle.state in peers.PEER_STAGES, "url": reverse("cycles:peer_choices", args=[cycle.pk])}


@login_required
def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _cockpit(request, get_cycle(request, pk))


@login_required
@require_POST
def cycle_open_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_hr(request)
    cycle = get_cycle(request, pk)
    if cycle.state not in queries.OPEN_STATES:
        messages.error(request, _("当前阶段不能开启 / The cycle can't be opened in this stage"))
        return HttpResponseRedirect(reverse("cycles:cycles_detail", args=[pk]))
    job = start_open(request.user, cycle)  # type: ignore[arg-type]
    return HttpResponseRedirect(reverse("cycles:job_detail", args=[job.pk]))


@login_required
@require_POST
def cycle_compute_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_hr(request)
    cycle = get_cycle(request, pk)
    if cycle.state not in queries.COMPUTE_STATES:
        messages.error(request, _("当前阶段不能计算结果 / Results can't be computed in this stage"))
        return HttpResponseRedirect(reverse("cycles:cycles_detail", args=[pk]))
    job = start_compute(request.user, cycle)  # type: ignore[arg-type]
    return HttpResponseRedirect(reverse("cycles:job_detail", args=[job.pk]))


@login_required
@require_POST
def cycle_advance_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_hr(request)
    cycle = get_cycle(request, pk)
    target = request.POST.get("target") or queries.next_state(cycle) or ""
    try:
        cycle = cycle_advance(actor=request.user, cycle=cycle, target=target)  # type: ignore[arg-type]
    except ValidationError as exc:
        return _cockpit(request, cycle, status=400, blockers=messages_of(exc),
                        blocked_target=CycleState(target).label if target in CycleState.values else target)
    messages.success(request, _("已进入“%s”阶段 / Moved to the next stage") % cycle.get_state_display())
    return HttpResponseRedirect(reverse("cycles:cycles_detail", args=[pk]))


@login_required
@require_POST
def cycle_move_back_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_hr(request)
    cycle = get_cycle(request, pk)
    form = MoveBackForm(request.POST, choices=queries.earlier_states(cycle))
    if form.is_valid():
        try:
            cycle = cycle_move_back(actor=request.user, cycle=cycle,  # type: ignore[arg-type]
                                    target=form.cleaned_data["target"], reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            from ..forms import apply_errors

            apply_errors(form, exc)
        else:
            messages.success(request, _("已退回到“%s”阶段 / Moved back") % cycle.get_state_display())
            return HttpResponseRedirect(reverse("cycles:cycles_detail", args=[pk]))
    return _cockpit(request, cycle, status=400, move_back_form=form, show_move_back=True)


# --- jobs ---------------------------------------------------------------------------------------


def _job_context(request: HttpRequest, pk: int) -> dict[str, Any]:
    job = get_scoped_or_404(Job.objects.all(), request.user, "view", pk=pk)
    done, total, message = job_live_progress(job)
    finished = job.state in (JobState.SUCCEEDED, JobState.FAILED)
    percent = 100 if job.state == JobState.SUCCEEDED else (int(done * 100 / total) if total else 0)
    cycle_id = (job.kwargs or {}).get("cycle_id")
    error = job.error.split("\n\n", 1)[0] if job.error else ""
    return {"job": job, "done": done, "total": total, "message": message, "finished": finished,
            "percent": percent, "error": error,
            "cycle_url": reverse("cycles:cycles_detail", args=[cycle_id]) if cycle_id else None}


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "cycles/job.html", _job_context(request, pk))


@login_required
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The htmx fragment the job page polls every second; a finished job's fragment has no
    trigger, so polling stops."""
    return render(request, "cycles/_job_progress.html", _job_context(request, pk))
