import django_filters
from django.utils.translation import gettext_lazy as _

from .models import Department, Position, PositionCategory, Project, ProjectStatus


class DepartmentFilterSet(django_filters.FilterSet):
    parent = django_filters.ModelChoiceFilter(queryset=Department.objects.all(), label=_("上级部门"))
    is_active = django_filters.BooleanFilter(label=_("启用"))

    class Meta:
        model = Department
        fields = ["parent", "is_active"]


class PositionFilterSet(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(choices=PositionCategory.choices, label=_("岗位类别"))
    is_active = django_filters.BooleanFilter(label=_("启用"))

    class Meta:
        model = Position
        fields = ["category", "is_active"]


class ProjectFilterSet(django_filters.FilterSet):
    department = django_filters.ModelChoiceFilter(queryset=Department.objects.all(), label=_("所属部门"))
    status = django_filters.ChoiceFilter(choices=ProjectStatus.choices, label=_("状态"))

    class Meta:
        model = Project
        fields = ["department", "status"]
