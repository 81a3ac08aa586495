"""The Django admin is a back door to records: its edits and its "delete selected" must still fill
the derived columns, write one audit row per record and queue one metrics refresh (RecordAdmin), and
every other audited model's "delete selected" must write its audit rows (core AuditedAdmin)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib import admin
from django.test import RequestFactory

from outperform.core.models import AuditLog
from outperform.metrics.tests.helpers import task
from outperform.records.models import TaskRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    from outperform.metrics import tasks as metric_tasks

    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(metric_tasks.refresh_for_source, "delay", lambda **kw: sent.append(kw))
    return sent


def _request(user: Any) -> Any:
    request = RequestFactory().post("/admin/")
    request.user = user
    return request


def _deletes(model: type) -> int:
    return AuditLog.objects.filter(action="delete", content_type__model=model._meta.model_name).count()


def test_an_admin_edit_fills_derived_columns_audits_and_queues_a_refresh(world, queued,
                                                                         django_capture_on_commit_callbacks):
    """Due 10 Oct, delivered 12 Oct: late, so on_time turns False though the row said True."""
    record = task(world.workers["a_ops_cs"], dt.date(2026, 10, 10))
    record.delivered_date = dt.date(2026, 10, 12)
    model_admin = admin.site._registry[TaskRecord]
    with django_capture_on_commit_callbacks(execute=True):
        model_admin.save_model(_request(world.users["system_admin"]), record, form=None, change=True)
    record.refresh_from_db()
    assert record.on_time is False
    assert AuditLog.objects.filter(action="update", object_id=str(record.pk)).count() == 1
    assert [q["source_key"] for q in queued] == ["task"]


def test_delete_selected_of_records_audits_each_and_queues_one_refresh(world, queued,
                                                                       django_capture_on_commit_callbacks):
    w = world.workers["a_ops_cs"]
    for day in (3, 4, 5):
        task(w, dt.date(2026, 10, day))
    model_admin = admin.site._registry[TaskRecord]
    with django_capture_on_commit_callbacks(execute=True):
        model_admin.delete_queryset(_request(world.users["system_admin"]), TaskRecord.objects.all())
    assert TaskRecord.objects.count() == 0
    assert _deletes(TaskRecord) == 3
    assert [q["source_key"] for q in queued] == ["task"]


def test_delete_selected_of_any_audited_model_writes_one_audit_row_each(world):
    from outperform.org.models import Position

    extra = [Position.objects.create(code=f"P-X{i}", name=f"临时岗位{i}") for i in range(2)]
    model_admin = admin.site._registry[Position]
    model_admin.delete_queryset(_request(world.users["system_admin"]), Position.objects.filter(pk__in=[p.pk for p in extra]))
    assert not Position.objects.filter(pk__in=[p.pk for p in extra]).exists()
    assert _deletes(Position) == 2
