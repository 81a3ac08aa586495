"""Background jobs with progress. `job_start` records a Job and runs it on a Celery worker after the
transaction commits; with no broker configured (the embedded default) Celery runs it inline, so the
job is finished when the request that started it returns. Job functions take `(job, **kwargs)` and
call `job_progress` now and then."""

from __future__ import annotations

import importlib
import logging
import time
import traceback
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from .models import Job, JobState, User

log = logging.getLogger(__name__)


def job_start(
    *, actor: User | None, kind: str, label: str, target: str, kwargs: dict[str, Any] | None = None,
    retry_safe: bool = False,
) -> Job:
    job = Job.objects.create(kind=kind, label=label, target=target, kwargs=kwargs or {}, started_by=actor,
                             retry_safe=retry_safe)
    from .tasks import run_job

    def enqueue() -> None:
        try:
            run_job.delay(job.pk)
        except Exception as exc:  # a broker that is down must not break the page that started the job
            log.warning("job %s could not be queued: %s", job.pk, exc)
            Job.objects.filter(pk=job.pk).update(message="任务队列不可用，稍后重试 / The job queue is unavailable")

    transaction.on_commit(enqueue)
    return job


def job_run(job_id: int) -> None:
    job = Job.objects.get(pk=job_id)
    if job.state in (JobState.RUNNING, JobState.SUCCEEDED):
        return
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING, started_at=timezone.now(), error="")
    module_name, _, func_name = job.target.rpartition(".")
    func: Callable[..., Any] = getattr(importlib.import_module(module_name), func_name)
    try:
        result = func(job, **job.kwargs)
    except Exception as exc:
        Job.objects.filter(pk=job.pk).update(
            state=JobState.FAILED, finished_at=timezone.now(), error=f"{exc}\n\n{traceback.format_exc()[-4000:]}"
        )
        log.exception("job %s failed", job.pk)
        return
    done, total, _message = job_live_progress(Job(pk=job.pk, state=JobState.RUNNING))
    Job.objects.filter(pk=job.pk).update(
        state=JobState.SUCCEEDED, finished_at=timezone.now(), result=result, done=total or done, total=total,
        message="",
    )


class Progress:
    """A progress callback that writes to the Job row at most every half second."""

    def __init__(self, job: Job | None) -> None:
        self.job = job
        self.last = 0.0

    def __call__(self, done: int, total: int, message: str = "") -> None:
        if self.job is None:
            return
        now = time.monotonic()
        if now - self.last < 0.5 and done < total:
            return
        self.last = now
        self.job.done, self.job.total = done, total
        # The job's writes sit in one transaction until it commits (nothing half-written), so the
        # progress travels through the cache (Redis in production), which the job page reads.
        cache.set(progress_key(self.job.pk), (done, total, message[:300]), 24 * 3600)


def progress_key(job_id: int) -> str:
    return f"job-progress:{job_id}"


def job_live_progress(job: Job) -> tuple[int, int, str]:
    """(done, total, message) as the running job last reported it."""
    if job.state == JobState.RUNNING:
        cached = cache.get(progress_key(job.pk))
        if cached:
            return tuple(cached)
    return job.done, job.total, job.message


def job_retry(*, actor: User, job: Job) -> Job:
    if not job.retry_safe or job.state != JobState.FAILED:
        raise ValueError("this job cannot be retried")
    return job_start(actor=actor, kind=job.kind, label=job.label, target=job.target, kwargs=job.kwargs,
                     retry_safe=True)
