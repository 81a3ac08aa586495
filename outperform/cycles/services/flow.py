"""Stage transitions: 草稿 → 目标设定 → 执行中 → 自评 → 评价 → 校准 → 结果发布 → 确认/申诉 → 已归档.

Forward one stage at a time, refused with the blocking items named. Back only by HR with a
recorded reason, never out of an archived cycle."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from outperform.core.audit import audit_update, snapshot
from outperform.core.models import User
from outperform.indicators.models import RaterRole

from .. import peers
from ..models import (
    CYCLE_FLOW,
    Appeal,
    AppealState,
    Appraisal,
    AppraisalState,
    AssignmentState,
    Cycle,
    CycleState,
    Goal,
    GoalStatus,
    RaterAssignment,
)
from .common import ensure_hr, ensure_open

# Roles whose missing evaluations block leaving the stage; others (peers, clients…) simply do not
# count when absent, as the scoring renormalises over the roles that rated.
BLOCKING_ROLES: dict[str, list[str]] = {CycleState.SELF_REVIEW: [RaterRole.SELF], CycleState.REVIEW: [RaterRole.SUPERVISOR]}


def cycle_blockers(cycle: Cycle, target: str) -> list[str]:
    """What stops `cycle` from entering `target`, in words (empty: nothing)."""
    blockers: list[str] = []
    appraisals = Appraisal.objects.filter(cycle=cycle)
    if target == CycleState.GOAL_SETTING and not appraisals.exists():
        blockers.append(_("周期尚未开启（没有考核单）/ The cycle has not been opened: no appraisals"))
    if target == CycleState.IN_PROGRESS:
        n = Goal.objects.filter(appraisal__cycle=cycle).exclude(status=GoalStatus.AGREED).count()
        if n:
            blockers.append(_("%(n)d 个目标尚未经双方确认 / %(n)d goals are not yet agreed by both") % {"n": n})
    if target == CycleState.REVIEW:
        n = peers.pending_count(cycle)
        if n:
            blockers.append(_("%(n)d 份考核尚未指定同事评价人 / %(n)d appraisals have no peers chosen yet") % {"n": n})
    leaving = CYCLE_FLOW[CYCLE_FLOW.index(target) - 1] if target in CYCLE_FLOW[1:] else None
    for role in BLOCKING_ROLES.get(leaving or "", []):
        n = (RaterAssignment.objects.filter(cycle=cycle, role=role).exclude(state=AssignmentState.SUBMITTED)
             .values("appraisal").distinct().count())
        if n:
            blockers.append(
                _("%(n)d 份考核单仍缺少%(role)s评价 / %(n)d appraisals still lack a %(role_en)s rating")
                % {"n": n, "role": RaterRole(role).label, "role_en": role.replace("_", "-")}
            )
    if target == CycleState.PUBLISHED:
        n = appraisals.filter(computed_at__isnull=True).count()
        if n:
            blockers.append(_("%(n)d 份考核单尚未计算结果 / %(n)d appraisals have no computed result") % {"n": n})
        stale = appraisals.filter(
            computed_at__isnull=False, assignments__submitted_at__gt=F("computed_at")
        ).exists()
        if stale:
            blockers.append(_("有评价在计算后提交，请重新计算 / Evaluations arrived after the last compute"))
    if target == CycleState.ARCHIVED:
        n = Appeal.objects.filter(appraisal__cycle=cycle, state=AppealState.SUBMITTED).count()
        if n:
            blockers.append(_("%(n)d 个申诉尚未处理 / %(n)d appeals are still open") % {"n": n})
    return blockers


@transaction.atomic
def cycle_advance(*, actor: User, cycle: Cycle, target: str) -> Cycle:
    ensure_hr(actor)
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    ensure_open(cycle)
    current = CYCLE_FLOW.index(cycle.state)
    if target not in CYCLE_FLOW or CYCLE_FLOW.index(target) != current + 1:
        raise ValidationError(
            _("只能进入下一阶段（%(next)s）/ Only the next stage can follow")
            % {"next": CycleState(CYCLE_FLOW[current + 1]).label if current + 1 < len(CYCLE_FLOW) else "—"},
            code="order",
        )
    blockers = cycle_blockers(cycle, target)
    if blockers:
        raise ValidationError(blockers, code="blocked")
    before = snapshot(cycle)
    now = timezone.now()
    if target == CycleState.CALIBRATION:
        from .computing import cycle_compute

        cycle_compute(actor=actor, cycle=cycle)
    if target == CycleState.PUBLISHED:
        Appraisal.objects.filter(cycle=cycle).exclude(state=AppraisalState.CONFIRMED).update(
            state=AppraisalState.PUBLISHED, published_at=now
        )
        cycle.published_at = now
    if target == CycleState.ARCHIVED:
        cycle.archived_at = now
    cycle.state = target
    cycle.save()
    audit_update(actor, cycle, before, reason=f"→ {target}")
    return cycle


@transaction.atomic
def cycle_move_back(*, actor: User, cycle: Cycle, target: str, reason: str) -> Cycle:
    ensure_hr(actor)
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    ensure_open(cycle)
    if not reason.strip():
        raise ValidationError({"reason": _("退回上一阶段须填写原因 / Moving back needs a reason")})
    if target not in CYCLE_FLOW or CYCLE_FLOW.index(target) >= CYCLE_FLOW.index(cycle.state):
        raise ValidationError(_("只能退回到之前的阶段 / Only an earlier stage can be chosen"))
    if target == CycleState.DRAFT:
        raise ValidationError(_("已开启的周期不能退回草稿 / An opened cycle cannot go back to draft"))
    before = snapshot(cycle)
    if CYCLE_FLOW.index(target) < CYCLE_FLOW.index(CycleState.PUBLISHED) <= CYCLE_FLOW.index(cycle.state):
        # Results are withdrawn from the subjects until published again.
        Appraisal.objects.filter(cycle=cycle).filter(~Q(state=AppraisalState.OPEN)).update(
            state=AppraisalState.COMPUTED, published_at=None, confirmed_at=None
        )
        cycle.published_at = None
    cycle.state = target
    cycle.save()
    audit_update(actor, cycle, before, reason=reason)
    return cycle


def pending_counts(cycle: Cycle) -> dict[str, int]:
    return dict(
        RaterAssignment.objects.filter(cycle=cycle).exclude(state=AssignmentState.SUBMITTED)
        .values_list("role").annotate(n=Count("id")).values_list("role", "n")
    )
