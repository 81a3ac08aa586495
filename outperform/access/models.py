from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    HR_ADMIN = "hr_admin", _("绩效管理员（HR）")
    SUPERVISOR = "supervisor", _("部门主管")
    VENDOR_MANAGER = "vendor_manager", _("服务商管理员")
    WORKER = "worker", pgettext_lazy("role", "外包人员")
    AUDITOR = "auditor", _("审计员")


class RoleGrant(models.Model):
    """A role held by a user, with its scope: a department subtree for supervisors, a vendor for
    vendor managers. Admin, HR and auditor roles are organisation-wide; the worker role is self."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="role_grants"
    )
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices)
    department = models.ForeignKey(
        "org.Department", verbose_name=_("部门范围"), null=True, blank=True, on_delete=models.CASCADE
    )
    vendor = models.ForeignKey(
        "vendors.Vendor", verbose_name=_("服务商范围"), null=True, blank=True, on_delete=models.CASCADE
    )

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "department", "vendor"], name="unique_role_grant"),
        ]

    def __str__(self) -> str:
        target = self.department or self.vendor
        return f"{self.user} · {self.get_role_display()}" + (f" · {target}" if target else "")

    def clean(self) -> None:
        if self.role == Role.SUPERVISOR and not self.department_id:
            raise ValidationError({"department": _("部门主管须指定部门 / A supervisor needs a department")})
        if self.role == Role.VENDOR_MANAGER and not self.vendor_id:
            raise ValidationError({"vendor": _("服务商管理员须指定服务商 / A vendor manager needs a vendor")})
