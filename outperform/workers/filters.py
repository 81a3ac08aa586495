import django_filters
from django.utils.translation import gettext_lazy as _

from outperform.org.models import Department, Position, PositionCategory, Project
from outperform.vendors.models import Vendor

from .models import Gender, Worker, WorkerStatus


class WorkerFilterSet(django_filters.FilterSet):
    vendor = django_filters.ModelChoiceFilter(queryset=Vendor.objects.all(), label=_("服务商"))
    department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.all(), label=_("部门"), method="filter_department"
    )
    project = django_filters.ModelChoiceFilter(queryset=Project.objects.all(), label=_("项目"))
    position = django_filters.ModelChoiceFilter(queryset=Position.objects.all(), label=_("岗位"))
    position_category = django_filters.ChoiceFilter(
        field_name="position__category", choices=PositionCategory.choices, label=_("岗位类别")
    )
    status = django_filters.ChoiceFilter(choices=WorkerStatus.choices, label=_("状态"))
    gender = django_filters.ChoiceFilter(choices=Gender.choices, label=_("性别"))
    hired_after = django_filters.DateFilter(field_name="hire_date", lookup_expr="gte", label=_("入场日期起"))
    hired_before = django_filters.DateFilter(field_name="hire_date", lookup_expr="lte", label=_("入场日期止"))

    class Meta:
        model = Worker
        fields = ["vendor", "department", "project", "position", "position_category", "status", "gender"]

    def filter_department(self, queryset, name, value):
        # A department includes its sub-departments.
        return queryset.filter(department__path__startswith=value.path)
