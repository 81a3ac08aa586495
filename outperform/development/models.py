"""Development (人才发展): rules over appraisal history and the suggestions they make, training
records, improvement plans (改进计划, shared with the vendor rectification notices 整改通知),
recognition (赞扬和认可) and the knowledge base (知识管理).

Rows a scoped user reaches carry the denormalised department / vendor of the person they are about
(set by the services from the worker, as Appraisal does), so `access.scoping.restrict` filters them
with one indexed column each.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from outperform.core.models import TimeStamped

from .rules import GRADE_SCALE  # worker grades best to worst; rules compare grade names by their place

# --- rules and suggestions ---------------------------------------------------------------------------


class RuleKind(models.TextChoices):
    PROMOTION = "promotion", _("晋升候选")
    JOB_REVIEW = "job_review", _("岗位适配复核")
    TRAINING_NEED = "training_need", _("培训需求")
    AUTO_PLAN = "auto_plan", _("自动开启改进计划")


class DevelopmentRule(TimeStamped):
    """A configurable rule over the published results of workers (semantics in docs/development.md).

    - promotion: the latest `window` published results all at least `min_grade`, at least `count` of
      them at `top_grade`, and tenure of at least `min_tenure_months` at the cycle's end;
    - job_review: `low_grade` in at least `count` of the latest `window` published results;
    - training_need: in the evaluated cycle, the (at most `max_items`) lowest indicator scores below
      `score_below` → suggested training topics;
    - auto_plan: `low_grade` in the evaluated cycle → an improvement plan of `plan_days` days.
    """

    code = models.CharField(_("规则编码"), max_length=40, unique=True)
    name = models.CharField(_("规则名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=RuleKind.choices)
    active = models.BooleanField(_("启用"), default=True)
    window = models.PositiveSmallIntegerField(
        _("最近周期数"), default=3, validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("看最近几个已发布的考核结果（含本期）"))
    count = models.PositiveSmallIntegerField(
        _("次数"), default=1, validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("晋升：至少几次达到最高等级；岗位复核：至少几次为最低等级"))
    min_grade = models.CharField(_("每期不低于"), max_length=20, default="良好", blank=True)
    top_grade = models.CharField(_("最高等级"), max_length=20, default="优秀", blank=True)
    low_grade = models.CharField(_("最低等级"), max_length=20, default="不合格", blank=True)
    min_tenure_months = models.PositiveSmallIntegerField(_("最短司龄（月）"), default=12)
    score_below = models.DecimalField(_("指标得分低于"), max_digits=5, decimal_places=2, default=Decimal("70"),
                                      validators=[MinValueValidator(0), MaxValueValidator(100)])
    max_items = models.PositiveSmallIntegerField(_("最多指标数"), default=3,
                                                 validators=[MinValueValidator(1), MaxValueValidator(10)])
    plan_days = models.PositiveSmallIntegerField(_("改进期（天）"), default=90,
                                                 validators=[MinValueValidator(7), MaxValueValidator(365)])
    description = models.TextField(_("说明"), blank=True)

    scope_paths = {"department": "*", "vendor": "*"}

    class Meta:
        verbose_name = _("发展规则")
        verbose_name_plural = _("发展规则")
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        for name in ("min_grade", "top_grade", "low_grade"):
            value = getattr(self, name)
            if value and value not in GRADE_SCALE:
                raise ValidationError({name: _("等级须为：%(s)s / The grade must be one of %(s)s")
                                       % {"s": "、".join(GRADE_SCALE)}})
        if self.kind == RuleKind.PROMOTION:
            if not self.min_grade or not self.top_grade:
                raise ValidationError(_("晋升规则须填写“每期不低于”和“最高等级” / A promotion rule needs both grades"))
            if self.count > self.window:
                raise ValidationError({"count": _("次数不能大于最近周期数 / The count exceeds the window")})
        if self.kind in (RuleKind.JOB_REVIEW, RuleKind.AUTO_PLAN) and not self.low_grade:
            raise ValidationError({"low_grade": _("请填写最低等级 / The low grade is required")})
        if self.kind == RuleKind.JOB_REVIEW and self.count > self.window:
            raise ValidationError({"count": _("次数不能大于最近周期数 / The count exceeds the window")})


class SuggestionKind(models.TextChoices):
    PROMOTION = "promotion", _("晋升候选")
    JOB_REVIEW = "job_review", _("岗位适配复核")
    TRAINING_NEED = "training_need", _("培训需求")


_SUGGESTION_LABELS = dict(SuggestionKind.choices)


class SuggestionState(models.TextChoices):
    OPEN = "open", _("待处理")
    ACCEPTED = "accepted", _("已采纳")
    DISMISSED = "dismissed", _("已驳回")


class Suggestion(TimeStamped):
    """发展建议: what a rule found for one worker in one cycle; HR or the supervisor decides."""

    kind = models.CharField(_("类型"), max_length=20, choices=SuggestionKind.choices)
    rule = models.ForeignKey(DevelopmentRule, verbose_name=_("规则"), on_delete=models.PROTECT,
                             related_name="suggestions")
    cycle = models.ForeignKey("cycles.Cycle", verbose_name=_("考核周期"), on_delete=models.CASCADE,
                              related_name="+")
    worker = models.ForeignKey("workers.Worker", verbose_name=_("外包人员"), on_delete=models.CASCADE,
                               related_name="development_suggestions")
    department = models.ForeignKey("org.Department", verbose_name=_("部门"), on_delete=models.PROTECT,
                                   related_name="+")
    vendor = models.ForeignKey("vendors.Vendor", verbose_name=_("服务商"), on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("依据"))
    topics = models.JSONField(_("建议培训主题"), default=list, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=SuggestionState.choices, default=SuggestionState.OPEN)
    decision_reason = models.CharField(_("处理意见"), max_length=500, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("处理人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    scope_paths = {"department": "department", "vendor": "vendor"}
    write_scopes = ("department",)

    class Meta:
        verbose_name = _("发展建议")
        verbose_name_plural = _("发展建议")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["rule", "cycle", "worker"], name="unique_suggestion")]
        indexes = [models.Index(fields=["state", "kind"])]

    def __str__(self) -> str:
        # The worker only when already loaded: audit rows name thousands of suggestions in bulk.
        who = self.worker if Suggestion._meta.get_field("worker").is_cached(self) else f"#{self.worker_id}"
        return f"{_SUGGESTION_LABELS.get(self.kind, self.kind)} · {who}"


class CycleEvaluation(models.Model):
    """Marks a cycle whose published results the rules have been run over (the daily job skips it)."""

    cycle = models.OneToOneField("cycles.Cycle", on_delete=models.CASCADE, related_name="+")
    evaluated_at = models.DateTimeField(auto_now=True)
    summary = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("规则评估记录")
        verbose_name_plural = _("规则评估记录")

    def __str__(self) -> str:
        return str(self.cycle_id)


class TrainingTopic(TimeStamped):
    """Maps an indicator or a dimension to the course topic that trains it."""

    topic = models.CharField(_("培训主题"), max_length=120)
    indicator = models.ForeignKey("indicators.Indicator", verbose_name=_("指标"), null=True, blank=True,
                                  on_delete=models.CASCADE, related_name="+")
    dimension = models.ForeignKey("indicators.Dimension", verbose_name=_("维度"), null=True, blank=True,
                                  on_delete=models.CASCADE, related_name="+")
    note = models.CharField(_("说明"), max_length=300, blank=True)

    scope_paths = {"department": "*", "vendor": "*", "self": "*"}

    class Meta:
        verbose_name = _("培训主题映射")
        verbose_name_plural = _("培训主题映射")
        ordering = ["topic", "id"]
        constraints = [models.CheckConstraint(
            condition=models.Q(indicator__isnull=False) | models.Q(dimension__isnull=False),
            name="training_topic_has_target")]

    def __str__(self) -> str:
        return self.topic

    def clean(self) -> None:
        if self.indicator_id is None and self.dimension_id is None:
            raise ValidationError(_("请选择指标或维度 / Choose an indicator or a dimension"))


# --- training records -------------------------------------------------------------------------------


class TrainingRecord(TimeStamped):
    """培训记录: one course a worker took. Department and vendor are copied from the worker."""

    external_id = models.CharField(_("记录编号"), max_length=64, unique=True)
    worker = models.ForeignKey("workers.Worker", verbose_name=_("外包人员"), on_delete=models.PROTECT,
                               related_name="training_records")
    department = models.ForeignKey("org.Department", verbose_name=_("部门"), on_delete=models.PROTECT,
                                   related_name="+")
    vendor = models.ForeignKey("vendors.Vendor", verbose_name=_("服务商"), on_delete=models.PROTECT, related_name="+")
    course = models.CharField(_("课程"), max_length=150)
    provider = models.CharField(_("培训机构"), max_length=120, blank=True)
    date = models.DateField(_("培训日期"))
    hours = models.DecimalField(_("学时"), max_digits=6, decimal_places=1,
                                validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1000"))])
    completed = models.BooleanField(_("已完成"), default=False)
    result = models.CharField(_("考核结果"), max_length=40, blank=True)
    score = models.DecimalField(_("成绩"), max_digits=5, decimal_places=2, null=True, blank=True,
                                validators=[MinValueValidator(0), MaxValueValidator(100)])
    suggestion = models.ForeignKey(Suggestion, verbose_name=_("来源建议"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="training_records")

    scope_paths = {"department": "department", "vendor": "vendor", "self": "worker__user"}
    # A vendor manager records the training their vendor gives its own people.
    write_scopes = ("vendor",)

    class Meta:
        verbose_name = _("培训记录")
        verbose_name_plural = _("培训记录")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["worker", "date"]), models.Index(fields=["vendor", "date"]),
                   models.Index(fields=["department", "date"])]

    def __str__(self) -> str:
        return f"{self.course}（{self.date}）"

    def sync_from_worker(self) -> None:
        """Department and vendor are copied from the worker (scoping and metrics filter without a
        join); every writer calls this before validating."""
        if self.worker_id is not None:
            self.department_id = self.worker.department_id
            self.vendor_id = self.worker.vendor_id

    def clean(self) -> None:
        self.sync_from_worker()


# --- improvement plans ------------------------------------------------------------------------------


class PlanKind(models.TextChoices):
    PIP = "pip", _("个人改进计划")
    # A vendor-level plan: the rectification notice of outperform.compliance holds the vendor's side.
    RECTIFICATION = "rectification", _("整改通知")


class PlanSubject(models.TextChoices):
    WORKER = "worker", _("外包人员")
    VENDOR = "vendor", _("服务商")


class PlanState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ACTIVE = "active", _("进行中")
    EXTENDED = "extended", _("已延期")
    PASSED = "passed", _("已通过")
    FAILED = "failed", _("未通过")
    CLOSED = "closed", _("已关闭")


class PlanOutcome(models.TextChoices):
    PASSED = "passed", _("通过")
    EXTENDED = "extended", _("延期")
    FAILED = "failed", _("未通过")


OPEN_PLAN_STATES = (PlanState.DRAFT, PlanState.ACTIVE, PlanState.EXTENDED)


class ImprovementPlan(TimeStamped):
    """改进计划 for a worker (PIP) — or, once the vendor issue adds its kind, a vendor (整改).

    The subject is `worker` or `vendor` (check constraint). `vendor` is also filled for a worker plan
    (the worker's supplier) and `department` with the worker's department, so that a vendor manager
    and a supervisor reach the plan through one column."""

    kind = models.CharField(_("类型"), max_length=20, choices=PlanKind.choices, default=PlanKind.PIP)
    subject_kind = models.CharField(_("对象类型"), max_length=10, choices=PlanSubject.choices,
                                    default=PlanSubject.WORKER)
    worker = models.ForeignKey("workers.Worker", verbose_name=_("外包人员"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="improvement_plans")
    vendor = models.ForeignKey("vendors.Vendor", verbose_name=_("服务商"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="improvement_plans")
    department = models.ForeignKey("org.Department", verbose_name=_("部门"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("标题"), max_length=150)
    problems = models.TextField(_("问题与目标"))
    measures = models.TextField(_("改进措施"), blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("负责人"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="owned_improvement_plans")
    start_date = models.DateField(_("开始日期"))
    deadline = models.DateField(_("截止日期"))
    state = models.CharField(_("状态"), max_length=10, choices=PlanState.choices, default=PlanState.DRAFT,
                             db_index=True)
    outcome = models.CharField(_("结果"), max_length=10, choices=PlanOutcome.choices, blank=True)
    outcome_date = models.DateField(_("结果日期"), null=True, blank=True)
    outcome_note = models.TextField(_("结果说明"), blank=True)
    source_cycle = models.ForeignKey("cycles.Cycle", verbose_name=_("来源考核周期"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    source_rule = models.ForeignKey(DevelopmentRule, verbose_name=_("来源规则"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    articles = models.ManyToManyField("development.Article", verbose_name=_("参考知识"), blank=True, related_name="plans")

    scope_paths = {"department": "department", "vendor": "vendor", "self": "worker__user", "owner": "owner"}
    write_scopes = ("department", "owner")

    class Meta:
        verbose_name = _("改进计划")
        verbose_name_plural = _("改进计划")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(subject_kind="worker", worker__isnull=False)
                           | models.Q(subject_kind="vendor", worker__isnull=True, vendor__isnull=False)),
                name="improvement_plan_subject"),
            # Auto-open is idempotent: one plan per worker per source cycle.
            models.UniqueConstraint(fields=["worker", "source_cycle"], name="unique_plan_per_source_cycle",
                                    condition=models.Q(source_cycle__isnull=False, worker__isnull=False)),
        ]
        indexes = [models.Index(fields=["state", "deadline"])]

    def __str__(self) -> str:
        return self.title

    @property
    def subject(self) -> models.Model | None:
        return self.worker if self.subject_kind == PlanSubject.WORKER else self.vendor

    def sync_from_worker(self) -> None:
        worker = self.worker if self.worker_id is not None else None
        if self.subject_kind == PlanSubject.WORKER and worker is not None:
            self.vendor_id = worker.vendor_id
            self.department_id = worker.department_id

    def clean(self) -> None:
        self.sync_from_worker()
        if self.subject_kind == PlanSubject.WORKER:
            if self.worker_id is None:
                raise ValidationError({"worker": _("请选择外包人员 / Choose the worker")})
        elif self.vendor_id is None:
            raise ValidationError({"vendor": _("请选择服务商 / Choose the vendor")})
        if self.start_date and self.deadline and self.deadline < self.start_date:
            raise ValidationError({"deadline": _("截止日期不能早于开始日期 / The deadline is before the start")})


class PlanMilestone(TimeStamped):
    plan = models.ForeignKey(ImprovementPlan, verbose_name=_("改进计划"), on_delete=models.CASCADE,
                             related_name="milestones")
    title = models.CharField(_("里程碑"), max_length=150)
    due = models.DateField(_("计划日期"))
    done_at = models.DateField(_("完成日期"), null=True, blank=True)

    scope_paths = {"department": "plan__department", "vendor": "plan__vendor", "self": "plan__worker__user",
                   "owner": "plan__owner"}
    write_scopes = ("department", "owner")

    class Meta:
        verbose_name = _("计划里程碑")
        verbose_name_plural = _("计划里程碑")
        ordering = ["due", "id"]
        indexes = [models.Index(fields=["due", "done_at"])]

    def __str__(self) -> str:
        return f"{self.title}（{self.due}）"


class PlanCheckIn(TimeStamped):
    plan = models.ForeignKey(ImprovementPlan, verbose_name=_("改进计划"), on_delete=models.CASCADE,
                             related_name="check_ins")
    date = models.DateField(_("日期"))
    note = models.TextField(_("跟进记录"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")

    scope_paths = {"department": "plan__department", "vendor": "plan__vendor", "self": "plan__worker__user",
                   "owner": "plan__owner"}
    write_scopes = ("department", "owner")

    class Meta:
        verbose_name = _("跟进记录")
        verbose_name_plural = _("跟进记录")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date} {self.note[:30]}"


# --- recognition ------------------------------------------------------------------------------------


class Visibility(models.TextChoices):
    PUBLIC = "public", _("公开")
    PRIVATE = "private", _("仅本人及管理者")


class Commendation(TimeStamped):
    """赞扬和认可. Public ones reach everyone whose scope reaches the worker (the recognition wall);
    private ones only the worker, the department's supervisors, the author and HR: `wall_vendor` is
    the worker's vendor only when public, so a vendor manager reaches public ones alone."""

    worker = models.ForeignKey("workers.Worker", verbose_name=_("外包人员"), on_delete=models.CASCADE,
                               related_name="commendations")
    department = models.ForeignKey("org.Department", verbose_name=_("部门"), on_delete=models.PROTECT,
                                   related_name="+")
    wall_vendor = models.ForeignKey("vendors.Vendor", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", editable=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("表扬人"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(_("标题"), max_length=120)
    text = models.TextField(_("表扬内容"))
    visibility = models.CharField(_("可见范围"), max_length=10, choices=Visibility.choices,
                                  default=Visibility.PUBLIC)
    cycle = models.ForeignKey("cycles.Cycle", verbose_name=_("考核周期"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    indicator = models.ForeignKey("indicators.Indicator", verbose_name=_("相关指标"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    date = models.DateField(_("日期"))

    scope_paths = {"department": "department", "vendor": "wall_vendor", "self": "worker__user", "owner": "author"}
    write_scopes = ("department",)

    class Meta:
        verbose_name = _("表扬与认可")
        verbose_name_plural = _("表扬与认可")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["visibility", "date"])]

    def __str__(self) -> str:
        return self.title

    def sync_from_worker(self) -> None:
        if self.worker_id is not None:
            self.department_id = self.worker.department_id
            self.wall_vendor_id = self.worker.vendor_id if self.visibility == Visibility.PUBLIC else None

    def clean(self) -> None:
        self.sync_from_worker()


# --- knowledge base ---------------------------------------------------------------------------------


class ArticleKind(models.TextChoices):
    CASE = "case", _("改进案例")
    BEST_PRACTICE = "best_practice", _("最佳实践")


class Article(TimeStamped):
    """知识库文章. The body is Markdown, rendered escaped (no raw HTML reaches the page)."""

    title = models.CharField(_("标题"), max_length=150)
    kind = models.CharField(_("类型"), max_length=20, choices=ArticleKind.choices, default=ArticleKind.BEST_PRACTICE)
    summary = models.CharField(_("摘要"), max_length=300, blank=True)
    body = models.TextField(_("正文"), help_text=_("支持 Markdown：# 标题、- 列表、**加粗**、空行分段"))
    tags = models.CharField(_("标签"), max_length=200, blank=True, help_text=_("用逗号分隔"))
    indicators = models.ManyToManyField("indicators.Indicator", verbose_name=_("相关指标"), blank=True,
                                        related_name="+")
    dimensions = models.ManyToManyField("indicators.Dimension", verbose_name=_("相关维度"), blank=True,
                                        related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("作者"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    published = models.BooleanField(_("已发布"), default=False)

    # Knowledge is for everyone; drafts are filtered out for non-writers by selectors.articles_visible.
    scope_paths = {"department": "*", "vendor": "*", "self": "*", "owner": "author"}
    write_scopes = ("department",)

    class Meta:
        verbose_name = _("知识文章")
        verbose_name_plural = _("知识库")
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.replace("，", ",").split(",") if t.strip()]
