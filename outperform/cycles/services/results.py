"""After compute: calibration, publication, confirmation, appeals, interviews."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from outperform.access.scoping import scope_for
from outperform.core.audit import audit_create, audit_update, snapshot
from outperform.core.models import User

from ..models import (
    Appeal,
    AppealState,
    Appraisal,
    AppraisalState,
    Calibration,
    CycleState,
    Interview,
)
from .common import ensure_hr, ensure_open, ensure_state
from .computing import calibrated_bonus


def _band_for(appraisal: Appraisal, composite: Decimal) -> dict[str, Any] | None:
    for band in appraisal.cycle_template.snapshot["bands"]:
        top = Decimal(band["max"])
        if Decimal(band["min"]) <= composite and (composite < top or top == Decimal(100)):
            return dict(band)
    return None


@transaction.atomic
def appraisal_calibrate(
    *, actor: User, appraisal: Appraisal, reason: str, composite: Decimal | None = None, grade: str | None = None,
    _allow_states: tuple[str, ...] = (CycleState.CALIBRATION,),
) -> Appraisal:
    ensure_hr(actor)
    appraisal = Appraisal.objects.select_for_update(of=("self",)).select_related(
        "cycle", "cycle_template", "worker").get(pk=appraisal.pk)
    ensure_state(appraisal.cycle, *_allow_states)
    if not reason.strip():
        raise ValidationError({"reason": _("校准须填写原因 / A calibration needs a reason")})
    bands = {b["code"]: b for b in appraisal.cycle_template.snapshot["bands"]}
    if composite is not None and not (Decimal(0) <= composite <= Decimal(100)):
        raise ValidationError({"composite": _("分数须在 0–100 之间 / 0 to 100")})
    if grade and grade not in bands:
        raise ValidationError({"grade": _("没有这个等级 / No such grade")})
    if composite is None and not grade:
        raise ValidationError(_("请修改分数或等级 / Change the score or the grade"))
    before = snapshot(appraisal)
    new_grade = grade or ((_band_for(appraisal, composite) or {}).get("code") if composite is not None else "")
    Calibration.objects.create(
        appraisal=appraisal, actor=actor, reason=reason.strip()[:500],
        composite_before=appraisal.composite, composite_after=composite if composite is not None else appraisal.composite,
        grade_before=appraisal.grade, grade_after=new_grade or appraisal.grade,
    )
    if composite is not None:
        appraisal.composite = composite
    if new_grade:
        band = bands[new_grade]
        appraisal.grade, appraisal.grade_name = new_grade, band["name"]
        appraisal.coefficient = Decimal(band["coefficient"])
        appraisal.bonus_fen = calibrated_bonus(appraisal, appraisal.coefficient)
    appraisal.calibrated = True
    appraisal.save()
    audit_update(actor, appraisal, before, reason=reason)
    return appraisal


def _subject_side(actor: User, appraisal: Appraisal) -> str:
    """The subject appeals their own result; a vendor manager appeals their vendor's scorecard
    (not the results of the vendor's workers, who appeal for themselves)."""
    if appraisal.subject_user_id == actor.pk:
        return "subject"
    scope = scope_for(actor)
    if appraisal.subject_kind == "vendor" and appraisal.vendor_id in scope.vendor_ids:
        return "vendor"
    raise PermissionDenied


@transaction.atomic
def appraisal_confirm(*, actor: User, appraisal: Appraisal) -> Appraisal:
    appraisal = Appraisal.objects.select_for_update().select_related("cycle").get(pk=appraisal.pk)
    ensure_state(appraisal.cycle, CycleState.PUBLISHED, CycleState.CONFIRMATION)
    if appraisal.subject_user_id != actor.pk:
        raise PermissionDenied
    if appraisal.state != AppraisalState.PUBLISHED:
        raise ValidationError(_("当前状态不能确认 / This result can't be confirmed now"))
    before = snapshot(appraisal)
    appraisal.state, appraisal.confirmed_at = AppraisalState.CONFIRMED, timezone.now()
    appraisal.save(update_fields=["state", "confirmed_at", "updated_at"])
    audit_update(actor, appraisal, before, reason="confirm")
    return appraisal


def appeal_deadline(appraisal: Appraisal) -> dt.datetime | None:
    if appraisal.published_at is None:
        return None
    return appraisal.published_at + dt.timedelta(days=appraisal.cycle.appeal_window_days)


@transaction.atomic
def appeal_submit(*, actor: User, appraisal: Appraisal, reason: str, attachment: Any = None) -> Appeal:
    appraisal = Appraisal.objects.select_for_update().select_related("cycle").get(pk=appraisal.pk)
    ensure_state(appraisal.cycle, CycleState.PUBLISHED, CycleState.CONFIRMATION)
    _subject_side(actor, appraisal)
    if appraisal.state != AppraisalState.PUBLISHED:
        raise ValidationError(_("已确认或正在申诉的结果不能再申诉 / Confirmed or already appealed"))
    deadline = appeal_deadline(appraisal)
    if deadline is not None and timezone.now() > deadline:
        raise ValidationError(_("申诉期已过 / The appeal window has closed"))
    if not reason.strip():
        raise ValidationError({"reason": _("请填写申诉理由 / Give the reasons")})
    appeal = Appeal(appraisal=appraisal, submitted_by=actor, reason=reason.strip())
    if attachment is not None:
        appeal.attachment = attachment
    appeal.save()
    audit_create(actor, appeal)
    before = snapshot(appraisal)
    appraisal.state = AppraisalState.APPEALED
    appraisal.save(update_fields=["state", "updated_at"])
    audit_update(actor, appraisal, before, reason="appeal")
    return appeal


@transaction.atomic
def appeal_decide(
    *, actor: User, appeal: Appeal, accept: bool, decision: str, composite: Decimal | None = None,
    grade: str | None = None,
) -> Appeal:
    ensure_hr(actor)
    appeal = Appeal.objects.select_for_update().select_related("appraisal__cycle").get(pk=appeal.pk)
    ensure_open(appeal.appraisal.cycle)
    if appeal.state != AppealState.SUBMITTED:
        raise ValidationError(_("该申诉已处理 / Already decided"))
    if not decision.strip():
        raise ValidationError({"decision": _("请填写处理意见 / Give the decision in writing")})
    before = snapshot(appeal)
    appeal.state = AppealState.ACCEPTED if accept else AppealState.REJECTED
    appeal.decision, appeal.decided_by, appeal.decided_at = decision.strip(), actor, timezone.now()
    appeal.save()
    audit_update(actor, appeal, before, reason=decision)
    appraisal = appeal.appraisal
    if accept and (composite is not None or grade):
        appraisal = appraisal_calibrate(
            actor=actor, appraisal=appraisal, reason=_("申诉成立：") + decision, composite=composite, grade=grade,
            _allow_states=(CycleState.PUBLISHED, CycleState.CONFIRMATION),
        )
    # The result goes back to the subject (re-published when it changed).
    before_a = snapshot(appraisal)
    appraisal.state = AppraisalState.PUBLISHED
    appraisal.published_at = timezone.now() if accept else appraisal.published_at
    appraisal.save(update_fields=["state", "published_at", "updated_at"])
    audit_update(actor, appraisal, before_a, reason="appeal decided")
    return appeal


@transaction.atomic
def interview_save(*, actor: User, appraisal: Appraisal, data: dict[str, Any], interview: Interview | None = None
                   ) -> Interview:
    ensure_open(appraisal.cycle)
    scope = scope_for(actor)
    if not (scope.whole_write or appraisal.assignments.filter(rater=actor, role="supervisor").exists()):
        raise PermissionDenied
    fields = ("held_on", "participants", "strengths", "gaps", "actions")
    if interview is None:
        interview = Interview(appraisal=appraisal, interviewer=actor, **{k: data[k] for k in fields if k in data})
        interview.full_clean()
        interview.save()
        audit_create(actor, interview)
        return interview
    before = snapshot(interview)
    for k in fields:
        if k in data:
            setattr(interview, k, data[k])
    interview.acknowledged_at = None  # changed notes need a new acknowledgement
    interview.full_clean()
    interview.save()
    audit_update(actor, interview, before)
    return interview


@transaction.atomic
def interview_acknowledge(*, actor: User, interview: Interview) -> Interview:
    appraisal = interview.appraisal
    ensure_open(appraisal.cycle)
    if appraisal.subject_user_id != actor.pk:
        raise PermissionDenied
    before = snapshot(interview)
    interview.acknowledged_at = timezone.now()
    interview.save(update_fields=["acknowledged_at", "updated_at"])
    audit_update(actor, interview, before, reason="acknowledge")
    return interview
