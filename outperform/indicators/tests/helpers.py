"""Small templates built by hand for the tests (the built-in ones are tested on their own)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from outperform.indicators.models import (
    AdjustmentItem,
    Dimension,
    GradeBand,
    Indicator,
    Template,
    TemplateIndicator,
    VetoItem,
)

WORKER_BANDS = [
    # code, name, min, max, coefficient, colour
    ("EX", "优秀", "90", "100", "1.5", "#198754"),
    ("GD", "良好", "80", "90", "1.2", "#0d6efd"),
    ("OK", "合格", "60", "80", "1.0", "#fd7e14"),
    ("NG", "不合格", "0", "60", "0", "#dc3545"),
]


def dimension(code: str = "T-DIM") -> Dimension:
    return Dimension.objects.get_or_create(code=code, defaults={"name": "测试维度", "name_en": "Test"})[0]


def qualitative(code: str, roles: list[str] | None = None) -> Indicator:
    return Indicator.objects.create(
        code=code, name=f"定性{code}", dimension=dimension(), kind="qualitative", subject_kind="worker",
        rater_roles=roles if roles is not None else ["self", "supervisor"],
        levels=[{"score": 100, "label": "卓越", "description": "很好"}],
    )


def quantitative(code: str, rule: dict[str, Any], metric: str = "") -> Indicator:
    return Indicator.objects.create(
        code=code, name=f"定量{code}", dimension=dimension(), kind="quantitative", subject_kind="worker",
        metric=metric, rule=rule,
    )


def bands(template: Template, rows: list[tuple[str, ...]] = WORKER_BANDS) -> None:
    GradeBand.objects.bulk_create([
        GradeBand(template=template, code=c, name=n, min_score=Decimal(lo), max_score=Decimal(hi),
                  coefficient=Decimal(k), colour=col)
        for c, n, lo, hi, k, col in rows
    ])


def two_indicator_template(code: str = "T-2", weights: tuple[str, str] = ("60", "40"), **fields: Any) -> Template:
    """Indicators QA (weight 60) and QB (40), both rated by supervisor 60 / self 40; bands above;
    a 加减分 item capped at 5 and a veto; bonus = base × coefficient."""
    template = Template.objects.create(
        code=code, name=f"测试方案{code}", subject_kind="worker", status="active",
        role_weights={"supervisor": "60", "self": "40"}, bonus_mode="base", **fields,
    )
    a = Indicator.objects.filter(code="QA").first() or qualitative("QA")
    b = Indicator.objects.filter(code="QB").first() or qualitative("QB")
    TemplateIndicator.objects.create(template=template, indicator=a, weight=Decimal(weights[0]), order=1)
    TemplateIndicator.objects.create(template=template, indicator=b, weight=Decimal(weights[1]), order=2)
    bands(template)
    AdjustmentItem.objects.create(template=template, code="ADJ", name="加减分", cap=Decimal(5))
    VetoItem.objects.create(template=template, code="SAFETY", name="安全事故")
    return template
