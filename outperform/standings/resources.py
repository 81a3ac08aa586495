"""Declared pages: standing bands and settlement rules (CRUD), standing history (read-only). Each
list has search, filters, pagination and ?export=xlsx; none imports (standings are computed, bands
and rules are few), so they export without import routes (`importable = False`)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from outperform.access.scoping import Scope
from outperform.compliance.exports import exporter_for
from outperform.core.crud import Col, Resource
from outperform.core.display import format_money

from .filters import (
    SettlementFilterSet,
    SettlementRuleFilterSet,
    StandingBandFilterSet,
    VendorStandingFilterSet,
)
from .forms import SettlementRuleForm, StandingBandForm
from .models import Settlement, SettlementRule, StandingBand, VendorStanding


class StandingBandResource(Resource):
    model = StandingBand
    name = "bands"
    namespace = "standings"
    filterset_class = StandingBandFilterSet
    search_fields = ("code", "name")
    default_ordering = ("-lower_bound",)
    columns = (
        Col("code", _("评级代码"), "code", link=True),
        Col("name", _("评级名称"), "name"),
        Col("lower_bound", _("分数下限"), "lower_bound"),
        Col("colour", _("颜色")),
        Col("warn_new_contract", _("新签合同时提醒")),
        Col("block_new_contract", _("禁止新签合同")),
        Col("block_new_worker", _("禁止新增人员")),
        Col("require_rectification", _("要求整改")),
        Col("termination_review", _("进入终止合作评审")),
    )
    detail_fields = (
        *columns,
        Col("warn_new_project_assignment", _("新派项目时提醒")),
        Col("block_new_project_assignment", _("禁止新派项目")),
        Col("warn_new_worker", _("新增人员时提醒")),
    )
    form_class = StandingBandForm


class VendorStandingResource(Resource):
    model = VendorStanding
    name = "history"
    namespace = "standings"
    select_related = ("vendor", "cycle")
    filterset_class = VendorStandingFilterSet
    search_fields = ("vendor__name", "period_label")
    default_ordering = ("-created_at", "-id")
    columns = (
        Col("vendor.name", _("服务商"), "vendor__name", link=True),
        Col("period_label", _("期间"), "period_label"),
        Col("score", _("综合评分"), "score"),
        Col("code", _("评级"), "code"),
        Col("previous_code", _("上次评级")),
        Col("rectification_required", _("要求整改")),
        Col("termination_review", _("终止合作评审"), "termination_review"),
        Col("is_current", _("当前评级")),
        Col("created_at", _("评定时间"), "created_at"),
    )


def rule_adjustments(obj: models.Model, scope: Scope) -> dict[str, Any]:
    assert isinstance(obj, SettlementRule)
    rows = [{"cells": [code, f"{pct}%"], "url": ""} for code, pct in sorted(obj.standing_adjustments.items())]
    return {"related_tables": [{"title": _("评级调整比例"), "headers": [_("评级"), _("调整比例")], "rows": rows}]}


class SettlementRuleResource(Resource):
    model = SettlementRule
    name = "rules"
    namespace = "standings"
    select_related = ("contract", "contract__vendor")
    filterset_class = SettlementRuleFilterSet
    search_fields = ("contract__number", "contract__vendor__name")
    default_ordering = ("contract__number",)
    columns = (
        Col("contract.number", _("合同编号"), "contract__number", link=True),
        Col("contract.vendor.name", _("服务商"), "contract__vendor__name"),
        Col("period_fee_fen", _("每期费用"), "period_fee_fen", money=True),
        Col("adjustments_display", _("评级调整比例")),
        Col("breach_deduction_fen", _("每次SLA违约扣款"), money=True),
        Col("breach_cap_fen", _("SLA扣款上限"), money=True),
        Col("note", _("说明")),
    )
    form_class = SettlementRuleForm
    children = (rule_adjustments,)

    def personal_owner(self, obj: models.Model) -> tuple[int | None, int | None]:
        return None, None


class SettlementResource(Resource):
    """Used by the API and the list query; the pages are views.settlement_*."""

    model = Settlement
    name = "settlements"
    namespace = "standings"
    select_related = ("contract", "vendor", "cycle")
    filterset_class = SettlementFilterSet
    search_fields = ("contract__number", "vendor__name")
    default_ordering = ("-cycle__start_date", "contract__number")


def money(fen: int | None) -> str:
    return format_money(fen)


for _cls, _title in ((StandingBandResource, "评级档位"), (VendorStandingResource, "评级历史"),
                     (SettlementRuleResource, "结算规则")):
    _cls.importer = exporter_for(_cls.model, _title, _cls.detail_fields or _cls.columns)
    _cls.importable = False


RESOURCES = (StandingBandResource(), VendorStandingResource(), SettlementRuleResource())
