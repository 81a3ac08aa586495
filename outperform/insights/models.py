"""Insights: the result summary of closed cycles (for fast dashboards) and scheduled reports."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from outperform.core.models import TimeStamped


class ResultCell(models.Model):
    """Counts and composite sums of one closed cycle's results per department × vendor × position ×
    grade. Archived cycles are locked, so the cells are built once (and rebuilt if the cycle is
    archived again); every dashboard chart over them is a GROUP BY over a few thousand rows instead
    of 100,000 appraisals. `published_*` count only published appraisals (what non-HR viewers see)."""

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey("org.Department", null=True, on_delete=models.CASCADE, related_name="+")
    vendor = models.ForeignKey("vendors.Vendor", null=True, on_delete=models.CASCADE, related_name="+")
    position = models.ForeignKey("org.Position", null=True, on_delete=models.CASCADE, related_name="+")
    grade = models.CharField(max_length=10, blank=True)
    n = models.PositiveIntegerField(default=0)
    total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    published_n = models.PositiveIntegerField(default=0)
    published_total = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    # A cell is a group of people: the same departments and vendors that see those people see it.
    # There is no "self" path: a worker's own view reads the appraisals themselves.
    scope_paths = {"department": "department", "vendor": "vendor"}

    class Meta:
        verbose_name = _("结果汇总")
        verbose_name_plural = _("结果汇总")
        indexes = [models.Index(fields=["cycle", "department"])]

    def __str__(self) -> str:
        return f"{self.cycle_id}/{self.department_id}/{self.vendor_id}/{self.position_id}/{self.grade}: {self.n}"


class ResultExtreme(models.Model):
    """The best and the worst TOP_N results of each cell (department × vendor × position) of an
    archived cycle, once over every result (`published_only` false: what HR sees) and once over the
    published ones. The best ten of any union of cells are among the cells' best ten, so the
    dashboard's lists over any filter and scope read a few thousand rows instead of 100,000."""

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey("org.Department", null=True, on_delete=models.CASCADE, related_name="+")
    vendor = models.ForeignKey("vendors.Vendor", null=True, on_delete=models.CASCADE, related_name="+")
    position = models.ForeignKey("org.Position", null=True, on_delete=models.CASCADE, related_name="+")
    appraisal = models.ForeignKey("cycles.Appraisal", on_delete=models.CASCADE, related_name="+")
    best = models.BooleanField()
    published_only = models.BooleanField()
    subject_name = models.CharField(max_length=120)
    composite = models.DecimalField(max_digits=6, decimal_places=2)
    grade_name = models.CharField(max_length=20, blank=True)

    scope_paths = {"department": "department", "vendor": "vendor"}

    class Meta:
        verbose_name = _("结果排行")
        verbose_name_plural = _("结果排行")
        indexes = [models.Index(fields=["cycle", "published_only", "best", "composite"])]

    def __str__(self) -> str:
        return f"{self.subject_name} {self.composite}"


class CycleSummary(models.Model):
    """Marks that the cells of a cycle were built from its archived state (`archived_at` as it was)."""

    cycle = models.OneToOneField("cycles.Cycle", on_delete=models.CASCADE, related_name="+")
    archived_at = models.DateTimeField()
    built_at = models.DateTimeField(auto_now=True)
    cells = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("周期结果汇总")
        verbose_name_plural = _("周期结果汇总")

    def __str__(self) -> str:
        return f"{self.cycle_id} @ {self.archived_at}"


class ReportKind(models.TextChoices):
    CYCLE_SUMMARY = "cycle_summary", _("周期汇总报告")
    DEPARTMENT = "department", _("部门报告")
    VENDOR = "vendor", _("服务商绩效报告")
    RESULTS = "results", _("考核结果明细（Excel）")


class ReportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "Excel (.xlsx)"


class ReportSchedule(TimeStamped):
    """定时报告: a report e-mailed every month, on a day of the month, to chosen recipients.

    The report is built with the scope of its owner (who created it), never wider, whoever receives it."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("报告类型"), max_length=20, choices=ReportKind.choices)
    format = models.CharField(_("格式"), max_length=4, choices=ReportFormat.choices, default=ReportFormat.PDF)
    department = models.ForeignKey("org.Department", verbose_name=_("部门"), null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="+")
    vendor = models.ForeignKey("vendors.Vendor", verbose_name=_("服务商"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+")
    position = models.ForeignKey("org.Position", verbose_name=_("岗位"), null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="+")
    cycle = models.ForeignKey("cycles.Cycle", verbose_name=_("考核周期"), null=True, blank=True,
                              on_delete=models.CASCADE, related_name="+",
                              help_text=_("留空则每次使用最近一个已有结果的周期"))
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("收件人（用户）"), blank=True,
                                        related_name="+")
    addresses = models.TextField(_("收件人（邮箱地址）"), blank=True, help_text=_("每行一个，或以逗号分隔"))
    day_of_month = models.PositiveSmallIntegerField(
        _("每月发送日"), default=1, validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("1–28，每月这一天发送"))
    active = models.BooleanField(_("启用"), default=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.CASCADE,
                              related_name="report_schedules")

    scope_paths = {"owner": "owner"}
    write_scopes = ("owner",)

    class Meta:
        verbose_name = _("定时报告")
        verbose_name_plural = _("定时报告")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def address_list(self) -> list[str]:
        parts = self.addresses.replace(",", "\n").replace("，", "\n").replace(";", "\n").split("\n")
        return [p.strip() for p in parts if p.strip()]


class ReportDelivery(models.Model):
    """One month's sending of a schedule; the unique (schedule, month) makes sending idempotent."""

    schedule = models.ForeignKey(ReportSchedule, on_delete=models.CASCADE, related_name="deliveries")
    month = models.CharField(_("月份"), max_length=7)  # "2026-11"
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)
    recipients = models.TextField(_("收件人"), blank=True)
    filename = models.CharField(_("文件"), max_length=200, blank=True)

    scope_paths = {"owner": "schedule__owner"}

    class Meta:
        verbose_name = _("报告发送记录")
        verbose_name_plural = _("报告发送记录")
        ordering = ["-sent_at"]
        constraints = [models.UniqueConstraint(fields=["schedule", "month"], name="unique_delivery_per_month")]

    def __str__(self) -> str:
        return f"{self.schedule} {self.month}"
