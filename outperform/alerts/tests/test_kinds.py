"""The registry and per-kind parameter validation: errors name the parameter."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from outperform.alerts.kinds import ParamsError, all_kinds, get_kind, register_kind, validate_params
from outperform.alerts.models import AlertRule

BUILTIN = {"contract_expiring", "evaluation_deadline", "goal_deadline", "interview_deadline", "appeal_deadline",
           "fail_streak", "indicator_threshold"}
# Once placeholders; their apps are installed now, so they are real kinds.
DATA_KINDS = {"metric_threshold", "sla_breach", "improvement_plan_deadline", "vendor_standing_drop"}


def test_registry_holds_builtin_and_data_kinds():
    keys = {k.key for k in all_kinds()}
    assert keys >= BUILTIN | DATA_KINDS
    assert all(get_kind(k).available() for k in BUILTIN | DATA_KINDS)


def test_defaults_and_coercion():
    assert validate_params("contract_expiring", {}) == {"days": 60, "critical_days": 7}
    assert validate_params("contract_expiring", {"days": "30"}) == {"days": 30, "critical_days": 7}
    cleaned = validate_params("indicator_threshold", {"threshold": "70.5", "op": "lt", "periods": 3})
    assert cleaned["threshold"] == Decimal("70.5") and cleaned["periods"] == 3 and cleaned["measure"] == "composite"


@pytest.mark.parametrize(("kind", "params", "field", "text"), [
    ("contract_expiring", {"days": "abc"}, "days", "整数"),
    ("contract_expiring", {"days": 0}, "days", "at least 1"),
    ("contract_expiring", {"days": 1000}, "days", "at most 730"),
    ("contract_expiring", {"dayz": 3}, "dayz", "unknown parameter"),
    ("indicator_threshold", {}, "threshold", "必填"),
    ("indicator_threshold", {"threshold": "x"}, "threshold", "数字"),
    ("indicator_threshold", {"threshold": 1, "op": "eq"}, "op", "lt, le, gt, ge"),
    ("evaluation_deadline", {"when": "never"}, "when", "both"),
])
def test_errors_name_the_parameter(kind, params, field, text):
    with pytest.raises(ParamsError) as exc:
        validate_params(kind, params)
    assert field in exc.value.errors
    assert text in exc.value.errors[field]


def test_unknown_kind_and_non_object():
    with pytest.raises(ParamsError) as exc:
        validate_params("nope", {})
    assert "kind" in exc.value.errors
    with pytest.raises(ParamsError) as exc:
        validate_params("contract_expiring", [1, 2])
    assert "params" in exc.value.errors


@pytest.mark.django_db
def test_model_clean_reports_params_field(world):
    rule = AlertRule(name="r", kind="contract_expiring", params={"days": -1}, owner=world.users["hr"])
    with pytest.raises(ValidationError) as exc:
        rule.full_clean()
    assert "params" in exc.value.message_dict
    assert exc.value.message_dict["params"][0].startswith("days:")


@pytest.mark.django_db
def test_owner_required_for_user_mode(world):
    rule = AlertRule(name="r", kind="contract_expiring", params={}, owner_mode="user")
    with pytest.raises(ValidationError) as exc:
        rule.full_clean()
    assert "owner" in exc.value.message_dict


@pytest.mark.django_db
def test_form_shows_field_named_error(client_for):
    response = client_for("hr").post(reverse("alerts:rules_create"), {
        "name": "合同到期", "kind": "contract_expiring", "params": '{"days": "soon"}', "severity": "warning",
        "owner_mode": "vendor_manager", "enabled": "on"})
    assert response.status_code == 400
    assert "days: " in response.content.decode()
    assert not AlertRule.objects.exists()


@pytest.mark.django_db
def test_api_shows_field_named_error(api_for):
    response = api_for("hr").post("/api/v1/alert-rules/", {
        "name": "合同到期", "kind": "contract_expiring", "params": {"days": 0, "bogus": 1},
        "severity": "warning", "owner_mode": "vendor_manager"}, format="json")
    assert response.status_code == 400
    assert set(response.json()["params"]) == {"days", "bogus"}


@pytest.mark.django_db
def test_api_lists_kinds(api_for):
    rows = {r["key"]: r for r in api_for("auditor").get("/api/v1/alert-kinds/").json()}
    assert rows["contract_expiring"]["available"] is True
    assert rows["sla_breach"]["available"] is True and rows["sla_breach"]["source"] == "outperform.records"
    assert [p["name"] for p in rows["contract_expiring"]["params"]] == ["days", "critical_days"]


def test_other_apps_can_register_a_kind():
    from outperform.alerts.kinds import _REGISTRY, Candidate, Param

    def evaluate(ctx):  # type: ignore[no-untyped-def]
        return [Candidate(dedup_key="x", title="t", message="m")]

    try:
        register_kind("test_kind", "测试", evaluate, (Param("n", "N", "int", default=1),))
        assert validate_params("test_kind", {"n": "4"}) == {"n": 4}
    finally:
        _REGISTRY.pop("test_kind", None)
