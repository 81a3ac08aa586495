from django.utils.translation import gettext_lazy as _

from .crud import Col, Resource
from .filters import AuditLogFilterSet
from .models import AuditLog


class AuditLogResource(Resource):
    """Read-only: the audit log is written by services only. Visible to whole-organisation
    viewers (admin, HR, auditor) because AuditLog declares no scope paths."""

    model = AuditLog
    name = "audit"
    namespace = "core"
    select_related = ("actor", "content_type")
    filterset_class = AuditLogFilterSet
    search_fields = ("object_repr", "object_id", "reason")
    default_ordering = ("-at", "-id")
    columns = (
        Col("at", _("时间"), "at", link=True),
        Col("actor", _("操作人")),
        Col("get_action_display", _("操作"), "action"),
        Col("content_type.name", _("对象类型")),
        Col("object_repr", _("对象")),
        Col("reason", _("原因")),
    )
    detail_fields = (*columns, Col("object_id", _("对象ID")), Col("changes", _("变更")))
