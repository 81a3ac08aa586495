"""Spreadsheet columns of the indicator library (and of dimensions).

Rules, rater roles and behaviour anchors are JSON in the database; in Excel they are written so a
person can read and type them: rater roles as "上级、自评、互评", anchors one per line as
"分数|等级|描述", and the rule as the engine's JSON (checked by the engine cell by cell, so a bad
formula is reported at its row, column and character position).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from outperform import scoring
from outperform.core import excel
from outperform.core.excel import CellError
from outperform.core.importing import ForeignRef, ModelImporter, choice_parser

from .models import Dimension, Direction, Indicator, IndicatorType, RaterRole, SubjectKind
from .validation import canonical_rule, check_levels, rule_error_message

_ROLE = choice_parser(RaterRole)
_SPLIT = re.compile(r"[\s,，、;；/]+")


def _parse_roles(raw: Any) -> list[str] | None:
    text = excel.clean_text(raw)
    if text is None:
        return None
    roles = []
    for token in _SPLIT.split(text):
        if token:
            role = _ROLE(token)
            if role not in roles:
                roles.append(role)
    return roles


def _parse_rule(raw: Any) -> dict[str, Any] | None:
    text = excel.clean_text(raw, fold_width=False)
    if text is None:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        raise CellError("评分规则应为 JSON，如 {\"type\": \"linear\", \"floor\": \"80\", \"target\": \"100\"}",
                        "the rule must be JSON, e.g. {\"type\": \"linear\", \"floor\": \"80\", \"target\": \"100\"}") \
            from None
    if not isinstance(data, dict):
        raise CellError("评分规则应为 JSON 对象", "the rule must be a JSON object")
    try:
        return scoring.rule_to_dict(scoring.rule_from_dict(data))
    except scoring.ScoringError as exc:
        message = rule_error_message(exc)
        zh, _sep, en = message.partition(" / ")
        raise CellError(zh, en or zh) from None


def _parse_levels(raw: Any) -> list[dict[str, Any]] | None:
    text = excel.clean_text(raw, multiline=True, fold_width=False)
    if text is None:
        return None
    levels = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("｜", "|").split("|", 2)]
        if len(parts) < 2:
            raise CellError("每行一个等级：分数|等级|描述", "one level a line: score|label|description")
        levels.append({"score": parts[0], "label": parts[1], "description": parts[2] if len(parts) > 2 else ""})
    try:
        return check_levels(levels)
    except ValidationError as exc:
        message = exc.messages[0]
        zh, _sep, en = message.partition(" / ")
        raise CellError(zh, en or zh) from None


def _check_row(values: Mapping[str, Any]) -> None:
    kind = values.get("kind")
    rule = values.get("rule")
    if kind == IndicatorType.QUALITATIVE and values.get("rule"):
        raise CellError("定性指标由评价人打分，不能设置评分规则", "a qualitative indicator has no scoring rule", "rule")
    if kind == IndicatorType.QUANTITATIVE and values.get("rater_roles"):
        raise CellError("定量指标由数据计分，不设评价角色", "a quantitative indicator has no raters", "rater_roles")
    if rule:
        try:
            canonical_rule(rule, kind=IndicatorType.QUANTITATIVE, direction=values.get("direction") or Direction.HIGHER)
        except ValidationError as exc:
            zh, _sep, en = exc.messages[0].partition(" / ")
            raise CellError(zh, en or zh, "rule") from None


class IndicatorImporter(ModelImporter):
    model = Indicator
    key = "code"
    sheet = excel.SheetSpec(
        "指标库",
        [
            excel.Column("code", "指标编码", "Code", excel.parse_text(max_length=40), required=True,
                         example="w_on_time_rate"),
            excel.Column("name", "指标名称", "Name", excel.parse_text(max_length=100, fold_width=False),
                         required=True, example="及时率"),
            excel.Column("name_en", "英文名称", "English name", excel.parse_text(max_length=150, fold_width=False),
                         example="On-time rate"),
            excel.Column("dimension", "考核维度", "Dimension", excel.parse_text(max_length=60, fold_width=False),
                         required=True, comment="维度编码或名称 / dimension code or name", example="交付时间"),
            excel.Column("kind", "指标类型", "Kind", choice_parser(IndicatorType), required=True, example="定量"),
            excel.Column("subject_kind", "考核对象", "Subject", choice_parser(SubjectKind), example="外包人员"),
            excel.Column("unit", "单位", "Unit", excel.parse_text(max_length=20, fold_width=False), example="%"),
            excel.Column("direction", "方向", "Direction", choice_parser(Direction), example="越高越好"),
            excel.Column("rater_roles", "评价角色", "Rater roles", excel.CellParser(_parse_roles, "roles"),
                         comment="定性指标：如 上级、自评、互评 / qualitative: e.g. supervisor, self, peer"),
            excel.Column("metric", "数据指标", "Metric", excel.parse_text(max_length=60), example="on_time_rate"),
            excel.Column("rule", "评分规则", "Scoring rule", excel.CellParser(_parse_rule, "rule"), width=40,
                         comment="定量指标：评分规则 JSON / quantitative: the rule as JSON",
                         example='{"type": "linear", "floor": "80", "target": "100", "direction": "higher_is_better"}'),
            excel.Column("levels", "等级描述", "Behaviour anchors", excel.CellParser(_parse_levels, "levels"), width=40,
                         comment="每行一个：分数|等级|描述 / one a line: score|label|description"),
            excel.Column("description", "指标说明", "Description",
                         excel.parse_text(max_length=4000, multiline=True, fold_width=False), width=40),
            excel.Column("is_active", "启用", "Active", excel.parse_bool(), example="是"),
        ],
        unique=[["code"]],
        row_checks=[_check_row],
    )
    refs = (ForeignRef("dimension", Dimension, ("code", "name"), "考核维度"),)

    def export_value(self, obj: models.Model, column: excel.Column) -> Any:
        assert isinstance(obj, Indicator)
        if column.key == "rater_roles":
            return "、".join(str(RaterRole(r).label) for r in obj.rater_roles or [] if r in RaterRole.values) or None
        if column.key == "rule":
            return json.dumps(obj.rule, ensure_ascii=False) if obj.rule else None
        if column.key == "levels":
            return "\n".join(f"{lv['score']}|{lv['label']}|{lv.get('description', '')}" for lv in obj.levels or []) \
                or None
        return super().export_value(obj, column)

    def after_write(self) -> None:
        # An empty rule cell keeps an existing indicator's rule, so "quantitative needs a rule" can
        # only be judged on the rows as written.
        missing = list(Indicator.objects.filter(kind=IndicatorType.QUANTITATIVE, rule__isnull=True)
                       .values_list("code", flat=True)[:20])
        if missing:
            raise ValidationError("定量指标缺少评分规则 / Quantitative indicators without a scoring rule: "
                                  + ", ".join(missing))


class DimensionImporter(ModelImporter):
    model = Dimension
    key = "code"
    sheet = excel.SheetSpec(
        "考核维度",
        [
            excel.Column("code", "维度编码", "Code", excel.parse_text(max_length=40), required=True, example="QUALITY"),
            excel.Column("name", "维度名称", "Name", excel.parse_text(max_length=60, fold_width=False), required=True,
                         example="工作质量"),
            excel.Column("name_en", "英文名称", "English name", excel.parse_text(max_length=80, fold_width=False),
                         example="Work quality"),
            excel.Column("order", "排序", "Order", excel.parse_int(min_value=0, max_value=32767), example="30"),
        ],
        unique=[["code"]],
    )
