"""Whole-template validation: every problem, as readable messages, before any scoring.

The engine refuses an invalid template (:class:`~.errors.ConfigError` with all messages);
forms call :func:`validate_template` to show them next to the template being edited.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from decimal import Decimal

from .grading import validate_bands
from .rounding import HUNDRED, SCORE_QUANTUM
from .rules import BandsRule, DeductionRule, FormulaRule, LinearRule
from .types import TemplateSpec

__all__ = ["validate_template"]

_RULE_TYPES = (LinearRule, BandsRule, DeductionRule, FormulaRule)


def _num(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _weight_errors(weights: Iterable[tuple[str, Decimal]], what: str) -> list[str]:
    errors: list[str] = []
    total = Decimal(0)
    for key, weight in weights:
        total += weight
        if weight < 0:
            errors.append(f"{what} {key}: weight {_num(weight)} is negative (权重不能为负)")
        elif weight != weight.quantize(SCORE_QUANTUM):
            errors.append(f"{what} {key}: weight {_num(weight)} has more than two decimal "
                          "places (权重最多两位小数)")
    if total != HUNDRED:
        errors.append(f"{what} weights add up to {_num(total)}, not 100 (权重合计必须为 100)")
    return errors


def validate_template(template: TemplateSpec) -> list[str]:  # noqa: C901 - a flat checklist
    """All problems with ``template`` (an empty list means it is valid)."""
    errors: list[str] = []
    indicators = template.indicators
    if not indicators:
        errors.append("the template has no indicators (方案至少需要一个指标)")
    duplicates = [code for code, n in Counter(i.code for i in indicators).items() if n > 1]
    errors.extend(f"indicator code {code!r} is used twice (指标代码重复)" for code in duplicates)
    if indicators:
        errors.extend(_weight_errors(((i.code, i.weight) for i in indicators), "indicator"))

    uses_default_roles = False
    for ind in indicators:
        if not ind.code:
            errors.append("an indicator has an empty code (指标代码不能为空)")
        if ind.kind == "qualitative":
            if ind.rule is not None or ind.measure is not None:
                errors.append(f"indicator {ind.code} is qualitative (rated by people) and cannot "
                              "have a rule or measure (定性指标不能设置评分规则)")
            if ind.role_weights is None:
                uses_default_roles = True
            else:
                errors.extend(_weight_errors(ind.role_weights.items(), f"indicator {ind.code} role"))
        elif ind.kind == "quantitative":
            if not isinstance(ind.rule, _RULE_TYPES):
                errors.append(f"quantitative indicator {ind.code} needs a scoring rule "
                              "(定量指标必须设置评分规则)")
            if ind.measure is not None and ind.measure.kind != "number":
                errors.append(f"indicator {ind.code}: the measure formula must produce a number "
                              "(计算公式必须得出数值)")
            if ind.role_weights is not None:
                errors.append(f"indicator {ind.code} is quantitative and cannot have rater-role "
                              "weights (定量指标不设评价角色权重)")
        else:
            errors.append(f"indicator {ind.code}: kind must be qualitative or quantitative, "
                          f"not {ind.kind!r} (指标类型无效)")
    if uses_default_roles or template.role_weights:
        errors.extend(_weight_errors(template.role_weights.items(), "role"))

    if template.scale_min >= template.scale_max:
        errors.append("scale_min must be below scale_max (分数下限必须小于上限)")
    else:
        errors.extend(validate_bands(template.bands, template.scale_min, template.scale_max))
    if template.adjustment_cap is not None and template.adjustment_cap < 0:
        errors.append("adjustment_cap must not be negative (加减分上限不能为负)")
    if template.bonus not in ("none", "base", "pool"):
        errors.append(f"bonus must be none, base or pool, not {template.bonus!r} (奖金方式无效)")
    if template.bonus == "pool" and template.scale_min < 0:
        errors.append("a bonus pool needs scale_min ≥ 0 (奖金池模式下分数不能为负)")
    errors.extend(_quota_errors(template))
    return errors


def _quota_errors(template: TemplateSpec) -> list[str]:
    errors: list[str] = []
    if template.grading not in ("bands", "forced_distribution"):
        return [f"grading must be bands or forced_distribution, not {template.grading!r} "
                "(评级方式无效)"]
    if template.grading == "bands":
        if template.quotas:
            errors.append("quotas only apply with forced_distribution grading "
                          "(配额仅用于强制分布)")
        return errors
    if not template.quotas:
        errors.append("forced distribution needs at least one quota (强制分布至少需要一个配额)")
    if not isinstance(template.min_group_size, int) or template.min_group_size < 1:
        errors.append("min_group_size must be a whole number ≥ 1 (最小分组人数至少为 1)")
    codes = {band.code for band in template.bands}
    lowest = min(template.bands, key=lambda b: b.min).code if template.bands else None
    seen: set[str] = set()
    min_total = Decimal(0)
    for quota in template.quotas:
        if quota.grade_code not in codes:
            errors.append(f"quota for unknown grade {quota.grade_code!r} (配额对应的等级不存在)")
        if quota.grade_code in seen:
            errors.append(f"grade {quota.grade_code} has more than one quota (每个等级只能有一个配额)")
        seen.add(quota.grade_code)
        if quota.kind not in ("max", "min"):
            errors.append(f"quota {quota.grade_code}: kind must be max or min (配额类型无效)")
        if not 0 < quota.share <= 1:
            errors.append(f"quota {quota.grade_code}: share {_num(quota.share)} must be above 0 "
                          "and at most 1 (配额比例必须在 0–1 之间)")
        if quota.kind == "max" and quota.grade_code == lowest:
            errors.append(f"a max quota on the lowest grade {quota.grade_code} cannot be "
                          "enforced: there is no lower grade to move subjects to (最低等级不能设上限配额)")
        if quota.kind == "min":
            min_total += quota.share
    if min_total > 1:
        errors.append(f"minimum quotas add up to {_num(min_total * HUNDRED)}%, more than 100% "
                      "(下限配额合计超过 100%)")
    return errors
