"""Group bots and e-mail: payloads and signatures as each vendor documents them, checked against a
fake receiver on 127.0.0.1 with the signatures recomputed here by hand; retries with backoff; the
delivery log; preferences."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from urllib.parse import quote_plus

import pytest
from django.core import mail
from django.utils import timezone

from outperform.notifications import channels as wire
from outperform.notifications.delivery import (
    backoff_seconds,
    deliveries_retry_due,
    delivery_attempt,
    notify,
    preferences_save,
)
from outperform.notifications.models import (
    Channel,
    ChannelKind,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Notification,
    NotificationKind,
)

from .receiver import receiver  # noqa: F401 — the fixture

pytestmark = pytest.mark.django_db

SECRET = "SECtest0123456789abcdef"  # noqa: S105 — a test value


def _channel(kind: str, url: str, secret: str = "", **kw) -> Channel:  # type: ignore[no-untyped-def]
    return Channel.objects.create(name=f"{kind}-{url[-6:]}-{secret[:3]}", kind=kind, webhook_url=url, secret=secret,
                                  **kw)


def _send_one(channel: Channel) -> Delivery:
    result = notify(user_ids=[], kind=NotificationKind.ALERT, title="合同即将到期：HT-A", body="还剩 10 天",
                    url="/alerts/1/", dedupe_key=f"t:{channel.pk}", channels=[channel])
    (pk,) = result.deliveries
    delivery = Delivery.objects.select_related("channel").get(pk=pk)
    return delivery_attempt(delivery)


def test_wecom_markdown_payload(receiver):  # noqa: F811
    channel = _channel(ChannelKind.WECOM, receiver.url("/cgi-bin/webhook/send?key=abc"))
    delivery = _send_one(channel)
    assert delivery.status == DeliveryStatus.SENT
    (req,) = receiver.requests
    assert req.path == "/cgi-bin/webhook/send" and req.query == {"key": ["abc"]}
    assert req.headers["Content-Type"].startswith("application/json")
    body = req.json
    assert set(body) == {"msgtype", "markdown"} and body["msgtype"] == "markdown"
    assert body["markdown"]["content"] == "### 合同即将到期：HT-A\n\n还剩 10 天\n\n[查看详情 / Open](/alerts/1/)"


def test_wecom_content_is_cut_at_4096_bytes():
    request = wire.wecom_request("http://x/", wire.Message(title="t", text="预" * 3000))
    assert len(request.payload["markdown"]["content"].encode("utf-8")) <= 4096


def test_dingtalk_signature_in_query(receiver, monkeypatch):  # noqa: F811
    monkeypatch.setattr(wire.time, "time", lambda: 1767225600.123)
    channel = _channel(ChannelKind.DINGTALK, receiver.url("/robot/send?access_token=tok"), SECRET)
    assert _send_one(channel).status == DeliveryStatus.SENT
    (req,) = receiver.requests
    timestamp = "1767225600123"  # milliseconds
    expected = base64.b64encode(hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256)
                                .digest()).decode()
    assert req.query["access_token"] == ["tok"]
    assert req.query["timestamp"] == [timestamp]
    assert req.query["sign"] == [expected]  # parse_qs decoded the URL encoding
    assert f"sign={quote_plus(expected)}" in req.raw_query
    body = req.json
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"] == "合同即将到期：HT-A"
    assert body["markdown"]["text"].startswith("#### 合同即将到期：HT-A\n\n还剩 10 天")


def test_feishu_signature_in_body(receiver, monkeypatch):  # noqa: F811
    monkeypatch.setattr(wire.time, "time", lambda: 1767225600.9)
    receiver.script.append((200, '{"code":0,"msg":"success","data":{}}'))
    channel = _channel(ChannelKind.FEISHU, receiver.url("/open-apis/bot/v2/hook/uuid-1"), SECRET)
    assert _send_one(channel).status == DeliveryStatus.SENT
    (req,) = receiver.requests
    body = req.json
    key = f"1767225600\n{SECRET}".encode()  # seconds; the string is the HMAC key, the message empty
    expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert body["timestamp"] == "1767225600"
    assert body["sign"] == expected
    assert body["msg_type"] == "text"
    assert body["content"] == {"text": "合同即将到期：HT-A\n还剩 10 天\n/alerts/1/"}
    assert req.query == {}


def test_unsigned_bots_send_no_signature(receiver):  # noqa: F811
    _send_one(_channel(ChannelKind.DINGTALK, receiver.url("/robot/send?access_token=t")))
    _send_one(_channel(ChannelKind.FEISHU, receiver.url("/hook/f")))
    ding, feishu = receiver.requests
    assert "sign" not in ding.query and "timestamp" not in ding.query
    assert "sign" not in feishu.json and "timestamp" not in feishu.json


def test_absolute_links_with_site_url(receiver, settings):  # noqa: F811
    settings.OUTPERFORM_SITE_URL = "https://op.example.cn/"
    _send_one(_channel(ChannelKind.FEISHU, receiver.url("/hook/f")))
    assert receiver.requests[0].json["content"]["text"].endswith("\nhttps://op.example.cn/alerts/1/")


def test_backoff_schedule():
    # 60 s doubled per failed attempt, capped at an hour.
    assert [backoff_seconds(n) for n in (1, 2, 3, 4, 5, 6, 7, 8)] == [60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_retries_on_500_then_succeeds(receiver):  # noqa: F811
    receiver.script += [(500, "boom"), (503, "busy")]
    channel = _channel(ChannelKind.WECOM, receiver.url("/hook?key=k"))
    delivery = _send_one(channel)
    assert (delivery.status, delivery.attempts, delivery.response_code) == (DeliveryStatus.RETRYING, 1, 500)
    first_try = delivery.last_attempt_at
    assert delivery.next_attempt_at == first_try + dt.timedelta(seconds=60)
    # Not due yet: nothing is sent.
    assert deliveries_retry_due(now=first_try + dt.timedelta(seconds=59)) == 0
    assert len(receiver.requests) == 1
    # Due: the second try fails again (503), the wait doubles.
    later = first_try + dt.timedelta(seconds=60)
    assert deliveries_retry_due(now=later) == 0
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == (DeliveryStatus.RETRYING, 2, 503)
    assert delivery.next_attempt_at == later + dt.timedelta(seconds=120)
    # Third try succeeds.
    assert deliveries_retry_due(now=later + dt.timedelta(seconds=120)) == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 3 and delivery.next_attempt_at is None
    log = list(DeliveryAttempt.objects.filter(delivery=delivery).values_list("number", "ok", "response_code",
                                                                             "response_excerpt"))
    assert log == [(1, False, 500, "boom"), (2, False, 503, "busy"), (3, True, 200, '{"errcode":0,"errmsg":"ok"}')]
    assert len(receiver.requests) == 3
    # all three POSTs carried the same message
    assert len({r.body for r in receiver.requests}) == 1


def test_gives_up_after_max_attempts(receiver):  # noqa: F811
    receiver.script += [(500, "x")] * 5
    delivery = _send_one(_channel(ChannelKind.WECOM, receiver.url("/hook?key=k")))
    now = delivery.last_attempt_at
    for _i in range(4):
        now = now + dt.timedelta(hours=2)
        deliveries_retry_due(now=now)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (DeliveryStatus.FAILED, 5, None)
    assert len(receiver.requests) == 5


def test_application_error_is_not_retried(receiver):  # noqa: F811
    receiver.script.append((200, '{"errcode":310000,"errmsg":"sign not match"}'))
    delivery = _send_one(_channel(ChannelKind.DINGTALK, receiver.url("/robot/send?access_token=t"), SECRET))
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    assert "sign not match" in delivery.response_excerpt


def test_unreachable_host_is_retried():
    # Nothing listens on port 9 of 127.0.0.1: connection refused, retried later.
    delivery = _send_one(_channel(ChannelKind.WECOM, "http://127.0.0.1:9/hook?key=k"))
    assert delivery.status == DeliveryStatus.RETRYING and delivery.response_code is None and delivery.error


def test_same_dedupe_key_queues_once(receiver):  # noqa: F811
    channel = _channel(ChannelKind.WECOM, receiver.url("/hook?key=k"))
    for _i in range(2):
        notify(user_ids=[], kind=NotificationKind.ALERT, title="t", body="b", dedupe_key="same", channels=[channel])
    assert Delivery.objects.count() == 1


def test_disabled_channel_gets_nothing(receiver):  # noqa: F811
    channel = _channel(ChannelKind.WECOM, receiver.url("/hook?key=k"), enabled=False)
    result = notify(user_ids=[], kind=NotificationKind.ALERT, title="t", body="b", dedupe_key="d", channels=[channel])
    assert result.deliveries == [] and not Delivery.objects.exists()


def test_timeout_is_at_most_five_seconds(settings):
    from outperform.notifications.delivery import webhook_timeout

    settings.NOTIFICATIONS_WEBHOOK_TIMEOUT = 30
    assert webhook_timeout() == 5.0
    settings.NOTIFICATIONS_WEBHOOK_TIMEOUT = 2
    assert webhook_timeout() == 2.0


# --- e-mail and preferences ----------------------------------------------------------------------


def test_email_by_preference_via_locmem(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sup, hr = world.users["supervisor"], world.users["hr"]
    type(sup).objects.filter(pk__in=[sup.pk, hr.pk]).update(email="x@example.cn")
    type(sup).objects.filter(pk=sup.pk).update(email="sup@example.cn")
    # hr turns alert e-mails off; the supervisor keeps the default (alerts by e-mail)
    preferences_save(user=hr, grid={NotificationKind.ALERT: {"email": False, "inapp": True}})
    result = notify(user_ids=[sup.pk, hr.pk], kind=NotificationKind.ALERT, title="合同即将到期", body="还剩 10 天",
                    url="/alerts/9/", dedupe_key="alert:9")
    assert result.inapp == 2
    assert set(Notification.objects.values_list("user", flat=True)) == {sup.pk, hr.pk}
    (pk,) = result.deliveries
    delivery = Delivery.objects.get(pk=pk)
    assert (delivery.recipient_id, delivery.target) == (sup.pk, "sup@example.cn")
    delivery_attempt(delivery)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    (message,) = mail.outbox
    assert message.to == ["sup@example.cn"]
    assert message.subject == "[外包绩效] 合同即将到期"
    assert "还剩 10 天" in message.body and "/alerts/9/" in message.body
    assert message.alternatives[0][1] == "text/html"


def test_email_in_english(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFICATIONS_EMAIL_LANGUAGE = "en"
    sup = world.users["supervisor"]
    type(sup).objects.filter(pk=sup.pk).update(email="sup@example.cn")
    result = notify(user_ids=[sup.pk], kind=NotificationKind.ALERT, title="Contract expiring", body="10 days",
                    url="/alerts/9/", dedupe_key="alert:en")
    delivery_attempt(Delivery.objects.get(pk=result.deliveries[0]))
    assert mail.outbox[0].subject == "[Outperform] Contract expiring"
    assert "View details" in mail.outbox[0].body


def test_reminders_are_not_emailed_by_default(world):
    sup = world.users["supervisor"]
    type(sup).objects.filter(pk=sup.pk).update(email="sup@example.cn")
    result = notify(user_ids=[sup.pk], kind=NotificationKind.EVALUATION_OVERDUE, title="t", body="b",
                    dedupe_key="r:1")
    assert result.inapp == 1 and result.deliveries == []


def test_inapp_can_be_turned_off(world):
    sup = world.users["supervisor"]
    preferences_save(user=sup, grid={NotificationKind.ALERT: {"inapp": False, "email": False}})
    result = notify(user_ids=[sup.pk], kind=NotificationKind.ALERT, title="t", body="b", dedupe_key="a:1")
    assert result.inapp == 0 and not Notification.objects.exists()


def test_shared_mailbox_channel(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    channel = Channel.objects.create(name="HR 邮箱", kind=ChannelKind.EMAIL, email_to="hr@example.cn; ops@example.cn")
    result = notify(user_ids=[], kind=NotificationKind.ALERT, title="t", body="b", dedupe_key="m", channels=[channel])
    delivery_attempt(Delivery.objects.get(pk=result.deliveries[0]))
    assert mail.outbox[0].to == ["hr@example.cn", "ops@example.cn"]


def test_notify_many_query_count_does_not_grow(world, django_assert_num_queries, receiver):  # noqa: F811
    from outperform.notifications.delivery import Outgoing, notify_many
    from outperform.testing.factories import UserFactory

    channel = _channel(ChannelKind.WECOM, receiver.url("/hook?key=k"))

    def messages(users, tag):  # type: ignore[no-untyped-def]
        return [Outgoing(kind=NotificationKind.ALERT, title=f"t{u.pk}", body="b", dedupe_key=f"{tag}:{u.pk}",
                         user_ids=(u.pk,), channels=(channel,)) for u in users]

    few = UserFactory.create_batch(2, email="a@example.cn")
    many = UserFactory.create_batch(12, email="b@example.cn")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        notify_many(messages(few, "few"))
    with CaptureQueriesContext(connection) as large:
        notify_many(messages(many, "many"))
    assert len(small.captured_queries) == len(large.captured_queries)
    assert Delivery.objects.filter(channel_kind=ChannelKind.EMAIL).count() == 14


def test_deliveries_wait_for_cron_when_not_inline(receiver):  # noqa: F811
    channel = _channel(ChannelKind.WECOM, receiver.url("/hook?key=k"))
    notify(user_ids=[], kind=NotificationKind.ALERT, title="t", body="b", dedupe_key="w", channels=[channel])
    assert receiver.requests == []  # a web request never waits on a webhook
    from django.core.management import call_command

    call_command("retry_deliveries", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(receiver.requests) == 1
    assert Delivery.objects.get().status == DeliveryStatus.SENT


def test_inline_sends_after_commit(receiver, django_capture_on_commit_callbacks):  # noqa: F811
    channel = _channel(ChannelKind.WECOM, receiver.url("/hook?key=k"))
    with django_capture_on_commit_callbacks(execute=True):
        notify(user_ids=[], kind=NotificationKind.ALERT, title="t", body="b", dedupe_key="i", channels=[channel],
               inline=True)
    assert len(receiver.requests) == 1


def test_celery_task_sends_and_reports(receiver):  # noqa: F811
    from outperform.notifications.tasks import deliver_task

    channel = _channel(ChannelKind.WECOM, receiver.url("/hook?key=k"))
    result = notify(user_ids=[], kind=NotificationKind.ALERT, title="t", body="b", dedupe_key="c", channels=[channel])
    assert deliver_task.delay(result.deliveries[0]).get() == "sent"
    assert timezone.now() >= Delivery.objects.get().sent_at
