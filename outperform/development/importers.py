"""Spreadsheet columns: training records and rules import and export; the other lists export."""

from __future__ import annotations

from typing import Any

from django.db import models

from outperform.core import excel
from outperform.core.display import resolve
from outperform.core.importing import ForeignRef, ModelImporter, choice_parser
from outperform.workers.models import Worker

from .models import (
    Article,
    Commendation,
    DevelopmentRule,
    ImprovementPlan,
    RuleKind,
    Suggestion,
    TrainingRecord,
    TrainingTopic,
)


def _text(n: int) -> Any:
    return excel.parse_text(max_length=n, fold_width=False)


class _Sheet(ModelImporter):
    """Columns whose key is an accessor ("worker.name", "get_state_display") export through it."""

    def export_value(self, obj: models.Model, column: excel.Column) -> Any:
        if "." in column.key or column.key.startswith("get_") or column.key.endswith("_text"):
            return resolve(obj, column.key)
        return super().export_value(obj, column)


class TrainingRecordImporter(_Sheet):
    model = TrainingRecord
    key = "external_id"
    sheet = excel.SheetSpec(
        "培训记录",
        [
            excel.Column("external_id", "记录编号", "Record no.", excel.parse_text(max_length=64), required=True,
                         example="TR-2026-0001"),
            excel.Column("worker", "工号", "Employee no.", excel.parse_text(max_length=30), required=True,
                         example="W000001"),
            excel.Column("course", "课程", "Course", _text(150), required=True, example="客户沟通技巧提升"),
            excel.Column("provider", "培训机构", "Provider", _text(120), example="华东职业培训学院"),
            excel.Column("date", "培训日期", "Date", excel.parse_date(), required=True, example="2026-08-15"),
            excel.Column("hours", "学时", "Hours", excel.parse_decimal(1, min_value=0, max_value=1000),
                         required=True, example="8"),
            excel.Column("completed", "已完成", "Completed", excel.parse_bool(), example="是"),
            excel.Column("result", "考核结果", "Result", _text(40), example="合格"),
            excel.Column("score", "成绩", "Score", excel.parse_decimal(2, min_value=0, max_value=100), example="86"),
        ],
    )
    refs = (ForeignRef("worker", Worker, ("employee_no",), "工号"),)

    def apply(self, obj: models.Model, values: dict[str, Any], resolved: dict[str, Any]) -> None:
        super().apply(obj, values, resolved)
        assert isinstance(obj, TrainingRecord)
        if values.get("completed") is None and not obj.pk:
            obj.completed = False
        obj.sync_from_worker()


class RuleImporter(_Sheet):
    model = DevelopmentRule
    key = "code"
    sheet = excel.SheetSpec(
        "发展规则",
        [
            excel.Column("code", "规则编码", "Code", excel.parse_text(max_length=40), required=True, example="PROMO-3"),
            excel.Column("name", "规则名称", "Name", _text(100), required=True, example="连续三期良好以上"),
            excel.Column("kind", "类型", "Kind", choice_parser(RuleKind), required=True, example="晋升候选"),
            excel.Column("active", "启用", "Active", excel.parse_bool(), example="是"),
            excel.Column("window", "最近周期数", "Window", excel.parse_int(min_value=1, max_value=20), example="3"),
            excel.Column("count", "次数", "Count", excel.parse_int(min_value=1, max_value=20), example="1"),
            excel.Column("min_grade", "每期不低于", "Minimum grade", _text(20), example="良好"),
            excel.Column("top_grade", "最高等级", "Top grade", _text(20), example="优秀"),
            excel.Column("low_grade", "最低等级", "Low grade", _text(20), example="不合格"),
            excel.Column("min_tenure_months", "最短司龄（月）", "Minimum tenure (months)",
                         excel.parse_int(min_value=0, max_value=600), example="12"),
            excel.Column("score_below", "指标得分低于", "Score below",
                         excel.parse_decimal(2, min_value=0, max_value=100), example="70"),
            excel.Column("max_items", "最多指标数", "Max indicators", excel.parse_int(min_value=1, max_value=10),
                         example="3"),
            excel.Column("plan_days", "改进期（天）", "Plan days", excel.parse_int(min_value=7, max_value=365),
                         example="90"),
            excel.Column("description", "说明", "Description", _text(2000)),
        ],
    )


class TopicSheet(_Sheet):
    model = TrainingTopic
    key = "id"
    sheet = excel.SheetSpec("培训主题映射", [
        excel.Column("topic", "培训主题", "Topic", _text(120)),
        excel.Column("indicator.code", "指标编码", "Indicator code", _text(40)),
        excel.Column("indicator.name", "指标名称", "Indicator", _text(100)),
        excel.Column("dimension.name", "维度", "Dimension", _text(60)),
        excel.Column("note", "说明", "Note", _text(300)),
    ])


class SuggestionSheet(_Sheet):
    model = Suggestion
    key = "id"
    sheet = excel.SheetSpec("发展建议", [
        excel.Column("cycle.name", "考核周期", "Cycle", _text(120)),
        excel.Column("worker.employee_no", "工号", "Employee no.", _text(30)),
        excel.Column("worker.name", "姓名", "Name", _text(60)),
        excel.Column("department.name", "部门", "Department", _text(100)),
        excel.Column("vendor.name", "服务商", "Vendor", _text(120)),
        excel.Column("get_kind_display", "类型", "Kind", _text(20)),
        excel.Column("reason", "依据", "Reason", _text(4000), width=60),
        excel.Column("get_state_display", "状态", "State", _text(20)),
        excel.Column("decision_reason", "处理意见", "Decision", _text(500)),
    ])


class PlanSheet(_Sheet):
    model = ImprovementPlan
    key = "id"
    sheet = excel.SheetSpec("改进计划", [
        excel.Column("title", "标题", "Title", _text(150), width=30),
        excel.Column("get_kind_display", "类型", "Kind", _text(20)),
        excel.Column("worker.employee_no", "工号", "Employee no.", _text(30)),
        excel.Column("worker.name", "姓名", "Name", _text(60)),
        excel.Column("vendor.name", "服务商", "Vendor", _text(120)),
        excel.Column("department.name", "部门", "Department", _text(100)),
        excel.Column("owner.full_name", "负责人", "Owner", _text(60)),
        excel.Column("start_date", "开始日期", "Start", excel.parse_date()),
        excel.Column("deadline", "截止日期", "Deadline", excel.parse_date()),
        excel.Column("get_state_display", "状态", "State", _text(20)),
        excel.Column("get_outcome_display", "结果", "Outcome", _text(20)),
        excel.Column("outcome_date", "结果日期", "Outcome date", excel.parse_date()),
        excel.Column("problems", "问题与目标", "Problems and goals", _text(4000), width=50),
        excel.Column("measures", "改进措施", "Measures", _text(4000), width=50),
    ])


class CommendationSheet(_Sheet):
    model = Commendation
    key = "id"
    sheet = excel.SheetSpec("表扬与认可", [
        excel.Column("date", "日期", "Date", excel.parse_date()),
        excel.Column("worker.employee_no", "工号", "Employee no.", _text(30)),
        excel.Column("worker.name", "姓名", "Name", _text(60)),
        excel.Column("title", "标题", "Title", _text(120), width=30),
        excel.Column("text", "表扬内容", "Text", _text(4000), width=60),
        excel.Column("get_visibility_display", "可见范围", "Visibility", _text(20)),
        excel.Column("cycle.name", "考核周期", "Cycle", _text(120)),
        excel.Column("indicator.name", "相关指标", "Indicator", _text(100)),
        excel.Column("author.full_name", "表扬人", "Author", _text(60)),
    ])


class ArticleSheet(_Sheet):
    model = Article
    key = "id"
    sheet = excel.SheetSpec("知识库", [
        excel.Column("title", "标题", "Title", _text(150), width=30),
        excel.Column("get_kind_display", "类型", "Kind", _text(20)),
        excel.Column("summary", "摘要", "Summary", _text(300), width=40),
        excel.Column("tags", "标签", "Tags", _text(200)),
        excel.Column("published", "已发布", "Published", excel.parse_bool()),
        excel.Column("author.full_name", "作者", "Author", _text(60)),
        excel.Column("updated_at", "更新时间", "Updated", _text(30)),
    ])

    def export_value(self, obj: models.Model, column: excel.Column) -> Any:
        if column.key == "updated_at":
            return obj.updated_at.date()  # type: ignore[attr-defined]
        return super().export_value(obj, column)

