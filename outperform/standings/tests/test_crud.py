"""Generic CRUD + permission + audit for the declared resources (bands, settlement rules)."""

import pytest
from django.urls import reverse

from outperform.standings.models import SettlementRule, StandingBand
from outperform.testing.crud import CrudCase


class TestStandingBands(CrudCase):
    route, api, model = "standings:bands", "/api/v1/standings/bands/", StandingBand
    make = staticmethod(lambda w: StandingBand.objects.create(code="E", name="淘汰", lower_bound=0))
    form_data = staticmethod(lambda w: {"code": "S", "name": "卓越", "lower_bound": "95", "colour": "success"})
    api_data = staticmethod(lambda w: {"code": "S2", "name": "卓越", "lower_bound": "96", "colour": "#112233"})
    update_field = ("name", "特优")


class TestSettlementRules(CrudCase):
    route, api, model = "standings:rules", "/api/v1/standings/settlement-rules/", SettlementRule
    make = staticmethod(lambda w: SettlementRule.objects.create(contract=w.contract_b, period_fee_fen=100))
    form_data = staticmethod(lambda w: {"contract": w.contract_a.pk, "standing_adjustments": '{"C": "-5"}',
                                        "period_fee_yuan": "1000.50", "breach_deduction_yuan": "300",
                                        "breach_cap_yuan": "", "note": ""})
    api_data = staticmethod(lambda w: {"contract": w.contract_a.pk, "standing_adjustments": {"D": "-10"},
                                       "period_fee_fen": 100050, "breach_deduction_fen": 30000})
    update_field = ("note", "调整")


@pytest.mark.django_db
def test_rule_form_stores_fen_exactly_and_rejects_bad_percentages(world, client_for):
    c = client_for("hr")
    bad = c.post(reverse("standings:rules_create"), {**TestSettlementRules.form_data(world),
                                                     "standing_adjustments": '{"C": "abc"}'})
    assert bad.status_code == 400 and "不是数字" in bad.content.decode()
    too_big = c.post(reverse("standings:rules_create"), {**TestSettlementRules.form_data(world),
                                                         "standing_adjustments": '{"C": "-150"}'})
    assert too_big.status_code == 400
    assert c.post(reverse("standings:rules_create"), TestSettlementRules.form_data(world)).status_code == 302
    rule = SettlementRule.objects.get(contract=world.contract_a)
    assert (rule.period_fee_fen, rule.breach_deduction_fen, rule.breach_cap_fen) == (100050, 30000, None)


@pytest.mark.django_db
def test_rules_scope(world, client_for, api_for):
    SettlementRule.objects.create(contract=world.contract_a, period_fee_fen=1)
    b = SettlementRule.objects.create(contract=world.contract_b, period_fee_fen=2)
    assert [r["period_fee_fen"] for r in api_for("vendor_manager").get(
        "/api/v1/standings/settlement-rules/").json()["results"]] == [1]
    assert client_for("vendor_manager").get(reverse("standings:rules_detail", args=[b.pk])).status_code == 404
    assert api_for("supervisor").get("/api/v1/standings/settlement-rules/").json()["count"] == 0
