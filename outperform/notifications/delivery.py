"""Writes of outgoing notifications: who gets what by which channel, and the delivery log.

`notify` is the one entry point other apps call. It writes, in a constant number of queries
whatever the number of people:
- the in-app notification of every recipient who keeps that kind in-app (the default);
- an e-mail `Delivery` for every recipient who chose e-mail for that kind and has an address;
- a `Delivery` per group channel (WeCom, DingTalk, Feishu bot, shared mailbox) passed in.

Deliveries are sent outside the request that made them:
- with a Celery broker, `deliver_task` is queued after the commit and retries itself with an
  exponential countdown;
- without one (the embedded default), `manage.py retry_deliveries` (cron, every minute) sends
  what is due; callers that already run in the background (the periodic alert evaluation, the
  commands) pass `inline=True` to send right after their commit.
A web request never waits on a webhook; each POST has a timeout of at most 5 seconds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from outperform.core.models import User

from . import channels as wire
from .models import (
    BOT_KINDS,
    Channel,
    ChannelKind,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Notification,
    NotificationKind,
    NotificationPreference,
    PersonalChannel,
)

BACKOFF_BASE_SECONDS = 60
BACKOFF_MAX_SECONDS = 3600
MAX_ATTEMPTS = 5
MAX_TIMEOUT_SECONDS = 5.0


def webhook_timeout() -> float:
    return min(float(getattr(settings, "NOTIFICATIONS_WEBHOOK_TIMEOUT", MAX_TIMEOUT_SECONDS)), MAX_TIMEOUT_SECONDS)


def backoff_seconds(attempt: int) -> int:
    """Wait after the `attempt`-th failed try: 60 s, 120 s, 240 s, 480 s … capped at an hour."""
    base = int(getattr(settings, "NOTIFICATIONS_BACKOFF_BASE_SECONDS", BACKOFF_BASE_SECONDS))
    return int(min(base * 2 ** max(attempt - 1, 0), BACKOFF_MAX_SECONDS))


def broker_configured() -> bool:
    return not getattr(settings, "CELERY_TASK_ALWAYS_EAGER", True)


# --- preferences ---------------------------------------------------------------------------------


def preference_default(kind: str, channel: str) -> bool:
    """No saved choice: every kind in-app; e-mail for alerts only (reminders are daily)."""
    if channel == PersonalChannel.INAPP:
        return True
    return kind == NotificationKind.ALERT


def preferences_for(user_ids: Iterable[int], kind: str) -> dict[tuple[int, str], bool]:
    """(user_id, channel) → wanted, for one kind, defaults filled in; one query."""
    ids = sorted(set(user_ids))
    wanted = {(u, c): preference_default(kind, c) for u in ids for c in PersonalChannel.values}
    for user_id, channel, enabled in NotificationPreference.objects.filter(user_id__in=ids, kind=kind).values_list(
        "user_id", "channel", "enabled"
    ):
        wanted[(user_id, channel)] = enabled
    return wanted


def preferences_grid(user: Any) -> dict[str, dict[str, bool]]:
    """kind → channel → wanted, for the preferences page."""
    saved = {(k, c): e for k, c, e in NotificationPreference.objects.filter(user_id=user.pk).values_list(
        "kind", "channel", "enabled")}
    return {
        kind: {c: saved.get((kind, c), preference_default(kind, c)) for c in PersonalChannel.values}
        for kind in NotificationKind.values
    }


@transaction.atomic
def preferences_save(*, user: Any, grid: dict[str, dict[str, bool]]) -> int:
    """Store the user's choices (only those that differ from the default); returns rows kept."""
    NotificationPreference.objects.filter(user_id=user.pk).delete()
    rows = [
        NotificationPreference(user_id=user.pk, kind=kind, channel=channel, enabled=enabled)
        for kind, by_channel in grid.items() if kind in NotificationKind.values
        for channel, enabled in by_channel.items()
        if channel in PersonalChannel.values and enabled != preference_default(kind, channel)
    ]
    NotificationPreference.objects.bulk_create(rows)
    return len(rows)


# --- notify --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outgoing:
    """One thing to tell: to people (by their preferences) and/or to group channels.
    `inapp` / `email` switch a personal channel off for this message whatever the preferences
    (e.g. a digest is e-mailed, its single items are shown in-app)."""

    kind: str
    title: str
    body: str
    dedupe_key: str
    url: str = ""
    user_ids: tuple[int, ...] = ()
    channels: tuple[Channel, ...] = ()
    inapp: bool = True
    email: bool = True


@dataclass
class NotifyResult:
    inapp: int = 0
    deliveries: list[int] = field(default_factory=list)


def absolute_url(url: str) -> str:
    base = str(getattr(settings, "OUTPERFORM_SITE_URL", "") or "").rstrip("/")
    if not url or url.startswith(("http://", "https://")) or not base:
        return url
    return f"{base}{url}"


def notify(
    *,
    user_ids: Iterable[int],
    kind: str,
    title: str,
    body: str,
    url: str = "",
    dedupe_key: str,
    channels: Sequence[Channel] = (),
    inline: bool = False,
) -> NotifyResult:
    """Tell people (by their preferences) and group channels about one thing, once per dedupe key."""
    return notify_many([Outgoing(kind=kind, title=title, body=body, url=url, dedupe_key=dedupe_key,
                                 user_ids=tuple(user_ids), channels=tuple(channels))], inline=inline)


def notify_many(messages: Sequence[Outgoing], *, inline: bool = False) -> NotifyResult:
    """Several messages in one go: a fixed number of queries however many people and messages."""
    result = NotifyResult()
    kinds = {m.kind for m in messages}
    all_ids = {u for m in messages for u in m.user_ids if u}
    wanted: dict[tuple[int, str, str], bool] = {}
    if all_ids:
        for kind in kinds:  # notification kinds are a handful: not a loop over people
            for (u, c), ok in preferences_for(all_ids, kind).items():
                wanted[(u, c, kind)] = ok
    inapp: list[Notification] = []
    email_wanted: list[tuple[Outgoing, int]] = []
    for m in messages:
        for u in sorted({u for u in m.user_ids if u}):
            if m.inapp and wanted[(u, PersonalChannel.INAPP, m.kind)]:
                inapp.append(Notification(user_id=u, kind=m.kind, title=m.title[:200], body=m.body, url=m.url[:300],
                                          dedupe_key=m.dedupe_key[:120]))
            if m.email and wanted[(u, PersonalChannel.EMAIL, m.kind)]:
                email_wanted.append((m, u))
    if inapp:
        Notification.objects.bulk_create(inapp, ignore_conflicts=True, batch_size=500)
        result.inapp = len(inapp)
    addresses: dict[int, str] = {}
    if email_wanted:
        addresses = dict(User.objects.filter(pk__in={u for _m, u in email_wanted}, is_active=True)
                         .exclude(email="").values_list("pk", "email"))
    rows: list[Delivery] = []
    for m, u in email_wanted:
        if u in addresses:
            rows.append(Delivery(channel_kind=ChannelKind.EMAIL, recipient_id=u, target=addresses[u][:500],
                                 dedupe_key=f"{m.dedupe_key}:user:{u}:email"[:160], **_common(m)))
    for m in messages:
        for channel in m.channels:
            if not channel.enabled:
                continue
            target = (", ".join(channel.email_addresses()) if channel.kind == ChannelKind.EMAIL
                      else channel.webhook_url_masked)
            rows.append(Delivery(channel=channel, channel_kind=channel.kind, target=target[:500],
                                 dedupe_key=f"{m.dedupe_key}:channel:{channel.pk}"[:160], **_common(m)))
    if rows:
        result.deliveries = deliveries_queue(rows, inline=inline)
    return result


def _common(m: Outgoing) -> dict[str, Any]:
    return {"kind": m.kind, "title": m.title[:200], "body": m.body, "url": m.url[:300]}


def deliveries_queue(rows: Sequence[Delivery], *, inline: bool = False) -> list[int]:
    """Insert deliveries (a dedupe key already queued is skipped) and dispatch the new ones."""
    now = timezone.now()
    for d in rows:
        d.status, d.next_attempt_at, d.max_attempts = DeliveryStatus.PENDING, now, MAX_ATTEMPTS
    keys = [d.dedupe_key for d in rows]
    existing = set(Delivery.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
    fresh = [d for d in rows if d.dedupe_key not in existing]
    Delivery.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=500)
    ids = list(Delivery.objects.filter(dedupe_key__in=[d.dedupe_key for d in fresh], attempts=0).values_list(
        "pk", flat=True))
    dispatch(ids, inline=inline)
    return ids


def dispatch(ids: Sequence[int], *, inline: bool) -> None:
    """Send after the surrounding transaction commits: on Celery, or inline when asked."""
    if not ids:
        return
    ids = list(ids)
    if broker_configured():
        from .tasks import deliver_task

        def enqueue() -> None:
            for pk in ids:
                try:
                    deliver_task.delay(pk)
                except Exception:  # noqa: BLE001 — a broker that is down: the periodic retry picks them up
                    return

        transaction.on_commit(enqueue)
    elif inline:
        transaction.on_commit(lambda: deliveries_send(ids))


# --- sending -------------------------------------------------------------------------------------


def deliveries_send(ids: Sequence[int], *, now: dt.datetime | None = None) -> int:
    """Try each delivery once (those still due); returns how many were sent."""
    sent = 0
    for delivery in Delivery.objects.filter(pk__in=list(ids)).select_related("channel").order_by("pk"):
        sent += delivery_attempt(delivery, now=now).status == DeliveryStatus.SENT
    return sent


def deliveries_retry_due(*, now: dt.datetime | None = None, grace: dt.timedelta | None = None) -> int:
    """Send every delivery whose next attempt is due (`grace` later than due, when Celery owns the
    retries and this only catches tasks that were lost); returns how many were sent."""
    now = now or timezone.now()
    cutoff = now - (grace or dt.timedelta(0))
    ids = list(
        Delivery.objects.filter(status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING],
                                next_attempt_at__lte=cutoff).order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:500]
    )
    return deliveries_send(ids, now=now)


def _claim(delivery: Delivery, now: dt.datetime) -> bool:
    """Take this attempt; False if another worker took it first or it is not due."""
    claimed = Delivery.objects.filter(
        Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True),
        pk=delivery.pk, attempts=delivery.attempts, status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING],
    ).update(attempts=F("attempts") + 1, last_attempt_at=now, next_attempt_at=None)
    if claimed:
        delivery.attempts += 1
        delivery.last_attempt_at = now
    return bool(claimed)


def delivery_attempt(delivery: Delivery, *, now: dt.datetime | None = None) -> Delivery:
    """One try: send, log the attempt, and set sent / retry at (now + backoff) / failed."""
    now = now or timezone.now()
    if not _claim(delivery, now):
        return delivery
    response, outcome = _send(delivery)
    DeliveryAttempt.objects.create(
        delivery=delivery, number=delivery.attempts, ok=outcome.ok, response_code=response.code,
        response_excerpt=response.body[:500], error=response.error[:500], duration_ms=response.duration_ms,
    )
    delivery.response_code = response.code
    delivery.response_excerpt = response.body[:500]
    delivery.error = response.error[:500]
    if outcome.ok:
        delivery.status, delivery.sent_at, delivery.next_attempt_at = DeliveryStatus.SENT, now, None
    elif outcome.retry and delivery.attempts < delivery.max_attempts:
        delivery.status = DeliveryStatus.RETRYING
        delivery.next_attempt_at = now + dt.timedelta(seconds=backoff_seconds(delivery.attempts))
    else:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
    Delivery.objects.filter(pk=delivery.pk).update(
        status=delivery.status, sent_at=delivery.sent_at, next_attempt_at=delivery.next_attempt_at,
        response_code=delivery.response_code, response_excerpt=delivery.response_excerpt, error=delivery.error,
    )
    return delivery


def _send(delivery: Delivery) -> tuple[wire.Response, wire.Outcome]:
    if delivery.channel_kind == ChannelKind.EMAIL:
        return _send_email(delivery)
    channel = delivery.channel
    if channel is None or channel.kind not in BOT_KINDS:
        return wire.Response(None, "", error="channel deleted"), wire.Outcome(ok=False, retry=False)
    if not channel.enabled:
        return wire.Response(None, "", error="channel disabled"), wire.Outcome(ok=False, retry=False)
    message = wire.Message(title=delivery.title, text=delivery.body, url=absolute_url(delivery.url))
    request = wire.bot_request(channel.kind, channel.webhook_url, channel.secret, message)
    response = wire.post_json(request.url, request.payload, timeout=webhook_timeout())
    return response, wire.interpret(response)


def _email_language() -> str:
    return str(getattr(settings, "NOTIFICATIONS_EMAIL_LANGUAGE", settings.LANGUAGE_CODE))


def render_email(delivery: Delivery) -> tuple[str, str, str]:
    """(subject, text, html) in the site's language (zh-hans by default, or en)."""
    context = {"title": delivery.title, "body": delivery.body, "url": absolute_url(delivery.url),
               "kind": NotificationKind(delivery.kind).label if delivery.kind in NotificationKind.values else ""}
    with translation.override(_email_language()):
        subject = render_to_string("notifications/email/subject.txt", context).strip().replace("\n", " ")
        text = render_to_string("notifications/email/body.txt", context)
        html = render_to_string("notifications/email/body.html", context)
    return subject[:200], text, html


def _send_email(delivery: Delivery) -> tuple[wire.Response, wire.Outcome]:
    to = delivery.channel.email_addresses() if delivery.channel is not None else [delivery.target]
    subject, text, html = render_email(delivery)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, to)
    message.attach_alternative(html, "text/html")
    try:
        message.send(fail_silently=False)
    except Exception as exc:  # noqa: BLE001 — SMTP trouble of any kind is retried later
        return wire.Response(None, "", error=f"{type(exc).__name__}: {exc}"[:300]), wire.Outcome(ok=False, retry=True)
    return wire.Response(None, "", error=""), wire.Outcome(ok=True, retry=False)


@transaction.atomic
def delivery_retry_now(*, delivery: Delivery) -> Delivery:
    """An operator asks to try a failed delivery again (one more attempt allowed)."""
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PENDING, next_attempt_at=timezone.now(), max_attempts=F("attempts") + 1)
    delivery.refresh_from_db()
    dispatch([delivery.pk], inline=False)  # a page never waits on a webhook: Celery or the cron sends it
    return delivery
