"""Operational records (业务记录): the facts that quantitative indicators are computed from.

Every record has a unique `external_id` (the key of the system it came from, so pushes and
imports are idempotent), links to a vendor and, where it applies, a worker, project and
department. Derived facts (on_time, first_pass, sla_status …) are stored columns filled by
`services.record_prepare` on every write, so metrics aggregate them in SQL.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from outperform.core.models import TimeStamped


class RecordManager(models.Manager):
    """Bulk updates always carry the derived columns along (the importer lists only sheet columns)."""

    def bulk_update(self, objs: Any, fields: Any, *args: Any, **kwargs: Any) -> int:
        derived = [f for f in getattr(self.model, "DERIVED_FIELDS", ()) if f not in fields]
        return super().bulk_update(objs, [*fields, *derived], *args, **kwargs)


class LinkedRecord(TimeStamped):
    """A record about a vendor, optionally within a project and department."""

    DERIVED_FIELDS: ClassVar[tuple[str, ...]] = ()

    external_id = models.CharField(_("外部编号"), max_length=64, unique=True)
    vendor = models.ForeignKey(
        "vendors.Vendor", verbose_name=_("服务商"), on_delete=models.PROTECT, related_name="+"
    )
    project = models.ForeignKey(
        "org.Project", verbose_name=_("项目"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department", verbose_name=_("部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = RecordManager()

    scope_paths: ClassVar[dict[str, str]] = {"vendor": "vendor", "department": "department"}

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        worker = getattr(self, "worker", None)
        if worker is not None and self.vendor_id and worker.vendor_id != self.vendor_id:
            raise ValidationError({"worker": _("该人员不属于所选服务商 / This worker belongs to another vendor")})


class PersonRecord(LinkedRecord):
    """A record that may also be about one worker (who then sees it)."""

    worker = models.ForeignKey(
        "workers.Worker", verbose_name=_("外包人员"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )

    scope_paths: ClassVar[dict[str, str]] = {"vendor": "vendor", "department": "department", "self": "worker__user"}

    class Meta:
        abstract = True


# --- 任务 / 交付 -----------------------------------------------------------------------------


class Acceptance(models.TextChoices):
    PENDING = "pending", _("待验收")
    ACCEPTED = "accepted", _("已验收")
    REJECTED = "rejected", _("已退回")


class TaskRecord(PersonRecord):
    """The largest records table (a million rows a load, docs/ingest.md), so every index earns its
    place (docs/records.md, "Indexes of the task table"): each link is indexed once, together with
    the period date, which serves the metric queries (a link IN (…) over a period), the scopes and
    the link filters as well as the foreign-key lookups a single-column index would serve."""

    DERIVED_FIELDS = ("on_time", "first_pass")

    vendor = models.ForeignKey(
        "vendors.Vendor", verbose_name=_("服务商"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    worker = models.ForeignKey(
        "workers.Worker", verbose_name=_("外包人员"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", db_index=False,
    )
    project = models.ForeignKey(
        "org.Project", verbose_name=_("项目"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )
    department = models.ForeignKey(
        "org.Department", verbose_name=_("部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )
    title = models.CharField(_("任务名称"), max_length=200)
    due_date = models.DateField(_("计划完成日期"), db_index=True)
    delivered_date = models.DateField(_("实际交付日期"), null=True, blank=True)
    acceptance = models.CharField(_("验收结果"), max_length=10, choices=Acceptance.choices, default=Acceptance.PENDING)
    rework_count = models.PositiveIntegerField(_("返工次数"), default=0)
    on_time = models.BooleanField(_("按时交付"), null=True, editable=False)
    first_pass = models.BooleanField(_("一次通过"), null=True, editable=False)

    class Meta:
        verbose_name = _("任务/交付记录")
        verbose_name_plural = _("任务/交付记录")
        ordering = ["-due_date", "external_id"]
        indexes = [
            models.Index(fields=["vendor", "due_date"], name="records_tas_vendor__dcaf8d_idx"),
            models.Index(fields=["worker", "due_date"], name="records_tas_worker__d2b547_idx"),
            # Partial: a task without a project (or department) is never looked up by it.
            models.Index(fields=["project", "due_date"], name="records_task_project_due",
                         condition=models.Q(project__isnull=False)),
            models.Index(fields=["department", "due_date"], name="records_task_department_due",
                         condition=models.Q(department__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.external_id} {self.title}"


# --- 服务工单 ---------------------------------------------------------------------------------


class Priority(models.TextChoices):
    P1 = "p1", _("紧急")
    P2 = "p2", _("高")
    P3 = "p3", _("中")
    P4 = "p4", _("低")


class SlaStatus(models.TextChoices):
    ON_TIME = "on_time", _("正常")
    AT_RISK = "at_risk", _("即将超时")
    BREACHED = "breached", _("已超时")
    MET = "met", _("已达标")
    NO_SLA = "no_sla", _("无SLA")


class Ticket(PersonRecord):
    DERIVED_FIELDS = (
        "resolved", "sla_policy", "response_due_at", "resolution_due_at", "response_minutes", "resolution_minutes",
        "paused_minutes", "response_status", "resolution_status", "sla_status", "response_met", "resolution_met",
        "sla_refreshed_at",
    )

    title = models.CharField(_("工单标题"), max_length=200)
    contract = models.ForeignKey(
        "vendors.Contract", verbose_name=_("合同"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("留空时按服务商在开单日有效的合同匹配SLA"),
    )
    priority = models.CharField(_("优先级"), max_length=2, choices=Priority.choices, default=Priority.P3)
    opened_at = models.DateTimeField(_("开单时间"), db_index=True)
    first_response_at = models.DateTimeField(_("首次响应时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    description = models.TextField(_("问题描述"), blank=True)

    resolved = models.BooleanField(_("已解决"), default=False, editable=False)
    sla_policy = models.ForeignKey(
        "records.SlaPolicy", verbose_name=_("SLA策略"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", editable=False,
    )
    response_due_at = models.DateTimeField(_("响应截止"), null=True, editable=False)
    resolution_due_at = models.DateTimeField(_("解决截止"), null=True, editable=False)
    response_minutes = models.PositiveIntegerField(_("响应用时（工作分钟）"), null=True, editable=False)
    resolution_minutes = models.PositiveIntegerField(_("解决用时（工作分钟）"), null=True, editable=False)
    paused_minutes = models.PositiveIntegerField(_("暂停（工作分钟）"), default=0, editable=False)
    response_status = models.CharField(
        _("响应状态"), max_length=10, choices=SlaStatus.choices, default=SlaStatus.NO_SLA, editable=False
    )
    resolution_status = models.CharField(
        _("解决状态"), max_length=10, choices=SlaStatus.choices, default=SlaStatus.NO_SLA, editable=False
    )
    sla_status = models.CharField(
        _("SLA状态"), max_length=10, choices=SlaStatus.choices, default=SlaStatus.NO_SLA, editable=False,
        db_index=True,
    )
    response_met = models.BooleanField(_("响应达标"), null=True, editable=False)
    resolution_met = models.BooleanField(_("解决达标"), null=True, editable=False)
    sla_refreshed_at = models.DateTimeField(_("SLA计算时间"), null=True, editable=False)

    class Meta:
        verbose_name = _("服务工单")
        verbose_name_plural = _("服务工单")
        ordering = ["-opened_at", "external_id"]
        indexes = [models.Index(fields=["vendor", "opened_at"]), models.Index(fields=["resolved", "sla_status"])]

    def __str__(self) -> str:
        return f"{self.external_id} {self.title}"

    def clean(self) -> None:
        super().clean()
        if self.opened_at and self.first_response_at and self.first_response_at < self.opened_at:
            raise ValidationError({"first_response_at": _("首次响应时间早于开单时间 / The first response is before the ticket was opened")})
        if self.opened_at and self.resolved_at and self.resolved_at < self.opened_at:
            raise ValidationError({"resolved_at": _("解决时间早于开单时间 / Resolved before the ticket was opened")})
        if self.contract is not None and self.vendor_id and self.contract.vendor_id != self.vendor_id:
            raise ValidationError({"contract": _("该合同不属于所选服务商 / This contract belongs to another vendor")})


class PauseReason(models.TextChoices):
    AWAITING_CUSTOMER = "awaiting_customer", _("等待客户反馈")
    THIRD_PARTY = "third_party", _("等待第三方")
    CUSTOMER_REQUEST = "customer_request", _("客户要求暂缓")
    CHANGE_WINDOW = "change_window", _("等待变更窗口")
    OTHER = "other", _("其他")


class TicketPause(TimeStamped):
    """A stretch of time that does not count against the ticket's SLA (the clock is stopped)."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("工单"), on_delete=models.CASCADE, related_name="pauses")
    reason = models.CharField(_("暂停原因"), max_length=20, choices=PauseReason.choices)
    started_at = models.DateTimeField(_("暂停开始"))
    ended_at = models.DateTimeField(_("暂停结束"), null=True, blank=True, help_text=_("留空表示仍在暂停"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    scope_paths: ClassVar[dict[str, str]] = {
        "vendor": "ticket__vendor", "department": "ticket__department", "self": "ticket__worker__user",
    }

    class Meta:
        verbose_name = _("工单暂停")
        verbose_name_plural = _("工单暂停")
        ordering = ["ticket", "started_at"]

    def __str__(self) -> str:
        return f"{self.ticket.external_id} {self.get_reason_display()}"

    def clean(self) -> None:
        if self.started_at and self.ended_at and self.ended_at < self.started_at:
            raise ValidationError({"ended_at": _("暂停结束早于开始 / The pause ends before it starts")})


# --- 缺陷 / 差错 ------------------------------------------------------------------------------


class Severity(models.TextChoices):
    TRIVIAL = "trivial", _("轻微")
    MINOR = "minor", _("一般")
    MAJOR = "major", _("严重")
    CRITICAL = "critical", _("致命")


class DefectStatus(models.TextChoices):
    OPEN = "open", _("待修复")
    FIXED = "fixed", _("已修复")
    CLOSED = "closed", _("已关闭")
    INVALID = "invalid", _("非缺陷")


class Defect(PersonRecord):
    DERIVED_FIELDS = ("fixed",)

    title = models.CharField(_("缺陷/差错描述"), max_length=200)
    found_date = models.DateField(_("发现日期"), db_index=True)
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices, default=Severity.MINOR)
    status = models.CharField(_("状态"), max_length=10, choices=DefectStatus.choices, default=DefectStatus.OPEN)
    fixed_date = models.DateField(_("修复日期"), null=True, blank=True)
    fixed = models.BooleanField(_("已修复"), default=False, editable=False)

    class Meta:
        verbose_name = _("缺陷/差错")
        verbose_name_plural = _("缺陷/差错")
        ordering = ["-found_date", "external_id"]
        indexes = [models.Index(fields=["vendor", "found_date"])]

    def __str__(self) -> str:
        return f"{self.external_id} {self.title}"


# --- 投诉 ------------------------------------------------------------------------------------


class ComplaintChannel(models.TextChoices):
    PHONE = "phone", _("电话")
    ONLINE = "online", _("在线")
    EMAIL = "email", _("邮件")
    ONSITE = "onsite", _("现场")
    LETTER = "letter", _("信函")
    REGULATOR = "regulator", _("监管转办")
    OTHER = "other", _("其他")


class ComplaintCategory(models.TextChoices):
    ATTITUDE = "attitude", _("服务态度")
    QUALITY = "quality", _("服务质量")
    TIMELINESS = "timeliness", _("时效")
    BILLING = "billing", _("费用")
    COMPLIANCE = "compliance", _("违规行为")
    OTHER = "other", _("其他")


class ComplaintSeverity(models.TextChoices):
    LOW = "low", _("一般")
    MEDIUM = "medium", _("较重")
    HIGH = "high", _("严重")


class ComplaintStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    PROCESSING = "processing", _("处理中")
    RESOLVED = "resolved", _("已解决")
    CLOSED = "closed", _("已关闭")


class Complaint(PersonRecord):
    DERIVED_FIELDS = ("is_resolved", "handling_days")

    received_date = models.DateField(_("受理日期"), db_index=True)
    channel = models.CharField(_("投诉渠道"), max_length=10, choices=ComplaintChannel.choices)
    category = models.CharField(_("投诉类别"), max_length=12, choices=ComplaintCategory.choices)
    severity = models.CharField(
        _("严重程度"), max_length=8, choices=ComplaintSeverity.choices, default=ComplaintSeverity.LOW
    )
    status = models.CharField(_("处理状态"), max_length=12, choices=ComplaintStatus.choices, default=ComplaintStatus.OPEN)
    description = models.TextField(_("投诉内容"), blank=True)
    resolution = models.TextField(_("处理结果"), blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    is_resolved = models.BooleanField(_("已办结"), default=False, editable=False)
    handling_days = models.PositiveIntegerField(_("处理天数"), null=True, editable=False)

    class Meta:
        verbose_name = _("投诉")
        verbose_name_plural = _("投诉")
        ordering = ["-received_date", "external_id"]
        indexes = [models.Index(fields=["vendor", "received_date"])]

    def __str__(self) -> str:
        return f"{self.external_id} {self.get_category_display()}"

    def clean(self) -> None:
        super().clean()
        if self.status in (ComplaintStatus.RESOLVED, ComplaintStatus.CLOSED) and self.resolved_at is None:
            raise ValidationError({"resolved_at": _("已解决的投诉须填写办结时间 / A resolved complaint needs its resolution time")})
        if self.resolved_at and self.received_date and self.resolved_at.date() < self.received_date:
            raise ValidationError({"resolved_at": _("办结时间早于受理日期 / Resolved before it was received")})


# --- 质量检查 / 审计 ---------------------------------------------------------------------------


class InspectionKind(models.TextChoices):
    REGULAR = "regular", _("定期检查")
    ONSITE = "onsite", _("现场检查")
    INTERNAL_AUDIT = "internal_audit", _("内部审查")


class Inspection(PersonRecord):
    DERIVED_FIELDS = ("checked_items", "passed_items", "score")

    title = models.CharField(_("检查名称"), max_length=200)
    kind = models.CharField(_("检查类型"), max_length=16, choices=InspectionKind.choices)
    inspection_date = models.DateField(_("检查日期"), db_index=True)
    inspector = models.CharField(_("检查人"), max_length=60, blank=True)
    conclusion = models.TextField(_("检查结论"), blank=True)
    checked_items = models.PositiveIntegerField(_("检查项数"), default=0, editable=False)
    passed_items = models.PositiveIntegerField(_("通过项数"), default=0, editable=False)
    score = models.DecimalField(_("检查得分"), max_digits=5, decimal_places=2, null=True, editable=False)

    class Meta:
        verbose_name = _("质量检查/审计")
        verbose_name_plural = _("质量检查/审计")
        ordering = ["-inspection_date", "external_id"]
        indexes = [models.Index(fields=["vendor", "inspection_date"])]

    def __str__(self) -> str:
        return f"{self.external_id} {self.title}"


class FindingSeverity(models.TextChoices):
    LOW = "low", _("轻微")
    MEDIUM = "medium", _("一般")
    HIGH = "high", _("严重")


class InspectionFinding(TimeStamped):
    """One checklist item of an inspection and what was found."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("检查"), on_delete=models.CASCADE, related_name="findings"
    )
    external_id = models.CharField(_("外部编号"), max_length=64, unique=True)
    item = models.CharField(_("检查项"), max_length=200)
    passed = models.BooleanField(_("通过"), default=True)
    severity = models.CharField(_("问题等级"), max_length=8, choices=FindingSeverity.choices, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    due_date = models.DateField(_("整改期限"), null=True, blank=True)

    scope_paths: ClassVar[dict[str, str]] = {
        "vendor": "inspection__vendor", "department": "inspection__department", "self": "inspection__worker__user",
    }

    class Meta:
        verbose_name = _("检查项")
        verbose_name_plural = _("检查项")
        ordering = ["inspection", "id"]

    def __str__(self) -> str:
        return self.item

    def clean(self) -> None:
        if self.passed is False and not self.severity:
            raise ValidationError({"severity": _("未通过的检查项须填写问题等级 / A failed item needs a severity")})


# --- 创新提案 ---------------------------------------------------------------------------------


class InnovationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    EVALUATING = "evaluating", _("评审中")
    ADOPTED = "adopted", _("已采纳")
    REJECTED = "rejected", _("未采纳")


class InnovationProposal(PersonRecord):
    DERIVED_FIELDS = ("adopted",)

    title = models.CharField(_("提案名称"), max_length=200)
    description = models.TextField(_("提案内容"), blank=True)
    submitted_date = models.DateField(_("提交日期"), db_index=True)
    estimated_benefit_fen = models.BigIntegerField(_("预计效益（分）"), default=0, validators=[MinValueValidator(0)])
    evaluation_score = models.DecimalField(
        _("评审得分"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=InnovationStatus.choices, default=InnovationStatus.SUBMITTED
    )
    adopted = models.BooleanField(_("已采纳"), default=False, editable=False)

    class Meta:
        verbose_name = _("创新提案")
        verbose_name_plural = _("创新提案")
        ordering = ["-submitted_date", "external_id"]

    def __str__(self) -> str:
        return f"{self.external_id} {self.title}"


# --- 成本 ------------------------------------------------------------------------------------


class CostCategory(models.TextChoices):
    SERVICE_FEE = "service_fee", _("服务费")
    LABOUR = "labour", _("人工成本")
    MANAGEMENT = "management", _("管理费")
    OTHER = "other", _("其他")


class CostEntry(LinkedRecord):
    DERIVED_FIELDS = ("saving_fen",)

    period_start = models.DateField(_("期间开始"), db_index=True)
    period_end = models.DateField(_("期间结束"))
    category = models.CharField(_("成本类别"), max_length=12, choices=CostCategory.choices, default=CostCategory.SERVICE_FEE)
    outsourcing_cost_fen = models.BigIntegerField(_("外包成本（分）"), validators=[MinValueValidator(0)])
    benchmark_cost_fen = models.BigIntegerField(
        _("内部基准成本（分）"), default=0, validators=[MinValueValidator(0)],
        help_text=_("同等工作由内部团队完成的成本"),
    )
    available_hours = models.DecimalField(
        _("可用工时"), max_digits=10, decimal_places=1, default=0, validators=[MinValueValidator(0)]
    )
    used_hours = models.DecimalField(
        _("实际工时"), max_digits=10, decimal_places=1, default=0, validators=[MinValueValidator(0)]
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    saving_fen = models.BigIntegerField(_("节约成本（分）"), default=0, editable=False)

    class Meta:
        verbose_name = _("成本记录")
        verbose_name_plural = _("成本记录")
        ordering = ["-period_start", "external_id"]

    def __str__(self) -> str:
        return f"{self.external_id} {self.period_start:%Y-%m}"

    def clean(self) -> None:
        super().clean()
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("期间结束早于开始 / The period ends before it starts")})


# --- 人力资源外包服务 ---------------------------------------------------------------------------


class RecruitmentRequest(LinkedRecord):
    DERIVED_FIELDS = ("filled", "days_to_fill")

    position_name = models.CharField(_("招聘岗位"), max_length=100)
    headcount = models.PositiveIntegerField(_("需求人数"), default=1, validators=[MinValueValidator(1)])
    requested_date = models.DateField(_("需求日期"), db_index=True)
    filled_count = models.PositiveIntegerField(_("到岗人数"), default=0)
    filled_date = models.DateField(_("到岗完成日期"), null=True, blank=True)
    cost_fen = models.BigIntegerField(_("招聘费用（分）"), default=0, validators=[MinValueValidator(0)])
    filled = models.BooleanField(_("已满编"), default=False, editable=False)
    days_to_fill = models.PositiveIntegerField(_("到岗天数"), null=True, editable=False)

    class Meta:
        verbose_name = _("招聘需求")
        verbose_name_plural = _("招聘需求")
        ordering = ["-requested_date", "external_id"]

    def __str__(self) -> str:
        return f"{self.external_id} {self.position_name}"

    def clean(self) -> None:
        super().clean()
        if self.filled_date and self.requested_date and self.filled_date < self.requested_date:
            raise ValidationError({"filled_date": _("到岗日期早于需求日期 / Filled before it was requested")})


class LeaverReason(models.TextChoices):
    VOLUNTARY = "voluntary", _("主动离职")
    DISMISSED = "dismissed", _("辞退")
    CONTRACT_END = "contract_end", _("合同到期")
    TRANSFER = "transfer", _("调岗/转签")
    OTHER = "other", _("其他")


class LeaverRecord(PersonRecord):
    DERIVED_FIELDS = ("voluntary",)

    leave_date = models.DateField(_("离职日期"), db_index=True)
    reason = models.CharField(_("离职原因"), max_length=14, choices=LeaverReason.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    voluntary = models.BooleanField(_("主动离职"), default=False, editable=False)

    class Meta:
        verbose_name = _("离职记录")
        verbose_name_plural = _("离职记录")
        ordering = ["-leave_date", "external_id"]

    def __str__(self) -> str:
        return f"{self.external_id} {self.leave_date}"


class TrainingPlan(LinkedRecord):
    DERIVED_FIELDS = ("completed", "completion_rate")

    title = models.CharField(_("培训名称"), max_length=200)
    planned_date = models.DateField(_("计划日期"), db_index=True)
    completed_date = models.DateField(_("完成日期"), null=True, blank=True)
    planned_participants = models.PositiveIntegerField(_("计划人数"), default=0)
    completed_participants = models.PositiveIntegerField(_("完成人数"), default=0)
    hours = models.DecimalField(_("学时"), max_digits=6, decimal_places=1, default=0, validators=[MinValueValidator(0)])
    completed = models.BooleanField(_("已完成"), default=False, editable=False)
    completion_rate = models.DecimalField(_("完成率（%）"), max_digits=6, decimal_places=2, null=True, editable=False)

    class Meta:
        verbose_name = _("培训计划")
        verbose_name_plural = _("培训计划")
        ordering = ["-planned_date", "external_id"]

    def __str__(self) -> str:
        return f"{self.external_id} {self.title}"


# --- 安全 / 合规事件 ---------------------------------------------------------------------------


class IncidentKind(models.TextChoices):
    INFOSEC = "infosec", _("信息安全")
    CONFIDENTIALITY = "confidentiality", _("保密")
    CONTRACT_BREACH = "contract_breach", _("合同违约")
    REGULATORY = "regulatory", _("法规")


class IncidentStatus(models.TextChoices):
    OPEN = "open", _("调查中")
    CLOSED = "closed", _("已结案")


class Incident(PersonRecord):
    DERIVED_FIELDS = ("veto",)

    title = models.CharField(_("事件名称"), max_length=200)
    kind = models.CharField(_("事件类型"), max_length=16, choices=IncidentKind.choices)
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices, default=Severity.MINOR)
    occurred_date = models.DateField(_("发生日期"), db_index=True)
    status = models.CharField(_("状态"), max_length=8, choices=IncidentStatus.choices, default=IncidentStatus.OPEN)
    description = models.TextField(_("事件经过"), blank=True)
    measures = models.TextField(_("处理措施"), blank=True)
    veto_override = models.BooleanField(
        _("按一票否决处理"), default=False, help_text=_("严重、致命事件总是一票否决；较轻事件可在此指定")
    )
    veto = models.BooleanField(_("一票否决"), default=False, editable=False)

    class Meta:
        verbose_name = _("安全合规事件")
        verbose_name_plural = _("安全合规事件")
        ordering = ["-occurred_date", "external_id"]

    def __str__(self) -> str:
        return f"{self.external_id} {self.title}"


# --- SLA：工作日历与策略 -----------------------------------------------------------------------

WEEKDAY_FIELDS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_WINDOWS = "09:00-12:00,13:30-18:00"


class WorkCalendar(TimeStamped):
    """Working windows per weekday; holidays and make-up working days are CalendarDay rows."""

    code = models.CharField(_("日历编码"), max_length=30, unique=True)
    name = models.CharField(_("日历名称"), max_length=60)
    is_default = models.BooleanField(_("默认日历"), default=False)
    mon = models.CharField(_("周一"), max_length=120, blank=True, default=DEFAULT_WINDOWS)
    tue = models.CharField(_("周二"), max_length=120, blank=True, default=DEFAULT_WINDOWS)
    wed = models.CharField(_("周三"), max_length=120, blank=True, default=DEFAULT_WINDOWS)
    thu = models.CharField(_("周四"), max_length=120, blank=True, default=DEFAULT_WINDOWS)
    fri = models.CharField(_("周五"), max_length=120, blank=True, default=DEFAULT_WINDOWS)
    sat = models.CharField(_("周六"), max_length=120, blank=True, default="")
    sun = models.CharField(_("周日"), max_length=120, blank=True, default="")
    makeup_windows = models.CharField(
        _("调休上班时段"), max_length=120, default=DEFAULT_WINDOWS, help_text=_("调休上班日（如周六补班）使用的时段")
    )

    # Calendars are shared reference data.
    scope_paths: ClassVar[dict[str, str]] = {"department": "*", "vendor": "*", "self": "*"}

    class Meta:
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")
        ordering = ["-is_default", "code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from .sla.worktime import parse_windows

        errors = {}
        for name in (*WEEKDAY_FIELDS, "makeup_windows"):
            try:
                parse_windows(getattr(self, name))
            except ValueError as exc:
                errors[name] = str(exc)
        if errors:
            raise ValidationError(errors)


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("节假日（休息）")
    WORKDAY = "workday", _("调休上班")


class CalendarDay(TimeStamped):
    calendar = models.ForeignKey(WorkCalendar, verbose_name=_("工作日历"), on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=8, choices=DayKind.choices)
    name = models.CharField(_("名称"), max_length=60, blank=True, help_text=_("如 国庆节、国庆调休"))

    scope_paths: ClassVar[dict[str, str]] = {"department": "*", "vendor": "*", "self": "*"}

    class Meta:
        verbose_name = _("节假日/调休")
        verbose_name_plural = _("节假日/调休")
        ordering = ["calendar", "date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="records_calendar_day_unique")]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class SlaPolicy(TimeStamped):
    """Response and resolution targets, in working minutes, for one contract and priority."""

    contract = models.ForeignKey(
        "vendors.Contract", verbose_name=_("合同"), on_delete=models.CASCADE, related_name="sla_policies"
    )
    priority = models.CharField(_("优先级"), max_length=2, choices=Priority.choices)
    response_minutes = models.PositiveIntegerField(_("响应时限（工作分钟）"), validators=[MinValueValidator(1)])
    resolution_minutes = models.PositiveIntegerField(_("解决时限（工作分钟）"), validators=[MinValueValidator(1)])
    calendar = models.ForeignKey(
        WorkCalendar, verbose_name=_("工作日历"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("留空使用默认日历"),
    )

    scope_paths: ClassVar[dict[str, str]] = {"vendor": "contract__vendor"}

    class Meta:
        verbose_name = _("SLA策略")
        verbose_name_plural = _("SLA策略")
        ordering = ["contract", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "priority"], name="records_sla_policy_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} {self.get_priority_display()}"

    def clean(self) -> None:
        if self.response_minutes and self.resolution_minutes and self.resolution_minutes < self.response_minutes:
            raise ValidationError(
                {"resolution_minutes": _("解决时限不能短于响应时限 / Resolution target is shorter than the response target")}
            )
