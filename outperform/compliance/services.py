"""Writes of the compliance app: one named action per state change, each in one transaction with its
audit row(s) and a timeline event (notices).

Notice flow (整改通知):
    issued ──respond (vendor: plan)──▶ in_progress ──submit (vendor: response + evidence)──▶ pending
    pending ──verify (HR)──▶ closed          pending ──reject (HR, reason)──▶ rejected
    rejected ──respond (vendor)──▶ in_progress
An open notice past its deadline is escalated once (escalated_at) by `escalate_overdue`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outperform.access.models import Role, RoleGrant
from outperform.access.scoping import scope_for
from outperform.core.audit import audit_bulk, audit_create, audit_update, snapshot
from outperform.core.models import User
from outperform.core.services import object_create, object_update
from outperform.notifications.delivery import Outgoing, notify, notify_many

from .models import (
    OPEN_NOTICE_STATES,
    VENDOR_TURN_STATES,
    AuditFinding,
    FindingSeverity,
    FindingStatus,
    NoticeEvent,
    NoticeEvidence,
    NoticeLink,
    NoticeState,
    RectificationNotice,
    VendorAudit,
)
from .uploads import check_upload

DEFAULT_NOTICE_DAYS = 30
KIND_ISSUED = "rectification_issued"
KIND_OVERDUE = "rectification_overdue"

# action: (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "respond": ((NoticeState.ISSUED, NoticeState.REJECTED), NoticeState.IN_PROGRESS),
    "submit": ((NoticeState.IN_PROGRESS,), NoticeState.PENDING),
    "verify": ((NoticeState.PENDING,), NoticeState.CLOSED),
    "reject": ((NoticeState.PENDING,), NoticeState.REJECTED),
}
ACTION_LABELS = {
    "issue": gettext_lazy("发出通知"), "respond": gettext_lazy("服务商答复整改方案"),
    "submit": gettext_lazy("提交验证"), "verify": gettext_lazy("验证通过并关闭"), "reject": gettext_lazy("退回"),
    "evidence": gettext_lazy("上传证据"), "escalate": gettext_lazy("逾期升级"),
}


# --- who -----------------------------------------------------------------------------------------


def ensure_hr(actor: User | None) -> None:
    """Organisation-wide writers only; `None` is the system itself (cron, standings)."""
    if actor is not None and not scope_for(actor).whole_write:
        raise PermissionDenied


def is_vendor_side(actor: User, vendor_id: int) -> bool:
    return vendor_id in scope_for(actor).vendor_ids


def ensure_vendor_side(actor: User, notice: RectificationNotice) -> None:
    if not is_vendor_side(actor, notice.vendor_id):
        raise PermissionDenied


# --- notices -------------------------------------------------------------------------------------


def _number(today: dt.date) -> str:
    return f"ZG{today:%Y%m%d}-{secrets.token_hex(3).upper()}"


def _numbers(today: dt.date, n: int) -> list[str]:
    """n notice numbers of the day, distinct from each other and from the stored ones. Random
    suffixes collide now and then once a day has hundreds of notices (a bulk issue): the clashes
    are drawn again, one query per round, almost always a single round."""
    out: list[str] = []
    taken: set[str] = set()
    while len(out) < n:
        fresh: set[str] = set()
        while len(fresh) < n - len(out):
            number = _number(today)
            if number not in taken:
                fresh.add(number)
        stored = set(RectificationNotice.objects.filter(number__in=fresh).values_list("number", flat=True))
        taken |= fresh
        out += sorted(fresh - stored)
    return out


def _event(notice: RectificationNotice, action: str, actor: User | None, note: str = "") -> NoticeEvent:
    return NoticeEvent.objects.create(notice=notice, action=action, state=notice.state, actor=actor, note=note)


def _vendor_manager_ids(vendor_ids: Iterable[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for vendor_id, user_id in RoleGrant.objects.filter(
            role=Role.VENDOR_MANAGER, vendor_id__in=list(vendor_ids), user__is_active=True,
    ).values_list("vendor_id", "user_id"):
        out.setdefault(vendor_id, []).append(user_id)
    return out


def _hr_ids() -> list[int]:
    return list(RoleGrant.objects.filter(role=Role.HR_ADMIN, user__is_active=True)
                .values_list("user_id", flat=True).distinct())


def _notify(user_ids: Iterable[int | None], *, kind: str, title: str, body: str, url: str, key: str) -> None:
    notify(user_ids=sorted({u for u in user_ids if u is not None}), kind=kind, title=title[:200], body=body,
           url=url, dedupe_key=key[:120])


def _plan_kind() -> str:
    from outperform.development.models import PlanKind

    # development ships only "pip" today; the vendor issue's RECTIFICATION kind is used once it exists.
    return str(getattr(PlanKind, "RECTIFICATION", PlanKind.PIP))


@transaction.atomic
def notice_issue(
    *, actor: User | None, vendor: Any, title: str, problems: str, measures: str, deadline: dt.date,
    owner: User | None = None, escalate_to: User | None = None, indicators: Sequence[Any] = (),
    links: Sequence[tuple[str, int, str]] = (), source_key: str = "", source_cycle: Any = None,
) -> RectificationNotice:
    """HR issues a notice: the shared improvement plan (subject = vendor) plus the notice row."""
    from outperform.development.models import ImprovementPlan, PlanState, PlanSubject
    from outperform.development.services import plan_save

    ensure_hr(actor)
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("请填写标题 / Give a title")
    if not problems.strip():
        errors["problems"] = _("请填写问题 / Describe the problems")
    if not measures.strip():
        errors["measures"] = _("请填写整改要求 / Give the required measures")
    if deadline is None or deadline < today:
        errors["deadline"] = _("整改期限不能早于今天 / The deadline can't be in the past")
    if errors:
        raise ValidationError(errors)
    plan = ImprovementPlan(kind=_plan_kind(), subject_kind=PlanSubject.VENDOR, vendor=vendor,
                           title=title.strip(), problems=problems.strip(), measures=measures.strip(),
                           owner=owner or actor, start_date=today, deadline=deadline, state=PlanState.ACTIVE,
                           source_cycle=source_cycle)
    plan = plan_save(actor=actor, obj=plan, before=None)  # type: ignore[arg-type]
    notice = RectificationNotice(plan=plan, vendor=vendor, number=_numbers(today, 1)[0], deadline=deadline,
                                 source_key=source_key, escalate_to=escalate_to)
    object_create(actor=actor, obj=notice)
    if indicators:
        notice.indicators.set(indicators)
    _links_add(notice, links)
    _event(notice, "issue", actor)
    url = reverse("compliance:notices_detail", args=[notice.pk])
    _notify(_vendor_manager_ids([vendor.pk]).get(vendor.pk, []), kind=KIND_ISSUED,
            title=_("整改通知：%s") % plan.title,
            body=_("请于 %(d)s 前在平台答复整改方案并上传证据。") % {"d": deadline.isoformat()},
            url=url, key=f"{KIND_ISSUED}:{notice.pk}")
    return notice


def _links_add(notice: RectificationNotice, links: Sequence[tuple[str, int, str]]) -> None:
    from outperform.records.registry import sources

    known = set(sources()) | {"audit_finding", "scorecard"}
    rows = []
    for kind, record_id, label in links:
        if kind not in known:
            raise ValidationError({"links": _("未知的记录类型：%s / Unknown record kind") % kind})
        rows.append(NoticeLink(notice=notice, record_kind=kind, record_id=record_id, label=label[:200]))
    NoticeLink.objects.bulk_create(rows, ignore_conflicts=True)


def _locked(notice: RectificationNotice, action: str) -> RectificationNotice:
    locked = RectificationNotice.objects.select_for_update().get(pk=notice.pk)
    sources, _target = TRANSITIONS[action]
    if locked.state not in sources:
        raise ValidationError(
            _("“%(state)s”状态的整改通知不能执行“%(action)s” / A notice in this state can't do that")
            % {"state": locked.get_state_display(), "action": ACTION_LABELS[action]})
    return locked


def _transition(actor: User | None, notice: RectificationNotice, action: str, note: str,
                **fields: Any) -> RectificationNotice:
    before = snapshot(notice)
    notice.state = TRANSITIONS[action][1]
    for key, value in fields.items():
        setattr(notice, key, value)
    notice.save()
    audit_update(actor, notice, before, reason=action)
    _event(notice, action, actor, note)
    return notice


@transaction.atomic
def notice_respond(*, actor: User, notice: RectificationNotice, plan_text: str) -> RectificationNotice:
    """The vendor answers with its rectification plan."""
    ensure_vendor_side(actor, notice)
    notice = _locked(notice, "respond")
    text = plan_text.strip()
    if not text:
        raise ValidationError({"vendor_plan": _("请填写整改方案 / Describe your plan")})
    return _transition(actor, notice, "respond", text, vendor_plan=text, responded_at=timezone.now())


@transaction.atomic
def evidence_add(*, actor: User, notice: RectificationNotice, upload: Any, note: str = "") -> NoticeEvidence:
    """Evidence from the vendor (or HR on its behalf) while the vendor holds the notice."""
    if not (is_vendor_side(actor, notice.vendor_id) or scope_for(actor).whole_write):
        raise PermissionDenied
    notice = RectificationNotice.objects.select_for_update().get(pk=notice.pk)
    if notice.state not in VENDOR_TURN_STATES:
        raise ValidationError(_("“%s”状态不能再上传证据 / No more evidence in this state") % notice.get_state_display())
    check_upload(upload)
    name = (getattr(upload, "name", "") or "evidence").rsplit("/", 1)[-1][:200]
    evidence = NoticeEvidence(notice=notice, file=upload, original_name=name, size=upload.size,
                              note=note.strip()[:300], uploaded_by=actor)
    evidence.save()
    audit_create(actor, evidence)
    _event(notice, "evidence", actor, name)
    return evidence


@transaction.atomic
def notice_submit(*, actor: User, notice: RectificationNotice, response: str) -> RectificationNotice:
    """The vendor reports the rectification done and asks the client to verify."""
    ensure_vendor_side(actor, notice)
    notice = _locked(notice, "submit")
    text = response.strip()
    if not text:
        raise ValidationError({"vendor_response": _("请说明整改完成情况 / Describe what was done")})
    if not notice.evidence.exists():
        raise ValidationError(_("请先上传整改证据 / Upload evidence first"))
    return _transition(actor, notice, "submit", text, vendor_response=text, submitted_at=timezone.now())


@transaction.atomic
def notice_verify(*, actor: User, notice: RectificationNotice, note: str = "") -> RectificationNotice:
    """HR verifies and closes; the shared plan ends as passed."""
    from outperform.development.services import plan_transition

    ensure_hr(actor)
    notice = _locked(notice, "verify")
    notice = _transition(actor, notice, "verify", note.strip(), verification_note=note.strip(),
                         verified_by=actor, closed_at=timezone.now())
    plan_transition(actor=actor, plan=notice.plan, action="pass", note=note.strip() or _("整改验证通过"))
    return notice


@transaction.atomic
def notice_reject(*, actor: User, notice: RectificationNotice, reason: str) -> RectificationNotice:
    """HR sends it back to the vendor with the reason."""
    ensure_hr(actor)
    notice = _locked(notice, "reject")
    text = reason.strip()
    if not text:
        raise ValidationError({"reason": _("请填写退回原因 / Give the reason")})
    return _transition(actor, notice, "reject", text, reject_reason=text)


def escalate_overdue(today: dt.date | None = None) -> int:
    """Escalate, once, every open notice past its deadline: HR, the owner and `escalate_to` are
    notified. Constant queries: one read, one update, one event insert, one notification insert."""
    today = today or timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        rows = list(RectificationNotice.objects.select_for_update(of=("self",)).filter(
            state__in=OPEN_NOTICE_STATES, deadline__lt=today, escalated_at__isnull=True,
        ).select_related("plan").order_by("pk"))
        if not rows:
            return 0
        RectificationNotice.objects.filter(pk__in=[n.pk for n in rows]).update(escalated_at=now)
        NoticeEvent.objects.bulk_create([
            NoticeEvent(notice=n, action="escalate", state=n.state, note=_("已逾期 %(d)s 天") % {
                "d": (today - n.deadline).days}) for n in rows])
        hr = _hr_ids()
        notify_many([Outgoing(
            kind=KIND_OVERDUE, title=(_("整改通知逾期：%s") % n.plan.title)[:200],
            body=_("整改通知 %(no)s 已于 %(d)s 到期仍未关闭。") % {"no": n.number, "d": n.deadline.isoformat()},
            url=reverse("compliance:notices_detail", args=[n.pk]), dedupe_key=f"{KIND_OVERDUE}:{n.pk}",
            user_ids=tuple(sorted({*hr, *(u for u in (n.plan.owner_id, n.escalate_to_id) if u is not None)})),
        ) for n in rows])
    return len(rows)


def standing_source_key(vendor_id: int, standing: Any) -> str:
    """One notice per vendor and period: "standing:<vendor>:<cycle>" (the standing's latest
    period); a standing without a period falls back to its own row."""
    cycle_id = getattr(standing, "cycle_id", None)
    return f"standing:{vendor_id}:{cycle_id}" if cycle_id else f"standing:{vendor_id}:row{standing.pk}"


def rectification_required(vendor: Any, standing: Any, actor: User | None) -> RectificationNotice:
    """Called for one vendor whose standing calls for rectification: the notice of that vendor and
    period, issued now unless one exists already (whatever its state — idempotent)."""
    issued = rectifications_required([(vendor, standing)], actor)
    if issued:
        return issued[0]
    return RectificationNotice.objects.get(vendor=vendor, source_key=standing_source_key(vendor.pk, standing))


@transaction.atomic
def rectifications_required(pairs: Sequence[tuple[Any, Any]], actor: User | None) -> list[RectificationNotice]:
    """Issue, in bulk, the rectification notices that a standings refresh calls for: one per
    vendor and period (`standing_source_key`), none if that notice exists in any state, so a
    refresh run again issues no duplicate. Each notice is the shared improvement plan plus the
    notice row, its first timeline event and a link to the period's scorecard; each plan and each
    notice has one audit row; the vendor's managers get the notice and HR one summary. Returns the
    notices issued now. A constant number of queries, however many vendors."""
    from outperform.development.models import ImprovementPlan, PlanState, PlanSubject
    from outperform.vendors.models import Vendor

    ensure_hr(actor)
    wanted: dict[str, tuple[Any, Any]] = {}
    for vendor, standing in pairs:
        wanted.setdefault(standing_source_key(vendor.pk, standing), (vendor, standing))
    if not wanted:
        return []
    # Two refreshes at once: the second waits here for the first to commit, then sees its notices.
    list(Vendor.objects.select_for_update().filter(pk__in={v.pk for v, _s in wanted.values()})
         .values_list("pk", flat=True))
    existing = set(RectificationNotice.objects.filter(source_key__in=list(wanted)).values_list("source_key", flat=True))
    todo = [(key, vendor, standing) for key, (vendor, standing) in wanted.items() if key not in existing]
    if not todo:
        return []
    today = timezone.localdate()
    deadline = today + dt.timedelta(days=DEFAULT_NOTICE_DAYS)
    plans = []
    for _key, vendor, standing in todo:
        args = {"vendor": vendor.name, "code": getattr(standing, "code", ""), "score": getattr(standing, "score", ""),
                "period": getattr(standing, "period_label", "")}
        plans.append(ImprovementPlan(
            kind=_plan_kind(), subject_kind=PlanSubject.VENDOR, vendor=vendor,
            title=(_("评级整改：%(vendor)s %(period)s %(code)s 级") % args)[:150],
            problems=_("服务商评级为 %(code)s，综合评分 %(score)s（截至 %(period)s），该评级要求整改。") % args,
            measures=_("请分析评级下降的原因，提交整改方案和完成证据。"), owner=actor, start_date=today,
            deadline=deadline, state=PlanState.ACTIVE, source_cycle_id=getattr(standing, "cycle_id", None)))
    ImprovementPlan.objects.bulk_create(plans, batch_size=500)
    numbers = _numbers(today, len(todo))
    notices = [RectificationNotice(plan=plan, vendor=vendor, number=number, deadline=deadline, source_key=key)
               for (key, vendor, _s), plan, number in zip(todo, plans, numbers, strict=True)]
    RectificationNotice.objects.bulk_create(notices, batch_size=500)
    NoticeEvent.objects.bulk_create([
        NoticeEvent(notice=n, action="issue", state=n.state, actor=actor,
                    note=_("评级 %(code)s 要求整改") % {"code": getattr(s, "code", "")})
        for n, (_k, _v, s) in zip(notices, todo, strict=True)], batch_size=500)
    _scorecard_links(notices, [s for _k, _v, s in todo])
    audit_bulk(actor, created=[*plans, *notices], reason=_("评级要求整改"))
    _notify_issued(notices)
    return notices


def _scorecard_links(notices: list[RectificationNotice], standings: list[Any]) -> None:
    """Link each notice to the vendor's scorecard of the standing's period (one read, one insert)."""
    from outperform.cycles.models import Appraisal

    periods = {(n.vendor_id, getattr(s, "cycle_id", None)) for n, s in zip(notices, standings, strict=True)}
    cycle_ids = {c for _v, c in periods if c}
    if not cycle_ids:
        return
    cards: dict[tuple[int, int | None], tuple[int, str]] = {(v, c): (pk, name) for pk, v, c, name in Appraisal.objects.filter(
        subject_kind="vendor", cycle_id__in=cycle_ids, vendor_id__in={v for v, _c in periods},
    ).values_list("pk", "vendor_id", "cycle_id", "cycle__name")}
    NoticeLink.objects.bulk_create([
        NoticeLink(notice=n, record_kind="scorecard", record_id=card[0], label=(_("%s 服务商计分卡") % card[1])[:200])
        for n, s in zip(notices, standings, strict=True)
        if (card := cards.get((n.vendor_id, getattr(s, "cycle_id", None)))) is not None
    ], ignore_conflicts=True, batch_size=500)


def _notify_issued(notices: list[RectificationNotice]) -> None:
    """Both sides: each vendor's managers get their notice; HR gets one summary of the batch."""
    if not notices:
        return
    managers = _vendor_manager_ids({n.vendor_id for n in notices})
    messages = [Outgoing(
        kind=KIND_ISSUED, title=(_("整改通知：%s") % n.plan.title)[:200],
        body=_("请于 %(d)s 前在平台答复整改方案并上传证据。") % {"d": n.deadline.isoformat()},
        url=reverse("compliance:notices_detail", args=[n.pk]), dedupe_key=f"{KIND_ISSUED}:{n.pk}",
        user_ids=tuple(managers.get(n.vendor_id, ())),
    ) for n in notices]
    names = [n.vendor.name for n in notices[:20]]
    more = _(" 等 %(n)d 家") % {"n": len(notices)} if len(notices) > len(names) else ""
    messages.append(Outgoing(
        kind=KIND_ISSUED, title=(_("评级要求整改：已向 %(n)d 家服务商发出整改通知") % {"n": len(notices)})[:200],
        body="、".join(names) + more, url=reverse("compliance:notices_list") + "?state=issued",
        dedupe_key=f"{KIND_ISSUED}:batch:{notices[0].pk}",
        user_ids=tuple(_hr_ids()),
    ))
    notify_many(messages)


# --- audits and findings -------------------------------------------------------------------------


def audit_save(*, actor: User, obj: VendorAudit, before: dict[str, Any] | None) -> VendorAudit:
    ensure_hr(actor)
    if obj.auditor_id is None:
        obj.auditor = actor
    if before is None:
        return object_create(actor=actor, obj=obj)
    with transaction.atomic():
        obj = object_update(actor=actor, obj=obj, before=before)
        AuditFinding.objects.filter(audit=obj).update(vendor_id=obj.vendor_id, found_on=obj.date)
    return obj


def _finding_flags(obj: AuditFinding, today: dt.date) -> None:
    obj.is_open = obj.status == FindingStatus.OPEN
    obj.overdue = obj.is_open and obj.due_date is not None and obj.due_date < today
    if obj.is_open:
        obj.closed_at = None
    elif obj.closed_at is None:
        obj.closed_at = timezone.now()


def finding_save(*, actor: User, obj: AuditFinding, before: dict[str, Any] | None) -> AuditFinding:
    ensure_hr(actor)
    obj.clean()  # vendor and date from the audit, before the flags
    _finding_flags(obj, timezone.localdate())
    if before is None:
        return object_create(actor=actor, obj=obj)
    return object_update(actor=actor, obj=obj, before=before)


def finding_close(*, actor: User, finding: AuditFinding) -> AuditFinding:
    before = snapshot(finding)
    finding.status = FindingStatus.CLOSED
    return finding_save(actor=actor, obj=finding, before=before)


def findings_refresh_overdue(today: dt.date | None = None) -> int:
    """The stored `overdue` flag moves with the calendar: two UPDATEs a day."""
    today = today or timezone.localdate()
    n = AuditFinding.objects.filter(is_open=True, due_date__lt=today, overdue=False).update(overdue=True)
    AuditFinding.objects.filter(Q(is_open=False) | Q(due_date__gte=today), overdue=True).update(overdue=False)
    return n


def contact_save(*, actor: User, obj: models.Model, before: dict[str, Any] | None) -> models.Model:
    if before is None:
        return object_create(actor=actor, obj=obj)
    return object_update(actor=actor, obj=obj, before=before)


# --- the veto ------------------------------------------------------------------------------------


def veto_vendors(start: dt.date, end: dt.date, vendor_ids: Iterable[int] | None = None) -> dict[int, str]:
    """Vendors with a severity-1 finding or a veto incident open during [start, end], with the
    reason. Two queries."""
    from outperform.records.models import Incident, IncidentStatus

    start_dt = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    findings = AuditFinding.objects.filter(severity=FindingSeverity.CRITICAL, found_on__lte=end).filter(
        Q(is_open=True) | Q(closed_at__gte=start_dt))
    incidents = Incident.objects.filter(veto=True, occurred_date__lte=end).filter(
        Q(status=IncidentStatus.OPEN) | Q(occurred_date__gte=start))
    if vendor_ids is not None:
        ids = list(vendor_ids)
        findings, incidents = findings.filter(vendor_id__in=ids), incidents.filter(vendor_id__in=ids)
    out: dict[int, str] = {}
    for vendor_id, desc in findings.order_by("pk").values_list("vendor_id", "description"):
        out.setdefault(vendor_id, _("重大合规审查问题：%s") % desc[:80])
    for vendor_id, ext, title in incidents.order_by("pk").values_list("vendor_id", "external_id", "title"):
        out.setdefault(vendor_id, _("安全合规事件 %(id)s：%(t)s") % {"id": ext, "t": title[:80]})
    return out


def compliance_vetoes_apply(*, actor: User, cycle: Any) -> list[int]:
    """Record the template's veto (一票否决) on each vendor appraisal of the cycle whose vendor had a
    severity-1 finding or a veto incident open in the period; already vetoed ones are skipped.
    Returns the ids of the appraisals vetoed now. Uses cycles' veto_add (audited, state-checked)."""
    from outperform.cycles.models import AdjustmentEntry, Appraisal
    from outperform.cycles.services.adjustments import veto_add, veto_items

    ensure_hr(actor)
    appraisals = list(Appraisal.objects.filter(cycle=cycle, subject_kind="vendor").select_related(
        "cycle", "cycle_template").order_by("pk"))
    reasons = veto_vendors(cycle.start_date, cycle.end_date, [a.vendor_id for a in appraisals if a.vendor_id])
    vetoed = set(AdjustmentEntry.objects.filter(appraisal__in=appraisals, is_veto=True)
                 .values_list("appraisal_id", flat=True))
    done = []
    for a in appraisals:
        if a.vendor_id not in reasons or a.pk in vetoed:
            continue
        items = veto_items(a)
        if not items:
            continue
        codes = [str(v["code"]) for v in items]
        code = "INFOSEC" if "INFOSEC" in codes else codes[0]
        veto_add(actor=actor, appraisal=a, code=code, reason=reasons[a.vendor_id][:300])
        done.append(a.pk)
    return done
