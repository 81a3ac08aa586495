from __future__ import annotations

from outperform.core import excel
from outperform.core.importing import ForeignRef, ModelImporter, choice_parser

from .models import Department, Position, PositionCategory, Project, ProjectStatus


class DepartmentImporter(ModelImporter):
    model = Department
    key = "code"
    sheet = excel.SheetSpec(
        "部门",
        [
            excel.Column("code", "部门编码", "Code", excel.parse_text(max_length=30), required=True, example="D-OPS"),
            excel.Column("name", "部门名称", "Name", excel.parse_text(max_length=100, fold_width=False), required=True, example="运营中心"),
            excel.Column("parent", "上级部门", "Parent", excel.parse_text(max_length=100),
                         comment="上级部门的编码或名称 / code or name of the parent", example="HQ"),
            excel.Column("is_active", "启用", "Active", excel.parse_bool(), example="是"),
        ],
    )
    refs = (ForeignRef("parent", Department, ("code", "name"), "上级部门", same_file=True),)

    def after_write(self) -> None:
        from .services import department_rebuild_paths

        department_rebuild_paths()


class PositionImporter(ModelImporter):
    model = Position
    key = "code"
    sheet = excel.SheetSpec(
        "岗位",
        [
            excel.Column("code", "岗位编码", "Code", excel.parse_text(max_length=30), required=True, example="P-SVC"),
            excel.Column("name", "岗位名称", "Name", excel.parse_text(max_length=100, fold_width=False), required=True, example="客服专员"),
            excel.Column("category", "岗位类别", "Category", choice_parser(PositionCategory), required=True,
                         example="服务人员"),
            excel.Column("description", "岗位说明", "Description", excel.parse_text(max_length=2000, fold_width=False)),
            excel.Column("is_active", "启用", "Active", excel.parse_bool(), example="是"),
        ],
    )


class ProjectImporter(ModelImporter):
    model = Project
    key = "code"
    sheet = excel.SheetSpec(
        "项目",
        [
            excel.Column("code", "项目编码", "Code", excel.parse_text(max_length=30), required=True, example="PRJ-001"),
            excel.Column("name", "项目名称", "Name", excel.parse_text(max_length=120, fold_width=False), required=True,
                         example="客服热线项目"),
            excel.Column("department", "所属部门", "Department", excel.parse_text(max_length=100), required=True,
                         example="D-OPS"),
            excel.Column("start_date", "开始日期", "Start date", excel.parse_date(), example="2026-01-01"),
            excel.Column("end_date", "结束日期", "End date", excel.parse_date(), example="2026-12-31"),
            excel.Column("status", "状态", "Status", choice_parser(ProjectStatus), example="进行中"),
            excel.Column("description", "说明", "Description", excel.parse_text(max_length=2000, fold_width=False)),
        ],
    )
    refs = (ForeignRef("department", Department, ("code", "name"), "部门"),)
