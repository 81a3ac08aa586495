from collections.abc import Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models

from outperform.core import excel
from outperform.core.importing import ForeignRef, ModelImporter, choice_parser
from outperform.org.models import Department, Position, Project
from outperform.vendors.models import Vendor

from .models import Gender, Worker, WorkerStatus
from .services import RosterState, roster_changed


class WorkerImporter(ModelImporter):
    model = Worker
    key = "employee_no"
    money_columns = frozenset({"base_salary_fen", "base_bonus_fen"})
    sheet = excel.SheetSpec(
        "外包人员",
        [
            excel.Column("employee_no", "工号", "Employee no.", excel.parse_text(max_length=30), required=True,
                         example="W000123"),
            excel.Column("name", "姓名", "Name", excel.parse_text(max_length=60, fold_width=False), required=True, example="张伟"),
            excel.Column("gender", "性别", "Gender", choice_parser(Gender), example="男"),
            excel.Column("mobile", "手机号", "Mobile", excel.parse_text(max_length=20), example="13800138000"),
            excel.Column("id_number", "身份证号", "ID number", excel.parse_text(max_length=18, upper=True),
                         example="11010519491231002X"),
            excel.Column("email", "邮箱", "E-mail", excel.parse_text(max_length=254)),
            excel.Column("vendor", "服务商", "Vendor", excel.parse_text(max_length=120, fold_width=False), required=True,
                         comment="服务商名称或统一社会信用代码 / vendor name or credit code",
                         example="上海卓越人力资源有限公司"),
            excel.Column("department", "部门", "Department", excel.parse_text(max_length=100), required=True,
                         comment="部门编码或名称 / department code or name", example="D-OPS"),
            excel.Column("project", "项目", "Project", excel.parse_text(max_length=120),
                         comment="项目编码或名称 / project code or name"),
            excel.Column("position", "岗位", "Position", excel.parse_text(max_length=100), required=True,
                         comment="岗位编码或名称 / position code or name", example="P-SVC"),
            excel.Column("supervisor", "直属上级账号", "Supervisor login", excel.parse_text(max_length=150)),
            excel.Column("hire_date", "入场日期", "Hire date", excel.parse_date(), required=True, example="2026-01-05"),
            excel.Column("leave_date", "离场日期", "Leave date", excel.parse_date()),
            excel.Column("status", "状态", "Status", choice_parser(WorkerStatus), example="在岗"),
            excel.Column("base_salary_fen", "基本工资（元）", "Base salary (yuan)", excel.parse_money_fen(),
                         example="6500.00"),
            excel.Column("base_bonus_fen", "绩效奖金基数（元）", "Base bonus (yuan)", excel.parse_money_fen(),
                         example="2000.00"),
        ],
    )
    refs = (
        ForeignRef("vendor", Vendor, ("name", "credit_code"), "服务商"),
        ForeignRef("department", Department, ("code", "name"), "部门"),
        ForeignRef("project", Project, ("code", "name"), "项目"),
        ForeignRef("position", Position, ("code", "name"), "岗位"),
        ForeignRef("supervisor", get_user_model(), ("username",), "直属上级"),
    )

    def written(self, *, created: Sequence[models.Model], updated: Sequence[tuple[models.Model, dict[str, Any]]]) -> None:
        # One headcount refresh for the whole file, queued on commit (nothing for a dry run).
        roster_changed([(None, RosterState.of(o)) for o in created if isinstance(o, Worker)]
                       + [(RosterState.from_snapshot(b), RosterState.of(o)) for o, b in updated if isinstance(o, Worker)])
