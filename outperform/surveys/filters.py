import django_filters
from django.utils.translation import gettext_lazy as _

from outperform.org.models import Project
from outperform.vendors.models import Vendor

from .models import Survey, SurveyStatus, SurveySubject


class SurveyFilterSet(django_filters.FilterSet):
    subject_kind = django_filters.ChoiceFilter(choices=SurveySubject.choices, label=_("调查对象类型"))
    status = django_filters.ChoiceFilter(choices=SurveyStatus.choices, label=_("状态"))
    vendor = django_filters.ModelChoiceFilter(queryset=Vendor.objects.all(), label=_("服务商"))
    project = django_filters.ModelChoiceFilter(queryset=Project.objects.all(), label=_("项目"))
    period_from = django_filters.DateFilter(field_name="period_end", lookup_expr="gte", label=_("期间晚于"))

    class Meta:
        model = Survey
        fields = ["subject_kind", "status", "vendor", "project", "period_from"]


class QuestionnaireFilterSet(django_filters.FilterSet):
    is_active = django_filters.BooleanFilter(label=_("启用"))

    class Meta:
        model = Survey.questionnaire.field.related_model
        fields = ["is_active"]
