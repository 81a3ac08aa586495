"""Small templates for tests, built row by row so expected numbers can be worked out by hand."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from outperform.indicators.models import (
    AdjustmentItem,
    Dimension,
    GradeBand,
    Indicator,
    Quota,
    Template,
    TemplateIndicator,
    VetoItem,
)

WORKER_BANDS = [("A", "优秀", 90, 100, "1.5"), ("B", "良好", 80, 90, "1.2"), ("C", "合格", 60, 80, "1.0"),
                ("D", "不合格", 0, 60, "0")]


def make_template(
    *,
    code: str = "T-TEST",
    indicators: list[dict[str, Any]] | None = None,
    role_weights: dict[str, Any] | None = None,
    quotas: list[tuple[str, str, Any]] = (),  # type: ignore[assignment]
    grading: str = "bands",
    status: str = "active",
    **fields: Any,
) -> Template:
    """indicators: [{"code", "weight", "kind"="qualitative", "rater_roles"=[...], "rule"=None}]"""
    dim, _ = Dimension.objects.get_or_create(code="T-DIM", defaults={"name": "测试维度"})
    template = Template.objects.create(
        code=code, name=f"测试方案 {code}", role_weights=role_weights or {"self": "40", "supervisor": "60"},
        grading=grading, status=status, min_group_size=fields.pop("min_group_size", 1), **fields,
    )
    for i, spec in enumerate(indicators or [
        {"code": "Q1", "weight": 60, "rater_roles": ["self", "supervisor"]},
        {"code": "Q2", "weight": 40, "rater_roles": ["self", "supervisor"]},
    ]):
        indicator, _ = Indicator.objects.get_or_create(code=spec["code"], defaults={
            "name": spec.get("name", f"指标{spec['code']}"), "dimension": dim,
            "kind": spec.get("kind", "qualitative"), "rater_roles": spec.get("rater_roles", []),
            "rule": spec.get("rule"), "metric": spec.get("metric", ""),
        })
        TemplateIndicator.objects.create(template=template, indicator=indicator, weight=Decimal(str(spec["weight"])),
                                         order=i, role_weights=spec.get("role_weights"))
    for code, name, lo, hi, coef in WORKER_BANDS:
        GradeBand.objects.create(template=template, code=code, name=name, min_score=lo, max_score=hi,
                                 coefficient=Decimal(coef))
    for grade, kind, share in quotas:
        Quota.objects.create(template=template, grade_code=grade, kind=kind, share=Decimal(str(share)))
    AdjustmentItem.objects.create(template=template, code="BONUS", name="加分", cap=5)
    VetoItem.objects.create(template=template, code="SEC", name="安全事故")
    return template
