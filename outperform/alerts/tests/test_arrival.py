"""Data-arrival hooks: writing records (form/service, Excel import, REST push) queues, after the
commit, ONE metrics refresh for the source and ONE alert evaluation of the kinds that depend on
it — none on rollback, one per import whatever its size, and a broker that is down never fails
the write."""

from __future__ import annotations

import datetime as dt
import io
import logging
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from outperform.alerts import tasks as alert_tasks
from outperform.alerts.models import Alert
from outperform.alerts.services import alerts_evaluate_for
from outperform.metrics import tasks as metric_tasks
from outperform.records import importers
from outperform.records.models import InspectionFinding, TaskRecord, Ticket
from outperform.records.services import (
    finding_save,
    record_before,
    record_delete,
    record_save,
    records_changed,
)
from outperform.records.tests.factories import SHANGHAI, InspectionFactory, TaskFactory

from .conftest import TODAY, make_rule

pytestmark = pytest.mark.django_db

TASK_HEADER = "外部编号,任务名称,服务商编码,工号,项目编码,部门编码,计划完成日期,实际交付日期,验收结果,返工次数\n"


@pytest.fixture
def queued(monkeypatch):  # type: ignore[no-untyped-def]
    calls: dict[str, list[Any]] = {"metrics": [], "alerts": []}
    monkeypatch.setattr(metric_tasks.refresh_for_source, "delay", lambda **kw: calls["metrics"].append(kw))
    monkeypatch.setattr(alert_tasks.evaluate_alerts_for_task, "delay", lambda kinds: calls["alerts"].append(kinds))
    return calls


def _ticket(world) -> Ticket:  # type: ignore[no-untyped-def]
    w = world.workers["a_ops_cs"]
    return Ticket(external_id="TK-1", title="打印机无法连接", vendor=w.vendor, worker=w, priority="p2",
                  opened_at=dt.datetime(2026, 12, 9, 23, 30, tzinfo=SHANGHAI))


def test_ticket_save_queues_one_refresh_and_one_evaluation_after_commit(world, queued,
                                                                         django_capture_on_commit_callbacks):
    w = world.workers["a_ops_cs"]
    with django_capture_on_commit_callbacks(execute=True):
        record_save(actor=world.users["hr"], obj=_ticket(world), before=None)
        assert queued == {"metrics": [], "alerts": []}  # nothing before the commit
    assert queued["metrics"] == [{"source_key": "ticket", "dates": ["2026-12-09"], "vendor_ids": [w.vendor_id],
                                  "worker_ids": [w.pk]}]
    assert queued["alerts"] == [["metric_threshold", "sla_breach"]]


def test_update_refreshes_where_the_record_was_and_where_it_is(world, queued, django_capture_on_commit_callbacks):
    a, b = world.workers["a_ops_cs"], world.workers["b_ops"]
    task = TaskFactory(vendor=a.vendor, worker=a, due_date=dt.date(2026, 11, 20))
    before = record_before(task)
    task.vendor, task.worker, task.department, task.project = b.vendor, b, None, None
    task.due_date = dt.date(2026, 12, 5)
    with django_capture_on_commit_callbacks(execute=True):
        record_save(actor=world.users["hr"], obj=task, before=before)
    assert queued["metrics"] == [{"source_key": "task", "dates": ["2026-11-20", "2026-12-05"],
                                  "vendor_ids": sorted([a.vendor_id, b.vendor_id]), "worker_ids": sorted([a.pk, b.pk])}]
    assert queued["alerts"] == [["metric_threshold"]]  # tasks feed metrics, not SLA


def _save_then_fail(world) -> None:  # type: ignore[no-untyped-def]
    with transaction.atomic():
        record_save(actor=world.users["hr"], obj=_ticket(world), before=None)
        raise RuntimeError("later step failed")


def test_rollback_queues_nothing(world, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        _save_then_fail(world)
    assert queued == {"metrics": [], "alerts": []}
    assert not Ticket.objects.exists()


def test_delete_queues_with_the_deleted_records_facts(world, queued, django_capture_on_commit_callbacks):
    w = world.workers["b_tech"]
    task = TaskFactory(vendor=w.vendor, worker=w, due_date=dt.date(2026, 12, 1))
    with django_capture_on_commit_callbacks(execute=True):
        record_delete(actor=world.users["hr"], obj=task)
    assert queued["metrics"] == [{"source_key": "task", "dates": ["2026-12-01"], "vendor_ids": [w.vendor_id],
                                  "worker_ids": [w.pk]}]
    assert len(queued["alerts"]) == 1


def test_import_of_50_rows_queues_one_refresh(world, queued, django_capture_on_commit_callbacks):
    code = world.vendor_a.credit_code
    rows = "".join(f"T-{i},任务{i},{code},,,,2026-12-{1 + i % 9:02d},2026-12-01,已验收,0\n" for i in range(50))
    data = (TASK_HEADER + rows).encode("utf-8-sig")
    with django_capture_on_commit_callbacks(execute=True):
        dry = importers.TaskImporter().run(io.BytesIO(data), "t.csv", actor=world.users["hr"], dry_run=True)
    assert dry.ok and queued["metrics"] == []  # a dry run writes nothing and announces nothing
    with django_capture_on_commit_callbacks(execute=True):
        result = importers.TaskImporter().run(io.BytesIO(data), "t.csv", actor=world.users["hr"], dry_run=False)
    assert result.created == 50
    assert len(queued["metrics"]) == 1 and len(queued["alerts"]) == 1
    assert queued["metrics"][0]["dates"] == [f"2026-12-{d:02d}" for d in range(1, 10)]
    assert queued["metrics"][0]["vendor_ids"] == [world.vendor_a.pk] and queued["metrics"][0]["worker_ids"] == []
    with django_capture_on_commit_callbacks(execute=True):
        again = importers.TaskImporter().run(io.BytesIO(data), "t.csv", actor=world.users["hr"], dry_run=False)
    assert again.unchanged == 50 and len(queued["metrics"]) == 1  # nothing changed: nothing queued


def test_failed_import_queues_nothing(world, queued, django_capture_on_commit_callbacks):
    data = (TASK_HEADER + "T-1,任务,不存在的公司,,,,2026-12-01,,,\n").encode("utf-8-sig")
    with django_capture_on_commit_callbacks(execute=True):
        result = importers.TaskImporter().run(io.BytesIO(data), "t.csv", actor=world.users["hr"], dry_run=False)
    assert not result.committed and queued == {"metrics": [], "alerts": []}


def test_hook_costs_no_query_whatever_the_number_of_records(world, queued):
    tasks = [TaskFactory(vendor=world.vendor_a, due_date=dt.date(2026, 12, 1)) for _i in range(30)]
    with CaptureQueriesContext(connection) as ctx:
        records_changed(tasks)
    assert len(ctx.captured_queries) == 0


def test_rest_push_queues_once(world, queued, api_for, django_capture_on_commit_callbacks):
    w = world.workers["a_ops_cs"]
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for("hr").post("/api/v1/records/tickets/", {
            "external_id": "TK-API", "title": "系统登录失败", "vendor": w.vendor.credit_code,
            "worker": w.employee_no, "priority": "p1", "opened_at": "2026-12-08T10:00:00+08:00"}, format="json")
    assert response.status_code == 201, response.content
    assert [c["source_key"] for c in queued["metrics"]] == ["ticket"]
    assert queued["alerts"] == [["metric_threshold", "sla_breach"]]


def test_inspection_finding_refreshes_the_inspection_source(world, queued, django_capture_on_commit_callbacks):
    inspection = InspectionFactory(vendor=world.vendor_b, inspection_date=dt.date(2026, 12, 3))
    finding = InspectionFinding(inspection=inspection, external_id="F-1", item="台面整洁", passed=True)
    with django_capture_on_commit_callbacks(execute=True):
        finding_save(actor=world.users["hr"], obj=finding, before=None)
    assert queued["metrics"] == [{"source_key": "inspection", "dates": ["2026-12-03"],
                                  "vendor_ids": [world.vendor_b.pk], "worker_ids": []}]


def test_broker_down_never_fails_the_write(world, monkeypatch, caplog, django_capture_on_commit_callbacks):
    def down(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(metric_tasks.refresh_for_source, "delay", down)
    monkeypatch.setattr(alert_tasks.evaluate_alerts_for_task, "delay", down)
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        record_save(actor=world.users["hr"], obj=_ticket(world), before=None)
    assert Ticket.objects.filter(external_id="TK-1").exists()
    assert "alert evaluation could not be queued" in caplog.text


def test_queued_evaluation_runs_the_dependent_kinds(world):
    w = world.workers["a_ops_cs"]
    sla = make_rule(world, "sla_breach", {})
    contracts = make_rule(world, "contract_expiring", {"days": 30})
    t = Ticket.objects.create(external_id="TK-9", title="网络中断", vendor=w.vendor, worker=w, priority="p1",
                              opened_at=dt.datetime(2026, 12, 9, 9, 0, tzinfo=SHANGHAI))
    Ticket.objects.filter(pk=t.pk).update(sla_status="breached")
    result = alert_tasks.evaluate_alerts_for_task(["sla_breach", "metric_threshold"])
    assert result["rules"] == 1
    assert Alert.objects.filter(rule=sla).count() == 1 and not Alert.objects.filter(rule=contracts).exists()
    assert [r.rule_id for r in alerts_evaluate_for("sla_breach", today=TODAY).rules] == [sla.pk]
    assert TaskRecord.objects.count() == 0
