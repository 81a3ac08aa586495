"""Writes of the inbox: reminders and marking read.

`send_reminders` is idempotent per day: every notification carries a dedupe key naming what it is
about and the day, unique per user, and is inserted with `ignore_conflicts`. It reads each kind of
reminder with one query and writes them all with one bulk insert, so its query count does not grow
with the number of people. Texts are rendered in the site language (settings.LANGUAGE_CODE) when
sent; a later issue adds e-mail and bots on top of the same rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from outperform.access.models import Role, RoleGrant
from outperform.cycles.models import (
    Appeal,
    AppealState,
    AssignmentState,
    CycleState,
    CycleTemplate,
    Goal,
    GoalStatus,
    PeerSelection,
    RaterAssignment,
)
from outperform.cycles.peers import PEER_STAGES, uses_peers
from outperform.indicators.models import RaterRole, SubjectKind

from .models import Notification, NotificationKind

DEFAULT_DAYS_BEFORE = 3
DEFAULT_APPEAL_OPEN_DAYS = 3


def _days_before() -> int:
    return int(getattr(settings, "REMINDER_DAYS_BEFORE", DEFAULT_DAYS_BEFORE))


def _appeal_open_days() -> int:
    return int(getattr(settings, "REMINDER_APPEAL_OPEN_DAYS", DEFAULT_APPEAL_OPEN_DAYS))


def _evaluation_reminders(today: dt.date) -> list[Notification]:
    """(a) due within the next N days and (b) overdue: open evaluations of cycles not archived."""
    soon = today + dt.timedelta(days=_days_before())
    rows = (
        RaterAssignment.objects.filter(
            state__in=[AssignmentState.PENDING, AssignmentState.DRAFT], due_date__isnull=False, due_date__lte=soon
        )
        .exclude(cycle__state=CycleState.ARCHIVED)
        .values_list("pk", "rater_id", "role", "due_date", "appraisal__subject_name", "cycle__name")
        .order_by("pk")
    )
    out = []
    for pk, rater_id, role, due, subject, cycle_name in rows:
        assert due is not None  # filtered above
        overdue = due < today
        kind = NotificationKind.EVALUATION_OVERDUE if overdue else NotificationKind.EVALUATION_DUE_SOON
        title = _("评价已逾期") if overdue else _("评价即将截止")
        body = _("请评价 %(subject)s（%(role)s，%(cycle)s），截止日期 %(due)s。") % {
            "subject": subject, "role": str(RaterRole(role).label), "cycle": cycle_name, "due": due.isoformat(),
        }
        out.append(Notification(
            user_id=rater_id, kind=kind, title=f"{title}：{subject}", body=body,
            url=reverse("cycles:evaluation_form", args=[pk]), dedupe_key=f"{kind}:{pk}:{today.isoformat()}",
        ))
    return out


def _goal_reminders(today: dt.date) -> list[Notification]:
    """(c) goals not yet agreed while the cycle's goal-setting deadline is near: to the subject and
    to their supervisor, once per appraisal and day."""
    soon = today + dt.timedelta(days=_days_before())
    rows = (
        Goal.objects.filter(appraisal__cycle__state=CycleState.GOAL_SETTING, appraisal__cycle__goals_due__gte=today,
                            appraisal__cycle__goals_due__lte=soon)
        .exclude(status=GoalStatus.AGREED)
        .values_list("appraisal_id", "appraisal__subject_user_id", "appraisal__worker__supervisor_id",
                     "appraisal__subject_name", "appraisal__cycle__name", "appraisal__cycle__goals_due")
        .order_by("appraisal_id")
        .distinct()
    )
    out = []
    kind = NotificationKind.GOALS_DUE_SOON
    for appraisal_id, subject_user_id, supervisor_id, subject, cycle_name, due in rows:
        assert due is not None  # filtered above
        body = _("%(subject)s 的绩效目标尚未确认（%(cycle)s），目标设定截止日期 %(due)s。") % {
            "subject": subject, "cycle": cycle_name, "due": due.isoformat(),
        }
        url = reverse("cycles:appraisal_detail", args=[appraisal_id])
        for user_id in {subject_user_id, supervisor_id} - {None}:
            out.append(Notification(
                user_id=user_id, kind=kind, title=f"{_('目标设定即将截止')}：{subject}", body=body, url=url,
                dedupe_key=f"{kind}:{appraisal_id}:{today.isoformat()}",
            ))
    return out


def _peer_choice_reminders(today: dt.date) -> list[Notification]:
    """(d) peers chosen by the supervisor: subjects still without peers when the self-review deadline
    (the last day before 评价 may start) is near or past: to each supervisor rater, once per cycle and
    day, with the count. Two queries whatever the number of subjects."""
    soon = today + dt.timedelta(days=_days_before())
    rows = list(
        RaterAssignment.objects.filter(
            role=RaterRole.SUPERVISOR, appraisal__peers_chosen_at__isnull=True, cycle__state__in=PEER_STAGES,
            cycle__peer_selection=PeerSelection.SUPERVISOR, cycle__subject_kind=SubjectKind.WORKER,
            cycle__peer_count__gt=0, cycle__self_review_due__isnull=False, cycle__self_review_due__lte=soon,
        ).order_by().values("rater_id", "cycle_id", "cycle__name", "cycle__self_review_due",
                            "appraisal__cycle_template_id").annotate(n=Count("appraisal_id", distinct=True))
    )
    if not rows:
        return []
    with_peers = {ct.pk for ct in CycleTemplate.objects.filter(pk__in={r["appraisal__cycle_template_id"] for r in rows})
                  if uses_peers(ct.snapshot)}
    counts: dict[tuple[int, int], int] = {}
    names: dict[int, tuple[str, dt.date | None]] = {}
    for r in rows:
        if r["appraisal__cycle_template_id"] in with_peers:
            key = (r["rater_id"], r["cycle_id"])
            counts[key] = counts.get(key, 0) + r["n"]
            names[r["cycle_id"]] = (r["cycle__name"], r["cycle__self_review_due"])
    kind = NotificationKind.PEER_CHOICE_DUE
    out = []
    for (rater_id, cycle_id), n in sorted(counts.items()):
        cycle_name, due = names[cycle_id]
        assert due is not None  # filtered above
        body = _("%(cycle)s：%(n)d 位考核对象尚未指定同事评价人，请在 %(due)s 前指定，否则周期无法进入评价阶段。") % {
            "cycle": cycle_name, "n": n, "due": due.isoformat()}
        out.append(Notification(
            user_id=rater_id, kind=kind, title=f"{_('待指定互评人')}：{cycle_name}", body=body,
            url=reverse("cycles:peer_choices", args=[cycle_id]) + "?pending=1",
            dedupe_key=f"{kind}:{cycle_id}:{today.isoformat()}",
        ))
    return out


def _appeal_reminders(today: dt.date) -> list[Notification]:
    """(c) appeals still waiting for a decision after N days: to every active HR administrator."""
    hr_ids = sorted(set(RoleGrant.objects.filter(role=Role.HR_ADMIN, user__is_active=True)
                        .values_list("user_id", flat=True)))
    if not hr_ids:
        return []
    start_of_today = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    cutoff = start_of_today - dt.timedelta(days=_appeal_open_days() - 1)
    rows = (
        Appeal.objects.filter(state=AppealState.SUBMITTED, created_at__lt=cutoff)
        .values_list("pk", "created_at", "appraisal__subject_name", "appraisal__cycle__name")
        .order_by("pk")
    )
    out = []
    kind = NotificationKind.APPEAL_OPEN
    for pk, created_at, subject, cycle_name in rows:
        days = (today - timezone.localdate(created_at)).days
        body = _("%(subject)s 的申诉（%(cycle)s）已等待处理 %(days)s 天。") % {
            "subject": subject, "cycle": cycle_name, "days": days,
        }
        url = reverse("cycles:appeals_detail", args=[pk])
        for user_id in hr_ids:
            out.append(Notification(
                user_id=user_id, kind=kind, title=f"{_('申诉待处理')}：{subject}", body=body, url=url,
                dedupe_key=f"{kind}:{pk}:{today.isoformat()}",
            ))
    return out


def send_reminders(today: dt.date | None = None) -> int:
    """Create today's reminders; returns how many new notifications were created."""
    today = today or timezone.localdate()
    with translation.override(settings.LANGUAGE_CODE):
        rows = (_evaluation_reminders(today) + _goal_reminders(today) + _appeal_reminders(today)
                + _peer_choice_reminders(today))
    if not rows:
        return 0
    mark = Notification.objects.aggregate(m=Max("id"))["m"] or 0
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return Notification.objects.filter(id__gt=mark).count()


def notification_mark_read(*, user: Any, notification: Notification) -> Notification:
    if notification.user_id != user.pk:
        raise PermissionError("not the owner")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def notifications_mark_all_read(*, user: Any) -> int:
    return Notification.objects.filter(user_id=user.pk, read_at__isnull=True).update(read_at=timezone.now())
