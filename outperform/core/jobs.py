"""Background jobs with progress. `job_start` records a Job and runs it on a Celery worker after the
transaction commits; with no broker configured (the embedded default) Celery runs it inline, so the
job is finished when the request that started it returns. Job functions take `(job, **kwargs)` and
report progress through `Progress(job)` now and then.

A broker that is configured but down must not break the page that started the job: the job stays
queued with the message `QUEUE_UNAVAILABLE`, and `job_requeue` sends it again later (the jobs page
offers it). A job runs at most once: `job_run` claims it with one conditional UPDATE, so a job
queued twice (requeued, or redelivered by the broker) is run by one worker only.

See docs/jobs.md."""

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

QUEUE_UNAVAILABLE = "排队中 / queued — the task service is unavailable"
# Publishing gives up quickly: the request that starts a job waits for it.
PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def job_start(
    *, actor: User | None, kind: str, label: str, target: str, kwargs: dict[str, Any] | None = None,
    retry_safe: bool = False,
) -> Job:
    job = Job.objects.create(kind=kind, label=label, target=target, kwargs=kwargs or {}, started_by=actor,
                             retry_safe=retry_safe)
    transaction.on_commit(lambda: job_enqueue(job.pk))
    return job


def job_enqueue(job_id: int) -> bool:
    """Hand the job to Celery (inline when no broker is configured). False when the broker cannot
    be reached: the job stays queued with a message saying so."""
    from .tasks import run_job

    try:
        run_job.apply_async(args=(job_id,), retry=True, retry_policy=PUBLISH_RETRY)
    except Exception as exc:  # a broker that is down must not break the page that started the job
        log.warning("job %s could not be queued: %s", job_id, exc)
        Job.objects.filter(pk=job_id, state=JobState.QUEUED).update(message=QUEUE_UNAVAILABLE)
        return False
    return True


def job_run(job_id: int) -> None:
    # Claimed with one conditional UPDATE: of two deliveries of the same job, one runs it.
    claimed = Job.objects.filter(pk=job_id, state=JobState.QUEUED).update(
        state=JobState.RUNNING, started_at=timezone.now(), finished_at=None, error="", message="")
    if not claimed:
        return
    job = Job.objects.get(pk=job_id)
    module_name, _, func_name = job.target.rpartition(".")
    try:
        func: Callable[..., Any] = getattr(importlib.import_module(module_name), func_name)
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


def job_can_retry(job: Job) -> bool:
    """A failed job whose target is safe to run again (it starts over in one transaction)."""
    return job.retry_safe and job.state == JobState.FAILED


def job_can_requeue(job: Job) -> bool:
    """A job that never reached the task service."""
    return job.state == JobState.QUEUED and job.message == QUEUE_UNAVAILABLE


def job_retry(*, actor: User, job: Job) -> Job:
    if not job_can_retry(job):
        raise ValueError("this job cannot be retried")
    return job_start(actor=actor, kind=job.kind, label=job.label, target=job.target, kwargs=job.kwargs,
                     retry_safe=True)


def job_requeue(*, job: Job) -> bool:
    """Send a job that could not be queued again; True once the task service has it."""
    if not job_can_requeue(job):
        raise ValueError("this job is not waiting for the task service")
    Job.objects.filter(pk=job.pk).update(message="")
    return job_enqueue(job.pk)
