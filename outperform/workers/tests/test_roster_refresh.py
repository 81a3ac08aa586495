"""Every write path of the roster announces headcount changes, once per write and once per import,
and only when something the headcount reads changed (workers/services.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import RequestFactory
from django.urls import reverse

from outperform.workers.models import Worker
from outperform.workers.services import RosterState
from outperform.workers.tests.test_import import run

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Any]]:
    """What would be sent to the broker: metrics refreshes and alert evaluations."""
    from outperform.alerts import tasks as alert_tasks
    from outperform.metrics import tasks as metric_tasks

    sent: dict[str, list[Any]] = {"metrics": [], "alerts": []}
    monkeypatch.setattr(metric_tasks.refresh_for_source, "delay", lambda **kw: sent["metrics"].append(kw))
    monkeypatch.setattr(alert_tasks.evaluate_alerts_for_task, "delay", lambda kinds: sent["alerts"].append(kinds))
    return sent


def _form(worker: Worker, **changes: Any) -> dict[str, Any]:
    data = {"employee_no": worker.employee_no, "name": worker.name, "vendor": worker.vendor_id,
            "department": worker.department_id, "project": worker.project_id or "", "position": worker.position_id,
            "hire_date": worker.hire_date.isoformat(), "status": worker.status, "mobile": worker.mobile,
            "leave_date": worker.leave_date.isoformat() if worker.leave_date else ""}
    data.update(changes)
    return data


def test_an_unrelated_edit_queues_nothing(world, client_for, api_for, queued, django_capture_on_commit_callbacks):
    w = world.workers["a_ops_cs"]
    with django_capture_on_commit_callbacks(execute=True):
        page = client_for("hr").post(reverse("workers:workers_edit", args=[w.pk]), _form(w, mobile="13912345678"))
        api = api_for("hr").patch(f"/api/v1/workers/{w.pk}/", {"mobile": "13912345679", "name": "新名字"},
                                  format="json")
    assert (page.status_code, api.status_code) == (302, 200)
    assert Worker.objects.get(pk=w.pk).mobile == "13912345679"
    assert queued == {"metrics": [], "alerts": []}


def test_a_leave_date_edit_queues_one_refresh_of_the_stay_before_and_after(world, api_for, queued,
                                                                          django_capture_on_commit_callbacks):
    """Hired 2025-03-01 (the world's workers), leaves 2026-11-16: on the roster from 1 Mar 2025 on
    before, to 15 Nov 2026 after — merged, from 1 Mar 2025 on."""
    w = world.workers["a_tech"]
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for("hr").patch(f"/api/v1/workers/{w.pk}/", {"leave_date": "2026-11-16"}, format="json")
    assert response.status_code == 200
    assert queued["metrics"] == [{"source_key": "headcount", "dates": None, "vendor_ids": [world.vendor_a.pk],
                                  "worker_ids": None, "spans": [[w.hire_date.isoformat(), None]]}]
    assert queued["alerts"] == [["metric_threshold"]]


def test_a_move_to_another_vendor_names_both(world, client_for, queued, django_capture_on_commit_callbacks):
    w = world.workers["a_tech"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("hr").post(reverse("workers:workers_edit", args=[w.pk]),
                                         _form(w, vendor=world.vendor_b.pk))
    assert response.status_code == 302
    [sent] = queued["metrics"]
    assert sent["vendor_ids"] == sorted([world.vendor_a.pk, world.vendor_b.pk])


@pytest.mark.parametrize("changes", [{"status": "on_leave"}, {"hire_date": "2025-04-01"}])
def test_status_and_hire_date_are_roster_changes(world, api_for, queued, django_capture_on_commit_callbacks,
                                                 changes):
    w = world.workers["b_ops"]
    with django_capture_on_commit_callbacks(execute=True):
        assert api_for("hr").patch(f"/api/v1/workers/{w.pk}/", changes, format="json").status_code == 200
    assert [m["vendor_ids"] for m in queued["metrics"]] == [[world.vendor_b.pk]]


def test_department_and_project_moves_are_roster_changes(world, api_for, queued, django_capture_on_commit_callbacks):
    w = world.workers["a_ops_cs"]
    with django_capture_on_commit_callbacks(execute=True):
        api = api_for("hr")
        assert api.patch(f"/api/v1/workers/{w.pk}/", {"department": world.tech.pk}, format="json").status_code == 200
        assert api.patch(f"/api/v1/workers/{w.pk}/", {"project": None}, format="json").status_code == 200
    assert len(queued["metrics"]) == 2


def test_create_and_delete_queue_one_each(world, api_for, queued, django_capture_on_commit_callbacks):
    api = api_for("hr")
    w = world.workers["a_ops_cs"]
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post("/api/v1/workers/", {
            "employee_no": "W-NEW-1", "name": "新人", "vendor": world.vendor_b.pk, "department": world.ops.pk,
            "position": w.position_id, "hire_date": "2026-10-08"}, format="json")
    assert created.status_code == 201, created.content
    assert queued["metrics"][-1]["spans"] == [["2026-10-08", None]]
    assert queued["metrics"][-1]["vendor_ids"] == [world.vendor_b.pk]
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"/api/v1/workers/{created.json()['id']}/").status_code == 204
    assert len(queued["metrics"]) == 2 and queued["metrics"][-1]["vendor_ids"] == [world.vendor_b.pk]


def test_an_import_of_n_workers_queues_exactly_one_refresh(world, queued, django_capture_on_commit_callbacks):
    """Three new workers of two vendors and one existing worker's hire date moved, in one file: one
    message, both vendors, the stays merged. Re-importing the same file changes nothing: nothing
    queued. A dry run queues nothing."""
    ex = world.workers["a_tech"]
    rows = [
        [f"W-IMP-{i}", f"导入{i}", "男", "", "", vendor.name, "OPS", "P-CS", hired, "6500", "2000"]
        for i, (vendor, hired) in enumerate([(world.vendor_a, "2026-01-05"), (world.vendor_b, "2026-02-01"),
                                             (world.vendor_b, "2024-06-30")])
    ] + [[ex.employee_no, ex.name, "男", "", "", world.vendor_a.name, world.tech.code, "P-CS", "2025-02-01", "",
          ""]]
    with django_capture_on_commit_callbacks(execute=True):
        assert run(world, rows, dry_run=True).ok
    assert queued["metrics"] == []
    with django_capture_on_commit_callbacks(execute=True):
        result = run(world, rows)
    assert (result.committed, result.created, result.updated) == (True, 3, 1), result.errors
    assert queued["metrics"] == [{"source_key": "headcount", "dates": None, "worker_ids": None,
                                  "vendor_ids": sorted([world.vendor_a.pk, world.vendor_b.pk]),
                                  "spans": [["2024-06-30", None]]}]
    assert queued["alerts"] == [["metric_threshold"]]
    with django_capture_on_commit_callbacks(execute=True):
        again = run(world, rows)
    assert (again.committed, again.created, again.updated) == (True, 0, 0)
    assert len(queued["metrics"]) == 1


def test_import_queries_do_not_grow_with_rows(world, queued, django_capture_on_commit_callbacks):
    """Collecting the roster changes costs no query: 2 rows and 40 rows cost the same."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def rows(prefix: str, n: int) -> list[list[Any]]:
        return [[f"{prefix}-{i}", "导入", "男", "", "", world.vendor_a.name, "OPS", "P-CS", "2026-01-05", "", ""]
                for i in range(n)]

    assert run(world, rows("WARM", 1)).committed  # per-process caches (content types)
    counts = []
    for prefix, n in (("S", 2), ("L", 40)):
        with CaptureQueriesContext(connection) as ctx, django_capture_on_commit_callbacks(execute=True):
            assert run(world, rows(prefix, n)).committed
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    assert len(queued["metrics"]) == 2  # the warm-up ran outside the capture: its refresh was not sent


def test_admin_save_and_delete_selected_go_through_the_services(world, queued, django_capture_on_commit_callbacks):
    from django.contrib.admin.sites import site

    from outperform.core.models import AuditLog

    admin = site._registry[Worker]
    request = RequestFactory().post("/")
    request.user = world.users["system_admin"]
    w = world.workers["b_tech"]
    w.leave_date = dt.date(2026, 12, 1)
    with django_capture_on_commit_callbacks(execute=True):
        admin.save_model(request, w, None, True)
    assert [m["vendor_ids"] for m in queued["metrics"]] == [[world.vendor_b.pk]]
    spare = [Worker.objects.create(employee_no=f"W-DEL-{i}", name="删", vendor=world.vendor_a, department=world.ops,
                                   position=world.position, hire_date=dt.date(2026, 1, 1)) for i in range(3)]
    audits = AuditLog.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        admin.delete_queryset(request, Worker.objects.filter(pk__in=[s.pk for s in spare]))
    assert AuditLog.objects.count() == audits + 3
    assert len(queued["metrics"]) == 2 and queued["metrics"][-1]["spans"] == [["2026-01-01", None]]


def test_roster_state_span():
    hired = dt.date(2026, 3, 1)
    state = RosterState(hired, None, "active", 1, 1, None)
    assert state.span() == (hired, None)
    assert RosterState(hired, dt.date(2026, 3, 10), "left", 1, 1, None).span() == (hired, dt.date(2026, 3, 9))
    assert RosterState(hired, hired, "left", 1, 1, None).span() is None  # left on the day hired
    snap = {"hire_date": "2026-03-01", "leave_date": None, "status": "active", "vendor_id": 1, "department_id": 1,
            "project_id": None, "mobile": "138****0000"}
    assert RosterState.from_snapshot(snap) == state
