from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from outperform.core.models import TimeStamped
from outperform.core.validators import validate_mobile, validate_uscc


class VendorCategory(models.TextChoices):
    LABOUR = "labour", _("劳务外包")
    HR = "hr", _("人力资源外包")
    IT = "it", _("IT外包")
    BPO = "bpo", _("业务流程外包")
    FACILITY = "facility", _("后勤设施服务")
    CUSTOMER_SERVICE = "customer_service", _("客服外包")
    OTHER = "other", _("其他")


class VendorStatus(models.TextChoices):
    ACTIVE = "active", _("合作中")
    SUSPENDED = "suspended", _("暂停合作")
    TERMINATED = "terminated", _("已终止")


class Vendor(TimeStamped):
    name = models.CharField(_("服务商名称"), max_length=120, unique=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, validators=[validate_uscc])
    category = models.CharField(_("服务类别"), max_length=30, choices=VendorCategory.choices)
    contact_name = models.CharField(_("联系人"), max_length=60, blank=True)
    contact_mobile = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[validate_mobile])
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=VendorStatus.choices, default=VendorStatus.ACTIVE)
    note = models.TextField(_("备注"), blank=True)

    scope_paths = {"department": "*", "vendor": "pk"}

    class Meta:
        verbose_name = _("服务商")
        verbose_name_plural = _("服务商")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.credit_code = (self.credit_code or "").strip().upper()
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ACTIVE = "active", _("履行中")
    EXPIRED = "expired", _("已到期")
    TERMINATED = "terminated", _("已终止")


class Contract(TimeStamped):
    vendor = models.ForeignKey(Vendor, verbose_name=_("服务商"), on_delete=models.PROTECT, related_name="contracts")
    number = models.CharField(_("合同编号"), max_length=50, unique=True)
    title = models.CharField(_("合同名称"), max_length=150)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"), db_index=True)
    amount_fen = models.BigIntegerField(_("合同金额（分）"), validators=[MinValueValidator(0)], default=0)
    service_scope = models.TextField(_("服务范围"), blank=True)
    confidentiality_duty = models.BooleanField(_("保密义务"), default=True)
    status = models.CharField(_("状态"), max_length=20, choices=ContractStatus.choices, default=ContractStatus.ACTIVE)

    scope_paths = {"vendor": "vendor"}

    class Meta:
        verbose_name = _("外包合同")
        verbose_name_plural = _("外包合同")
        ordering = ["-start_date", "number"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("结束日期不能早于开始日期 / The end date is before the start date")})


class Comparator(models.TextChoices):
    AT_MOST = "le", "≤"
    AT_LEAST = "ge", "≥"


class ServiceLevel(models.Model):
    """An SLA term of a contract: a measurable promise such as response ≤ 2 h."""

    contract = models.ForeignKey(Contract, verbose_name=_("合同"), on_delete=models.CASCADE, related_name="service_levels")
    metric = models.CharField(_("指标"), max_length=80)
    comparator = models.CharField(_("比较"), max_length=2, choices=Comparator.choices, default=Comparator.AT_MOST)
    target = models.DecimalField(_("目标值"), max_digits=12, decimal_places=2)
    unit = models.CharField(_("单位"), max_length=20)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    scope_paths = {"vendor": "contract__vendor"}

    class Meta:
        verbose_name = _("服务等级协议")
        verbose_name_plural = _("服务等级协议")
        ordering = ["contract", "id"]

    def __str__(self) -> str:
        return f"{self.metric} {self.get_comparator_display()} {self.target} {self.unit}"
