from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from outperform.core.models import TimeStamped
from outperform.core.validators import validate_id_number, validate_mobile


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class WorkerStatus(models.TextChoices):
    ACTIVE = "active", _("在岗")
    ON_LEAVE = "on_leave", _("休假")
    LEFT = "left", _("已离场")


class Worker(TimeStamped):
    """An outsourced worker supplied by a vendor."""

    PERSONAL_FIELDS = ("id_number", "mobile", "base_salary_fen", "base_bonus_fen")

    employee_no = models.CharField(_("工号"), max_length=30, unique=True)
    name = models.CharField(_("姓名"), max_length=60, db_index=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    mobile = models.CharField(_("手机号"), max_length=20, blank=True, validators=[validate_mobile])
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True, validators=[validate_id_number])
    email = models.EmailField(_("邮箱"), blank=True)
    vendor = models.ForeignKey("vendors.Vendor", verbose_name=_("服务商"), on_delete=models.PROTECT, related_name="workers")
    department = models.ForeignKey(
        "org.Department", verbose_name=_("部门"), on_delete=models.PROTECT, related_name="workers"
    )
    project = models.ForeignKey(
        "org.Project", verbose_name=_("项目"), null=True, blank=True, on_delete=models.SET_NULL, related_name="workers"
    )
    position = models.ForeignKey("org.Position", verbose_name=_("岗位"), on_delete=models.PROTECT, related_name="workers")
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("直属上级"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="supervised_workers",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("登录账号"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="worker",
    )
    hire_date = models.DateField(_("入场日期"))
    leave_date = models.DateField(_("离场日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=WorkerStatus.choices, default=WorkerStatus.ACTIVE)
    base_salary_fen = models.BigIntegerField(_("基本工资（分）"), default=0, validators=[MinValueValidator(0)])
    base_bonus_fen = models.BigIntegerField(_("绩效奖金基数（分）"), default=0, validators=[MinValueValidator(0)])

    scope_paths = {"department": "department", "vendor": "vendor", "self": "user"}
    # A vendor manager keeps the roster of their own vendor's people.
    write_scopes = ("vendor",)

    class Meta:
        verbose_name = _("外包人员")
        verbose_name_plural = _("外包人员")
        ordering = ["employee_no"]
        indexes = [
            models.Index(fields=["vendor", "status"]),
            models.Index(fields=["department", "status"]),
            # The list's sortable columns of its own table: a sorted first page reads 20 index entries
            # instead of sorting 100,000 rows (ties are broken by id in the sort's direction).
            models.Index(fields=["hire_date", "id"], name="worker_hire_date_id"),
            models.Index(fields=["status", "id"], name="worker_status_id"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.employee_no}）"

    def clean(self) -> None:
        if self.id_number:
            self.id_number = self.id_number.strip().upper()
        if self.leave_date and self.hire_date and self.leave_date < self.hire_date:
            raise ValidationError({"leave_date": _("离场日期不能早于入场日期 / The leave date is before the hire date")})
