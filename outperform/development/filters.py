import django_filters
from django.utils.translation import gettext_lazy as _

from outperform.cycles.models import Cycle
from outperform.indicators.models import Dimension, Indicator
from outperform.org.models import Department
from outperform.vendors.models import Vendor

from .models import (
    Article,
    ArticleKind,
    Commendation,
    DevelopmentRule,
    ImprovementPlan,
    PlanCheckIn,
    PlanMilestone,
    PlanState,
    RuleKind,
    Suggestion,
    SuggestionKind,
    SuggestionState,
    TrainingRecord,
    TrainingTopic,
    Visibility,
)


class RuleFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=RuleKind.choices, label=_("类型"))
    active = django_filters.BooleanFilter(label=_("启用"))

    class Meta:
        model = DevelopmentRule
        fields = ["kind", "active"]


class TopicFilterSet(django_filters.FilterSet):
    dimension = django_filters.ModelChoiceFilter(queryset=Dimension.objects.all(), label=_("维度"))

    class Meta:
        model = TrainingTopic
        fields = ["dimension"]


class SuggestionFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=SuggestionKind.choices, label=_("类型"))
    state = django_filters.ChoiceFilter(choices=SuggestionState.choices, label=_("状态"))
    cycle = django_filters.ModelChoiceFilter(queryset=Cycle.objects.all(), label=_("考核周期"))
    department = django_filters.ModelChoiceFilter(queryset=Department.objects.all(), label=_("部门"))

    class Meta:
        model = Suggestion
        fields = ["kind", "state", "cycle", "department"]


class TrainingFilterSet(django_filters.FilterSet):
    vendor = django_filters.ModelChoiceFilter(queryset=Vendor.objects.all(), label=_("服务商"))
    department = django_filters.ModelChoiceFilter(queryset=Department.objects.all(), label=_("部门"))
    completed = django_filters.BooleanFilter(label=_("已完成"))
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("日期自"))
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("日期至"))

    class Meta:
        model = TrainingRecord
        fields = ["vendor", "department", "completed", "date_from", "date_to"]


class PlanFilterSet(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=PlanState.choices, label=_("状态"))
    vendor = django_filters.ModelChoiceFilter(queryset=Vendor.objects.all(), label=_("服务商"))
    department = django_filters.ModelChoiceFilter(queryset=Department.objects.all(), label=_("部门"))
    deadline_before = django_filters.DateFilter(field_name="deadline", lookup_expr="lte", label=_("截止不晚于"))

    class Meta:
        model = ImprovementPlan
        fields = ["state", "vendor", "department", "deadline_before"]


class MilestoneFilterSet(django_filters.FilterSet):
    plan = django_filters.ModelChoiceFilter(queryset=ImprovementPlan.objects.all(), label=_("改进计划"))

    class Meta:
        model = PlanMilestone
        fields = ["plan"]


class CheckInFilterSet(django_filters.FilterSet):
    plan = django_filters.ModelChoiceFilter(queryset=ImprovementPlan.objects.all(), label=_("改进计划"))

    class Meta:
        model = PlanCheckIn
        fields = ["plan"]


class CommendationFilterSet(django_filters.FilterSet):
    visibility = django_filters.ChoiceFilter(choices=Visibility.choices, label=_("可见范围"))
    department = django_filters.ModelChoiceFilter(queryset=Department.objects.all(), label=_("部门"))
    cycle = django_filters.ModelChoiceFilter(queryset=Cycle.objects.all(), label=_("考核周期"))

    class Meta:
        model = Commendation
        fields = ["visibility", "department", "cycle"]


class ArticleFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ArticleKind.choices, label=_("类型"))
    indicators = django_filters.ModelChoiceFilter(queryset=Indicator.objects.all(), label=_("相关指标"))
    dimensions = django_filters.ModelChoiceFilter(queryset=Dimension.objects.all(), label=_("相关维度"))
    tag = django_filters.CharFilter(field_name="tags", lookup_expr="icontains", label=_("标签"))

    class Meta:
        model = Article
        fields = ["kind", "indicators", "dimensions", "tag"]
