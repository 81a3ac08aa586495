from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from outperform.core.models import TimeStamped


class Department(TimeStamped):
    """A node of the org chart. `path` ("/1/4/9/") makes a subtree one indexed prefix query."""

    code = models.CharField(_("部门编码"), max_length=30, unique=True)
    name = models.CharField(_("部门名称"), max_length=100)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("负责人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="headed_departments",
    )
    is_active = models.BooleanField(_("启用"), default=True)

    scope_paths = {"department": "*", "vendor": "*", "self": "*"}

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return max(self.path.count("/") - 2, 0)


class PositionCategory(models.TextChoices):
    MANAGEMENT = "management", _("管理层")
    OPERATIONS = "operations", _("运营人员")
    PROJECT_MANAGER = "project_manager", _("项目经理")
    SERVICE = "service", _("服务人员")
    CRM = "crm", _("客户关系管理人员")
    TECHNICAL = "technical", _("技术人员")
    SUPPORT = "support", _("职能支持")
    OTHER = "other", _("其他")


class Position(TimeStamped):
    code = models.CharField(_("岗位编码"), max_length=30, unique=True)
    name = models.CharField(_("岗位名称"), max_length=100)
    category = models.CharField(_("岗位类别"), max_length=30, choices=PositionCategory.choices)
    description = models.TextField(_("岗位说明"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    scope_paths = {"department": "*", "vendor": "*", "self": "*"}

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("未开始")
    ACTIVE = "active", _("进行中")
    CLOSED = "closed", _("已结束")


class Project(TimeStamped):
    code = models.CharField(_("项目编码"), max_length=30, unique=True)
    name = models.CharField(_("项目名称"), max_length=120)
    department = models.ForeignKey(Department, verbose_name=_("所属部门"), on_delete=models.PROTECT, related_name="projects")
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("项目负责人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="managed_projects",
    )
    start_date = models.DateField(_("开始日期"), null=True, blank=True)
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.ACTIVE)
    description = models.TextField(_("说明"), blank=True)
    # Internal customers (客户/内部客户) who rate the project's people in the client role.
    clients = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("内部客户"), blank=True,
                                     related_name="client_projects")

    scope_paths = {"department": "*", "vendor": "*", "self": "*"}

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("结束日期不能早于开始日期 / The end date is before the start date")})
