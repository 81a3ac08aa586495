"""Vendor standings (服务商评级), their consequences, and fee settlement (费用结算).

A vendor's period scores are the composites of its vendor-subject appraisals (scorecards); the
overall standing is a decayed weighted mean of the latest periods with activity, mapped to a
`StandingBand` (A/B/C/D by default). Each band carries the actions a standing triggers.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from outperform.core.models import TimeStamped

DEFAULT_DECAY_WEIGHTS = [50, 30, 20]


def default_decay_weights() -> list[int]:
    return list(DEFAULT_DECAY_WEIGHTS)


class StandingBand(models.Model):
    """评级档位: a score range (from `lower_bound` up to the next band) and its consequences."""

    code = models.CharField(_("评级代码"), max_length=5, unique=True)
    name = models.CharField(_("评级名称"), max_length=30)
    lower_bound = models.DecimalField(_("分数下限"), max_digits=6, decimal_places=2,
                                      validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))])
    colour = models.CharField(_("颜色"), max_length=20, default="secondary",
                              help_text=_("Bootstrap 颜色名（success/primary/warning/danger）或 #RRGGBB"))
    warn_new_contract = models.BooleanField(_("新签合同时提醒"), default=False)
    block_new_contract = models.BooleanField(_("禁止新签合同"), default=False)
    warn_new_project_assignment = models.BooleanField(_("新派项目时提醒"), default=False)
    block_new_project_assignment = models.BooleanField(_("禁止新派项目"), default=False)
    warn_new_worker = models.BooleanField(_("新增人员时提醒"), default=False)
    block_new_worker = models.BooleanField(_("禁止新增人员"), default=False)
    require_rectification = models.BooleanField(_("要求整改"), default=False)
    termination_review = models.BooleanField(_("进入终止合作评审"), default=False)

    scope_paths = {"department": "*", "vendor": "*", "self": "*"}

    class Meta:
        verbose_name = _("评级档位")
        verbose_name_plural = _("评级档位")
        ordering = ["-lower_bound"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class StandingPolicy(models.Model):
    """The one row of standing settings: decay weights of the latest periods, newest first."""

    decay_weights = models.JSONField(_("衰减权重"), default=default_decay_weights,
                                     help_text=_("最近期在前的权重列表，如 [50, 30, 20]"))

    scope_paths = {"department": "*", "vendor": "*"}

    class Meta:
        verbose_name = _("评级规则")
        verbose_name_plural = _("评级规则")

    def __str__(self) -> str:
        return " / ".join(str(w) for w in self.decay_weights)

    def clean(self) -> None:
        weights = self.decay_weights
        if not isinstance(weights, list) or not weights or not all(
            isinstance(w, int | float) and not isinstance(w, bool) and w >= 0 for w in weights
        ) or sum(weights) <= 0:
            raise ValidationError({"decay_weights": _("衰减权重须为非负数列表，且总和大于0")})


class VendorStanding(models.Model):
    """One computed standing of a vendor (history: a new row whenever it is refreshed and differs,
    or at the first refresh for a period)."""

    vendor = models.ForeignKey("vendors.Vendor", verbose_name=_("服务商"), on_delete=models.CASCADE,
                               related_name="standings")
    # The latest period (vendor cycle) that went into the standing.
    cycle = models.ForeignKey("cycles.Cycle", verbose_name=_("考核周期"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    period_label = models.CharField(_("期间"), max_length=60, blank=True)
    score = models.DecimalField(_("综合评分"), max_digits=6, decimal_places=2)
    period_score = models.DecimalField(_("本期得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    code = models.CharField(_("评级"), max_length=5, db_index=True)
    previous_code = models.CharField(_("上次评级"), max_length=5, blank=True)
    colour = models.CharField(_("颜色"), max_length=20, blank=True)
    rectification_required = models.BooleanField(_("要求整改"), default=False)
    termination_review = models.BooleanField(_("终止合作评审"), default=False)
    # {"periods": [{"cycle": id, "label": ..., "score": "..", "weight": ".."}], "weights": [...]}
    detail = models.JSONField(_("计算明细"), default=dict, blank=True)
    is_current = models.BooleanField(_("当前评级"), default=True, db_index=True)
    created_at = models.DateTimeField(_("评定时间"), auto_now_add=True, db_index=True)

    scope_paths = {"department": "*", "vendor": "vendor"}

    class Meta:
        verbose_name = _("服务商评级")
        verbose_name_plural = _("服务商评级")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["vendor", "is_current"])]

    def __str__(self) -> str:
        return f"{self.code}（{self.score}，{self.period_label}）"

    @property
    def changed(self) -> bool:
        return bool(self.previous_code) and self.previous_code != self.code


class SettlementRule(TimeStamped):
    """结算规则 of a contract: standing → percentage adjustment of the period fee, and a fixed
    deduction per SLA breach, capped."""

    contract = models.OneToOneField("vendors.Contract", verbose_name=_("合同"), on_delete=models.CASCADE,
                                    related_name="settlement_rule")
    period_fee_fen = models.BigIntegerField(_("每期费用（分）"), validators=[MinValueValidator(0)])
    # {"A": "0", "B": "0", "C": "-5", "D": "-10"}: percent of the period fee, by standing code.
    standing_adjustments = models.JSONField(_("评级调整比例（%）"), default=dict, blank=True,
                                            help_text=_('如 {"C": "-5", "D": "-10"}，单位为百分比'))
    breach_deduction_fen = models.BigIntegerField(_("每次SLA违约扣款（分）"), default=0,
                                                  validators=[MinValueValidator(0)])
    breach_cap_fen = models.BigIntegerField(_("SLA扣款上限（分）"), null=True, blank=True,
                                            validators=[MinValueValidator(0)], help_text=_("留空表示不设上限"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    scope_paths = {"vendor": "contract__vendor"}

    class Meta:
        verbose_name = _("结算规则")
        verbose_name_plural = _("结算规则")
        ordering = ["contract__number"]

    def __str__(self) -> str:
        return f"{self.contract}"

    def adjustments_display(self) -> str:
        """"C -5%，D -10%": the adjustments as people read them, in band-code order."""
        return "，".join(f"{code} {pct}%" for code, pct in sorted((self.standing_adjustments or {}).items()))

    def clean(self) -> None:
        adjustments = self.standing_adjustments
        if not isinstance(adjustments, dict):
            raise ValidationError({"standing_adjustments": _("须为 JSON 对象，如 {\"C\": \"-5\"}")})
        for code, value in adjustments.items():
            try:
                pct = Decimal(str(value))
            except Exception:
                raise ValidationError({"standing_adjustments": _("评级 %(code)s 的比例不是数字：%(value)s")
                                       % {"code": code, "value": value}}) from None
            if not pct.is_finite() or pct < -100 or pct > 100:
                raise ValidationError({"standing_adjustments": _("评级 %(code)s 的比例须在 -100 与 100 之间")
                                       % {"code": code}})


class SettlementState(models.TextChoices):
    DRAFT = "draft", _("待审批")
    APPROVED = "approved", _("已审批")


class Settlement(TimeStamped):
    """费用结算: one contract in one period (vendor cycle), with its breakdown."""

    contract = models.ForeignKey("vendors.Contract", verbose_name=_("合同"), on_delete=models.CASCADE,
                                 related_name="settlements")
    vendor = models.ForeignKey("vendors.Vendor", verbose_name=_("服务商"), on_delete=models.CASCADE,
                               related_name="settlements")
    cycle = models.ForeignKey("cycles.Cycle", verbose_name=_("期间"), on_delete=models.PROTECT, related_name="+")
    period_label = models.CharField(_("期间"), max_length=60)
    fee_fen = models.BigIntegerField(_("合同费用（分）"))
    standing_code = models.CharField(_("评级"), max_length=5, blank=True)
    adjustment_pct = models.DecimalField(_("调整比例（%）"), max_digits=6, decimal_places=2, default=Decimal(0))
    standing_adjustment_fen = models.BigIntegerField(_("评级调整（分）"), default=0)
    breach_count = models.PositiveIntegerField(_("SLA违约次数"), default=0)
    breach_deduction_fen = models.BigIntegerField(_("SLA扣款（分）"), default=0)
    deduction_fen = models.BigIntegerField(_("扣款合计（分）"), default=0)
    final_fen = models.BigIntegerField(_("结算金额（分）"))
    breakdown = models.JSONField(_("结算明细"), default=list, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=SettlementState.choices, default=SettlementState.DRAFT)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)

    scope_paths = {"vendor": "vendor"}

    class Meta:
        verbose_name = _("费用结算")
        verbose_name_plural = _("费用结算")
        ordering = ["-cycle__start_date", "contract__number"]
        constraints = [models.UniqueConstraint(fields=["contract", "cycle"], name="unique_settlement_period")]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.period_label}"
