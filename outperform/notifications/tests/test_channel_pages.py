"""Channel pages and API: CRUD audited, secrets never shown back, delivery log and preferences scoped."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from outperform.core.models import AuditLog
from outperform.notifications.models import (
    Channel,
    ChannelKind,
    Delivery,
    NotificationKind,
    NotificationPreference,
)
from outperform.testing.crud import CrudCase

pytestmark = pytest.mark.django_db

URL = "https://oapi.dingtalk.com/robot/send?access_token=abcdef0123456789"
SECRET = "SEC0123456789abcdefXYZ"  # noqa: S105 — a test value


def _make(world):  # type: ignore[no-untyped-def]
    return Channel.objects.create(name="钉钉运营群", kind=ChannelKind.DINGTALK, webhook_url=URL, secret=SECRET)


class TestChannelCrud(CrudCase):
    route = "notifications:channels"
    api = "/api/v1/notification-channels/"
    model = Channel
    make = staticmethod(_make)
    form_data = staticmethod(lambda world: {"name": "企业微信群", "kind": "wecom", "enabled": "on",
                                            "webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k1"})
    api_data = staticmethod(lambda world: {"name": "飞书群", "kind": "feishu", "secret": "s3cr3t-value",
                                           "webhook_url": "https://open.feishu.cn/open-apis/bot/v2/hook/uuid"})
    update_field = ("note", "运营值班群")


def test_secret_and_url_are_masked_everywhere(world, client_for, api_for):
    channel = _make(world)
    for role in ("hr", "auditor"):
        page = client_for(role).get(reverse("notifications:channels_detail", args=[channel.pk])).content.decode()
        assert SECRET not in page and "abcdef0123456789" not in page
        assert "SEC0****fXYZ" in page
        data = api_for(role).get(f"/api/v1/notification-channels/{channel.pk}/").json()
        assert "secret" not in data and "webhook_url" not in data
        assert data["secret_masked"] == "SEC0****fXYZ"
        assert data["webhook_url_masked"] == "https://oapi.dingtalk.com/robot/send?****"
    form = client_for("hr").get(reverse("notifications:channels_edit", args=[channel.pk])).content.decode()
    assert SECRET not in form and "abcdef0123456789" not in form


def rows_count(channel):  # type: ignore[no-untyped-def]
    return AuditLog.objects.filter(content_type=ContentType.objects.get_for_model(Channel),
                                   object_id=str(channel.pk)).count()


def test_edit_keeps_secret_when_left_empty_and_audit_is_masked(world, client_for):
    channel = _make(world)
    response = client_for("hr").post(reverse("notifications:channels_edit", args=[channel.pk]), {
        "name": "钉钉运营群", "kind": "dingtalk", "webhook_url": "", "secret": "", "enabled": "on", "note": "值班"})
    assert response.status_code == 302
    channel.refresh_from_db()
    assert (channel.webhook_url, channel.secret, channel.note) == (URL, SECRET, "值班")
    client_for("hr").post(reverse("notifications:channels_edit", args=[channel.pk]), {
        "name": "钉钉运营群", "kind": "dingtalk", "secret": "SECnewnewnewnew", "enabled": "on", "note": "值班"})
    channel.refresh_from_db()
    assert channel.secret == "SECnewnewnewnew"
    assert rows_count(channel) == 2  # one per edit
    rows = AuditLog.objects.filter(content_type=ContentType.objects.get_for_model(Channel), object_id=str(channel.pk))
    text = str(list(rows.values_list("changes", flat=True)))
    assert SECRET not in text and "SECnewnewnewnew" not in text and "abcdef0123456789" not in text


def test_validation_names_the_field(world, client_for, api_for):
    response = client_for("hr").post(reverse("notifications:channels_create"),
                                     {"name": "缺地址", "kind": "wecom", "enabled": "on"})
    assert response.status_code == 400 and "Webhook" in response.content.decode()
    bad = api_for("hr").post("/api/v1/notification-channels/", {"name": "邮箱", "kind": "email",
                                                               "email_to": "not-an-address"}, format="json")
    assert bad.status_code == 400 and "email_to" in bad.json()


@pytest.mark.parametrize("role", ["supervisor", "vendor_manager", "worker", "nobody"])
def test_channels_hidden_from_other_roles(world, client_for, api_for, role):
    channel = _make(world)
    assert client_for(role).get(reverse("notifications:channels_detail", args=[channel.pk])).status_code == 404
    assert api_for(role).get(f"/api/v1/notification-channels/{channel.pk}/").status_code == 404
    assert api_for(role).get("/api/v1/notification-channels/").json()["results"] == []


def test_delivery_log_scope(world, client_for, api_for):
    channel = _make(world)
    group = Delivery.objects.create(channel=channel, channel_kind="dingtalk", target="x", kind="alert", title="群",
                                    dedupe_key="g")
    mine = Delivery.objects.create(channel_kind="email", recipient=world.users["supervisor"], target="s@example.cn",
                                   kind="alert", title="我的", dedupe_key="m")
    ids = lambda role: {r["id"] for r in api_for(role).get("/api/v1/deliveries/").json()["results"]}  # noqa: E731
    assert ids("hr") == ids("auditor") == {group.pk, mine.pk}
    assert ids("supervisor") == {mine.pk}
    assert ids("vendor_manager") == set()
    assert client_for("vendor_manager").get(reverse("notifications:deliveries_detail", args=[group.pk])).status_code == 404
    assert client_for("hr").get(reverse("notifications:deliveries_list")).status_code == 200


def test_preferences_page_and_api(world, client_for, api_for):
    client = client_for("supervisor")
    page = client.get(reverse("notifications:preferences"))
    assert page.status_code == 200
    kinds = NotificationKind.values
    # every kind in-app (the default); e-mail off for alerts (the default is on)
    response = client.post(reverse("notifications:preferences"), {f"{k}__inapp": "on" for k in kinds})
    assert response.status_code == 302
    rows = set(NotificationPreference.objects.filter(user=world.users["supervisor"]).values_list(
        "kind", "channel", "enabled"))
    assert rows == {("alert", "email", False)}
    api = api_for("supervisor")
    assert api.get("/api/v1/notification-preferences/").json()["alert"] == {"inapp": True, "email": False}
    updated = api.post("/api/v1/notification-preferences/", {"evaluation_overdue": {"email": True}}, format="json")
    assert updated.status_code == 200 and updated.json()["evaluation_overdue"]["email"] is True
    bad = api.post("/api/v1/notification-preferences/", {"alert": {"sms": True}}, format="json")
    assert bad.status_code == 400 and "alert.sms" in bad.json()
    # another user's preferences are untouched
    assert not NotificationPreference.objects.filter(user=world.users["hr"]).exists()


def test_vendor_manager_can_choose_email_for_rectification_notices(world, api_for):
    """Rectification notices are a kind on the preferences page, so a vendor manager can ask for them
    by e-mail (off by default, as for every kind but alerts)."""
    api = api_for("vendor_manager")
    grid = api.get("/api/v1/notification-preferences/").json()
    assert grid["rectification_issued"] == {"inapp": True, "email": False}
    assert grid["rectification_overdue"] == {"inapp": True, "email": False}
    updated = api.post("/api/v1/notification-preferences/", {"rectification_issued": {"email": True}}, format="json")
    assert updated.status_code == 200
    assert set(NotificationPreference.objects.filter(user=world.users["vendor_manager"]).values_list(
        "kind", "channel", "enabled")) == {("rectification_issued", "email", True)}
