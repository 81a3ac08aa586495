"""Rating: a rater saves a draft or submits; submit locks the form; HR can reopen with a reason.

Scores and the assignment's state change in one transaction under a row lock, and compute reads
only submitted assignments, so a result is never built from half-submitted data."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from outperform.core.audit import audit_changes, audit_update, diff, snapshot
from outperform.core.models import User
from outperform.indicators.models import RaterRole

from ..models import AssignmentState, CycleState, RaterAssignment, Score
from ..selectors import rated_indicators
from .common import ensure_hr, ensure_open, ensure_state

SELF_STAGES = (CycleState.IN_PROGRESS, CycleState.SELF_REVIEW)
REVIEW_STAGES = (CycleState.REVIEW,)
TWO_PLACES = Decimal("0.01")


def _parse(code: str, raw: Any) -> Decimal | None:
    if raw is None or raw == "":
        return None
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValidationError({code: _("请输入 0–100 之间的数字 / Enter a number from 0 to 100")}) from None
    if not value.is_finite() or value < 0 or value > 100 or value != value.quantize(TWO_PLACES):
        raise ValidationError({code: _("分数须在 0–100 之间，最多两位小数 / 0 to 100, at most two decimals")})
    return value


@transaction.atomic
def assignment_save(
    *, actor: User, assignment: RaterAssignment, values: dict[str, tuple[Any, str]], submit: bool
) -> RaterAssignment:
    """values: indicator code -> (score, comment). Unknown codes are refused."""
    assignment = RaterAssignment.objects.select_for_update().select_related(
        "cycle", "appraisal__cycle_template").get(pk=assignment.pk)
    if assignment.rater_id != actor.pk:
        raise PermissionDenied
    stages = SELF_STAGES if assignment.role == RaterRole.SELF else REVIEW_STAGES
    ensure_state(assignment.cycle, *stages)
    if assignment.state == AssignmentState.SUBMITTED:
        raise ValidationError(_("已提交，不能再修改 / Already submitted; it can't be changed"), code="locked")
    snap = assignment.appraisal.cycle_template.snapshot
    items = {i["code"]: i for i in rated_indicators(snap, assignment.role)}
    unknown = set(values) - set(items)
    if unknown:
        raise ValidationError(_("该角色不能评价这些指标 / This role does not rate: %s") % ", ".join(sorted(unknown)))
    below, above = Decimal(snap["comment_below"]), Decimal(snap["comment_above"])
    errors: dict[str, list[str]] = {}
    parsed: dict[str, tuple[Decimal | None, str]] = {}
    for code, (raw, comment) in values.items():
        try:
            value = _parse(code, raw)
        except ValidationError as exc:
            errors.setdefault(code, []).extend(exc.messages)
            continue
        comment = (comment or "").strip()
        if value is not None and (value < below or value > above) and not comment:
            errors.setdefault(code, []).append(
                _("低于 %(b)s 或高于 %(a)s 的分数须填写评语 / A score below %(b)s or above %(a)s needs a comment")
                % {"b": below.normalize(), "a": above.normalize()}
            )
        parsed[code] = (value, comment)
    if submit:
        for code, item in items.items():
            if parsed.get(code, (None, ""))[0] is None and code not in errors:
                existing = Score.objects.filter(assignment=assignment, indicator_code=code).exists()
                if code not in parsed and existing:
                    continue
                errors.setdefault(code, []).append(_("提交前须为“%s”打分 / Score this before submitting") % item["name"])
    if errors:
        raise ValidationError(errors)
    existing_scores = {s.indicator_code: s for s in Score.objects.filter(assignment=assignment)}
    before = {c: str(s.value) for c, s in existing_scores.items()}
    create, update, delete = [], [], []
    for code, (value, comment) in parsed.items():
        current = existing_scores.get(code)
        if value is None:
            if current is not None:
                delete.append(current.pk)
            continue
        if current is None:
            create.append(Score(cycle_id=assignment.cycle_id, appraisal_id=assignment.appraisal_id,
                                assignment=assignment, role=assignment.role, indicator_code=code,
                                value=value, comment=comment))
        elif current.value != value or current.comment != comment:
            current.value, current.comment = value, comment
            update.append(current)
    Score.objects.bulk_create(create)
    Score.objects.bulk_update(update, ["value", "comment"])
    Score.objects.filter(pk__in=delete).delete()
    state_before = snapshot(assignment)
    assignment.state = AssignmentState.SUBMITTED if submit else AssignmentState.DRAFT
    assignment.submitted_at = timezone.now() if submit else None
    assignment.save(update_fields=["state", "submitted_at"])
    after = {s.indicator_code: str(s.value) for s in Score.objects.filter(assignment=assignment)}
    changes = diff(state_before, snapshot(assignment))
    changes.update({f"score:{c}": [before.get(c), after.get(c)] for c in sorted(set(before) | set(after))
                    if before.get(c) != after.get(c)})
    audit_changes(actor, assignment, changes, reason="submit" if submit else "draft")
    return assignment


@transaction.atomic
def assignment_reopen(*, actor: User, assignment: RaterAssignment, reason: str) -> RaterAssignment:
    ensure_hr(actor)
    assignment = RaterAssignment.objects.select_for_update().select_related("cycle").get(pk=assignment.pk)
    ensure_open(assignment.cycle)
    if not reason.strip():
        raise ValidationError({"reason": _("请填写退回原因 / Give a reason")})
    if assignment.state != AssignmentState.SUBMITTED:
        raise ValidationError(_("只有已提交的评价可以退回 / Only a submitted evaluation can be reopened"))
    before = snapshot(assignment)
    assignment.state = AssignmentState.DRAFT
    assignment.submitted_at = None
    assignment.reopened_reason = reason.strip()[:300]
    assignment.save(update_fields=["state", "submitted_at", "reopened_reason"])
    audit_update(actor, assignment, before, reason=reason)
    return assignment
