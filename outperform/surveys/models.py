"""Satisfaction surveys (满意度调查): a questionnaire sent about a vendor, project or worker to internal
customers by link, their responses and answers.

Responses carry copies of the survey's subject keys (vendor, project, worker, department) and the
date of the period they speak about, so the metric engine aggregates them like any other record
(record source `survey_response`) with one GROUP BY and no joins.
"""

from __future__ import annotations

import secrets
import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outperform.core.models import TimeStamped


def new_token() -> str:
    """An unguessable link token (256 bits)."""
    return secrets.token_urlsafe(32)


def new_external_id() -> str:
    return f"SR-{uuid.uuid4().hex}"


class Questionnaire(TimeStamped):
    """问卷: a reusable set of questions."""

    title = models.CharField(_("问卷名称"), max_length=120)
    intro = models.TextField(_("说明"), blank=True, help_text=_("显示在问卷开头，例如调查目的与填写说明"))
    is_active = models.BooleanField(_("启用"), default=True)

    # Questionnaires are HR's working material; no scoped role needs them.
    scope_paths: dict[str, str] = {}

    class Meta:
        verbose_name = _("问卷")
        verbose_name_plural = _("问卷")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class QuestionKind(models.TextChoices):
    RATING_5 = "rating5", _("评分 1–5")
    RATING_10 = "rating10", _("评分 0–10")
    SINGLE = "single", _("单选")
    MULTIPLE = "multiple", _("多选")
    TEXT = "text", _("文本")


RATING_KINDS = (QuestionKind.RATING_5, QuestionKind.RATING_10)
CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)


class Question(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    kind = models.CharField(_("题型"), max_length=10, choices=QuestionKind.choices, default=QuestionKind.RATING_5)
    text = models.CharField(_("题目"), max_length=300)
    required = models.BooleanField(_("必答"), default=True)
    low_label = models.CharField(_("最低分含义"), max_length=30, blank=True, help_text=_("例如：非常不满意"))
    high_label = models.CharField(_("最高分含义"), max_length=30, blank=True, help_text=_("例如：非常满意"))
    # Choice questions: [{"label": "按时交付", "score": 100}, ...]; scores 0–100.
    options = models.JSONField(_("选项"), default=list, blank=True)
    weight = models.DecimalField(_("权重"), max_digits=5, decimal_places=2, default=Decimal(1),
                                 validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))])

    scope_paths: dict[str, str] = {}

    class Meta:
        verbose_name = _("题目")
        verbose_name_plural = _("题目")
        ordering = ["questionnaire", "order", "id"]

    def __str__(self) -> str:
        return self.text

    @property
    def is_rating(self) -> bool:
        return self.kind in RATING_KINDS

    @property
    def is_choice(self) -> bool:
        return self.kind in CHOICE_KINDS

    @property
    def scale(self) -> range:
        return range(1, 6) if self.kind == QuestionKind.RATING_5 else range(0, 11)

    def clean(self) -> None:
        if self.is_choice:
            if len(self.options or []) < 2:
                raise ValidationError({"options": _("选择题至少需要两个选项 / A choice question needs at least two options")})
            for i, option in enumerate(self.options, start=1):
                label = str(option.get("label", "")).strip() if isinstance(option, dict) else ""
                try:
                    score = Decimal(str(option.get("score"))) if isinstance(option, dict) else None
                except ArithmeticError:
                    score = None
                if not label or score is None or not (0 <= score <= 100):
                    raise ValidationError({"options": _(
                        "第 %(n)d 个选项需要名称和 0–100 的分值 / Option %(n)d needs a label and a score from 0 to 100"
                    ) % {"n": i}})
        elif self.options:
            self.options = []


class SurveySubject(models.TextChoices):
    VENDOR = "vendor", _("服务商")
    PROJECT = "project", _("项目")
    WORKER = "worker", _("外包人员")


class SurveyStatus(models.TextChoices):
    OPEN = "open", _("收集中")
    CLOSED = "closed", _("已结束")


class Survey(TimeStamped):
    """调查: a questionnaire sent about one subject for one period, until it expires."""

    questionnaire = models.ForeignKey(Questionnaire, verbose_name=_("问卷"), on_delete=models.PROTECT,
                                      related_name="surveys")
    title = models.CharField(_("调查名称"), max_length=150)
    subject_kind = models.CharField(_("调查对象类型"), max_length=10, choices=SurveySubject.choices)
    vendor = models.ForeignKey("vendors.Vendor", verbose_name=_("服务商"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="surveys")
    project = models.ForeignKey("org.Project", verbose_name=_("项目"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="surveys")
    worker = models.ForeignKey("workers.Worker", verbose_name=_("外包人员"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="surveys")
    # Copied from the project or worker, so a supervisor sees the surveys of their departments.
    department = models.ForeignKey("org.Department", verbose_name=_("部门"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField(_("调查期间开始"))
    period_end = models.DateField(_("调查期间结束"))
    expires_at = models.DateTimeField(_("截止时间"))
    status = models.CharField(_("状态"), max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    scope_paths = {"vendor": "vendor", "department": "department", "self": "worker__user"}

    class Meta:
        verbose_name = _("满意度调查")
        verbose_name_plural = _("满意度调查")
        ordering = ["-period_end", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def subject(self) -> models.Model | None:
        return {"vendor": self.vendor, "project": self.project, "worker": self.worker}.get(self.subject_kind)

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def accepts_responses(self) -> bool:
        return self.status == SurveyStatus.OPEN and not self.is_expired

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = _("结束日期不能早于开始日期 / The end date is before the start date")
        needed = self.subject_kind
        for kind in SurveySubject.values:
            value = getattr(self, f"{kind}_id")
            if kind == needed and value is None:
                errors[kind] = _("请选择调查对象 / Choose what the survey is about")
            elif kind != needed and value is not None and not (kind == "vendor" and needed == "worker"):
                errors[kind] = _("与调查对象类型不符，请留空 / Leave empty: it does not match the subject type")
        if errors:
            raise ValidationError(errors)
        # Keys the scoping and the metrics read: a worker's vendor and department, a project's department.
        if needed == SurveySubject.WORKER and self.worker is not None:
            self.vendor_id = self.worker.vendor_id
            self.department_id = self.worker.department_id
        elif needed == SurveySubject.PROJECT and self.project is not None:
            self.department_id = self.project.department_id
        elif needed == SurveySubject.VENDOR:
            self.department_id = None


class Invitation(models.Model):
    """邀请: one recipient, one link, one response."""

    survey = models.ForeignKey(Survey, verbose_name=_("调查"), on_delete=models.CASCADE, related_name="invitations")
    name = models.CharField(_("姓名"), max_length=60)
    email = models.EmailField(_("邮箱"), blank=True)
    department_name = models.CharField(_("部门"), max_length=100, blank=True)
    token = models.CharField(_("链接令牌"), max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)
    used_at = models.DateTimeField(_("填写时间"), null=True, blank=True)

    # Who was asked is HR's business: the vendor never sees the names of its internal customers.
    scope_paths: dict[str, str] = {}

    class Meta:
        verbose_name = _("调查邀请")
        verbose_name_plural = _("调查邀请")
        ordering = ["survey", "id"]

    def __str__(self) -> str:
        return f"{self.survey} · {self.name}"


class Response(models.Model):
    """答卷: one submitted questionnaire. Record source `survey_response` for the metrics."""

    external_id = models.CharField(_("外部编号"), max_length=64, unique=True, default=new_external_id,
                                   editable=False)
    survey = models.ForeignKey(Survey, verbose_name=_("调查"), on_delete=models.CASCADE, related_name="responses")
    # One response per link, enforced by the database.
    invitation = models.OneToOneField(Invitation, verbose_name=_("邀请"), on_delete=models.CASCADE,
                                      related_name="response")
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    submitted_on = models.DateField(_("提交日期"))
    # The last day of the period the survey asks about: places the response in an appraisal period.
    period_date = models.DateField(_("所属期间"), db_index=True)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=2, null=True, blank=True)
    vendor = models.ForeignKey("vendors.Vendor", verbose_name=_("服务商"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey("org.Project", verbose_name=_("项目"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    worker = models.ForeignKey("workers.Worker", verbose_name=_("外包人员"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("org.Department", verbose_name=_("部门"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    scope_paths = {"vendor": "vendor", "department": "department", "self": "worker__user"}

    class Meta:
        verbose_name = _("答卷")
        verbose_name_plural = _("答卷")
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["vendor", "period_date"]), models.Index(fields=["worker", "period_date"])]

    def __str__(self) -> str:
        return f"{self.survey} · {self.submitted_on}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    rating = models.SmallIntegerField(_("评分"), null=True, blank=True)
    choices = models.JSONField(_("所选选项"), default=list, blank=True)  # option indexes, 0-based
    text = models.TextField(_("文本回答"), blank=True)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("回答")
        verbose_name_plural = _("回答")
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="unique_answer")]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.rating if self.rating is not None else self.choices or self.text}"
