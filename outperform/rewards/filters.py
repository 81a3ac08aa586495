from __future__ import annotations

from typing import Any

import django_filters
from django.utils.translation import gettext_lazy as _

from outperform.cycles.models import Cycle
from outperform.org.models import Department
from outperform.vendors.models import Vendor

from .models import (
    BonusLine,
    BonusPlan,
    PlanMode,
    PlanState,
    RuleMatch,
    SalaryRule,
    SalarySuggestion,
    SuggestionState,
)


class PlanFilterSet(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=PlanState.choices, label=_("状态"))
    mode = django_filters.ChoiceFilter(choices=PlanMode.choices, label=_("计算方式"))
    cycle = django_filters.ModelChoiceFilter(queryset=Cycle.objects.all(), label=_("考核周期"))

    class Meta:
        model = BonusPlan
        fields = ["state", "mode", "cycle"]


class LineFilterSet(django_filters.FilterSet):
    department = django_filters.ModelChoiceFilter(queryset=Department.objects.all(), label=_("部门"))
    vendor = django_filters.ModelChoiceFilter(queryset=Vendor.objects.all(), label=_("服务商"))
    grade_name = django_filters.ChoiceFilter(label=_("等级"), choices=())
    q = django_filters.CharFilter(method="search", label=_("搜索"))

    class Meta:
        model = BonusLine
        fields = ["plan", "department", "vendor", "grade_name"]

    def __init__(self, *args: Any, grade_names: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if grade_names is not None:
            grade = self.filters["grade_name"]
            grade.extra["choices"] = [(g, g) for g in grade_names]
            # The form field is built once and cached on the filter; a copy of a class filter whose
            # field was already built (by the API's schema generation, say) keeps the empty choices.
            grade.__dict__.pop("_field", None)
        else:
            # A filter built here is not bound by the metaclass: name its field, or it filters on "None".
            self.filters["grade_name"] = django_filters.CharFilter(field_name="grade_name", label=_("等级"))

    def search(self, queryset: Any, name: str, value: str) -> Any:
        from django.db.models import Q

        return queryset.filter(Q(worker__employee_no__icontains=value) | Q(worker__name__icontains=value))


class SalaryRuleFilterSet(django_filters.FilterSet):
    match = django_filters.ChoiceFilter(choices=RuleMatch.choices, label=_("条件"))
    is_active = django_filters.BooleanFilter(label=_("启用"))

    class Meta:
        model = SalaryRule
        fields = ["match", "is_active"]


class SuggestionFilterSet(django_filters.FilterSet):
    cycle = django_filters.ModelChoiceFilter(queryset=Cycle.objects.all(), label=_("考核周期"))
    state = django_filters.ChoiceFilter(choices=SuggestionState.choices, label=_("状态"))
    department = django_filters.ModelChoiceFilter(queryset=Department.objects.all(), label=_("部门"))
    vendor = django_filters.ModelChoiceFilter(queryset=Vendor.objects.all(), label=_("服务商"))

    class Meta:
        model = SalarySuggestion
        fields = ["cycle", "state", "department", "vendor"]
