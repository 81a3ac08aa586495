"""Goals (目标设定): proposed by the subject or the supervisor, agreed by both; changed mid-cycle
only with a recorded reason, after which both agree again."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from outperform.access.scoping import scope_for
from outperform.core.audit import audit_create, audit_update, snapshot
from outperform.core.models import User
from outperform.indicators.models import RaterRole

from ..models import Appraisal, CycleState, Goal, GoalStatus, RaterAssignment
from .common import ensure_state

GOAL_STAGES = (CycleState.GOAL_SETTING, CycleState.IN_PROGRESS, CycleState.SELF_REVIEW)
GOAL_FIELDS = ("title", "measure", "target", "weight", "due_date", "completion")


def _side(actor: User, appraisal: Appraisal) -> str:
    """Which side the actor speaks for: the subject, or the supervisor (HR may act as supervisor)."""
    if appraisal.subject_user_id == actor.pk:
        return "subject"
    is_supervisor = RaterAssignment.objects.filter(
        appraisal=appraisal, rater=actor, role=RaterRole.SUPERVISOR
    ).exists()
    if is_supervisor or scope_for(actor).whole_write:
        return "supervisor"
    raise PermissionDenied


def _agree(goal: Goal, side: str) -> None:
    if side == "subject":
        goal.agreed_by_subject = True
    else:
        goal.agreed_by_supervisor = True
    if goal.agreed_by_subject and goal.agreed_by_supervisor:
        goal.status = GoalStatus.AGREED


@transaction.atomic
def goal_propose(*, actor: User, appraisal: Appraisal, data: dict[str, Any]) -> Goal:
    ensure_state(appraisal.cycle, *GOAL_STAGES)
    side = _side(actor, appraisal)
    goal = Goal(appraisal=appraisal, proposed_by=actor, **{k: data.get(k) for k in GOAL_FIELDS if k in data})
    if goal.weight is None:
        goal.weight = Decimal(0)
    _agree(goal, side)
    goal.full_clean()
    goal.save()
    audit_create(actor, goal)
    return goal


@transaction.atomic
def goal_agree(*, actor: User, goal: Goal) -> Goal:
    goal = Goal.objects.select_for_update().select_related("appraisal__cycle").get(pk=goal.pk)
    ensure_state(goal.appraisal.cycle, *GOAL_STAGES)
    before = snapshot(goal)
    _agree(goal, _side(actor, goal.appraisal))
    goal.save()
    audit_update(actor, goal, before)
    return goal


@transaction.atomic
def goal_change(*, actor: User, goal: Goal, data: dict[str, Any], reason: str) -> Goal:
    goal = Goal.objects.select_for_update().select_related("appraisal__cycle").get(pk=goal.pk)
    ensure_state(goal.appraisal.cycle, *GOAL_STAGES)
    side = _side(actor, goal.appraisal)
    changed = {k: v for k, v in data.items() if k in GOAL_FIELDS and getattr(goal, k) != v}
    only_progress = set(changed) <= {"completion"}
    if goal.status == GoalStatus.AGREED and not only_progress and not reason.strip():
        raise ValidationError({"change_reason": _("调整已确认的目标须填写原因 / Changing an agreed goal needs a reason")})
    before = snapshot(goal)
    for k, v in changed.items():
        setattr(goal, k, v)
    if changed and not only_progress:
        goal.agreed_by_subject = goal.agreed_by_supervisor = False
        goal.status = GoalStatus.CHANGED if goal.status == GoalStatus.AGREED else GoalStatus.PROPOSED
        goal.change_reason = reason.strip()[:300]
        _agree(goal, side)
    goal.full_clean()
    goal.save()
    audit_update(actor, goal, before, reason=reason)
    return goal
