from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from outperform.core.crud import Col, Resource

from .filters import DepartmentFilterSet, PositionFilterSet, ProjectFilterSet
from .forms import DepartmentForm, PositionForm, ProjectForm
from .importers import DepartmentImporter, PositionImporter, ProjectImporter
from .models import Department, Position, Project
from .services import department_delete, department_save


class DepartmentResource(Resource):
    model = Department
    name = "departments"
    namespace = "org"
    select_related = ("parent", "head")
    filterset_class = DepartmentFilterSet
    search_fields = ("code", "name")
    default_ordering = ("path",)
    columns = (
        Col("code", _("部门编码"), "code", link=True),
        Col("name", _("部门名称"), "name", link=True),
        Col("parent.name", _("上级部门")),
        Col("head", _("负责人")),
        Col("is_active", _("启用"), "is_active"),
    )
    form_class = DepartmentForm
    importer = DepartmentImporter()

    def save(self, *, actor: Any, obj: models.Model, before: dict[str, Any] | None) -> models.Model:
        assert isinstance(obj, Department)
        return department_save(actor=actor, department=obj, before=before)

    def delete(self, *, actor: Any, obj: models.Model) -> None:
        assert isinstance(obj, Department)
        department_delete(actor=actor, department=obj)


class PositionResource(Resource):
    model = Position
    name = "positions"
    namespace = "org"
    filterset_class = PositionFilterSet
    search_fields = ("code", "name")
    default_ordering = ("code",)
    columns = (
        Col("code", _("岗位编码"), "code", link=True),
        Col("name", _("岗位名称"), "name", link=True),
        Col("get_category_display", _("岗位类别"), "category"),
        Col("is_active", _("启用"), "is_active"),
    )
    form_class = PositionForm
    importer = PositionImporter()


class ProjectResource(Resource):
    model = Project
    name = "projects"
    namespace = "org"
    select_related = ("department", "manager")
    filterset_class = ProjectFilterSet
    search_fields = ("code", "name")
    default_ordering = ("code",)
    columns = (
        Col("code", _("项目编码"), "code", link=True),
        Col("name", _("项目名称"), "name", link=True),
        Col("department.name", _("所属部门"), "department__name"),
        Col("manager", _("项目负责人")),
        Col("start_date", _("开始日期"), "start_date"),
        Col("end_date", _("结束日期"), "end_date"),
        Col("get_status_display", _("状态"), "status"),
    )
    form_class = ProjectForm
    importer = ProjectImporter()


RESOURCES = (DepartmentResource(), PositionResource(), ProjectResource())
