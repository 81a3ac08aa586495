"""Database connection lost in the middle of a request: a clean error page or API error, and
nothing half-written (the write and its audit row go together or not at all)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import OperationalError, connection, connections
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from outperform.core import audit
from outperform.core.models import AuditLog
from outperform.org.models import Position
from outperform.testing.world import World

pytestmark = pytest.mark.django_db(transaction=True)


def _lose_connection() -> None:
    """Cut this request's database connection from outside, as a crashed server or a network
    partition would; on SQLite (no server) raise what the driver raises on a lost database."""
    if connection.vendor == "postgresql":
        pid = connection.connection.info.backend_pid
        with connections["default"].__class__(connection.settings_dict, alias="killer").cursor() as other:
            other.execute("SELECT pg_terminate_backend(%s)", [pid])
        return
    raise OperationalError("disk I/O error")


@pytest.fixture
def connection_lost_after_save(monkeypatch: pytest.MonkeyPatch) -> None:
    """The row is saved inside the transaction, then the connection goes before the audit row."""
    real = audit.audit_create

    def audit_then_lose(*args: Any, **kwargs: Any) -> Any:
        _lose_connection()
        return real(*args, **kwargs)

    monkeypatch.setattr("outperform.core.services.audit_create", audit_then_lose)


def test_web_form_answers_a_clean_503_page_and_saves_nothing(world: World, connection_lost_after_save: None) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(world.users["hr"])
    audits_before = AuditLog.objects.count()
    response = client.post(reverse("org:positions_create"), {"code": "P-LOST", "name": "断线岗位", "category": "service",
                                                              "is_active": "on"})
    connection.close()  # the test's own connection may be the one that was cut
    assert response.status_code == 503
    body = response.content.decode()
    assert "未保存任何数据" in body and "nothing was saved" in body
    assert "Traceback" not in body
    assert response["Retry-After"] == "30"
    assert not Position.objects.filter(code="P-LOST").exists()
    assert AuditLog.objects.count() == audits_before


def test_api_answers_json_503_and_saves_nothing(world: World, connection_lost_after_save: None) -> None:
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(world.users["hr"])
    response = client.post("/api/v1/positions/", {"code": "P-LOST2", "name": "断线岗位", "category": "service"},
                           format="json")
    connection.close()
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert "nothing was saved" in response.json()["detail"]
    assert not Position.objects.filter(code="P-LOST2").exists()


def test_other_server_errors_answer_500_without_details(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr("outperform.core.services.audit_create", boom)
    client = Client(raise_request_exception=False)
    client.force_login(world.users["hr"])
    response = client.post(reverse("org:positions_create"), {"code": "P-ERR", "name": "错误岗位", "category": "service",
                                                              "is_active": "on"})
    assert response.status_code == 500
    assert "secret internals" not in response.content.decode()
    assert not Position.objects.filter(code="P-ERR").exists()
