"""API fuzzing: schemathesis generates requests for every operation of the OpenAPI schema that
/api/schema/ serves, sends them as an authenticated HR user (who reaches every endpoint), and
checks that nothing answers 5xx and that every response matches the schema.

The schema is generated in-process (the same generator /api/schema/ uses) and the calls go to the
WSGI application directly, inside the test's database transaction.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from outperform.testing.world import build_world


def _load() -> Any:
    raw = SchemaGenerator().get_schema(request=None, public=True)
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = get_wsgi_application()
    return schema


schema = _load()  # at collection: pytest-django has configured Django; generating needs no database


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Any:
    """The WSGI calls fire request_started/finished, whose close_old_connections would close the
    test's connection inside its transaction on PostgreSQL (Django's own test client unhooks it the
    same way)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def hr_token(db: Any) -> str:
    world = build_world()
    return Token.objects.create(user=world.users["hr"]).key


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors_and_responses_match_the_schema(case: Any, hr_token: str) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Token {hr_token}"},
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )
