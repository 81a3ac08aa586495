"""The background-jobs page and core.jobs on both paths: inline (no broker) and a real Celery
worker over Redis (127.0.0.1:6379, database 14); and a configured broker that cannot be reached."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse

from outperform.core.jobs import QUEUE_UNAVAILABLE, Progress, job_start
from outperform.core.models import Job, JobState

TARGET = "outperform.insights.tests.test_jobs.add_job"
FAILING = "outperform.insights.tests.test_jobs.failing_job"


def add_job(job: Job | None, *, a: int, b: int) -> dict[str, Any]:
    Progress(job)(1, 1, "done")
    return {"sum": a + b}


def failing_job(job: Job | None, **_kwargs: Any) -> None:
    raise RuntimeError("数据源不可用 / source unavailable")


def redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.fixture
def broker() -> Iterator[Any]:
    """Point the Celery app at a broker URL for one test, then back to inline."""
    from config.celery import app

    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager", "result_backend")}

    def use(url: str) -> Any:
        app.conf.update(broker_url=url, task_always_eager=False, result_backend=None)
        app._pool = None  # the connection pool was made for the previous URL
        app.amqp._producer_pool = None
        return app

    yield use
    app.conf.update(**saved)
    app._pool = None
    app.amqp._producer_pool = None


# --- inline (the embedded default) --------------------------------------------------------------------


@pytest.mark.django_db
def test_inline_job_runs_when_the_transaction_commits(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(actor=world.users["hr"], kind="import", label="导入", target=TARGET, kwargs={"a": 2, "b": 3})
    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED and job.result == {"sum": 5}
    assert job.started_at and job.finished_at and job.done == job.total == 1


@pytest.mark.django_db
def test_failed_job_shows_its_error_and_can_be_retried_when_safe(world, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(actor=world.users["supervisor"], kind="import", label="导入失败", target=FAILING, retry_safe=True)
    page = client_for("supervisor").get(reverse("insights:jobs")).content.decode()
    assert "数据源不可用 / source unavailable" in page and 'data-testid="job-retry"' in page
    detail = client_for("supervisor").get(reverse("insights:job_detail", args=[job.pk])).content.decode()
    assert "Traceback" not in detail  # the traceback is for admin, HR and auditor
    assert "Traceback" in client_for("hr").get(reverse("insights:job_detail", args=[job.pk])).content.decode()
    # the auditor sees it but may not retry it; the owner may
    assert client_for("auditor").post(reverse("insights:job_retry", args=[job.pk])).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("supervisor").post(reverse("insights:job_retry", args=[job.pk]))
    assert response.status_code == 302
    assert Job.objects.filter(label="导入失败").count() == 2


@pytest.mark.django_db
def test_a_job_that_is_not_retry_safe_has_no_retry(world, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(actor=world.users["hr"], kind="notifications", label="发送通知", target=FAILING)
    assert 'data-testid="job-retry"' not in client_for("hr").get(reverse("insights:jobs")).content.decode()
    client_for("hr").post(reverse("insights:job_retry", args=[job.pk]))
    assert Job.objects.count() == 1


@pytest.mark.django_db
def test_a_job_runs_once_even_if_delivered_twice(world, django_capture_on_commit_callbacks):
    from outperform.core.jobs import job_run

    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(actor=world.users["hr"], kind="import", label="x", target=TARGET, kwargs={"a": 1, "b": 1})
    finished = Job.objects.get(pk=job.pk).finished_at
    job_run(job.pk)  # a redelivery
    assert Job.objects.get(pk=job.pk).finished_at == finished


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "visible"), [("hr", {"hr", "supervisor", "worker"}), ("auditor", {"hr", "supervisor", "worker"}),
                                               ("system_admin", {"hr", "supervisor", "worker"}),
                                               ("supervisor", {"supervisor"}), ("worker", {"worker"}),
                                               ("vendor_manager", set()), ("nobody", set())])
def test_jobs_page_scope(world, client_for, role, visible):
    jobs = {who: Job.objects.create(kind="import", label=f"任务-{who}", target=TARGET, started_by=world.users[who])
            for who in ("hr", "supervisor", "worker")}
    page = client_for(role).get(reverse("insights:jobs")).content.decode()
    assert {who for who in jobs if f"任务-{who}" in page} == visible
    for who, job in jobs.items():
        expected = 200 if who in visible else 404
        assert client_for(role).get(reverse("insights:job_detail", args=[job.pk])).status_code == expected
        assert client_for(role).get(reverse("insights:job_row", args=[job.pk])).status_code == expected


@pytest.mark.django_db
def test_jobs_page_filters_and_polling(world, client_for):
    Job.objects.create(kind="import", label="导入人员", target=TARGET, started_by=world.users["hr"],
                       state=JobState.RUNNING, done=3, total=10)
    Job.objects.create(kind="cycle_compute", label="计算结果", target=TARGET, started_by=world.users["hr"],
                       state=JobState.SUCCEEDED)
    client = client_for("hr")
    page = client.get(reverse("insights:jobs"), {"state": "running"}).content.decode()
    assert "导入人员" in page and "计算结果" not in page
    assert 'hx-trigger="every 2s"' in page and "30%" in page  # a running row polls
    done = client.get(reverse("insights:jobs"), {"kind": "cycle_compute"}).content.decode()
    assert "计算结果" in done and "hx-trigger" not in done  # a finished row does not
    assert "导入人员" in client.get(reverse("insights:jobs"), {"q": "导入"}).content.decode()


# --- a broker that is configured but down ---------------------------------------------------------------


@pytest.mark.django_db
def test_unreachable_broker_leaves_the_job_queued_with_a_clear_message(world, results, client_for, broker,
                                                                       django_capture_on_commit_callbacks):
    broker("redis://127.0.0.1:1/0")  # nothing listens on port 1
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("hr").post(reverse("insights:batch_reports", args=[results["2026Q3"].pk]))
    assert response.status_code == 302  # the page did not crash
    assert time.monotonic() - started < 10
    job = Job.objects.get(kind="batch_reports")
    assert job.state == JobState.QUEUED and job.message == QUEUE_UNAVAILABLE
    page = client_for("hr").get(reverse("insights:jobs")).content.decode()
    assert "排队中 / queued — the task service is unavailable" in page and 'data-testid="job-requeue"' in page
    # still down: requeue says so and the job stays queued
    client_for("hr").post(reverse("insights:job_requeue", args=[job.pk]))
    assert Job.objects.get(pk=job.pk).message == QUEUE_UNAVAILABLE


# --- a real Celery worker over Redis --------------------------------------------------------------------


@pytest.mark.skipif(not redis_up(), reason="Redis is not running on 127.0.0.1:6379")
@pytest.mark.django_db(transaction=True)
def test_celery_worker_over_redis_runs_the_job(broker):
    from celery.contrib.testing.worker import start_worker

    from outperform.core.models import User

    app = broker("redis://127.0.0.1:6379/14")
    with app.connection_for_write() as conn:
        conn.default_channel.client.flushdb()  # only database 14, kept for these tests
    actor = User.objects.create(username="celery-hr")
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="WARNING"):
        job = job_start(actor=actor, kind="import", label="Celery", target=TARGET, kwargs={"a": 20, "b": 22})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.state in (JobState.SUCCEEDED, JobState.FAILED):
                break
            time.sleep(0.2)
    assert job.state == JobState.SUCCEEDED, (job.state, job.message, job.error)
    assert job.result == {"sum": 42}
