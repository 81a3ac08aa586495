"""Metric definitions in Excel: conditions as JSON text, levels as a comma list."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from outperform.core import excel
from outperform.core.importing import ModelImporter, choice_parser

from .models import Aggregation, Metric


def parse_json_list(raw: Any) -> list[Any] | None:
    text = excel.clean_text(raw) if raw is not None else None
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        raise excel.CellError("不是合法的 JSON 列表", "not a valid JSON list") from None
    if not isinstance(value, list):
        raise excel.CellError("须为 JSON 列表，例如 []", "must be a JSON list, e.g. []")
    return value


def parse_levels(raw: Any) -> list[str] | None:
    text = excel.clean_text(raw) if raw is not None else None
    if not text:
        return None
    return [p.strip() for p in text.replace("，", ",").replace("、", ",").split(",") if p.strip()]


class MetricImporter(ModelImporter):
    model = Metric
    key = "code"
    sheet = excel.SheetSpec("数据指标", [
        excel.Column("code", "指标编码", "Code", excel.parse_text(max_length=60, lower=True), required=True,
                     example="on_time_rate"),
        excel.Column("name", "名称", "Name", excel.parse_text(max_length=100, fold_width=False), required=True,
                     example="交付及时率"),
        excel.Column("source", "数据源", "Source", excel.parse_text(max_length=40, lower=True), example="task"),
        excel.Column("aggregation", "汇总方式", "Aggregation", choice_parser(Aggregation), required=True,
                     example="比率（两个计数之比）"),
        excel.Column("field", "汇总字段", "Field", excel.parse_text(max_length=60)),
        excel.Column("percentile", "百分位 P", "Percentile", excel.parse_decimal(2, min_value=0, max_value=100)),
        excel.Column("filters", "筛选条件", "Filters", parse_json_list, width=40,
                     example='[{"field": "delivered_date", "op": "!=", "value": null}]'),
        excel.Column("numerator", "分子条件", "Numerator", parse_json_list, width=40,
                     example='[{"field": "on_time", "op": "=", "value": true}]'),
        excel.Column("scale", "倍数", "Scale", excel.parse_decimal(4), example="100"),
        excel.Column("unit", "单位", "Unit", excel.parse_text(max_length=20), example="%"),
        excel.Column("levels", "适用对象", "Levels", parse_levels, example="vendor,worker"),
        excel.Column("empty_as_zero", "无记录记为0", "Empty as zero", excel.parse_bool()),
        excel.Column("is_active", "启用", "Active", excel.parse_bool(), example="是"),
        excel.Column("description", "说明", "Description", excel.parse_text(max_length=2000, fold_width=False)),
        excel.Column("expression", "公式", "Expression", excel.parse_text(max_length=2000, fold_width=False),
                     width=40, example=""),
    ])

    def apply(self, obj: models.Model, values: dict[str, Any], resolved: dict[str, Any]) -> None:
        super().apply(obj, values, resolved)
        # A formula may name a metric further down the file: its references are checked once every
        # row is written (after_write), its syntax row by row as usual.
        if isinstance(obj, Metric):
            obj.defer_references = True

    def after_write(self) -> None:
        from .formulas import check_all

        problems = check_all()
        if problems:
            raise ValidationError([f"公式指标 / Formula metric {p}" for p in problems])

    def export_value(self, obj: models.Model, column: excel.Column) -> Any:
        if column.key in ("filters", "numerator"):
            return json.dumps(getattr(obj, column.key), ensure_ascii=False)
        if column.key == "levels":
            return ",".join(obj.levels or []) if isinstance(obj, Metric) else ""
        return super().export_value(obj, column)
