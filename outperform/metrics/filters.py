import django_filters
from django.utils.translation import gettext_lazy as _

from .models import Aggregation, Metric


class MetricFilterSet(django_filters.FilterSet):
    source = django_filters.CharFilter(label=_("数据源"))
    aggregation = django_filters.ChoiceFilter(choices=Aggregation.choices, label=_("汇总方式"))
    is_active = django_filters.BooleanFilter(label=_("启用"))

    class Meta:
        model = Metric
        fields = ["source", "aggregation", "is_active"]
