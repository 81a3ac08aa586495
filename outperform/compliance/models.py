"""Security & compliance of vendors (安全合规) and rectification notices (整改通知).

A rectification notice is the vendor-level improvement plan of the development app: the shared
`development.ImprovementPlan` row (subject = vendor) holds title, problems, required measures,
owner and deadline; `RectificationNotice` adds what only a vendor notice has — its own answer /
verification states, links to the problem records and indicators, the vendor's response and
evidence, escalation. Every row a vendor manager reaches carries `vendor` so that
`access.scoping.restrict` filters it with one indexed column.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from outperform.core.models import TimeStamped

# --- rectification notices -------------------------------------------------------------------------


class NoticeState(models.TextChoices):
    ISSUED = "issued", _("已发出")
    IN_PROGRESS = "in_progress", _("整改中")
    PENDING = "pending", _("待验证")
    CLOSED = "closed", _("已关闭")
    REJECTED = "rejected", _("已退回")


OPEN_NOTICE_STATES = (NoticeState.ISSUED, NoticeState.IN_PROGRESS, NoticeState.PENDING, NoticeState.REJECTED)
# States in which the vendor owes the next step (an overdue notice in these is escalated).
VENDOR_TURN_STATES = (NoticeState.ISSUED, NoticeState.IN_PROGRESS, NoticeState.REJECTED)


class RectificationNotice(TimeStamped):
    plan = models.OneToOneField("development.ImprovementPlan", verbose_name=_("改进计划"),
                                on_delete=models.PROTECT, related_name="rectification")
    vendor = models.ForeignKey("vendors.Vendor", verbose_name=_("服务商"), on_delete=models.PROTECT,
                               related_name="rectification_notices")
    number = models.CharField(_("通知编号"), max_length=30, unique=True)
    state = models.CharField(_("状态"), max_length=12, choices=NoticeState.choices, default=NoticeState.ISSUED,
                             db_index=True)
    deadline = models.DateField(_("整改期限"), db_index=True)
    indicators = models.ManyToManyField("indicators.Indicator", verbose_name=_("相关指标"), blank=True,
                                        related_name="+")
    # What opened it automatically: "standing:<vendor>:<cycle>" — one notice per vendor and period,
    # whatever its state, so a standings refresh run again issues no duplicate (unique when set).
    source_key = models.CharField(_("来源"), max_length=60, blank=True, db_index=True)
    vendor_plan = models.TextField(_("服务商整改方案"), blank=True)
    vendor_response = models.TextField(_("整改完成说明"), blank=True)
    responded_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交验证时间"), null=True, blank=True)
    reject_reason = models.TextField(_("退回原因"), blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("验证人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    verification_note = models.TextField(_("验证意见"), blank=True)
    escalate_to = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("逾期升级至"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    help_text=_("负责人的上级；逾期时与绩效管理员一起收到通知"))
    escalated_at = models.DateTimeField(_("升级时间"), null=True, blank=True)

    scope_paths: ClassVar[dict[str, str]] = {"vendor": "vendor"}
    # Only HR issues, verifies and edits; the vendor's answers go through services that check scope.
    write_scopes: ClassVar[tuple[str, ...]] = ()

    class Meta:
        verbose_name = _("整改通知")
        verbose_name_plural = _("整改通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["vendor", "state"]), models.Index(fields=["state", "deadline"])]
        constraints = [models.UniqueConstraint(fields=["source_key"], condition=~models.Q(source_key=""),
                                               name="unique_notice_source")]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_NOTICE_STATES


class NoticeLink(models.Model):
    """A problem the notice is about: a record of any registered kind (records.registry key + id)."""

    notice = models.ForeignKey(RectificationNotice, on_delete=models.CASCADE, related_name="links")
    record_kind = models.CharField(_("记录类型"), max_length=40)
    record_id = models.PositiveBigIntegerField(_("记录ID"))
    label = models.CharField(_("说明"), max_length=200, blank=True)

    scope_paths: ClassVar[dict[str, str]] = {"vendor": "notice__vendor"}

    class Meta:
        verbose_name = _("关联问题")
        verbose_name_plural = _("关联问题")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["notice", "record_kind", "record_id"],
                                               name="unique_notice_link")]

    def __str__(self) -> str:
        return self.label or f"{self.record_kind}#{self.record_id}"


class NoticeEvidence(models.Model):
    notice = models.ForeignKey(RectificationNotice, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("附件"), upload_to="compliance/evidence/%Y/%m/")
    original_name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    scope_paths: ClassVar[dict[str, str]] = {"vendor": "notice__vendor"}

    class Meta:
        verbose_name = _("整改证据")
        verbose_name_plural = _("整改证据")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class NoticeEvent(models.Model):
    """The notice's timeline (the audit log holds the field-level before/after)."""

    notice = models.ForeignKey(RectificationNotice, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=20)
    state = models.CharField(_("状态"), max_length=12, choices=NoticeState.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(_("说明"), blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    scope_paths: ClassVar[dict[str, str]] = {"vendor": "notice__vendor"}

    class Meta:
        verbose_name = _("整改记录")
        verbose_name_plural = _("整改记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d}"


# --- checklists and audits ---------------------------------------------------------------------------


class ChecklistArea(models.TextChoices):
    INFOSEC = "infosec", _("信息安全审查")
    CONFIDENTIALITY = "confidentiality", _("保密义务")
    TRAINING = "training", _("人员安全培训")
    ACCESS = "access", _("访问控制")
    OTHER = "other", _("其他")


class ComplianceChecklist(TimeStamped):
    code = models.CharField(_("编码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    area = models.CharField(_("领域"), max_length=20, choices=ChecklistArea.choices, default=ChecklistArea.OTHER)
    items = models.JSONField(_("检查项"), default=list, blank=True, help_text=_("每行一项"))
    active = models.BooleanField(_("启用"), default=True)

    scope_paths: ClassVar[dict[str, str]] = {"vendor": "*", "department": "*"}

    class Meta:
        verbose_name = _("合规检查表")
        verbose_name_plural = _("合规检查表")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        items = [str(i).strip() for i in (self.items or []) if str(i).strip()]
        if not items:
            raise ValidationError({"items": _("请至少填写一个检查项 / Give at least one item")})
        if len(set(items)) != len(items):
            raise ValidationError({"items": _("检查项不能重复 / Items must be unique")})
        self.items = items


class ItemResult(models.TextChoices):
    PASS = "pass", _("通过")
    FAIL = "fail", _("不通过")
    NA = "na", _("不适用")


SCORE_PLACES = Decimal("0.01")


def audit_score(results: dict[str, str]) -> Decimal | None:
    """Passed ÷ (passed + failed) × 100, 2 places, ROUND_HALF_UP; n/a items don't count; None if
    nothing was applicable."""
    passed = sum(1 for v in results.values() if v == ItemResult.PASS)
    failed = sum(1 for v in results.values() if v == ItemResult.FAIL)
    if passed + failed == 0:
        return None
    return (Decimal(passed) * 100 / Decimal(passed + failed)).quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)


class VendorAudit(TimeStamped):
    """One checklist audit of a vendor: a result per item and the score it gives."""

    vendor = models.ForeignKey("vendors.Vendor", verbose_name=_("服务商"), on_delete=models.PROTECT,
                               related_name="compliance_audits")
    checklist = models.ForeignKey(ComplianceChecklist, verbose_name=_("检查表"), on_delete=models.PROTECT,
                                  related_name="audits")
    date = models.DateField(_("审查日期"), db_index=True)
    auditor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审查人"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    results = models.JSONField(_("检查结果"), default=dict, blank=True)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=2, null=True, blank=True, editable=False)
    note = models.TextField(_("结论"), blank=True)

    scope_paths: ClassVar[dict[str, str]] = {"vendor": "vendor"}

    class Meta:
        verbose_name = _("合规审查")
        verbose_name_plural = _("合规审查")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.checklist} · {self.date}"

    def clean(self) -> None:
        if self.checklist_id is None:
            return
        items = list(self.checklist.items)
        results = dict(self.results or {})
        unknown = sorted(set(results) - set(items))
        if unknown:
            raise ValidationError({"results": _("检查表中没有这些项：%s / Unknown items") % "、".join(unknown)})
        bad = sorted(k for k, v in results.items() if v not in ItemResult.values)
        if bad:
            raise ValidationError({"results": _("结果须为 pass/fail/na：%s / Each result must be pass, fail or na")
                                   % "、".join(bad)})
        self.results = {item: results.get(item, ItemResult.NA) for item in items}
        self.score = audit_score(self.results)


class FindingStatus(models.TextChoices):
    OPEN = "open", _("待整改")
    CLOSED = "closed", _("已关闭")


class FindingSeverity(models.IntegerChoices):
    CRITICAL = 1, _("1 重大")
    HIGH = 2, _("2 严重")
    MEDIUM = 3, _("3 一般")
    LOW = 4, _("4 轻微")


class AuditFinding(TimeStamped):
    """A problem an audit found. `is_open` / `overdue` are stored (refreshed on every write and by the
    daily job) so that metrics count them in SQL through the records registry."""

    audit = models.ForeignKey(VendorAudit, verbose_name=_("合规审查"), on_delete=models.CASCADE,
                              related_name="findings")
    vendor = models.ForeignKey("vendors.Vendor", verbose_name=_("服务商"), on_delete=models.PROTECT,
                               related_name="+", editable=False)
    found_on = models.DateField(_("发现日期"), db_index=True, editable=False)
    item = models.CharField(_("检查项"), max_length=200, blank=True)
    description = models.TextField(_("问题描述"))
    severity = models.PositiveSmallIntegerField(_("严重程度"), choices=FindingSeverity.choices,
                                                validators=[MinValueValidator(1), MaxValueValidator(4)])
    due_date = models.DateField(_("整改期限"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("负责人"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("状态"), max_length=8, choices=FindingStatus.choices, default=FindingStatus.OPEN)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    is_open = models.BooleanField(_("未关闭"), default=True, editable=False)
    overdue = models.BooleanField(_("已逾期"), default=False, editable=False)

    scope_paths: ClassVar[dict[str, str]] = {"vendor": "vendor"}

    class Meta:
        verbose_name = _("审查发现")
        verbose_name_plural = _("审查发现")
        ordering = ["severity", "due_date", "id"]
        indexes = [models.Index(fields=["vendor", "found_on"]), models.Index(fields=["is_open", "due_date"])]

    def __str__(self) -> str:
        return self.description[:40]

    def clean(self) -> None:
        if self.audit_id is not None:
            self.vendor_id = self.audit.vendor_id
            self.found_on = self.audit.date
            if self.item and self.item not in self.audit.checklist.items:
                raise ValidationError({"item": _("检查表中没有这一项 / Not an item of the checklist")})
        if self.due_date and self.found_on and self.due_date < self.found_on:
            raise ValidationError({"due_date": _("整改期限不能早于发现日期 / The due date is before the audit")})


class EmergencyContact(TimeStamped):
    """应急联系人 of a vendor. The mobile is personal data (masked for those without the right)."""

    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("mobile",)

    vendor = models.ForeignKey("vendors.Vendor", verbose_name=_("服务商"), on_delete=models.CASCADE,
                               related_name="emergency_contacts")
    name = models.CharField(_("姓名"), max_length=60)
    role = models.CharField(_("职责"), max_length=60)
    mobile = models.CharField(_("手机号"), max_length=11)
    phone = models.CharField(_("座机"), max_length=30, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    available_24h = models.BooleanField(_("7×24 小时"), default=False)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    scope_paths: ClassVar[dict[str, str]] = {"vendor": "vendor"}
    # A vendor manager keeps their own vendor's contacts up to date.
    write_scopes: ClassVar[tuple[str, ...]] = ("vendor",)

    class Meta:
        verbose_name = _("应急联系人")
        verbose_name_plural = _("应急联系人")
        ordering = ["vendor", "-available_24h", "name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.role}）"

    def clean(self) -> None:
        from outperform.core.validators import validate_mobile

        try:
            validate_mobile(self.mobile)
        except ValidationError as exc:
            raise ValidationError({"mobile": exc.messages}) from None
