"""Declared pages of the surveys app (core.crud): questionnaires and surveys."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Count, QuerySet
from django.http import HttpResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from outperform.core import excel
from outperform.core.crud import Col, ListView, Resource, xlsx_response
from outperform.core.display import format_value

from . import scoring
from .filters import QuestionnaireFilterSet, SurveyFilterSet
from .forms import QuestionnaireForm, SurveyForm
from .models import Questionnaire, Survey


class QuestionnaireResource(Resource):
    model = Questionnaire
    name = "questionnaires"
    namespace = "surveys"
    filterset_class = QuestionnaireFilterSet
    search_fields = ("title",)
    default_ordering = ("-created_at", "-id")
    columns = (
        Col("title", _("问卷名称"), "title", link=True),
        Col("question_count", _("题目数")),
        Col("is_active", _("启用"), "is_active"),
        Col("created_at", _("创建时间"), "created_at"),
    )
    detail_fields = (Col("title", _("问卷名称")), Col("intro", _("说明")), Col("is_active", _("启用")))
    form_class = QuestionnaireForm
    detail_links = ((_("设计题目"), "surveys:questions"), (_("复制问卷"), "surveys:questionnaire_copy"))

    def queryset(self) -> QuerySet[Any]:
        return Questionnaire.objects.annotate(question_count=Count("questions"))


SURVEY_SHEET = excel.SheetSpec("满意度调查", [
    excel.Column("title", "调查名称", "Survey"),
    excel.Column("questionnaire", "问卷", "Questionnaire"),
    excel.Column("subject_kind", "调查对象类型", "Subject type"),
    excel.Column("subject", "调查对象", "Subject"),
    excel.Column("period_start", "期间开始", "Period start", excel.parse_date()),
    excel.Column("period_end", "期间结束", "Period end", excel.parse_date()),
    excel.Column("expires_at", "截止时间", "Expires"),
    excel.Column("status", "状态", "Status"),
    excel.Column("invitations", "邀请数", "Invitations", excel.parse_int()),
    excel.Column("responses", "答卷数", "Responses", excel.parse_int()),
    excel.Column("rate", "回收率（%）", "Response rate (%)", excel.parse_decimal()),
])


class SurveyListView(ListView):
    """The generic list, exported with counts and the response rate (surveys are not imported)."""

    def context(self, **extra: Any) -> dict[str, Any]:
        ctx = super().context(**extra)
        ctx["can_export"] = True
        return ctx

    def export(self, qs: QuerySet[Any]) -> HttpResponse:
        def rows() -> Any:
            for s in qs.select_related("questionnaire", "vendor", "project", "worker").iterator(chunk_size=2000):
                yield [s.title, s.questionnaire.title, s.get_subject_kind_display(), format_value(s.subject),
                       s.period_start, s.period_end, format_value(s.expires_at), s.get_status_display(),
                       s.invitation_count, s.response_count, scoring.response_rate(s.response_count, s.invitation_count)]

        return xlsx_response(excel.write_rows(SURVEY_SHEET, rows(), SURVEY_SHEET.title), "surveys.xlsx")


class SurveyResource(Resource):
    model = Survey
    name = "surveys"
    namespace = "surveys"
    select_related = ("questionnaire", "vendor", "project", "worker")
    filterset_class = SurveyFilterSet
    search_fields = ("title", "vendor__name", "project__name", "worker__name")
    default_ordering = ("-period_end", "-id")
    columns = (
        Col("title", _("调查名称"), "title", link=True),
        Col("get_subject_kind_display", _("调查对象类型"), "subject_kind"),
        Col("subject", _("调查对象")),
        Col("period_end", _("期间结束"), "period_end"),
        Col("expires_at", _("截止时间"), "expires_at"),
        Col("get_status_display", _("状态"), "status"),
        Col("response_count", _("答卷数"), "response_count"),
        Col("rate", _("回收率（%）")),
    )
    detail_fields = (
        Col("questionnaire", _("问卷")), Col("get_subject_kind_display", _("调查对象类型")), Col("subject", _("调查对象")),
        Col("period_start", _("期间开始")), Col("period_end", _("期间结束")), Col("expires_at", _("截止时间")),
        Col("get_status_display", _("状态")), Col("invitation_count", _("邀请数")), Col("response_count", _("答卷数")),
        Col("rate", _("回收率（%）")),
    )
    form_class = SurveyForm
    detail_links = ((_("发送邀请"), "surveys:send"), (_("调查结果"), "surveys:results"))

    def queryset(self) -> QuerySet[Any]:
        from django.db.models import OuterRef, Subquery
        from django.db.models.functions import Coalesce

        from .models import Invitation, Response

        def count_of(model: Any) -> Any:
            sub = model.objects.filter(survey=OuterRef("pk")).order_by().values("survey").annotate(
                n=Count("pk")).values("n")
            return Coalesce(Subquery(sub), 0)

        return super().queryset().annotate(invitation_count=count_of(Invitation), response_count=count_of(Response))

    def cell(self, obj: models.Model, col: Col, scope: Any) -> str:
        if col.accessor == "rate":
            rate = scoring.response_rate(obj.response_count, obj.invitation_count)  # type: ignore[attr-defined]
            return "—" if rate is None else f"{rate}%"
        return super().cell(obj, col, scope)

    def personal_owner(self, obj: models.Model) -> tuple[int | None, int | None]:
        return None, None

    def save(self, *, actor: Any, obj: models.Model, before: dict[str, Any] | None) -> models.Model:
        if before is None and isinstance(obj, Survey) and obj.created_by_id is None:
            obj.created_by = actor
        return super().save(actor=actor, obj=obj, before=before)

    def urls(self) -> list[URLPattern]:
        patterns = super().urls()
        patterns[0] = path(f"{self.name}/", SurveyListView.as_view(resource=self), name=f"{self.name}_list")
        return patterns


RESOURCES = (QuestionnaireResource(), SurveyResource())
