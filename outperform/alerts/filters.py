import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from outperform.core.models import User
from outperform.org.models import Department
from outperform.vendors.models import Vendor

from .kinds import kind_choices
from .models import Alert, AlertRule, AlertState, Severity


class AlertFilterSet(django_filters.FilterSet):
    severity = django_filters.ChoiceFilter(choices=Severity.choices, label=_("严重程度"))
    state = django_filters.ChoiceFilter(choices=AlertState.choices, label=_("状态"), method="filter_state")
    kind = django_filters.ChoiceFilter(choices=kind_choices, label=_("规则类型"))
    rule = django_filters.ModelChoiceFilter(queryset=AlertRule.objects.all(), label=_("预警规则"))
    owner = django_filters.ModelChoiceFilter(queryset=User.objects.all(), label=_("负责人"))
    department = django_filters.ModelChoiceFilter(queryset=Department.objects.all(), label=_("部门"),
                                                  method="filter_department")
    vendor = django_filters.ModelChoiceFilter(queryset=Vendor.objects.all(), label=_("服务商"))

    class Meta:
        model = Alert
        fields = ["severity", "state", "kind", "rule", "owner", "department", "vendor"]

    def filter_state(self, queryset: QuerySet[Alert], name: str, value: str) -> QuerySet[Alert]:
        # "open" in the filter means "not resolved yet": open and acknowledged.
        if value == "open":
            return queryset.filter(state__in=[AlertState.OPEN, AlertState.ACKNOWLEDGED])
        return queryset.filter(state=value)

    def filter_department(self, queryset: QuerySet[Alert], name: str, value: Department) -> QuerySet[Alert]:
        return queryset.filter(department__path__startswith=value.path)


class AlertRuleFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=kind_choices, label=_("规则类型"))
    severity = django_filters.ChoiceFilter(choices=Severity.choices, label=_("严重程度"))
    enabled = django_filters.BooleanFilter(label=_("启用"))

    class Meta:
        model = AlertRule
        fields = ["kind", "severity", "enabled"]
