"""Background work of the ingest app, run by core.jobs."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from outperform.core.models import Job, User

from .models import BatchState, IngestBatch


def run_batch_job(job: Job | None, *, batch_id: int, actor_id: int, dry_run: bool) -> dict[str, Any]:
    from .services import batch_execute

    batch = IngestBatch.objects.get(pk=batch_id)
    try:
        batch = batch_execute(actor=User.objects.get(pk=actor_id), batch=batch, dry_run=dry_run, job=job)
    except BaseException:
        IngestBatch.objects.filter(pk=batch_id).update(state=BatchState.FAILED)
        raise
    return {"batch_id": batch.pk, "state": batch.state, "rows": batch.rows, "created": batch.created,
            "updated": batch.updated, "unchanged": batch.unchanged, "errors": batch.error_count}


@shared_task(name="outperform.ingest.cleanup")
def cleanup() -> dict[str, int]:
    from .services import ingest_cleanup

    return ingest_cleanup()
