"""The declared pages (crud.Resource) of the compliance app."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from outperform.access.scoping import Scope
from outperform.core.crud import Col, Resource

from . import services
from .exports import exporter_for
from .filters import AuditFilterSet, ChecklistFilterSet, ContactFilterSet, FindingFilterSet, NoticeFilterSet
from .forms import AuditForm, ChecklistForm, ContactForm, FindingForm
from .models import AuditFinding, ComplianceChecklist, EmergencyContact, RectificationNotice, VendorAudit


class NoticeResource(Resource):
    """List and export only; issuing and the answers have their own pages (views.py)."""

    model = RectificationNotice
    name = "notices"
    namespace = "compliance"
    select_related = ("vendor", "plan", "plan__owner")
    filterset_class = NoticeFilterSet
    search_fields = ("number", "plan__title", "vendor__name")
    default_ordering = ("-created_at", "-id")
    columns = (
        Col("number", _("通知编号"), "number", link=True),
        Col("plan.title", _("标题"), "plan__title", link=True),
        Col("vendor.name", _("服务商"), "vendor__name"),
        Col("get_state_display", _("状态"), "state"),
        Col("deadline", _("整改期限"), "deadline"),
        Col("plan.owner", _("负责人")),
        Col("escalated_at", _("升级时间"), "escalated_at"),
    )


class ChecklistResource(Resource):
    model = ComplianceChecklist
    name = "checklists"
    namespace = "compliance"
    filterset_class = ChecklistFilterSet
    search_fields = ("code", "name")
    default_ordering = ("code",)
    columns = (
        Col("code", _("编码"), "code", link=True),
        Col("name", _("名称"), "name", link=True),
        Col("get_area_display", _("领域"), "area"),
        Col("items", _("检查项")),
        Col("active", _("启用"), "active"),
    )
    form_class = ChecklistForm


def audit_findings(obj: models.Model, scope: Scope) -> dict[str, Any]:
    assert isinstance(obj, VendorAudit)
    results = [[item, str(dict(_RESULT_LABELS).get(value, value))] for item, value in (obj.results or {}).items()]
    findings = [
        {"cells": [f.get_severity_display(), f.description[:60], f.due_date, f.get_status_display()],
         "url": reverse("compliance:findings_detail", args=[f.pk])}
        for f in obj.findings.all()
    ]
    return {"related_tables": [
        {"title": _("检查结果"), "headers": [_("检查项"), _("结果")], "rows": [{"cells": r} for r in results]},
        {"title": _("审查发现"), "headers": [_("严重程度"), _("问题"), _("整改期限"), _("状态")], "rows": findings,
         "add_url": reverse("compliance:findings_create") + f"?audit={obj.pk}"},
    ]}


_RESULT_LABELS = (("pass", _("通过")), ("fail", _("不通过")), ("na", _("不适用")))


class AuditResource(Resource):
    model = VendorAudit
    name = "audits"
    namespace = "compliance"
    select_related = ("vendor", "checklist", "auditor")
    filterset_class = AuditFilterSet
    search_fields = ("vendor__name", "checklist__name", "note")
    default_ordering = ("-date", "-id")
    columns = (
        Col("date", _("审查日期"), "date", link=True),
        Col("vendor.name", _("服务商"), "vendor__name"),
        Col("checklist.name", _("检查表"), "checklist__name", link=True),
        Col("auditor", _("审查人")),
        Col("score", _("得分"), "score"),
    )
    detail_fields = (*columns, Col("note", _("结论")))
    form_class = AuditForm
    children = (audit_findings,)

    def save(self, *, actor: Any, obj: models.Model, before: dict[str, Any] | None) -> models.Model:
        assert isinstance(obj, VendorAudit)
        return services.audit_save(actor=actor, obj=obj, before=before)


class FindingResource(Resource):
    model = AuditFinding
    name = "findings"
    namespace = "compliance"
    select_related = ("vendor", "audit", "audit__checklist", "owner")
    filterset_class = FindingFilterSet
    search_fields = ("description", "item", "vendor__name")
    default_ordering = ("severity", "due_date", "id")
    columns = (
        Col("get_severity_display", _("严重程度"), "severity"),
        Col("description", _("问题描述"), "description", link=True),
        Col("vendor.name", _("服务商"), "vendor__name"),
        Col("audit.checklist.name", _("检查表")),
        Col("found_on", _("发现日期"), "found_on"),
        Col("due_date", _("整改期限"), "due_date"),
        Col("owner", _("负责人")),
        Col("get_status_display", _("状态"), "status"),
        Col("overdue", _("已逾期"), "overdue"),
    )
    detail_fields = (*columns, Col("item", _("检查项")), Col("closed_at", _("关闭时间")))
    form_class = FindingForm
    detail_links = ((_("发出整改通知"), "compliance:notice_from_finding"),)

    def save(self, *, actor: Any, obj: models.Model, before: dict[str, Any] | None) -> models.Model:
        assert isinstance(obj, AuditFinding)
        return services.finding_save(actor=actor, obj=obj, before=before)


class ContactResource(Resource):
    model = EmergencyContact
    name = "contacts"
    namespace = "compliance"
    select_related = ("vendor",)
    filterset_class = ContactFilterSet
    search_fields = ("name", "role", "vendor__name")
    default_ordering = ("vendor__name", "-available_24h", "name")
    columns = (
        Col("vendor.name", _("服务商"), "vendor__name"),
        Col("name", _("姓名"), "name", link=True),
        Col("role", _("职责"), "role"),
        Col("mobile", _("手机号"), personal=True),
        Col("phone", _("座机")),
        Col("email", _("电子邮箱")),
        Col("available_24h", _("7×24 小时"), "available_24h"),
    )
    detail_fields = (*columns, Col("note", _("备注")))
    form_class = ContactForm

    def personal_owner(self, obj: models.Model) -> tuple[int | None, int | None]:
        return getattr(obj, "vendor_id", None), None


for _cls, _title in ((NoticeResource, "整改通知"), (ChecklistResource, "合规检查表"), (AuditResource, "合规审查"),
                     (FindingResource, "审查发现"), (ContactResource, "应急联系人")):
    _cls.importer = exporter_for(_cls.model, _title, _cls.columns)
    _cls.importable = False


NOTICES = NoticeResource()
CHECKLISTS = ChecklistResource()
AUDITS = AuditResource()
FINDINGS = FindingResource()
CONTACTS = ContactResource()
RESOURCES = (CHECKLISTS, AUDITS, FINDINGS, CONTACTS)
