import django_filters
from django.utils.translation import gettext_lazy as _

from .models import Dimension, Indicator, IndicatorType, SubjectKind, Template, TemplateStatus


class IndicatorFilterSet(django_filters.FilterSet):
    dimension = django_filters.ModelChoiceFilter(queryset=Dimension.objects.all(), label=_("考核维度"))
    kind = django_filters.ChoiceFilter(choices=IndicatorType.choices, label=_("指标类型"))
    subject_kind = django_filters.ChoiceFilter(choices=SubjectKind.choices, label=_("考核对象"))
    is_active = django_filters.BooleanFilter(label=_("启用"))

    class Meta:
        model = Indicator
        fields = ["dimension", "kind", "subject_kind", "is_active"]


class TemplateFilterSet(django_filters.FilterSet):
    subject_kind = django_filters.ChoiceFilter(choices=SubjectKind.choices, label=_("考核对象"))
    status = django_filters.ChoiceFilter(choices=TemplateStatus.choices, label=_("状态"))

    class Meta:
        model = Template
        fields = ["subject_kind", "status"]
