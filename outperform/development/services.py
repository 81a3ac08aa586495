"""Writes of the development app. Each is one transaction and leaves audit rows; the bulk paths
(rule evaluation, auto-opened plans, reminders) use a constant number of queries whatever the
number of workers."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from outperform.access.scoping import restrict, scope_for
from outperform.core.audit import audit_bulk, snapshot
from outperform.core.models import User
from outperform.core.services import object_create, object_update
from outperform.cycles.models import Appraisal, Cycle, CycleState, CycleTemplate
from outperform.indicators.models import SubjectKind

from . import rules
from .models import (
    OPEN_PLAN_STATES,
    Commendation,
    CycleEvaluation,
    DevelopmentRule,
    ImprovementPlan,
    PlanCheckIn,
    PlanKind,
    PlanMilestone,
    PlanOutcome,
    PlanState,
    PlanSubject,
    RuleKind,
    Suggestion,
    SuggestionKind,
    SuggestionState,
    TrainingRecord,
    TrainingTopic,
)

PUBLISHED_STATES = (CycleState.PUBLISHED, CycleState.CONFIRMATION, CycleState.ARCHIVED)
ProgressFn = Callable[[int, int, str], None]


def _ensure_hr(actor: User | None) -> None:
    """Organisation-wide writers only; `None` is the system itself (cron, beat)."""
    if actor is not None and not scope_for(actor).whole_write:
        raise PermissionDenied


def ensure_can_change(actor: User | None, obj: models.Model) -> None:
    if actor is None:
        return
    if not restrict(type(obj)._default_manager.filter(pk=obj.pk), actor, "change").exists():
        raise PermissionDenied


# --- rule evaluation ----------------------------------------------------------------------------------


def _indicator_scores(cycle: Cycle) -> dict[int, list[rules.IndicatorScore]]:
    """Per appraisal, the indicator scores of the cycle, recomputed from the frozen snapshot and the
    submitted scores in bulk (the stored breakdown keeps only the summary)."""
    from outperform.cycles.services.computing import cycle_results_preview

    meta: dict[str, tuple[str, str]] = {}
    for snap in CycleTemplate.objects.filter(cycle=cycle).values_list("snapshot", flat=True):
        for item in snap["indicators"]:
            meta[item["code"]] = (item["name"], item.get("dimension", ""))
    out: dict[int, list[rules.IndicatorScore]] = {}
    for aid, result in cycle_results_preview(cycle).items():
        out[aid] = [
            rules.IndicatorScore(row.code, meta.get(row.code, (row.code, ""))[0], meta.get(row.code, ("", ""))[1],
                                 row.score)
            for row in result.indicators if row.score is not None
        ]
    return out


def _topic_maps() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    by_indicator: dict[str, list[str]] = defaultdict(list)
    by_dimension: dict[str, list[str]] = defaultdict(list)
    for topic, indicator, dimension in TrainingTopic.objects.order_by("topic", "id").values_list(
        "topic", "indicator__code", "dimension__code"
    ):
        if indicator:
            by_indicator[indicator].append(topic)
        elif dimension:
            by_dimension[dimension].append(topic)
    return dict(by_indicator), dict(by_dimension)


@transaction.atomic
def development_evaluate(*, actor: User | None, cycle: Cycle, progress: ProgressFn | None = None,
                         today: dt.date | None = None) -> dict[str, int]:
    """Run every active rule over the published results of `cycle` and the history before it:
    new Suggestion rows and auto-opened improvement plans. Idempotent: a worker gets at most one
    suggestion per rule and cycle and one plan per source cycle, so running twice adds nothing."""
    _ensure_hr(actor)
    if cycle.state not in PUBLISHED_STATES:
        raise ValidationError(_("考核结果尚未发布，不能评估 / The cycle's results are not published yet"))
    today = today or timezone.localdate()
    active = list(DevelopmentRule.objects.filter(active=True).order_by("kind", "code"))
    current = list(
        Appraisal.objects.filter(cycle=cycle, subject_kind=SubjectKind.WORKER, worker__isnull=False,
                                 published_at__isnull=False)
        .values_list("id", "worker_id", "grade_name", "composite", "worker__hire_date", "worker__department_id",
                     "worker__vendor_id", "worker__supervisor_id", "worker__name")
        .order_by("worker_id")
    )
    history: dict[int, list[rules.Result]] = defaultdict(list)
    if any(r.kind in (RuleKind.PROMOTION, RuleKind.JOB_REVIEW) for r in active):
        for worker_id, cycle_id, name, end, grade in Appraisal.objects.filter(
            worker__in=Appraisal.objects.filter(cycle=cycle, worker__isnull=False).values("worker"),
            published_at__isnull=False, cycle__state__in=PUBLISHED_STATES, cycle__end_date__lte=cycle.end_date,
        ).values_list("worker_id", "cycle_id", "cycle__name", "cycle__end_date", "grade_name"):
            history[worker_id].append(rules.Result(cycle_id, name, end, grade))
    scores: dict[int, list[rules.IndicatorScore]] = {}
    topic_maps: tuple[dict[str, list[str]], dict[str, list[str]]] = ({}, {})
    if any(r.kind == RuleKind.TRAINING_NEED for r in active):
        scores = _indicator_scores(cycle)
        topic_maps = _topic_maps()
    existing = set(Suggestion.objects.filter(cycle=cycle).values_list("rule_id", "worker_id"))
    planned = set(ImprovementPlan.objects.filter(source_cycle=cycle).values_list("worker_id", flat=True))
    suggestions: list[Suggestion] = []
    plans: list[ImprovementPlan] = []
    total = len(current) or 1
    for n, (aid, worker_id, grade, composite, hire, dept_id, vendor_id, supervisor_id, name) in enumerate(current, 1):
        for rule in active:
            finding: rules.Finding | None = None
            if rule.kind == RuleKind.AUTO_PLAN:
                if grade == rule.low_grade and worker_id not in planned:
                    planned.add(worker_id)
                    plans.append(ImprovementPlan(
                        kind=PlanKind.PIP, subject_kind=PlanSubject.WORKER, worker_id=worker_id, vendor_id=vendor_id,
                        department_id=dept_id, title=_("%(name)s 绩效改进计划（%(cycle)s）") % {
                            "name": name, "cycle": cycle.name},
                        problems=_("%(cycle)s考核结果为%(grade)s（综合得分 %(score)s），需在改进期内达到合格。") % {
                            "cycle": cycle.name, "grade": grade, "score": composite if composite is not None else "—"},
                        owner_id=supervisor_id, start_date=today, deadline=today + dt.timedelta(days=rule.plan_days),
                        state=PlanState.ACTIVE, source_cycle=cycle, source_rule=rule,
                    ))
                continue
            if (rule.pk, worker_id) in existing:
                continue
            if rule.kind == RuleKind.PROMOTION:
                finding = rules.promotion(
                    history[worker_id], window=rule.window, min_grade=rule.min_grade, top_grade=rule.top_grade,
                    count=rule.count, hire_date=hire, min_tenure_months=rule.min_tenure_months, on=cycle.end_date)
            elif rule.kind == RuleKind.JOB_REVIEW:
                finding = rules.job_review(history[worker_id], window=rule.window, low_grade=rule.low_grade,
                                           count=rule.count)
            elif rule.kind == RuleKind.TRAINING_NEED:
                finding = rules.training_need(
                    scores.get(aid, []), below=rule.score_below, max_items=rule.max_items, cycle_name=cycle.name,
                    topics_by_indicator=topic_maps[0], topics_by_dimension=topic_maps[1])
            if finding is not None:
                suggestions.append(Suggestion(
                    kind=SuggestionKind(rule.kind), rule=rule, cycle=cycle, worker_id=worker_id,
                    department_id=dept_id, vendor_id=vendor_id, reason=finding.reason, topics=list(finding.topics),
                ))
        if progress and n % 500 == 0:
            progress(n, total, "evaluating")
    Suggestion.objects.bulk_create(suggestions, batch_size=1000)
    ImprovementPlan.objects.bulk_create(plans, batch_size=1000)
    milestones = []
    for plan in plans:
        half = plan.start_date + dt.timedelta(days=(plan.deadline - plan.start_date).days // 2)
        milestones += [PlanMilestone(plan=plan, title=_("中期回顾"), due=half),
                       PlanMilestone(plan=plan, title=_("结果评估"), due=plan.deadline)]
    PlanMilestone.objects.bulk_create(milestones, batch_size=1000)
    audit_bulk(actor, created=[*suggestions, *plans, *milestones], reason=f"development rules: {cycle.name}")
    summary = {"appraisals": len(current), "suggestions": len(suggestions), "plans": len(plans)}
    for kind in SuggestionKind:
        summary[kind.value] = sum(1 for s in suggestions if s.kind == kind)
    CycleEvaluation.objects.update_or_create(cycle=cycle, defaults={"summary": summary})
    if progress:
        progress(len(current), len(current), "done")
    return summary


def evaluate_pending_cycles(today: dt.date | None = None) -> int:
    """The daily job: evaluate every published worker cycle not evaluated yet. Returns how many."""
    done = 0
    pending = Cycle.objects.filter(state__in=PUBLISHED_STATES, subject_kind=SubjectKind.WORKER).exclude(
        pk__in=CycleEvaluation.objects.values("cycle_id")).order_by("end_date", "pk")
    for cycle in pending:
        development_evaluate(actor=None, cycle=cycle, today=today)
        done += 1
    return done


@transaction.atomic
def suggestion_decide(*, actor: User, suggestion: Suggestion, state: str, reason: str = "") -> Suggestion:
    ensure_can_change(actor, suggestion)
    if suggestion.state != SuggestionState.OPEN:
        raise ValidationError(_("该建议已处理 / This suggestion has already been decided"))
    if state not in (SuggestionState.ACCEPTED, SuggestionState.DISMISSED):
        raise ValidationError({"state": _("状态只能是已采纳或已驳回 / The state must be accepted or dismissed")})
    reason = reason.strip()
    if state == SuggestionState.DISMISSED and not reason:
        raise ValidationError({"decision_reason": _("驳回须说明理由 / A dismissal needs a reason")})
    before = snapshot(suggestion)
    suggestion.state = state
    suggestion.decision_reason = reason
    suggestion.decided_by = actor
    suggestion.decided_at = timezone.now()
    return object_update(actor=actor, obj=suggestion, before=before, reason=reason)


# --- training records ---------------------------------------------------------------------------------


def training_external_id() -> str:
    return f"TR-{uuid.uuid4().hex[:16].upper()}"


def training_record_save(*, actor: User, obj: TrainingRecord, before: dict[str, Any] | None) -> TrainingRecord:
    if not obj.external_id:
        obj.external_id = training_external_id()
    obj.sync_from_worker()
    if before is None:
        return object_create(actor=actor, obj=obj)
    return object_update(actor=actor, obj=obj, before=before)


# --- improvement plans --------------------------------------------------------------------------------

# action → (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "activate": ((PlanState.DRAFT,), PlanState.ACTIVE),
    "extend": ((PlanState.ACTIVE, PlanState.EXTENDED), PlanState.EXTENDED),
    "pass": ((PlanState.ACTIVE, PlanState.EXTENDED), PlanState.PASSED),
    "fail": ((PlanState.ACTIVE, PlanState.EXTENDED), PlanState.FAILED),
    "close": ((PlanState.DRAFT, PlanState.ACTIVE, PlanState.EXTENDED), PlanState.CLOSED),
}
OUTCOME_OF = {"extend": PlanOutcome.EXTENDED, "pass": PlanOutcome.PASSED, "fail": PlanOutcome.FAILED}
NOTE_REQUIRED = frozenset({"extend", "fail", "close"})


def plan_save(*, actor: User, obj: ImprovementPlan, before: dict[str, Any] | None) -> ImprovementPlan:
    """Create or edit a plan's content; state and outcome change only through plan_transition."""
    obj.sync_from_worker()
    if before is None:
        worker = obj.worker if obj.worker_id is not None else None
        if obj.owner_id is None and worker is not None:
            obj.owner_id = worker.supervisor_id or actor.pk
        return object_create(actor=actor, obj=obj)
    if before.get("state") in (PlanState.PASSED, PlanState.FAILED, PlanState.CLOSED):
        raise ValidationError(_("计划已结束，不能再修改 / The plan is finished and can't be edited"))
    return object_update(actor=actor, obj=obj, before=before)


@transaction.atomic
def plan_transition(*, actor: User, plan: ImprovementPlan, action: str, note: str = "",
                    deadline: dt.date | None = None, on: dt.date | None = None) -> ImprovementPlan:
    ensure_can_change(actor, plan)
    plan = ImprovementPlan.objects.select_for_update().get(pk=plan.pk)
    if action not in TRANSITIONS:
        raise ValidationError({"action": _("未知操作：%s / Unknown action") % action})
    sources, target = TRANSITIONS[action]
    if plan.state not in sources:
        raise ValidationError(_("“%(state)s”状态的计划不能执行此操作 / A plan in this state can't do that") % {
            "state": plan.get_state_display()})
    note = note.strip()
    if action in NOTE_REQUIRED and not note:
        raise ValidationError({"note": _("请填写说明 / A note is required")})
    before = snapshot(plan)
    on = on or timezone.localdate()
    if action == "extend":
        if deadline is None or deadline <= plan.deadline:
            raise ValidationError({"deadline": _("新的截止日期须晚于原截止日期 %(d)s / The new deadline must be later")
                                   % {"d": plan.deadline.isoformat()}})
        plan.deadline = deadline
    if action in OUTCOME_OF:
        plan.outcome, plan.outcome_date, plan.outcome_note = OUTCOME_OF[action], on, note
    elif action == "close":
        plan.outcome_date, plan.outcome_note = on, note
    plan.state = target
    return object_update(actor=actor, obj=plan, before=before, reason=f"{action}: {note}"[:500])


def _ensure_open(plan: ImprovementPlan) -> None:
    if plan.state not in OPEN_PLAN_STATES:
        raise ValidationError(_("计划已结束，不能再修改 / The plan is finished and can't be edited"))


def milestone_add(*, actor: User, plan: ImprovementPlan, title: str, due: dt.date) -> PlanMilestone:
    ensure_can_change(actor, plan)
    _ensure_open(plan)
    return object_create(actor=actor, obj=PlanMilestone(plan=plan, title=title, due=due))


def milestone_done(*, actor: User, milestone: PlanMilestone, on: dt.date | None = None) -> PlanMilestone:
    ensure_can_change(actor, milestone.plan)
    _ensure_open(milestone.plan)
    if milestone.done_at is not None:
        raise ValidationError(_("该里程碑已完成 / The milestone is already done"))
    before = snapshot(milestone)
    milestone.done_at = on or timezone.localdate()
    return object_update(actor=actor, obj=milestone, before=before)


def checkin_add(*, actor: User, plan: ImprovementPlan, date: dt.date, note: str) -> PlanCheckIn:
    ensure_can_change(actor, plan)
    _ensure_open(plan)
    if not note.strip():
        raise ValidationError({"note": _("请填写跟进记录 / The note is required")})
    return object_create(actor=actor, obj=PlanCheckIn(plan=plan, date=date, note=note.strip(), author=actor))


# --- reminders ----------------------------------------------------------------------------------------

KIND_MILESTONE_DUE = "plan_milestone_due"
KIND_MILESTONE_OVERDUE = "plan_milestone_overdue"
KIND_DEADLINE_DUE = "plan_deadline_due"


def _days_before() -> int:
    return int(getattr(settings, "REMINDER_DAYS_BEFORE", 3))


def plan_reminders(today: dt.date | None = None) -> int:
    """Reminders for open plans: milestones due within REMINDER_DAYS_BEFORE days or overdue, and plan
    deadlines within that window; to the plan's owner and the worker, through the notification
    channels by each person's preferences (in-app by default, e-mail if they chose it). Idempotent per
    day (dedupe key per milestone/plan and day); a fixed number of queries whatever the number of
    plans. Returns the number of in-app notifications that are new."""
    from outperform.notifications.delivery import Outgoing, notify_many
    from outperform.notifications.models import Notification

    today = today or timezone.localdate()
    soon = today + dt.timedelta(days=_days_before())
    out: list[Outgoing] = []
    milestones = PlanMilestone.objects.filter(
        done_at__isnull=True, due__lte=soon, plan__state__in=[PlanState.ACTIVE, PlanState.EXTENDED],
    ).values_list("pk", "title", "due", "plan_id", "plan__title", "plan__owner_id", "plan__worker__user_id")
    for pk, title, due, plan_id, plan_title, owner_id, worker_user_id in milestones.order_by("pk"):
        overdue = due < today
        kind = KIND_MILESTONE_OVERDUE if overdue else KIND_MILESTONE_DUE
        head = _("改进计划里程碑已逾期") if overdue else _("改进计划里程碑即将到期")
        body = _("%(plan)s：里程碑“%(title)s”计划于 %(due)s 完成。") % {
            "plan": plan_title, "title": title, "due": due.isoformat()}
        out.append(Outgoing(kind=kind, title=f"{head}：{title}"[:200], body=body,
                            url=reverse("development:plans_detail", args=[plan_id]),
                            dedupe_key=f"{kind}:{pk}:{today.isoformat()}",
                            user_ids=tuple(sorted({owner_id, worker_user_id} - {None}))))
    plans = ImprovementPlan.objects.filter(
        state__in=[PlanState.ACTIVE, PlanState.EXTENDED], deadline__gte=today, deadline__lte=soon,
    ).values_list("pk", "title", "deadline", "owner_id", "worker__user_id")
    for pk, title, deadline, owner_id, worker_user_id in plans.order_by("pk"):
        body = _("改进计划“%(plan)s”将于 %(due)s 到期，请评估结果。") % {"plan": title, "due": deadline.isoformat()}
        out.append(Outgoing(kind=KIND_DEADLINE_DUE, title=f"{_('改进计划即将到期')}：{title}"[:200], body=body,
                            url=reverse("development:plans_detail", args=[pk]),
                            dedupe_key=f"{KIND_DEADLINE_DUE}:{pk}:{today.isoformat()}",
                            user_ids=tuple(sorted({owner_id, worker_user_id} - {None}))))
    if not out:
        return 0
    todays = Notification.objects.filter(dedupe_key__endswith=f":{today.isoformat()}", kind__startswith="plan_")
    before = todays.count()
    notify_many(out)
    return todays.count() - before


# --- recognition and knowledge ------------------------------------------------------------------------


def authored_save(*, actor: User, obj: models.Model, before: dict[str, Any] | None) -> models.Model:
    """Commendations and articles: the author is whoever creates them."""
    if isinstance(obj, Commendation):
        obj.sync_from_worker()
    if before is None:
        obj.author = actor  # type: ignore[attr-defined]
        return object_create(actor=actor, obj=obj)
    return object_update(actor=actor, obj=obj, before=before)

