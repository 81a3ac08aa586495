"""Pages of the outgoing channels (CRUD) and of the delivery log (read-only), declared."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from outperform.access.scoping import Scope
from outperform.core.audit import audit_changes, snapshot
from outperform.core.crud import Col, Resource
from outperform.core.services import object_create, object_update

from .filters import ChannelFilterSet, DeliveryFilterSet
from .forms import ChannelForm
from .models import Channel, Delivery


class ChannelResource(Resource):
    model = Channel
    name = "channels"
    namespace = "notifications"
    filterset_class = ChannelFilterSet
    search_fields = ("name", "note")
    default_ordering = ("name",)
    columns = (
        Col("name", _("名称"), "name", link=True),
        Col("get_kind_display", _("类型"), "kind"),
        Col("webhook_url_masked", _("Webhook 地址")),
        Col("secret_masked", _("签名密钥")),
        Col("email_to", _("收件地址")),
        Col("enabled", _("启用"), "enabled"),
    )
    detail_fields = (*columns, Col("note", _("说明")), Col("created_at", _("创建时间")))
    form_class = ChannelForm

    def save(self, *, actor: Any, obj: models.Model, before: dict[str, Any] | None) -> models.Model:
        """The audit snapshot masks the URL and the secret, so a change of only those would look like
        no change to object_update: save it anyway and say in the audit row that they changed."""
        if before is None:
            return object_create(actor=actor, obj=obj)
        stored = Channel.objects.filter(pk=obj.pk).values_list("webhook_url", "secret").first()
        rotated = [f for f, old in zip(("webhook_url", "secret"), stored or ("", ""), strict=True)
                   if old != getattr(obj, f)]
        with transaction.atomic():
            obj = object_update(actor=actor, obj=obj, before=before)
            if rotated and snapshot(obj) == before:
                obj.save()
                audit_changes(actor, obj, {f: ["***", "*** (changed)"] for f in rotated}, reason="credentials")
        return obj

    def personal_owner(self, obj: models.Model) -> tuple[int | None, int | None]:
        return None, None


def delivery_attempts(obj: models.Model, scope: Scope) -> dict[str, Any]:
    assert isinstance(obj, Delivery)
    rows = [
        {"cells": [a.number, a.at.strftime("%Y-%m-%d %H:%M:%S"), "✓" if a.ok else "✗",
                   a.response_code or "", a.response_excerpt or a.error, a.duration_ms]}
        for a in obj.attempt_log.all()
    ]
    return {"related_tables": [{
        "title": _("尝试记录"),
        "headers": [_("第几次"), _("时间"), _("成功"), _("响应码"), _("响应摘要 / 错误"), _("耗时（毫秒）")],
        "rows": rows,
    }]}


class DeliveryResource(Resource):
    model = Delivery
    name = "deliveries"
    namespace = "notifications"
    select_related = ("channel", "recipient")
    filterset_class = DeliveryFilterSet
    search_fields = ("title", "target")
    default_ordering = ("-created_at", "-id")
    columns = (
        Col("created_at", _("创建时间"), "created_at", link=True),
        Col("get_channel_kind_display", _("渠道类型"), "channel_kind"),
        Col("channel.name", _("渠道")),
        Col("target", _("目标")),
        Col("title", _("标题"), link=True),
        Col("get_status_display", _("状态"), "status"),
        Col("attempts", _("尝试次数"), "attempts"),
        Col("response_code", _("响应码")),
        Col("next_attempt_at", _("下次尝试时间"), "next_attempt_at"),
    )
    detail_fields = (*columns, Col("body", _("内容")), Col("response_excerpt", _("响应摘要")), Col("error", _("错误")),
                     Col("sent_at", _("发送时间")))
    children = (delivery_attempts,)

    def personal_owner(self, obj: models.Model) -> tuple[int | None, int | None]:
        return None, None


RESOURCES = (ChannelResource(), DeliveryResource())
