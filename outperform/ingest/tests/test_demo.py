import datetime as dt
import random

import pytest

from outperform.core.demo.loader import DemoContext
from outperform.ingest import demo
from outperform.ingest.models import BatchState, IngestBatch
from outperform.records.models import TaskRecord


@pytest.mark.django_db
def test_demo_commits_the_vendor_batch_and_leaves_hr_batch_with_errors(world, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path)
    ctx = DemoContext(rng=random.Random(1), users={"vendor": world.users["vendor_manager"], "hr": world.users["hr"]},
                      today=dt.date(2026, 11, 1), small=True)
    demo.load(ctx)
    committed, invalid = IngestBatch.objects.order_by("pk")
    assert committed.state == BatchState.COMMITTED
    assert committed.created == 90
    assert TaskRecord.objects.filter(external_id__startswith="ING-").count() == 90
    assert invalid.state == BatchState.INVALID
    assert {e["row"] for e in invalid.errors} == {5, 9}
