"""HR inputs of the compute: 加减分 (adjustment items, capped by the engine), 一票否决 (vetoes) and
the actual values of quantitative indicators (数据指标).

Allowed until and including 校准; a recompute (HR) brings them into the results. Every write is one
transaction with one audit row."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from outperform.core.audit import audit_create, audit_delete, audit_update, snapshot
from outperform.core.models import User

from ..models import AdjustmentEntry, Appraisal, MetricValue
from .common import ensure_hr, ensure_state
from .computing import BEFORE_PUBLICATION

ADJUSTMENT_LIMIT = Decimal(100)
METRIC_LIMIT = Decimal(10) ** 10  # MetricValue.value: 14 digits, 4 after the point


def adjustment_items(appraisal: Appraisal) -> list[dict[str, Any]]:
    return list(appraisal.cycle_template.snapshot.get("adjustments") or [])


def veto_items(appraisal: Appraisal) -> list[dict[str, Any]]:
    return list(appraisal.cycle_template.snapshot.get("vetoes") or [])


def metric_items(appraisal: Appraisal) -> list[dict[str, Any]]:
    """The template's quantitative indicators, each with the metric its value is entered under."""
    return [i for i in appraisal.cycle_template.snapshot["indicators"]
            if i.get("kind") == "quantitative" and (i.get("metric") or i.get("code"))]


def _metric_of(item: dict[str, Any]) -> str:
    return str(item.get("metric") or item["code"])


def _locked(actor: User, appraisal: Appraisal) -> Appraisal:
    ensure_hr(actor)
    appraisal = Appraisal.objects.select_for_update(of=("self",)).select_related(
        "cycle", "cycle_template").get(pk=appraisal.pk)
    ensure_state(appraisal.cycle, *BEFORE_PUBLICATION)
    return appraisal


def _reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationError({"reason": _("请填写原因 / Give a reason")})
    if len(text) > 300:
        raise ValidationError({"reason": _("原因不能超过 300 字 / At most 300 characters")})
    return text


def _decimal(value: Any, field: str) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("请输入数字 / Enter a number")}) from None
    if not number.is_finite():
        raise ValidationError({field: _("请输入数字 / Enter a number")})
    return number


@transaction.atomic
def adjustment_add(*, actor: User, appraisal: Appraisal, code: str, value: Any, reason: str) -> AdjustmentEntry:
    """A 加减分 entry. The value may exceed the item's cap (the engine caps it) but not ±100."""
    appraisal = _locked(actor, appraisal)
    if code not in {a["code"] for a in adjustment_items(appraisal)}:
        raise ValidationError({"code": _("考核方案中没有这个加减分项目 / No such adjustment item in the template")})
    number = _decimal(value, "value").quantize(Decimal("0.01"))
    if number == 0:
        raise ValidationError({"value": _("分值不能为 0 / The value can't be 0")})
    if abs(number) > ADJUSTMENT_LIMIT:
        raise ValidationError({"value": _("分值须在 -100 到 100 之间 / Between -100 and 100")})
    entry = AdjustmentEntry.objects.create(appraisal=appraisal, code=code, value=number, is_veto=False,
                                           reason=_reason(reason), created_by=actor)
    audit_create(actor, entry, reason=entry.reason)
    return entry


@transaction.atomic
def veto_add(*, actor: User, appraisal: Appraisal, code: str, reason: str) -> AdjustmentEntry:
    """一票否决: the subject gets the lowest grade (the composite is kept)."""
    appraisal = _locked(actor, appraisal)
    if code not in {v["code"] for v in veto_items(appraisal)}:
        raise ValidationError({"code": _("考核方案中没有这个否决项目 / No such veto item in the template")})
    text = _reason(reason)
    if appraisal.adjustment_entries.filter(code=code, is_veto=True).exists():
        raise ValidationError({"code": _("该否决项已记录 / This veto is already recorded")})
    entry = AdjustmentEntry.objects.create(appraisal=appraisal, code=code, value=Decimal(0), is_veto=True,
                                           reason=text, created_by=actor)
    audit_create(actor, entry, reason=text)
    return entry


@transaction.atomic
def adjustment_remove(*, actor: User, entry: AdjustmentEntry, reason: str) -> None:
    """Remove a 加减分 or 一票否决 entry, with the reason in the audit trail."""
    appraisal = _locked(actor, entry.appraisal)
    entry = AdjustmentEntry.objects.select_for_update().get(pk=entry.pk, appraisal=appraisal)
    text = _reason(reason)
    audit_delete(actor, entry, reason=text)
    entry.delete()


@transaction.atomic
def metric_value_set(*, actor: User, appraisal: Appraisal, metric: str, value: Any, source: str = "manual"
                     ) -> MetricValue:
    """Set (or clear, with None) the actual value of a quantitative indicator's metric."""
    appraisal = _locked(actor, appraisal)
    if metric not in {_metric_of(i) for i in metric_items(appraisal)}:
        raise ValidationError({"metric": _("考核方案中没有这个数据指标 / No such quantitative metric in the template")})
    number: Decimal | None = None
    if value is not None and str(value).strip() != "":
        number = _decimal(value, "value").quantize(Decimal("0.0001"))
        if abs(number) >= METRIC_LIMIT:
            raise ValidationError({"value": _("数值过大 / The value is too large")})
    source = (source or "manual").strip()[:40] or "manual"
    mv = MetricValue.objects.select_for_update().filter(appraisal=appraisal, metric=metric).first()
    if mv is None:
        mv = MetricValue.objects.create(appraisal=appraisal, cycle=appraisal.cycle, metric=metric, value=number,
                                        source=source)
        audit_create(actor, mv, reason="metric")
        return mv
    before = snapshot(mv)
    mv.value, mv.source = number, source
    mv.save(update_fields=["value", "source"])
    audit_update(actor, mv, before, reason="metric")
    return mv


__all__ = ["adjustment_add", "adjustment_items", "adjustment_remove", "metric_items", "metric_value_set",
           "veto_add", "veto_items"]
