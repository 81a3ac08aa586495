"""Bonus plans (绩效奖金方案) and their lines, salary rules and salary-adjustment suggestions.

A plan turns the results of one published cycle into money: base × grade coefficient, or a pool
per department or vendor shared by score × coefficient, prorated by days employed. HR prepares it,
another whole-organisation writer approves it, and from then on its lines are frozen.
Lines carry the worker's department and vendor (as they were in the appraisal) so that scoping
and totals read one indexed table without joins per person.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from outperform.core.models import TimeStamped


class PlanMode(models.TextChoices):
    BASE = "base", _("基数×系数")
    POOL_DEPARTMENT = "pool_department", _("部门奖金池")
    POOL_VENDOR = "pool_vendor", _("服务商奖金池")


POOL_MODES = (PlanMode.POOL_DEPARTMENT, PlanMode.POOL_VENDOR)


class PlanState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审批")
    APPROVED = "approved", _("已批准")
    RETURNED = "returned", _("退回")


EDITABLE_STATES = (PlanState.DRAFT, PlanState.RETURNED)


class BonusPlan(TimeStamped):
    cycle = models.OneToOneField("cycles.Cycle", verbose_name=_("考核周期"), on_delete=models.PROTECT,
                                 related_name="bonus_plan")
    name = models.CharField(_("方案名称"), max_length=120)
    mode = models.CharField(_("计算方式"), max_length=20, choices=PlanMode.choices, default=PlanMode.BASE)
    # {grade code: "1.50"}; defaults to the coefficients of the cycle's grade bands.
    coefficients = models.JSONField(_("等级系数"), default=dict)
    prorate = models.BooleanField(_("按在岗天数折算"), default=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    state = models.CharField(_("状态"), max_length=12, choices=PlanState.choices, default=PlanState.DRAFT,
                             db_index=True)
    # Settings or pools changed after the last computation: the lines must be recomputed first.
    stale = models.BooleanField(_("需重新计算"), default=True)
    line_count = models.PositiveIntegerField(_("人数"), default=0)
    total_fen = models.BigIntegerField(_("奖金合计（分）"), default=0)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("编制人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    prepared_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提交人"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    return_reason = models.CharField(_("退回原因"), max_length=500, blank=True)

    # Pool amounts and plan totals are not personal; lines are scoped on their own.
    scope_paths = {"department": "*", "vendor": "*"}

    class Meta:
        verbose_name = _("奖金方案")
        verbose_name_plural = _("奖金方案")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_pool(self) -> bool:
        return self.mode in POOL_MODES

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES


class BonusPool(models.Model):
    """奖金池: the amount one department or one vendor shares in a pool plan."""

    plan = models.ForeignKey(BonusPlan, on_delete=models.CASCADE, related_name="pools")
    department = models.ForeignKey("org.Department", verbose_name=_("部门"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    vendor = models.ForeignKey("vendors.Vendor", verbose_name=_("服务商"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    amount_fen = models.BigIntegerField(_("奖金池（分）"), validators=[MinValueValidator(0)])

    scope_paths = {"department": "*", "vendor": "*"}

    class Meta:
        verbose_name = _("奖金池")
        verbose_name_plural = _("奖金池")
        constraints = [
            models.UniqueConstraint(fields=["plan", "department"], name="unique_pool_department",
                                    condition=models.Q(department__isnull=False)),
            models.UniqueConstraint(fields=["plan", "vendor"], name="unique_pool_vendor",
                                    condition=models.Q(vendor__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.department or self.vendor}: {self.amount_fen}"

    @property
    def group_id(self) -> int:
        return self.department_id or self.vendor_id or 0


class BonusLine(models.Model):
    """One worker's bonus in a plan. Written only by `plan_prepare`; frozen once the plan is approved."""

    PERSONAL_FIELDS = ("base_fen",)

    plan = models.ForeignKey(BonusPlan, on_delete=models.CASCADE, related_name="lines")
    appraisal = models.ForeignKey("cycles.Appraisal", verbose_name=_("考核单"), on_delete=models.PROTECT,
                                  related_name="+")
    worker = models.ForeignKey("workers.Worker", verbose_name=_("外包人员"), on_delete=models.PROTECT,
                               related_name="bonus_lines")
    department = models.ForeignKey("org.Department", verbose_name=_("部门"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    vendor = models.ForeignKey("vendors.Vendor", verbose_name=_("服务商"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    pool = models.ForeignKey(BonusPool, verbose_name=_("奖金池"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="lines")
    composite = models.DecimalField(_("综合得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    grade = models.CharField(_("等级代码"), max_length=10, blank=True)
    grade_name = models.CharField(_("等级"), max_length=20, blank=True)
    coefficient = models.DecimalField(_("系数"), max_digits=5, decimal_places=2, default=Decimal(0))
    base_fen = models.BigIntegerField(_("基数（分）"), default=0)
    days = models.PositiveIntegerField(_("在岗天数"))
    period_days = models.PositiveIntegerField(_("周期天数"))
    bonus_fen = models.BigIntegerField(_("奖金（分）"), default=0)
    frozen = models.BooleanField(_("已冻结"), default=False)

    scope_paths = {"department": "department", "vendor": "vendor", "self": "worker__user"}

    class Meta:
        verbose_name = _("奖金明细")
        verbose_name_plural = _("奖金明细")
        ordering = ["plan", "worker__employee_no"]
        constraints = [models.UniqueConstraint(fields=["plan", "worker"], name="unique_plan_worker")]
        indexes = [models.Index(fields=["plan", "department"]), models.Index(fields=["plan", "vendor"])]

    def __str__(self) -> str:
        return f"{self.plan} · {self.worker_id}"

    @property
    def proration(self) -> Fraction:
        return Fraction(self.days, self.period_days) if self.period_days else Fraction(0)

    @property
    def proration_display(self) -> str:
        """The factor as a fraction of days and, for reading, a percentage."""
        if self.days == self.period_days:
            return "1"
        pct = Decimal(self.days * 100) / Decimal(self.period_days)
        return f"{self.days}/{self.period_days} ({pct.quantize(Decimal('0.01'))}%)"


class RuleMatch(models.TextChoices):
    ALL = "all", _("连续均为")
    ANY = "any", _("其中任一为")


class SalaryRule(TimeStamped):
    """调薪规则: if the last N results are all (or any) of a grade, suggest a raise in a band."""

    name = models.CharField(_("规则名称"), max_length=100, unique=True)
    grade_name = models.CharField(_("绩效等级"), max_length=20, help_text=_("例如：优秀、良好、合格、不合格"))
    match = models.CharField(_("条件"), max_length=4, choices=RuleMatch.choices, default=RuleMatch.ALL)
    cycles = models.PositiveSmallIntegerField(_("最近周期数"), default=1,
                                              validators=[MinValueValidator(1), MaxValueValidator(12)])
    min_pct = models.DecimalField(_("调幅下限(%)"), max_digits=5, decimal_places=2,
                                  validators=[MinValueValidator(Decimal(-50)), MaxValueValidator(Decimal(100))])
    max_pct = models.DecimalField(_("调幅上限(%)"), max_digits=5, decimal_places=2,
                                  validators=[MinValueValidator(Decimal(-50)), MaxValueValidator(Decimal(100))])
    priority = models.PositiveSmallIntegerField(_("优先级"), default=10, help_text=_("数字小的先匹配"))
    is_active = models.BooleanField(_("启用"), default=True)

    # Policy, not personal data: every manager may read how raises are suggested.
    scope_paths = {"department": "*", "vendor": "*"}

    class Meta:
        verbose_name = _("调薪规则")
        verbose_name_plural = _("调薪规则")
        ordering = ["priority", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.min_pct is not None and self.max_pct is not None and self.min_pct > self.max_pct:
            raise ValidationError({"max_pct": _("调幅上限不能低于下限 / The maximum is below the minimum")})


class SuggestionState(models.TextChoices):
    PENDING = "pending", _("待审核")
    ACCEPTED = "accepted", _("已采纳")
    REJECTED = "rejected", _("已驳回")


class SalarySuggestion(TimeStamped):
    """调薪建议 for one worker after one cycle, reviewed by HR."""

    PERSONAL_FIELDS = ("current_salary_fen", "suggested_salary_fen", "final_salary_fen")

    cycle = models.ForeignKey("cycles.Cycle", verbose_name=_("考核周期"), on_delete=models.PROTECT,
                              related_name="salary_suggestions")
    worker = models.ForeignKey("workers.Worker", verbose_name=_("外包人员"), on_delete=models.PROTECT,
                               related_name="salary_suggestions")
    department = models.ForeignKey("org.Department", verbose_name=_("部门"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    vendor = models.ForeignKey("vendors.Vendor", verbose_name=_("服务商"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    rule = models.ForeignKey(SalaryRule, verbose_name=_("调薪规则"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="suggestions")
    grade_name = models.CharField(_("本期等级"), max_length=20, blank=True)
    current_salary_fen = models.BigIntegerField(_("当前基本工资（分）"))
    suggested_pct = models.DecimalField(_("建议调幅(%)"), max_digits=5, decimal_places=2)
    suggested_salary_fen = models.BigIntegerField(_("建议工资（分）"))
    reason = models.CharField(_("依据"), max_length=500)
    state = models.CharField(_("状态"), max_length=10, choices=SuggestionState.choices,
                             default=SuggestionState.PENDING, db_index=True)
    final_pct = models.DecimalField(_("核定调幅(%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    final_salary_fen = models.BigIntegerField(_("核定工资（分）"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_reason = models.CharField(_("审核意见"), max_length=500, blank=True)

    scope_paths = {"department": "department", "vendor": "vendor"}

    class Meta:
        verbose_name = _("调薪建议")
        verbose_name_plural = _("调薪建议")
        ordering = ["cycle", "worker__employee_no"]
        constraints = [models.UniqueConstraint(fields=["cycle", "worker"], name="unique_cycle_suggestion")]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.worker_id}"
