"""Appraisal cycles (考核周期): appraisals, raters, scores, results, goals, calibration, appeals,
interviews. One flow for workers, vendors and teams.

Rows that the bulk paths touch per person (Appraisal, RaterAssignment, Score) carry the few
denormalised keys (cycle, department, vendor, role) that let compute and scoping read them with
one indexed query each, without joins per person.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F
from django.db.models.functions import Cast, Round
from django.utils.translation import gettext_lazy as _

from outperform.core.models import TimeStamped
from outperform.indicators.models import RaterRole, SubjectKind


class PeriodType(models.TextChoices):
    MONTH = "month", _("月度")
    QUARTER = "quarter", _("季度")
    HALF_YEAR = "half_year", _("半年度")
    YEAR = "year", _("年度")
    PROJECT = "project", _("项目结束")


class CycleState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    GOAL_SETTING = "goal_setting", _("目标设定")
    IN_PROGRESS = "in_progress", _("执行中")
    SELF_REVIEW = "self_review", _("自评")
    REVIEW = "review", _("评价")
    CALIBRATION = "calibration", _("校准")
    PUBLISHED = "published", _("结果发布")
    CONFIRMATION = "confirmation", _("确认/申诉")
    ARCHIVED = "archived", _("已归档")


CYCLE_FLOW = [s.value for s in CycleState]


class PeerSelection(models.TextChoices):
    RANDOM = "random", _("随机抽取")
    SUPERVISOR = "supervisor", _("上级指定")


class Team(TimeStamped):
    """团队: a group appraised as a whole (project team, vendor crew)."""

    code = models.CharField(_("团队编码"), max_length=30, unique=True)
    name = models.CharField(_("团队名称"), max_length=100)
    department = models.ForeignKey("org.Department", verbose_name=_("部门"), on_delete=models.PROTECT,
                                   related_name="teams")
    project = models.ForeignKey("org.Project", verbose_name=_("项目"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="teams")
    vendor = models.ForeignKey("vendors.Vendor", verbose_name=_("服务商"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="teams")
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("负责人"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="led_teams")
    members = models.ManyToManyField("workers.Worker", verbose_name=_("成员"), blank=True, related_name="teams")

    scope_paths = {"department": "department", "vendor": "vendor"}

    class Meta:
        verbose_name = _("团队")
        verbose_name_plural = _("团队")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Cycle(TimeStamped):
    name = models.CharField(_("周期名称"), max_length=120)
    period_type = models.CharField(_("周期类型"), max_length=12, choices=PeriodType.choices,
                                   default=PeriodType.QUARTER)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    subject_kind = models.CharField(_("考核对象"), max_length=10, choices=SubjectKind.choices,
                                    default=SubjectKind.WORKER)
    state = models.CharField(_("状态"), max_length=20, choices=CycleState.choices, default=CycleState.DRAFT,
                             db_index=True)
    # Scope: empty means "all" for that dimension.
    departments = models.ManyToManyField("org.Department", verbose_name=_("范围：部门"), blank=True,
                                         related_name="+")
    vendors = models.ManyToManyField("vendors.Vendor", verbose_name=_("范围：服务商"), blank=True, related_name="+")
    projects = models.ManyToManyField("org.Project", verbose_name=_("范围：项目"), blank=True, related_name="+")
    positions = models.ManyToManyField("org.Position", verbose_name=_("范围：岗位"), blank=True, related_name="+")
    # Named subjects of the cycle's kind: added to what the filters match (to nobody when
    # subjects_named_only), then the excluded ones taken out (docs/cycles.md, "Scope").
    subjects_named_only = models.BooleanField(_("仅考核指定对象"), default=False)
    include_workers = models.ManyToManyField("workers.Worker", verbose_name=_("指定纳入：外包人员"), blank=True,
                                             related_name="+")
    exclude_workers = models.ManyToManyField("workers.Worker", verbose_name=_("指定排除：外包人员"), blank=True,
                                             related_name="+")
    include_vendors = models.ManyToManyField("vendors.Vendor", verbose_name=_("指定纳入：服务商"), blank=True,
                                             related_name="+")
    exclude_vendors = models.ManyToManyField("vendors.Vendor", verbose_name=_("指定排除：服务商"), blank=True,
                                             related_name="+")
    include_teams = models.ManyToManyField(Team, verbose_name=_("指定纳入：团队"), blank=True, related_name="+")
    exclude_teams = models.ManyToManyField(Team, verbose_name=_("指定排除：团队"), blank=True, related_name="+")
    default_template = models.ForeignKey("indicators.Template", verbose_name=_("默认考核方案"),
                                         on_delete=models.PROTECT, related_name="+")
    peer_count = models.PositiveSmallIntegerField(_("互评人数"), default=3)
    peer_selection = models.CharField(_("互评人产生方式"), max_length=12, choices=PeerSelection.choices,
                                      default=PeerSelection.RANDOM)
    appeal_window_days = models.PositiveSmallIntegerField(_("申诉期（天）"), default=7)
    goals_due = models.DateField(_("目标设定截止"), null=True, blank=True)
    self_review_due = models.DateField(_("自评截止"), null=True, blank=True)
    review_due = models.DateField(_("评价截止"), null=True, blank=True)
    calibration_due = models.DateField(_("校准截止"), null=True, blank=True)
    confirmation_due = models.DateField(_("确认截止"), null=True, blank=True)
    seed = models.PositiveIntegerField(_("随机种子"), default=0, help_text=_("抽取互评人时使用，保证可复现"))
    opened_at = models.DateTimeField(_("开启时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True)
    # The numbered (indicator code, role) pairs of the cycle's templates, append-only (cycles/slots.py).
    score_slots = models.JSONField(default=list, blank=True, editable=False)

    scope_paths = {"department": "*", "vendor": "*", "self": "*"}

    class Meta:
        verbose_name = _("考核周期")
        verbose_name_plural = _("考核周期")
        ordering = ["-start_date", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.state == CycleState.ARCHIVED


class CycleTemplate(models.Model):
    """The frozen snapshot of a template as a cycle uses it, and whom it applies to."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="cycle_templates")
    template = models.ForeignKey("indicators.Template", on_delete=models.PROTECT, related_name="+")
    snapshot = models.JSONField()
    # Position categories (workers) or vendor categories (vendors) this template is for; empty = default.
    categories = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("周期考核方案")
        verbose_name_plural = _("周期考核方案")
        constraints = [models.UniqueConstraint(fields=["cycle", "template"], name="unique_cycle_template")]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.template}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        creating = self._state.adding
        super().save(*args, **kwargs)
        if creating:
            # Every pair a template of the cycle rates has a number before any score is written.
            from .slots import cycle_slots_extend, template_pairs

            cycle_slots_extend(self.cycle_id, template_pairs(self.snapshot))


class RuleTarget(models.TextChoices):
    """What a per-cycle template rule names, in the order it wins (docs/cycles.md, "Which template")."""

    SUBJECT = "subject", _("指定对象")
    POSITION = "position", _("岗位")
    POSITION_CATEGORY = "position_category", _("岗位类别")
    VENDOR = "vendor", _("服务商")
    VENDOR_CATEGORY = "vendor_category", _("服务商类别")
    DEPARTMENT = "department", _("部门")


class CycleTemplateRule(models.Model):
    """考核方案适用规则 / 例外: in one cycle, the subjects a rule names use `template` instead of the
    template that the templates' own 适用类别 or the cycle's default would give. Set in 草稿 through
    services.overrides (checked, audited); opening reads them (scope.template_rules). One row names
    one thing: a category, or one position / vendor / department / subject (the field of its target)."""

    cycle = models.ForeignKey(Cycle, verbose_name=_("考核周期"), on_delete=models.CASCADE,
                              related_name="template_rules")
    template = models.ForeignKey("indicators.Template", verbose_name=_("考核方案"), on_delete=models.PROTECT,
                                 related_name="+")
    target = models.CharField(_("适用于"), max_length=20, choices=RuleTarget.choices)
    category = models.CharField(_("类别"), max_length=30, blank=True)
    position = models.ForeignKey("org.Position", verbose_name=_("岗位"), null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey("org.Department", verbose_name=_("部门"), null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="+")
    vendor = models.ForeignKey("vendors.Vendor", verbose_name=_("服务商"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+")
    worker = models.ForeignKey("workers.Worker", verbose_name=_("外包人员"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, verbose_name=_("团队"), null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")

    scope_paths = {"department": "*", "vendor": "*", "self": "*"}

    class Meta:
        verbose_name = _("考核方案适用规则")
        verbose_name_plural = _("考核方案适用规则")
        ordering = ["cycle", "target", "id"]
        # One template per thing named, whatever the template: the service names a duplicate first.
        constraints = [
            models.UniqueConstraint(fields=["cycle", "target", "category"], name="unique_rule_category",
                                    condition=models.Q(target__in=["position_category", "vendor_category"])),
            models.UniqueConstraint(fields=["cycle", "position"], name="unique_rule_position",
                                    condition=models.Q(target="position")),
            models.UniqueConstraint(fields=["cycle", "department"], name="unique_rule_department",
                                    condition=models.Q(target="department")),
            models.UniqueConstraint(fields=["cycle", "target", "vendor"], name="unique_rule_vendor",
                                    condition=models.Q(vendor__isnull=False)),
            models.UniqueConstraint(fields=["cycle", "worker"], name="unique_rule_worker",
                                    condition=models.Q(worker__isnull=False)),
            models.UniqueConstraint(fields=["cycle", "team"], name="unique_rule_team",
                                    condition=models.Q(team__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.get_target_display()} → {self.template}"


class AppraisalState(models.TextChoices):
    OPEN = "open", _("进行中")
    COMPUTED = "computed", _("已计算")
    PUBLISHED = "published", _("已发布")
    CONFIRMED = "confirmed", _("已确认")
    APPEALED = "appealed", _("申诉中")


class Appraisal(TimeStamped):
    """考核单: one subject in one cycle, with its result."""

    cycle = models.ForeignKey(Cycle, verbose_name=_("考核周期"), on_delete=models.CASCADE, related_name="appraisals")
    cycle_template = models.ForeignKey(CycleTemplate, verbose_name=_("考核方案"), on_delete=models.PROTECT,
                                       related_name="appraisals")
    subject_kind = models.CharField(_("考核对象类型"), max_length=10, choices=SubjectKind.choices)
    worker = models.ForeignKey("workers.Worker", verbose_name=_("外包人员"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="appraisals")
    team = models.ForeignKey(Team, verbose_name=_("团队"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="appraisals")
    # For worker and team subjects the vendor is the supplier; for a vendor subject, itself.
    vendor = models.ForeignKey("vendors.Vendor", verbose_name=_("服务商"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="appraisals")
    department = models.ForeignKey("org.Department", verbose_name=_("部门"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    position = models.ForeignKey("org.Position", verbose_name=_("岗位"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    subject_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("被考核人账号"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="own_appraisals")
    subject_name = models.CharField(_("考核对象"), max_length=120)
    group_key = models.CharField(_("分组"), max_length=60, blank=True, db_index=True)
    state = models.CharField(_("状态"), max_length=12, choices=AppraisalState.choices, default=AppraisalState.OPEN)
    # Result (考核结果)
    composite = models.DecimalField(_("综合得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    grade = models.CharField(_("等级代码"), max_length=10, blank=True)
    grade_name = models.CharField(_("绩效等级"), max_length=20, blank=True)
    rank = models.PositiveIntegerField(_("排名"), null=True, blank=True)
    group_size = models.PositiveIntegerField(_("组内人数"), null=True, blank=True)
    coefficient = models.DecimalField(_("奖金系数"), max_digits=5, decimal_places=2, null=True, blank=True)
    bonus_fen = models.BigIntegerField(_("绩效奖金（分）"), null=True, blank=True)
    breakdown = models.JSONField(_("得分明细"), null=True, blank=True)
    calibrated = models.BooleanField(_("已校准"), default=False)
    # Set when the supervisor (or HR) has chosen the peers of a cycle whose peers are chosen.
    peers_chosen_at = models.DateTimeField(_("互评人指定时间"), null=True, blank=True)
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    scope_paths = {"department": "department", "vendor": "vendor", "self": "subject_user"}

    class Meta:
        verbose_name = _("考核单")
        verbose_name_plural = _("考核单")
        ordering = ["cycle", "subject_name"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "worker"], name="unique_cycle_worker",
                                    condition=models.Q(worker__isnull=False)),
            models.UniqueConstraint(fields=["cycle", "team"], name="unique_cycle_team",
                                    condition=models.Q(team__isnull=False)),
            models.UniqueConstraint(fields=["cycle", "vendor"], name="unique_cycle_vendor_subject",
                                    condition=models.Q(subject_kind="vendor")),
        ]
        indexes = [models.Index(fields=["cycle", "department"]), models.Index(fields=["cycle", "vendor"])]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.subject_name}"


class AssignmentState(models.TextChoices):
    PENDING = "pending", _("待评价")
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")


class RaterAssignment(models.Model):
    """One rater, in one role, for one appraisal."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="assignments")
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("评价人"), on_delete=models.PROTECT,
                              related_name="rater_assignments")
    role = models.CharField(_("评价角色"), max_length=12, choices=RaterRole.choices)
    state = models.CharField(_("状态"), max_length=10, choices=AssignmentState.choices,
                             default=AssignmentState.PENDING)
    due_date = models.DateField(_("截止日期"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reopened_reason = models.CharField(_("退回原因"), max_length=300, blank=True)

    scope_paths = {"department": "appraisal__department", "vendor": "appraisal__vendor", "self": "rater"}

    class Meta:
        verbose_name = _("评价任务")
        verbose_name_plural = _("评价任务")
        constraints = [models.UniqueConstraint(fields=["appraisal", "rater", "role"], name="unique_assignment")]
        indexes = [
            models.Index(fields=["rater", "state"]),
            models.Index(fields=["cycle", "role", "state"]),
            # 我的评价 at 10,000+ assignments per rater: the to-do list's page in its order, and the
            # per-cycle counts from the index alone (migration 0005_page_indexes).
            models.Index(fields=["rater", "state", "due_date", "id"], name="assignment_todo_order"),
            models.Index(fields=["rater", "cycle", "role", "state"], name="assignment_rater_groups"),
        ]

    def __str__(self) -> str:
        return f"{self.rater} → {self.appraisal.subject_name} ({self.get_role_display()})"


class ScoreQuerySet(models.QuerySet["Score"]):
    """Every bulk write of scores gives each its slot number (cycles/slots.py), whoever writes them."""

    def bulk_create(  # type: ignore[override]  # the same parameters, bound to Score
        self, objs: Iterable[Score], batch_size: int | None = None, ignore_conflicts: bool = False,
        update_conflicts: bool = False, update_fields: Collection[str] | None = None,
        unique_fields: Collection[str] | None = None,
    ) -> list[Score]:
        from .slots import fill_slots

        objs = list(objs)
        fill_slots(objs)
        created: list[Score] = super().bulk_create(
            objs, batch_size, ignore_conflicts, update_conflicts, update_fields, unique_fields)  # type: ignore[arg-type,assignment]
        return created


class Score(models.Model):
    """评分: one rater's value for one indicator. Role and appraisal are copied from the
    assignment so compute reads the cycle's scores in one indexed scan."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="scores")
    assignment = models.ForeignKey(RaterAssignment, on_delete=models.CASCADE, related_name="scores")
    role = models.CharField(max_length=12, choices=RaterRole.choices)
    indicator_code = models.CharField(max_length=40)
    value = models.DecimalField(_("分数"), max_digits=5, decimal_places=2)
    comment = models.TextField(_("评语"), blank=True)
    # The number of (indicator_code, role) in the cycle's score_slots; NULL when it has none.
    slot = models.SmallIntegerField(null=True, blank=True, editable=False)
    # The value in hundredths, kept by the database: the compute's read packs integers, and
    # numeric arithmetic on millions of rows cost it a sixth of its time (docs/cycles.md).
    hundredths = models.GeneratedField(
        expression=Cast(Round(F("value") * 100), models.SmallIntegerField()),
        output_field=models.SmallIntegerField(), db_persist=True,
    )

    objects = ScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("评分")
        verbose_name_plural = _("评分")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "indicator_code"], name="unique_score"),
            # The compute packs each value into a 15-bit field (services/computing.py).
            models.CheckConstraint(condition=models.Q(value__gte=0, value__lte=100), name="score_value_range"),
        ]
        indexes = [models.Index(fields=["cycle", "appraisal"])]

    def __str__(self) -> str:
        return f"{self.indicator_code}={self.value}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding:
            from .slots import fill_slots

            fill_slots([self])
        super().save(*args, **kwargs)


class MetricValue(models.Model):
    """A quantitative indicator's actual value for one appraisal (from data or entered by HR)."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="metric_values")
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    metric = models.CharField(_("数据指标"), max_length=60)
    value = models.DecimalField(_("数值"), max_digits=14, decimal_places=4, null=True, blank=True)
    source = models.CharField(_("来源"), max_length=40, default="manual")

    scope_paths = {"department": "appraisal__department", "vendor": "appraisal__vendor",
                   "self": "appraisal__subject_user"}

    class Meta:
        constraints = [models.UniqueConstraint(fields=["appraisal", "metric"], name="unique_metric_value")]

    def __str__(self) -> str:
        return f"{self.metric}={self.value}"


class AdjustmentEntry(models.Model):
    """A 加减分 or 一票否决 recorded for an appraisal, with its reason."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="adjustment_entries")
    code = models.CharField(_("项目编码"), max_length=40)
    value = models.DecimalField(_("分值"), max_digits=6, decimal_places=2, default=0)
    is_veto = models.BooleanField(_("一票否决"), default=False)
    reason = models.CharField(_("原因"), max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.code} {self.value}"


class GoalStatus(models.TextChoices):
    PROPOSED = "proposed", _("待确认")
    AGREED = "agreed", _("已确认")
    CHANGED = "changed", _("调整待确认")


class Goal(TimeStamped):
    """绩效目标 (SMART): proposed by worker or supervisor, agreed by both."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(_("目标"), max_length=200)
    measure = models.CharField(_("衡量标准"), max_length=300)
    target = models.CharField(_("目标值"), max_length=100)
    weight = models.DecimalField(_("权重(%)"), max_digits=5, decimal_places=2, default=0)
    due_date = models.DateField(_("完成期限"), null=True, blank=True)
    completion = models.DecimalField(_("完成度(%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=GoalStatus.choices, default=GoalStatus.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agreed_by_subject = models.BooleanField(_("本人已确认"), default=False)
    agreed_by_supervisor = models.BooleanField(_("上级已确认"), default=False)
    change_reason = models.CharField(_("调整原因"), max_length=300, blank=True)

    scope_paths = {"department": "appraisal__department", "vendor": "appraisal__vendor",
                   "self": "appraisal__subject_user"}

    class Meta:
        verbose_name = _("绩效目标")
        verbose_name_plural = _("绩效目标")
        ordering = ["appraisal", "id"]

    def __str__(self) -> str:
        return self.title


class Calibration(models.Model):
    """绩效校准: an authorised change of score or grade, always with a reason."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="calibrations")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    composite_before = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    composite_after = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    grade_before = models.CharField(max_length=10, blank=True)
    grade_after = models.CharField(max_length=10, blank=True)
    reason = models.CharField(_("校准原因"), max_length=500)

    class Meta:
        verbose_name = _("绩效校准")
        verbose_name_plural = _("绩效校准")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.grade_before}→{self.grade_after}: {self.reason}"


class AppealState(models.TextChoices):
    SUBMITTED = "submitted", _("待处理")
    ACCEPTED = "accepted", _("申诉成立")
    REJECTED = "rejected", _("申诉驳回")


class Appeal(TimeStamped):
    """绩效申诉: a subject (or their vendor) disputes a published result."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="appeals")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("申诉理由"))
    attachment = models.FileField(_("附件"), upload_to="appeals/%Y/%m/", blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=AppealState.choices, default=AppealState.SUBMITTED)
    decision = models.TextField(_("处理意见"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    scope_paths = {"department": "appraisal__department", "vendor": "appraisal__vendor",
                   "self": "appraisal__subject_user"}

    class Meta:
        verbose_name = _("绩效申诉")
        verbose_name_plural = _("绩效申诉")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.appraisal} · {self.get_state_display()}"


class Interview(TimeStamped):
    """绩效面谈: the feedback conversation and the actions agreed."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="interviews")
    held_on = models.DateField(_("面谈日期"))
    participants = models.CharField(_("参与人"), max_length=300)
    strengths = models.TextField(_("优势"), blank=True)
    gaps = models.TextField(_("待改进"), blank=True)
    # [{"action": "…", "owner": "…", "due": "2026-12-31"}]
    actions = models.JSONField(_("改进行动"), default=list, blank=True)
    interviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(_("本人确认时间"), null=True, blank=True)

    scope_paths = {"department": "appraisal__department", "vendor": "appraisal__vendor",
                   "self": "appraisal__subject_user"}

    class Meta:
        verbose_name = _("绩效面谈")
        verbose_name_plural = _("绩效面谈")
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"{self.appraisal} · {self.held_on}"
