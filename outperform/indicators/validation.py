"""Checks shared by the services, forms, importer and API, in the user's words.

The maths of a valid template (weights add up to 100, bands cover the scale, quotas name real
grades …) belongs to the scoring engine (`scoring.validate_template`, reached through
`snapshot.validate_template_model`). This module only *words* its messages for people: the engine
writes English with the Chinese term in brackets; `explain` adds a full Chinese sentence with the
same numbers in front for the messages people meet most, so "权重合计为 90" is readable by an HR
user who never reads the English half.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outperform import scoring
from outperform.scoring.rules import as_decimal

from .models import Direction, IndicatorType, RaterRole

NUMBER = r"-?[\d.]+"

# (pattern over the engine's message, Chinese sentence with the pattern's groups)
_EXPLAINED: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), zh)
    for p, zh in (
        (rf"^indicator weights add up to (?P<n>{NUMBER}), not 100",
         "指标权重合计为 {n}，必须正好等于 100"),
        (rf"^role weights add up to (?P<n>{NUMBER}), not 100",
         "评价角色权重合计为 {n}，必须正好等于 100"),
        (rf"^indicator (?P<c>\S+) role weights add up to (?P<n>{NUMBER}), not 100",
         "指标 {c} 的评价角色权重合计为 {n}，必须正好等于 100"),
        (rf"^indicator (?P<c>\S+): weight (?P<n>{NUMBER}) is negative",
         "指标 {c} 的权重为 {n}，不能为负数"),
        (rf"^role (?P<c>\S+): weight (?P<n>{NUMBER}) is negative",
         "评价角色 {c} 的权重为 {n}，不能为负数"),
        (rf"^gap between grades (?P<a>.+?) and (?P<b>.+?): scores from (?P<x>{NUMBER}) to (?P<y>{NUMBER})",
         "等级“{a}”与“{b}”之间有空档：{x} 到 {y} 分没有对应等级"),
        (r"^grades (?P<a>.+?) and (?P<b>.+?) overlap",
         "等级“{a}”与“{b}”的分数区间重叠"),
        (rf"^the lowest grade starts at (?P<x>{NUMBER}) but the scale starts at (?P<y>{NUMBER})",
         "最低等级从 {x} 分开始，但分数范围从 {y} 分开始，低于 {x} 分没有等级"),
        (rf"^the highest grade ends at (?P<x>{NUMBER}) but the scale ends at (?P<y>{NUMBER})",
         "最高等级止于 {x} 分，但分数范围到 {y} 分，最高分没有等级"),
        (r"^the template has no indicators", "方案至少需要一个指标"),
        (r"^at least one grade band is needed", "至少需要一个绩效等级"),
        (r"^quota for unknown grade '(?P<c>[^']*)'", "强制分布比例引用了不存在的等级“{c}”"),
        (r"^quotas only apply with forced_distribution grading",
         "只有“强制分布”定级方式才使用强制分布比例；请删除比例或改为强制分布"),
        (r"^quantitative indicator (?P<c>\S+) needs a scoring rule", "定量指标 {c} 缺少评分规则"),
    )
)


def explain(message: str) -> str:
    """The engine's message with a Chinese sentence in front when we know the pattern."""
    for pattern, zh in _EXPLAINED:
        m = pattern.search(message)
        if m:
            return f"{zh.format(**m.groupdict())} / {message}"
    return message


def explain_all(messages: Iterable[str]) -> list[str]:
    return [explain(m) for m in messages]


def is_weight_sum_message(message: str) -> bool:
    """Weight-sum problems are shown above everything else on the template page."""
    return "weights add up to" in message


_FORMULA_CODES = {
    "empty": "公式为空",
    "unexpected_end": "公式不完整",
    "unexpected": "此处有无法识别的内容",
    "unknown_function": "未知的函数",
    "unknown_metric": "未知的数据指标",
    "arity": "函数参数个数不对",
    "chained": "比较不能连写",
    "number": "数字写法有误",
    "too_deep": "嵌套层数过多",
    "type": "类型不匹配（公式须得出数值）",
}


def formula_message(exc: scoring.FormulaError) -> str:
    """Name the column, in both languages: people fix formulas by counting characters."""
    zh = _FORMULA_CODES.get(exc.code, "公式有误")
    return (f"公式第 {exc.position} 列：{zh}（{exc.message}） / "
            f"Formula error at column {exc.position}: {exc.message}")


def formula_pointer(expression: str, position: int) -> str:
    """Two lines: the expression and a caret under the offending column (for a <pre>)."""
    return f"{expression}\n{' ' * max(position - 1, 0)}^"


def rule_error_message(exc: scoring.ScoringError) -> str:
    if isinstance(exc, scoring.FormulaError):
        return formula_message(exc)
    if isinstance(exc, scoring.ConfigError):
        return "；".join(exc.errors)
    return str(exc)


def rule_description(rule: dict[str, Any] | None) -> str:
    """A rule in words, in the user's language ("线性：80 得 0 分，100 得 100 分，越高越好")."""
    if not rule:
        return ""
    try:
        data = scoring.rule_to_dict(scoring.rule_from_dict(rule))
    except scoring.ScoringError as exc:
        return rule_error_message(exc)
    kind = data.get("type")
    if kind == "linear":
        better = _("越低越好") if data.get("direction") == "lower_is_better" else _("越高越好")
        return _("线性：%(floor)s 得 0 分，%(target)s 得 100 分，%(better)s") % {
            "floor": data["floor"], "target": data["target"], "better": better}
    if kind == "bands":
        parts = []
        for band in data["bands"]:
            lower, upper = band.get("lower"), band.get("upper")
            span = f"{lower if lower is not None else '−∞'}–{upper if upper is not None else '+∞'}"
            parts.append(f"{span} → {band['score']}")
        return _("分段：%s") % "；".join(parts)
    if kind == "deduction":
        return _("扣分：起始 %(start)s 分，每次扣 %(per)s 分，最低 %(min)s 分") % {
            "start": data.get("start", 100), "per": data["per_event"], "min": data.get("minimum", 0)}
    if kind == "formula":
        return _("公式：%s") % data["expression"]
    return str(kind)


QUALITATIVE_RULE = gettext_lazy("各评价角色均分的加权平均")


def canonical_rule(
    rule: Any, *, kind: str, direction: str, error: Callable[[str], Exception] | None = None
) -> dict[str, Any] | None:
    """The rule in the engine's canonical dict form, or raise ValidationError({"rule": …}).

    Qualitative indicators never carry a rule (the engine refuses one); a quantitative indicator
    must. A linear rule's direction must agree with the indicator's, or the library would say
    "lower is better" while the engine scores the other way.
    """
    def fail(message: str) -> Exception:
        return error(message) if error is not None else ValidationError({"rule": message})

    if kind == IndicatorType.QUALITATIVE:
        if rule:
            raise fail("定性指标由评价人打分，不能设置评分规则 / A qualitative indicator is rated by people "
                       "and has no scoring rule")
        return None
    if not rule:
        raise fail("定量指标必须设置评分规则 / A quantitative indicator needs a scoring rule")
    if not isinstance(rule, dict):
        raise fail("评分规则格式有误，应为 JSON 对象 / The rule must be a JSON object")
    try:
        parsed = scoring.rule_from_dict(rule)
    except scoring.ScoringError as exc:
        raise fail(rule_error_message(exc)) from None
    if isinstance(parsed, scoring.LinearRule):
        wanted = "lower_is_better" if direction == Direction.LOWER else "higher_is_better"
        if parsed.direction != wanted:
            raise fail("线性规则的方向与指标方向（越高越好/越低越好）不一致 / The linear rule's direction "
                       "does not match the indicator's direction")
    return scoring.rule_to_dict(parsed)


def to_decimal(value: Any, what: str) -> Decimal:
    """Like the engine's `as_decimal`, but JSON floats (10.5 from an API client) are read by their
    shortest repr instead of being refused: people type 10.5, not 10.500000000000001."""
    if isinstance(value, float):
        value = repr(value)
    return as_decimal(value, what)


def check_rater_roles(roles: Any) -> list[str]:
    if roles in (None, ""):
        return []
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise ValidationError({"rater_roles": "评价角色应为列表 / Rater roles must be a list"})
    unknown = [r for r in roles if r not in RaterRole.values]
    if unknown:
        raise ValidationError({"rater_roles": "未知的评价角色 / Unknown rater roles: " + ", ".join(unknown)})
    return list(dict.fromkeys(roles))


def check_levels(levels: Any) -> list[dict[str, Any]]:
    """Behaviour anchors: [{score 0–100, label, description}], best first."""
    if levels in (None, ""):
        return []
    if not isinstance(levels, list):
        raise ValidationError({"levels": "等级描述应为列表 / Levels must be a list"})
    clean = []
    for i, level in enumerate(levels, start=1):
        if not isinstance(level, dict):
            raise ValidationError({"levels": f"第 {i} 个等级格式有误 / Level {i} is malformed"})
        try:
            score = to_decimal(level.get("score"), "score")
        except scoring.ScoringError:
            raise ValidationError({"levels": f"第 {i} 个等级的分数不是数字 / Level {i}: the score is not a number"}) \
                from None
        if not 0 <= score <= 100:
            raise ValidationError({"levels": f"第 {i} 个等级的分数须在 0–100 之间 / Level {i}: score must be 0–100"})
        label = str(level.get("label") or "").strip()
        if not label:
            raise ValidationError({"levels": f"第 {i} 个等级缺少名称 / Level {i} needs a label"})
        clean.append({
            "score": int(score) if score == score.to_integral_value() else str(score),
            "label": label,
            "description": str(level.get("description") or "").strip(),
        })
    clean.sort(key=lambda lv: -float(lv["score"]))
    return clean


def row_rule_text(item: dict[str, Any]) -> str:
    """How a snapshot indicator is scored, in words, for breakdown tables."""
    if item.get("kind") == "quantitative":
        return rule_description(item.get("rule"))
    return str(QUALITATIVE_RULE)
