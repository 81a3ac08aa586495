"""Large files run as a background job whose progress the batch page shows."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.urls import reverse

from outperform.core.jobs import progress_key
from outperform.core.models import Job, JobState
from outperform.ingest import fast, generic, services
from outperform.ingest.models import BatchState
from outperform.records.models import TaskRecord

from .helpers import csv_bytes, task_rows

pytestmark = pytest.mark.django_db


def test_large_file_runs_as_a_job_with_progress(world, client_for, settings, tmp_path, monkeypatch,  # type: ignore[no-untyped-def]
                                                django_capture_on_commit_callbacks) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    settings.INGEST_BACKGROUND_BYTES = 100  # every file is "large"
    monkeypatch.setattr(generic, "CHUNK", 5)
    seen: list[tuple[int, int]] = []
    real_set = cache.set

    def spy(key, value, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(key).startswith("job-progress:"):
            seen.append(value[:2])
        return real_set(key, value, *args, **kwargs)

    monkeypatch.setattr(cache, "set", spy)
    monkeypatch.setattr("outperform.core.jobs.time.monotonic", iter(range(0, 10_000, 10)).__next__)
    hr = world.users["hr"]
    batch = services.batch_upload(actor=hr, source_key="task", fileobj=io.BytesIO(csv_bytes(task_rows(world, 12))),
                                  filename="big.csv")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        batch = services.batch_run(actor=hr, batch=batch, dry_run=False)
    assert batch.state == BatchState.RUNNING
    assert batch.job is not None
    page = client_for("hr").get(reverse("ingest:batch", args=[batch.pk])).content.decode()
    assert 'data-testid="ingest-progress"' in page
    for callback in callbacks:  # the broker-less default runs the job inline on commit
        callback()
    batch.refresh_from_db()
    assert batch.state == BatchState.COMMITTED
    assert TaskRecord.objects.count() == 12
    job = Job.objects.get(pk=batch.job_id)
    assert job.state == JobState.SUCCEEDED
    assert job.result["created"] == 12
    # progress was reported step by step up to all 12 rows (the generic path: chunks of 5, 10, 12)
    # (time.monotonic is patched on the shared `time` module, so how many reports the throttle lets
    # through depends on who else reads the clock; what must hold is partial progress, in order, at
    # chunk boundaries, ending at 12 of 12.)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert seen[-1] == (12, 12)
    assert any(d < 12 for d, _ in seen), "no partial progress was reported"
    if not fast.supported(services.get_source("task")):
        assert {d for d, _ in seen} <= {5, 10, 12}
    assert cache.get(progress_key(job.pk)) is not None
    fragment = client_for("hr").get(reverse("ingest:progress", args=[batch.pk]))
    assert fragment["HX-Refresh"] == "true"  # finished: the page reloads with the results
