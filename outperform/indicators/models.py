"""Indicator library (指标库) and appraisal templates (考核方案).

A template used by a cycle is frozen: the cycle keeps `Template.snapshot()` and later edits make a
new version (`template_new_version`). Scoring rules are stored as the scoring engine's own dict form
(`outperform.scoring.rule_to_dict`), so what is saved is exactly what the engine runs.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from outperform.core.models import TimeStamped


class SubjectKind(models.TextChoices):
    WORKER = "worker", _("外包人员")
    VENDOR = "vendor", _("服务商")
    TEAM = "team", _("团队")


class IndicatorType(models.TextChoices):
    QUALITATIVE = "qualitative", _("定性")
    QUANTITATIVE = "quantitative", _("定量")


class Direction(models.TextChoices):
    HIGHER = "higher", _("越高越好")
    LOWER = "lower", _("越低越好")


class RaterRole(models.TextChoices):
    SELF = "self", _("自评")
    SUPERVISOR = "supervisor", _("上级")
    SKIP_LEVEL = "skip_level", _("隔级")
    PEER = "peer", _("互评")
    CLIENT = "client", _("客户")
    SUBORDINATE = "subordinate", _("下级")


# 360 roles whose individual scores never reach the subject (only role averages, above a minimum).
ANONYMOUS_ROLES = frozenset({RaterRole.PEER, RaterRole.CLIENT, RaterRole.SUBORDINATE})


class Dimension(models.Model):
    """考核维度: a group of indicators (工作业绩, 工作效率, 工作质量 …)."""

    code = models.CharField(_("维度编码"), max_length=40, unique=True)
    name = models.CharField(_("维度名称"), max_length=60)
    name_en = models.CharField(_("英文名称"), max_length=80, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    scope_paths = {"department": "*", "vendor": "*", "self": "*"}

    class Meta:
        verbose_name = _("考核维度")
        verbose_name_plural = _("考核维度")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class Indicator(TimeStamped):
    """考核指标: one thing measured, from data (定量) or rated by people (定性)."""

    code = models.CharField(_("指标编码"), max_length=40, unique=True)
    name = models.CharField(_("指标名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=150, blank=True)
    dimension = models.ForeignKey(Dimension, verbose_name=_("考核维度"), on_delete=models.PROTECT,
                                  related_name="indicators")
    kind = models.CharField(_("指标类型"), max_length=20, choices=IndicatorType.choices)
    subject_kind = models.CharField(_("考核对象"), max_length=10, choices=SubjectKind.choices,
                                    default=SubjectKind.WORKER)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    direction = models.CharField(_("方向"), max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    # Rater roles allowed to rate a qualitative indicator, e.g. ["self", "supervisor", "peer"].
    rater_roles = models.JSONField(_("评价角色"), default=list, blank=True)
    # Quantitative: the metric whose value feeds the rule (defaults to the indicator code).
    metric = models.CharField(_("数据指标"), max_length=60, blank=True)
    # The scoring engine's rule dict ({"type": "linear", ...}); empty for qualitative indicators.
    rule = models.JSONField(_("默认评分规则"), null=True, blank=True)
    # Behaviour anchors: [{"score": 100, "label": "卓越", "description": "…"}, …]
    levels = models.JSONField(_("等级描述"), default=list, blank=True)
    description = models.TextField(_("指标说明"), blank=True)
    is_builtin = models.BooleanField(_("内置"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)

    scope_paths = {"department": "*", "vendor": "*", "self": "*"}

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("指标库")
        ordering = ["dimension__order", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class TemplateStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ACTIVE = "active", _("启用")
    ARCHIVED = "archived", _("停用")


class GradingMethod(models.TextChoices):
    BANDS = "bands", _("按分数段")
    FORCED = "forced_distribution", _("强制分布")


class DistributionGroup(models.TextChoices):
    CYCLE = "cycle", _("整个周期")
    DEPARTMENT = "department", _("部门")
    VENDOR = "vendor", _("服务商")
    POSITION = "position", _("岗位")


class BonusMode(models.TextChoices):
    NONE = "none", _("不计算")
    BASE = "base", _("基数×系数")
    POOL = "pool", _("奖金池按分数×系数分配")


class TeamMode(models.TextChoices):
    OWN = "own", _("按团队自身指标")
    MEMBERS = "members", _("按成员结果平均")
    BOTH = "both", _("两者结合")


class Template(TimeStamped):
    """考核方案: weighted indicators, rater roles, grade scale, distribution and bonus rule."""

    code = models.CharField(_("方案编码"), max_length=40)
    version = models.PositiveIntegerField(_("版本"), default=1)
    name = models.CharField(_("方案名称"), max_length=120)
    subject_kind = models.CharField(_("考核对象"), max_length=10, choices=SubjectKind.choices,
                                    default=SubjectKind.WORKER)
    status = models.CharField(_("状态"), max_length=10, choices=TemplateStatus.choices, default=TemplateStatus.DRAFT)
    description = models.TextField(_("说明"), blank=True)
    # {"self": 10, "supervisor": 60, "peer": 20, "client": 10}
    role_weights = models.JSONField(_("评价角色权重"), default=dict)
    grading = models.CharField(_("定级方式"), max_length=20, choices=GradingMethod.choices, default=GradingMethod.BANDS)
    distribution_group = models.CharField(_("强制分布范围"), max_length=20, choices=DistributionGroup.choices,
                                          default=DistributionGroup.DEPARTMENT)
    min_group_size = models.PositiveIntegerField(_("强制分布最小人数"), default=5)
    adjustment_cap = models.DecimalField(_("加减分合计上限"), max_digits=6, decimal_places=2, null=True, blank=True)
    bonus_mode = models.CharField(_("奖金计算"), max_length=10, choices=BonusMode.choices, default=BonusMode.BASE)
    team_mode = models.CharField(_("团队考核方式"), max_length=10, choices=TeamMode.choices, default=TeamMode.OWN)
    comment_below = models.DecimalField(_("低于此分须填评语"), max_digits=5, decimal_places=2, default=Decimal(60))
    comment_above = models.DecimalField(_("高于此分须填评语"), max_digits=5, decimal_places=2, default=Decimal(95))
    anonymity_min_raters = models.PositiveSmallIntegerField(
        _("匿名角色最少评价人数"), default=3, validators=[MinValueValidator(1)]
    )
    # Assignment: position categories (workers) or vendor categories (vendors) this template serves.
    position_categories = models.JSONField(_("适用岗位类别"), default=list, blank=True)
    vendor_categories = models.JSONField(_("适用服务商类别"), default=list, blank=True)
    previous = models.ForeignKey("self", verbose_name=_("上一版本"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    # Set when a cycle takes a snapshot; a frozen template is no longer edited in place.
    frozen = models.BooleanField(_("已冻结"), default=False)

    # Reference data for every signed-in role: workers may read how they are appraised.
    scope_paths = {"department": "*", "vendor": "*", "self": "*"}

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="unique_template_version")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class TemplateIndicator(models.Model):
    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="items")
    indicator = models.ForeignKey(Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="+")
    weight = models.DecimalField(_("权重(%)"), max_digits=6, decimal_places=2,
                                 validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))])
    rule = models.JSONField(_("评分规则（覆盖）"), null=True, blank=True)
    role_weights = models.JSONField(_("评价角色权重（覆盖）"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("方案指标")
        verbose_name_plural = _("方案指标")
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["template", "indicator"], name="unique_template_indicator")]

    def __str__(self) -> str:
        return f"{self.indicator} {self.weight}%"


class GradeBand(models.Model):
    """绩效等级: a score band with its bonus coefficient."""

    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="bands")
    code = models.CharField(_("等级代码"), max_length=10)
    name = models.CharField(_("等级名称"), max_length=20)
    name_en = models.CharField(_("英文名称"), max_length=40, blank=True)
    min_score = models.DecimalField(_("最低分"), max_digits=6, decimal_places=2)
    max_score = models.DecimalField(_("最高分"), max_digits=6, decimal_places=2)
    colour = models.CharField(_("颜色"), max_length=9, default="#1f5fbf")
    coefficient = models.DecimalField(_("奖金系数"), max_digits=5, decimal_places=2, default=Decimal(1))

    class Meta:
        verbose_name = _("绩效等级")
        verbose_name_plural = _("绩效等级")
        ordering = ["-min_score"]
        constraints = [models.UniqueConstraint(fields=["template", "code"], name="unique_band_code")]

    def __str__(self) -> str:
        return f"{self.name} {self.min_score}–{self.max_score}"


class QuotaKind(models.TextChoices):
    MAX = "max", _("不超过")
    MIN = "min", _("不少于")


class Quota(models.Model):
    """强制分布: a grade's share within a group, as a maximum or a minimum."""

    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="quotas")
    grade_code = models.CharField(_("等级代码"), max_length=10)
    kind = models.CharField(_("类型"), max_length=3, choices=QuotaKind.choices)
    share = models.DecimalField(_("比例(%)"), max_digits=5, decimal_places=2,
                                validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))])

    class Meta:
        verbose_name = _("强制分布比例")
        verbose_name_plural = _("强制分布比例")

    def __str__(self) -> str:
        return f"{self.grade_code} {self.get_kind_display()} {self.share}%"


class AdjustmentItem(models.Model):
    """加减分项: a bonus or penalty outside the weights, capped."""

    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="adjustments")
    code = models.CharField(_("编码"), max_length=40)
    name = models.CharField(_("名称"), max_length=100)
    cap = models.DecimalField(_("上限（分）"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal(0))])
    description = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("加减分项")
        verbose_name_plural = _("加减分项")

    def __str__(self) -> str:
        return f"{self.name} ±{self.cap}"


class VetoItem(models.Model):
    """一票否决: an event that forces the lowest grade (e.g. a security incident)."""

    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="vetoes")
    code = models.CharField(_("编码"), max_length=40)
    name = models.CharField(_("名称"), max_length=100)
    description = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("一票否决项")
        verbose_name_plural = _("一票否决项")

    def __str__(self) -> str:
        return self.name
