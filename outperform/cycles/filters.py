from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from outperform.indicators.models import SubjectKind
from outperform.org.models import Department
from outperform.vendors.models import Vendor

from .models import (
    Appeal,
    AppealState,
    Appraisal,
    AppraisalState,
    Cycle,
    CycleState,
    Goal,
    Interview,
    PeriodType,
    RaterAssignment,
    Team,
)


class CycleFilterSet(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=CycleState.choices, label=_("状态"))
    period_type = django_filters.ChoiceFilter(choices=PeriodType.choices, label=_("周期类型"))
    subject_kind = django_filters.ChoiceFilter(choices=SubjectKind.choices, label=_("考核对象"))

    class Meta:
        model = Cycle
        fields = ["state", "period_type", "subject_kind"]


class AppraisalFilterSet(django_filters.FilterSet):
    department = django_filters.ModelChoiceFilter(queryset=Department.objects.all(), label=_("部门"))
    vendor = django_filters.ModelChoiceFilter(queryset=Vendor.objects.all(), label=_("服务商"))
    # A code from the cycle's grade scale; the page shows it as a select of the cycle's grades.
    grade = django_filters.CharFilter(label=_("绩效等级"))
    state = django_filters.ChoiceFilter(choices=AppraisalState.choices, label=_("状态"))

    class Meta:
        model = Appraisal
        fields = ["department", "vendor", "grade", "state"]


class ApiAppraisalFilterSet(AppraisalFilterSet):
    cycle = django_filters.ModelChoiceFilter(queryset=Cycle.objects.all(), label=_("考核周期"))
    subject_kind = django_filters.ChoiceFilter(choices=SubjectKind.choices, label=_("考核对象类型"))

    class Meta:
        model = Appraisal
        fields = ["cycle", "subject_kind", "department", "vendor", "grade", "state", "worker"]


class AppealFilterSet(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=AppealState.choices, label=_("状态"))
    cycle = django_filters.ModelChoiceFilter(field_name="appraisal__cycle", queryset=Cycle.objects.all(),
                                             label=_("考核周期"))

    class Meta:
        model = Appeal
        fields = ["state", "cycle"]


class TeamFilterSet(django_filters.FilterSet):
    department = django_filters.ModelChoiceFilter(queryset=Department.objects.all(), label=_("部门"))
    vendor = django_filters.ModelChoiceFilter(queryset=Vendor.objects.all(), label=_("服务商"))

    class Meta:
        model = Team
        fields = ["department", "vendor"]


class GoalFilterSet(django_filters.FilterSet):
    class Meta:
        model = Goal
        fields = ["appraisal", "status"]


class InterviewFilterSet(django_filters.FilterSet):
    class Meta:
        model = Interview
        fields = ["appraisal"]


class AssignmentFilterSet(django_filters.FilterSet):
    class Meta:
        model = RaterAssignment
        fields = ["cycle", "appraisal", "role", "state"]
