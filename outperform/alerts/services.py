"""Writes of alerts: evaluating rules, acknowledging and resolving.

`alerts_evaluate` runs every enabled rule: the kind's evaluator lists the conditions that hold now
(`Candidate`s), and for each rule, inside one transaction that holds the rule's row lock (so two
evaluations of the same rule never race):
- a candidate with no open alert of the same rule and dedup key opens a new alert;
- a candidate with an open (or acknowledged) alert refreshes it: last seen, text, severity;
- an open alert whose condition no longer holds is resolved automatically (rules with
  `auto_resolve`), with the note "条件已解除（自动）";
- a resolved alert whose condition comes back opens a new alert.
Creation and automatic resolution are audited in bulk (actor: none, reason "alerts_evaluate");
acknowledging and resolving by a person are audited one row each with the person and the note.
New alerts are announced in one `notify_many` call per rule: in-app to the owner for each alert,
and one digest by e-mail (owner, by preference) and to the rule's group channels.

Every step reads and writes in bulk, so a rule costs a fixed number of queries however many
alerts it raises. `alerts_evaluate_for(kind)` is the hook other apps call when data arrives.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from outperform.access.models import Role, RoleGrant
from outperform.core.audit import audit_bulk, audit_update, snapshot
from outperform.core.models import User
from outperform.notifications.delivery import Outgoing, notify_many
from outperform.notifications.models import NotificationKind
from outperform.org.models import Department

from .kinds import Candidate, ParamsError, RuleContext, SourceMissingError, get_kind, validate_params
from .models import OPEN_STATES, Alert, AlertRule, AlertState, OwnerMode, RuleStatus, escalated

log = logging.getLogger(__name__)

AUTO_RESOLVE_NOTE = "条件已解除（自动） / Condition cleared (automatic)"
DIGEST_LIMIT = 10


@dataclass
class RuleOutcome:
    rule_id: int
    status: str
    created: int = 0
    refreshed: int = 0
    resolved: int = 0
    message: str = ""


@dataclass
class EvaluationSummary:
    rules: list[RuleOutcome] = field(default_factory=list)

    @property
    def created(self) -> int:
        return sum(r.created for r in self.rules)

    @property
    def resolved(self) -> int:
        return sum(r.resolved for r in self.rules)

    @property
    def refreshed(self) -> int:
        return sum(r.refreshed for r in self.rules)

    def as_dict(self) -> dict[str, Any]:
        return {"rules": len(self.rules), "created": self.created, "refreshed": self.refreshed,
                "resolved": self.resolved,
                "not_run": [r.rule_id for r in self.rules if r.status != RuleStatus.OK]}


def alerts_evaluate(
    *, today: dt.date | None = None, rules: Iterable[AlertRule] | None = None, inline: bool = False,
    progress: Any = None,
) -> EvaluationSummary:
    """Evaluate the given rules (default: every enabled rule). `inline` sends e-mails and bot
    messages right after the commit (background callers); otherwise Celery or the periodic
    `retry_deliveries` sends them."""
    today = today or timezone.localdate()
    rule_list = list(rules) if rules is not None else list(
        AlertRule.objects.filter(enabled=True).select_related("department").order_by("pk"))
    summary = EvaluationSummary()
    with translation.override(settings.LANGUAGE_CODE):
        for i, rule in enumerate(rule_list):
            summary.rules.append(_evaluate_rule(rule, today, inline=inline))
            if progress is not None:
                progress(i + 1, len(rule_list), rule.name)
    return summary


def alerts_evaluate_for(kind: str | Iterable[str], *, today: dt.date | None = None,
                        inline: bool = False) -> EvaluationSummary:
    """The hook for "data arrived": evaluate every enabled rule of this kind (or these kinds) now.
    Other apps call `alerts_evaluate_later(kinds)` inside their write; it queues this after the commit."""
    kinds = [kind] if isinstance(kind, str) else sorted(set(kind))
    rules = AlertRule.objects.filter(enabled=True, kind__in=kinds).select_related("department").order_by("pk")
    return alerts_evaluate(today=today, rules=rules, inline=inline)


def alerts_evaluate_later(kinds: Iterable[str]) -> None:
    """Queue one evaluation of the rules of these kinds, to run after the current transaction
    commits (nothing is queued if it rolls back). A broker that is down must not fail the write
    that brought the data: the error is logged and the hourly evaluation catches up."""
    from .tasks import evaluate_alerts_for_task

    wanted = sorted(set(kinds))
    if not wanted:
        return

    def enqueue() -> None:
        try:
            evaluate_alerts_for_task.delay(wanted)
        except Exception as exc:  # noqa: BLE001 — see the docstring
            log.warning("alert evaluation could not be queued: %s", exc)

    transaction.on_commit(enqueue)


def evaluate_job(job: Any, *, today: str | None = None) -> dict[str, Any]:
    """core.jobs target: "evaluate now" from the rules page, with progress."""
    from outperform.core.jobs import Progress

    day = dt.date.fromisoformat(today) if today else None
    return alerts_evaluate(today=day, progress=Progress(job), inline=True).as_dict()


def _set_status(rule: AlertRule, status: str, message: str = "") -> None:
    now = timezone.now()
    AlertRule.objects.filter(pk=rule.pk).update(last_status=status, last_message=message[:300], last_evaluated_at=now)
    rule.last_status, rule.last_message, rule.last_evaluated_at = status, message[:300], now


def _evaluate_rule(rule: AlertRule, today: dt.date, *, inline: bool) -> RuleOutcome:
    kind = get_kind(rule.kind)
    if kind is None or not kind.available():
        source = str(kind.source) if kind else rule.kind
        _set_status(rule, RuleStatus.SOURCE_MISSING, _("数据源未安装：%(s)s") % {"s": source})
        return RuleOutcome(rule.pk, RuleStatus.SOURCE_MISSING, message=rule.last_message)
    try:
        params = validate_params(rule.kind, rule.params)
        candidates = kind.evaluator(RuleContext(today=today, params=params, rule_id=rule.pk))
    except SourceMissingError:
        _set_status(rule, RuleStatus.SOURCE_MISSING, _("数据源未安装：%(s)s") % {"s": kind.source})
        return RuleOutcome(rule.pk, RuleStatus.SOURCE_MISSING, message=rule.last_message)
    except ParamsError as exc:
        _set_status(rule, RuleStatus.ERROR, str(exc))
        return RuleOutcome(rule.pk, RuleStatus.ERROR, message=str(exc))
    except Exception as exc:  # noqa: BLE001 — one broken rule must not stop the others
        log.exception("alert rule %s failed", rule.pk)
        _set_status(rule, RuleStatus.ERROR, f"{type(exc).__name__}: {exc}")
        return RuleOutcome(rule.pk, RuleStatus.ERROR, message=rule.last_message)
    candidates = _in_rule_scope(rule, candidates)
    with transaction.atomic():
        AlertRule.objects.select_for_update().filter(pk=rule.pk).values_list("pk", flat=True).first()
        outcome = _apply(rule, candidates, inline=inline)
        _set_status(rule, RuleStatus.OK, _("%(n)s 条条件成立") % {"n": len(candidates)})
    return outcome


def _in_rule_scope(rule: AlertRule, candidates: list[Candidate]) -> list[Candidate]:
    out = candidates
    if rule.department_id is not None:
        department = rule.department if rule.department is not None else Department.objects.get(pk=rule.department_id)
        subtree = set(Department.objects.filter(path__startswith=department.path).values_list("pk", flat=True))
        out = [c for c in out if c.department_id in subtree]
    if rule.vendor_id is not None:
        out = [c for c in out if c.vendor_id == rule.vendor_id]
    unique: dict[str, Candidate] = {}
    for c in out:
        unique[c.dedup_key[:200]] = c
    return list(unique.values())


def _owners(rule: AlertRule, candidates: Sequence[Candidate]) -> dict[str, int | None]:
    """dedup key → owner user id, by the rule's owner mode; the rule's own owner is the fallback."""
    fallback = rule.owner_id
    if rule.owner_mode == OwnerMode.USER:
        return {c.dedup_key: fallback for c in candidates}
    if rule.owner_mode in (OwnerMode.SUPERVISOR, OwnerMode.RECORD_OWNER):
        heads = dict(Department.objects.filter(pk__in={c.department_id for c in candidates if c.department_id})
                     .exclude(head__isnull=True).values_list("pk", "head_id"))
        # A record with no owner of its own falls back to the supervisor chain, then the rule's owner.
        named = rule.owner_mode == OwnerMode.RECORD_OWNER
        return {c.dedup_key: (c.owner_id if named else None) or c.supervisor_id or heads.get(c.department_id or 0)
                or fallback for c in candidates}
    managers: dict[int, int] = {}
    for vendor_id, user_id in (RoleGrant.objects.filter(role=Role.VENDOR_MANAGER, user__is_active=True,
                                                        vendor_id__in={c.vendor_id for c in candidates if c.vendor_id})
                               .order_by("vendor_id", "user_id").values_list("vendor_id", "user_id")):
        managers.setdefault(vendor_id, user_id)
    return {c.dedup_key: managers.get(c.vendor_id or 0) or fallback for c in candidates}


def _apply(rule: AlertRule, candidates: list[Candidate], *, inline: bool) -> RuleOutcome:
    now = timezone.now()
    open_alerts = {a.dedup_key: a for a in Alert.objects.filter(rule=rule, state__in=OPEN_STATES)}
    owners = _owners(rule, candidates)
    new: list[Alert] = []
    refreshed: list[Alert] = []
    escalated_alerts: list[tuple[Alert, dict[str, Any]]] = []
    for c in candidates:
        severity = escalated(rule.severity) if c.escalate else rule.severity
        alert = open_alerts.get(c.dedup_key[:200])
        if alert is None:
            new.append(Alert(
                rule=rule, kind=rule.kind, dedup_key=c.dedup_key[:200], state=AlertState.OPEN, severity=severity,
                owner_id=owners[c.dedup_key], title=c.title[:200], message=c.message, subject=c.subject[:200],
                url=c.url[:300], department_id=c.department_id, vendor_id=c.vendor_id,
                subject_user_id=c.subject_user_id, first_seen_at=now, last_seen_at=now,
            ))
            continue
        before = snapshot(alert) if alert.severity != severity else None
        alert.last_seen_at, alert.title, alert.message = now, c.title[:200], c.message
        alert.severity = severity
        refreshed.append(alert)
        if before is not None:
            escalated_alerts.append((alert, before))
    Alert.objects.bulk_create(new, batch_size=500)
    if refreshed:
        Alert.objects.bulk_update(refreshed, ["last_seen_at", "title", "message", "severity"], batch_size=500)
    keys = {c.dedup_key[:200] for c in candidates}
    resolved: list[tuple[Alert, dict[str, Any]]] = []
    if rule.auto_resolve:
        for key, alert in open_alerts.items():
            if key not in keys:
                before = snapshot(alert)
                alert.state, alert.resolved_at, alert.resolve_note = AlertState.RESOLVED, now, AUTO_RESOLVE_NOTE
                resolved.append((alert, before))
        if resolved:
            Alert.objects.bulk_update([a for a, _b in resolved], ["state", "resolved_at", "resolve_note"],
                                      batch_size=500)
    audit_bulk(None, created=new, updated=[*escalated_alerts, *resolved], reason="alerts_evaluate")
    _announce(rule, new, inline=inline)
    return RuleOutcome(rule.pk, RuleStatus.OK, created=len(new), refreshed=len(refreshed), resolved=len(resolved))


def _announce(rule: AlertRule, alerts: Sequence[Alert], *, inline: bool) -> None:
    if not alerts:
        return
    from django.urls import reverse

    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    messages: list[Outgoing] = []
    for a in alerts:  # in-app, one per alert: rows in one bulk insert
        messages.append(Outgoing(
            kind=NotificationKind.ALERT, title=f"[{a.get_severity_display()}] {a.title}", body=a.message,
            url=reverse("alerts:alert_detail", args=[a.pk]), dedupe_key=f"alert:{a.pk}",
            user_ids=(a.owner_id,) if a.owner_id else (), email=False,
        ))
    by_owner: dict[int, list[Alert]] = {}
    for a in alerts:
        if a.owner_id:
            by_owner.setdefault(a.owner_id, []).append(a)
    for owner_id, owned in by_owner.items():
        title, body, url = _digest(rule, owned)
        messages.append(Outgoing(kind=NotificationKind.ALERT, title=title, body=body, url=url,
                                 dedupe_key=f"alert-digest:{rule.pk}:{stamp}:owner:{owner_id}",
                                 user_ids=(owner_id,), inapp=False))
    channels = tuple(rule.channels.filter(enabled=True).order_by("pk"))
    if channels:
        title, body, url = _digest(rule, alerts)
        messages.append(Outgoing(kind=NotificationKind.ALERT, title=title, body=body, url=url,
                                 dedupe_key=f"alert-digest:{rule.pk}:{stamp}", channels=channels))
    notify_many(messages, inline=inline)


def _digest(rule: AlertRule, alerts: Sequence[Alert]) -> tuple[str, str, str]:
    """One message for the alerts a rule raised in one evaluation (a group chat is not flooded)."""
    from django.urls import reverse

    if len(alerts) == 1:
        a = alerts[0]
        return f"[{a.get_severity_display()}] {a.title}", a.message, reverse("alerts:alert_detail", args=[a.pk])
    lines = [f"- [{a.get_severity_display()}] {a.title}" for a in alerts[:DIGEST_LIMIT]]
    if len(alerts) > DIGEST_LIMIT:
        lines.append(_("……另有 %(n)s 条") % {"n": len(alerts) - DIGEST_LIMIT})
    title = _("预警规则“%(r)s”新增 %(n)s 条预警") % {"r": rule.name, "n": len(alerts)}
    return title, "\n".join(lines), reverse("alerts:alert_list") + f"?rule={rule.pk}&state=open"


# --- people acting on an alert -------------------------------------------------------------------


@transaction.atomic
def alert_acknowledge(*, actor: User, alert: Alert, note: str = "") -> Alert:
    """确认: someone has seen it and owns the follow-up. The alert stays open for deduplication."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.state != AlertState.OPEN:
        raise ValidationError(_("只有未处理的预警可以确认 / Only an open alert can be acknowledged"))
    before = snapshot(alert)
    alert.state, alert.acknowledged_at, alert.acknowledged_by, alert.ack_note = (
        AlertState.ACKNOWLEDGED, timezone.now(), actor, note.strip())
    alert.save(update_fields=["state", "acknowledged_at", "acknowledged_by", "ack_note"])
    audit_update(actor, alert, before, reason=note.strip() or "acknowledge")
    return alert


@transaction.atomic
def alert_resolve(*, actor: User, alert: Alert, note: str) -> Alert:
    """解决, with a note saying what was done. The same condition later raises a new alert."""
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("请填写处理说明 / Say what was done")})
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.state not in OPEN_STATES:
        raise ValidationError(_("该预警已解决 / This alert is already resolved"))
    before = snapshot(alert)
    alert.state, alert.resolved_at, alert.resolved_by, alert.resolve_note = (
        AlertState.RESOLVED, timezone.now(), actor, note)
    alert.save(update_fields=["state", "resolved_at", "resolved_by", "resolve_note"])
    audit_update(actor, alert, before, reason=note)
    return alert
