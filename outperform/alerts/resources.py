"""The pages of alert rules, declared (list, detail, create, edit, delete)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from outperform.access.scoping import Scope
from outperform.core.crud import Col, Resource
from outperform.core.services import object_delete

from .filters import AlertRuleFilterSet
from .forms import AlertRuleForm
from .models import AlertRule


def rule_recent_alerts(obj: models.Model, scope: Scope) -> dict[str, Any]:
    assert isinstance(obj, AlertRule)
    rows = [
        {"cells": [a.title, a.get_severity_display(), a.get_state_display(), a.last_seen_at.strftime("%Y-%m-%d %H:%M")],
         "url": reverse("alerts:alert_detail", args=[a.pk])}
        for a in obj.alerts.order_by("-last_seen_at", "-id")[:20]
    ]
    return {"related_tables": [{
        "title": _("最近的预警"),
        "headers": [_("标题"), _("严重程度"), _("状态"), _("最近发现")],
        "rows": rows,
    }]}


class AlertRuleResource(Resource):
    model = AlertRule
    name = "rules"
    namespace = "alerts"
    select_related = ("owner", "department", "vendor")
    filterset_class = AlertRuleFilterSet
    search_fields = ("name",)
    default_ordering = ("name",)
    columns = (
        Col("name", _("规则名称"), "name", link=True),
        Col("kind_label", _("规则类型"), "kind"),
        Col("get_severity_display", _("严重程度"), "severity"),
        Col("get_owner_mode_display", _("负责人")),
        Col("enabled", _("启用"), "enabled"),
        Col("get_last_status_display", _("评估状态"), "last_status"),
        Col("last_evaluated_at", _("最近评估时间"), "last_evaluated_at"),
    )
    detail_fields = (
        *columns,
        Col("params", _("参数")),
        Col("owner", _("指定负责人")),
        Col("department", _("范围：部门")),
        Col("vendor", _("范围：服务商")),
        Col("auto_resolve", _("条件解除后自动关闭")),
        Col("last_message", _("评估说明")),
    )
    form_class = AlertRuleForm
    children = (rule_recent_alerts,)
    detail_links = ((_("查看预警"), "alerts:rule_alerts"),)

    def personal_owner(self, obj: models.Model) -> tuple[int | None, int | None]:
        return None, None

    def delete(self, *, actor: Any, obj: models.Model) -> None:
        # Its alerts go with it (cascade); the rule's audit row records the deletion.
        object_delete(actor=actor, obj=obj)


RULES = AlertRuleResource()
