"""Pinned fixes of bugs the route matrix and schemathesis found, one test per bug, on the small
role world (outperform/testing/world.py) so that they run in seconds."""

from __future__ import annotations

from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from outperform.notifications.models import NotificationKind, PersonalChannel
from outperform.rewards import services as rewards_services
from outperform.rewards.tests.helpers import BASE_RESULTS, published_cycle
from outperform.testing.world import World, build_world

pytestmark = pytest.mark.django_db
RESULTS: dict[str, tuple[str | None, str]] = dict(BASE_RESULTS)


@pytest.fixture
def world() -> World:
    return build_world()


def client_for(world: World, role: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(world.users[role])
    return client


def test_bonus_plan_return_outside_scope_answers_404_even_with_an_empty_body(world: World) -> None:
    # A worker sees no bonus plan. Before the fix the body was judged first: 400 told them the id exists.
    cycle = published_cycle(world, RESULTS)
    plan = rewards_services.plan_create(actor=world.users["hr"], cycle=cycle, name="三季度奖金")
    response = client_for(world, "worker").post(f"/api/v1/bonus-plans/{plan.pk}/return/", {}, format="json")
    assert response.status_code == 404


def test_contract_expiry_filter_with_a_huge_number_is_a_400_not_a_server_error(world: World) -> None:
    response = client_for(world, "hr").get("/api/v1/contracts/", {"expires_within": "391300038156654015938560"})
    assert response.status_code == 400
    assert "expires_within" in response.json()


def test_contract_expiry_filter_still_filters(world: World) -> None:
    response = client_for(world, "hr").get("/api/v1/contracts/", {"expires_within": "36500"})
    assert response.status_code == 200


def test_bonus_lines_grade_filter_without_a_plan_filters_on_the_grade(world: World) -> None:
    # The filter built in __init__ had no field name: ?grade_name= filtered on "None" → 500.
    cycle = published_cycle(world, RESULTS)
    plan = rewards_services.plan_create(actor=world.users["hr"], cycle=cycle, name="三季度奖金")
    rewards_services.plan_prepare(actor=world.users["hr"], plan=plan)
    client = client_for(world, "hr")
    response = client.get("/api/v1/bonus-lines/", {"grade_name": "优秀"})
    assert response.status_code == 200
    # BASE_RESULTS has one 优秀 (a_ops_cs, grade A).
    assert [row["grade_name"] for row in response.json()["results"]] == ["优秀"]


def test_notification_preferences_answer_one_object_as_the_schema_says(world: World) -> None:
    response = client_for(world, "worker").get("/api/v1/notification-preferences/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == set(NotificationKind.values)
    assert all(set(v) == set(PersonalChannel.values) for v in body.values())
    schema: Any = SchemaGenerator().get_schema(request=None, public=True)
    documented = schema["paths"]["/api/v1/notification-preferences/"]["get"]["responses"]["200"]
    assert documented["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/NotificationPreferences"}


def test_compliance_veto_refuses_a_limited_role_before_reading_the_body(world: World) -> None:
    assert client_for(world, "vendor_manager").post("/api/v1/compliance/vetoes/", {}, format="json").status_code == 403
    assert client_for(world, "hr").post("/api/v1/compliance/vetoes/", {}, format="json").status_code == 400


def test_schema_has_no_component_named_twice() -> None:
    # Two serializers sharing a component name silently replaced one another in the schema.
    schema: Any = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    assert "MetricValueRecord" in components and "MetricValue" in components
    assert "AuditFinding" in components and "Finding" in components
    # The veto view had no serializer: spectacular dropped it from the schema altogether.
    assert "requestBody" in schema["paths"]["/api/v1/compliance/vetoes/"]["post"]


def test_calendar_year_filter_out_of_range_is_a_400_not_a_server_error(world: World) -> None:
    client = client_for(world, "hr")
    response = client.get("/api/v1/records/calendar-days/", {"year": "3.44370885211761e+29"})
    assert response.status_code == 400
    assert "year" in response.json()
    assert client.get("/api/v1/records/calendar-days/", {"year": "2026"}).status_code == 200
