"""The declared pages of the development app (core.crud), with the few custom detail pages."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _
from django.views import View

from outperform.core.crud import (
    Col,
    DeleteView,
    DetailView,
    EditView,
    ImportView,
    ListView,
    Resource,
    TemplateView,
)

from . import services
from .filters import (
    ArticleFilterSet,
    CheckInFilterSet,
    CommendationFilterSet,
    MilestoneFilterSet,
    PlanFilterSet,
    RuleFilterSet,
    SuggestionFilterSet,
    TopicFilterSet,
    TrainingFilterSet,
)
from .forms import ArticleForm, CommendationForm, PlanForm, RuleForm, TopicForm, TrainingRecordForm
from .importers import (
    ArticleSheet,
    CommendationSheet,
    PlanSheet,
    RuleImporter,
    SuggestionSheet,
    TopicSheet,
    TrainingRecordImporter,
)
from .models import (
    Article,
    Commendation,
    DevelopmentRule,
    ImprovementPlan,
    PlanCheckIn,
    PlanMilestone,
    Suggestion,
    TrainingRecord,
    TrainingTopic,
)
from .selectors import article_search, articles_visible
from .views import ArticleDetailView, ExportListView, NoImportView, PlanDetailView, SuggestionDetailView


class DevResource(Resource):
    """A Resource whose spreadsheet may be export-only and whose detail page may be custom."""

    namespace = "development"
    importable: ClassVar[bool] = True
    detail_view: ClassVar[type[View]] = DetailView

    def urls(self) -> list[URLPattern]:
        n = self.name
        list_view = ListView if self.importable else ExportListView
        patterns = [
            path(f"{n}/", list_view.as_view(resource=self), name=f"{n}_list"),
            path(f"{n}/<int:pk>/", self.detail_view.as_view(resource=self), name=f"{n}_detail"),
        ]
        if self.form_class is not None:
            patterns += [
                path(f"{n}/new/", EditView.as_view(resource=self), name=f"{n}_create"),
                path(f"{n}/<int:pk>/edit/", EditView.as_view(resource=self), name=f"{n}_edit"),
                path(f"{n}/<int:pk>/delete/", DeleteView.as_view(resource=self), name=f"{n}_delete"),
            ]
        if self.importer is not None:
            # Export-only sheets keep the route names (the shared page context reverses them) but
            # answer 404; their list page shows no import button.
            importer_view = ImportView if self.importable else NoImportView
            template_view = TemplateView if self.importable else NoImportView
            patterns += [
                path(f"{n}/import/", importer_view.as_view(resource=self), name=f"{n}_import"),
                path(f"{n}/import/template.xlsx", template_view.as_view(resource=self), name=f"{n}_template"),
            ]
        return patterns

    def personal_owner(self, obj: models.Model) -> tuple[int | None, int | None]:
        return None, None  # none of these lists shows 身份证号, mobile or pay


class RuleResource(DevResource):
    model = DevelopmentRule
    name = "rules"
    filterset_class = RuleFilterSet
    search_fields = ("code", "name")
    default_ordering = ("kind", "code")
    columns = (
        Col("code", _("规则编码"), "code", link=True),
        Col("name", _("规则名称"), "name", link=True),
        Col("get_kind_display", _("类型"), "kind"),
        Col("active", _("启用"), "active"),
        Col("window", _("最近周期数")),
        Col("count", _("次数")),
    )
    detail_fields = (
        *columns,
        Col("min_grade", _("每期不低于")),
        Col("top_grade", _("最高等级")),
        Col("low_grade", _("最低等级")),
        Col("min_tenure_months", _("最短司龄（月）")),
        Col("score_below", _("指标得分低于")),
        Col("max_items", _("最多指标数")),
        Col("plan_days", _("改进期（天）")),
        Col("description", _("说明")),
    )
    form_class = RuleForm
    importer = RuleImporter()


class TopicResource(DevResource):
    model = TrainingTopic
    name = "topics"
    select_related = ("indicator", "dimension")
    filterset_class = TopicFilterSet
    search_fields = ("topic", "indicator__name", "dimension__name")
    default_ordering = ("topic", "id")
    columns = (
        Col("topic", _("培训主题"), "topic", link=True),
        Col("indicator.name", _("指标"), "indicator__name"),
        Col("dimension.name", _("维度"), "dimension__name"),
        Col("note", _("说明")),
    )
    form_class = TopicForm
    importer = TopicSheet()
    importable = False


class SuggestionResource(DevResource):
    model = Suggestion
    name = "suggestions"
    select_related = ("worker", "cycle", "department", "vendor", "rule", "decided_by")
    filterset_class = SuggestionFilterSet
    search_fields = ("worker__name", "worker__employee_no", "reason")
    default_ordering = ("-created_at", "-id")
    columns = (
        Col("worker.name", _("姓名"), "worker__name", link=True),
        Col("worker.employee_no", _("工号"), "worker__employee_no"),
        Col("get_kind_display", _("类型"), "kind", link=True),
        Col("cycle.name", _("考核周期"), "cycle__start_date"),
        Col("department.name", _("部门"), "department__name"),
        Col("get_state_display", _("状态"), "state"),
        Col("reason", _("依据")),
    )
    detail_fields = (
        *columns[:6],
        Col("vendor.name", _("服务商")),
        Col("rule.name", _("规则")),
        Col("reason", _("依据")),
        Col("decision_reason", _("处理意见")),
        Col("decided_by.full_name", _("处理人")),
        Col("decided_at", _("处理时间")),
    )
    importer = SuggestionSheet()
    importable = False
    detail_view = SuggestionDetailView


class TrainingResource(DevResource):
    model = TrainingRecord
    name = "training"
    select_related = ("worker", "vendor", "department")
    filterset_class = TrainingFilterSet
    search_fields = ("course", "provider", "worker__name", "worker__employee_no", "external_id")
    default_ordering = ("-date", "-id")
    columns = (
        Col("date", _("培训日期"), "date"),
        Col("worker.name", _("姓名"), "worker__name", link=True),
        Col("worker.employee_no", _("工号"), "worker__employee_no"),
        Col("course", _("课程"), "course", link=True),
        Col("provider", _("培训机构"), "provider"),
        Col("hours", _("学时"), "hours"),
        Col("completed", _("已完成"), "completed"),
        Col("result", _("考核结果")),
        Col("score", _("成绩"), "score"),
    )
    detail_fields = (*columns, Col("external_id", _("记录编号")), Col("vendor.name", _("服务商")),
                     Col("department.name", _("部门")))
    form_class = TrainingRecordForm
    importer = TrainingRecordImporter()

    def save(self, *, actor: Any, obj: models.Model, before: dict[str, Any] | None) -> models.Model:
        assert isinstance(obj, TrainingRecord)
        return services.training_record_save(actor=actor, obj=obj, before=before)


class PlanResource(DevResource):
    model = ImprovementPlan
    name = "plans"
    select_related = ("worker", "vendor", "department", "owner")
    filterset_class = PlanFilterSet
    search_fields = ("title", "worker__name", "worker__employee_no", "problems")
    default_ordering = ("-start_date", "-id")
    columns = (
        Col("title", _("标题"), "title", link=True),
        Col("worker.name", _("外包人员"), "worker__name"),
        Col("vendor.name", _("服务商"), "vendor__name"),
        Col("owner.full_name", _("负责人"), "owner__full_name"),
        Col("start_date", _("开始日期"), "start_date"),
        Col("deadline", _("截止日期"), "deadline"),
        Col("get_state_display", _("状态"), "state"),
        Col("get_outcome_display", _("结果"), "outcome"),
    )
    form_class = PlanForm
    importer = PlanSheet()
    importable = False
    detail_view = PlanDetailView

    def save(self, *, actor: Any, obj: models.Model, before: dict[str, Any] | None) -> models.Model:
        assert isinstance(obj, ImprovementPlan)
        return services.plan_save(actor=actor, obj=obj, before=before)


class MilestoneResource(DevResource):
    """API only: milestones are added and ticked on the plan's page."""

    model = PlanMilestone
    name = "milestones"
    select_related = ("plan",)
    filterset_class = MilestoneFilterSet
    default_ordering = ("due", "id")

    def save(self, *, actor: Any, obj: models.Model, before: dict[str, Any] | None) -> models.Model:
        assert isinstance(obj, PlanMilestone)
        services.ensure_can_change(actor, obj.plan)
        return super().save(actor=actor, obj=obj, before=before)


class CheckInResource(DevResource):
    """API only: check-ins are written on the plan's page."""

    model = PlanCheckIn
    name = "checkins"
    select_related = ("plan", "author")
    filterset_class = CheckInFilterSet
    default_ordering = ("-date", "-id")

    def save(self, *, actor: Any, obj: models.Model, before: dict[str, Any] | None) -> models.Model:
        assert isinstance(obj, PlanCheckIn)
        services.ensure_can_change(actor, obj.plan)
        if before is None:
            obj.author = actor
        return super().save(actor=actor, obj=obj, before=before)


class CommendationResource(DevResource):
    model = Commendation
    name = "commendations"
    select_related = ("worker", "author", "cycle", "indicator", "department")
    filterset_class = CommendationFilterSet
    search_fields = ("title", "text", "worker__name", "worker__employee_no")
    default_ordering = ("-date", "-id")
    columns = (
        Col("date", _("日期"), "date"),
        Col("worker.name", _("外包人员"), "worker__name"),
        Col("title", _("标题"), "title", link=True),
        Col("get_visibility_display", _("可见范围"), "visibility"),
        Col("cycle.name", _("考核周期")),
        Col("indicator.name", _("相关指标")),
        Col("author.full_name", _("表扬人")),
    )
    detail_fields = (*columns, Col("department.name", _("部门")), Col("text", _("表扬内容")))
    form_class = CommendationForm
    importer = CommendationSheet()
    importable = False

    def save(self, *, actor: Any, obj: models.Model, before: dict[str, Any] | None) -> models.Model:
        return services.authored_save(actor=actor, obj=obj, before=before)


class ArticleResource(DevResource):
    model = Article
    name = "articles"
    select_related = ("author",)
    filterset_class = ArticleFilterSet
    search_fields = ()  # multi-word search in `filtered`
    default_ordering = ("-updated_at", "-id")
    columns = (
        Col("title", _("标题"), "title", link=True),
        Col("get_kind_display", _("类型"), "kind"),
        Col("tags", _("标签")),
        Col("author.full_name", _("作者")),
        Col("published", _("已发布"), "published"),
        Col("updated_at", _("更新时间"), "updated_at"),
    )
    form_class = ArticleForm
    importer = ArticleSheet()
    importable = False
    detail_view = ArticleDetailView

    def filtered(self, request: HttpRequest) -> tuple[QuerySet[Any], Any, str, str]:
        qs, filterset, _unused, sort = super().filtered(request)
        search = request.GET.get("q", "").strip()
        qs = articles_visible(qs, request.user)
        if search:
            qs = article_search(qs, search).distinct()
        return qs, filterset, search, sort

    def save(self, *, actor: Any, obj: models.Model, before: dict[str, Any] | None) -> models.Model:
        return services.authored_save(actor=actor, obj=obj, before=before)


RULES = RuleResource()
TOPICS = TopicResource()
SUGGESTIONS = SuggestionResource()
TRAINING = TrainingResource()
PLANS = PlanResource()
MILESTONES = MilestoneResource()
CHECKINS = CheckInResource()
COMMENDATIONS = CommendationResource()
ARTICLES = ArticleResource()
PAGES = (RULES, TOPICS, SUGGESTIONS, TRAINING, PLANS, COMMENDATIONS, ARTICLES)
