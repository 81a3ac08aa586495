import pytest

from outperform.core.db import bulk_update_fast
from outperform.workers.models import Worker

pytestmark = pytest.mark.django_db


def test_bulk_update_fast_writes_the_given_fields_even_when_deferred(world):
    workers = list(Worker.objects.only("id"))  # name and status deferred
    for i, w in enumerate(workers):
        w.name = f"批量{i}"
    assert bulk_update_fast(Worker, workers, ["name", "status"]) == len(workers)
    assert sorted(Worker.objects.values_list("name", flat=True)) == sorted(f"批量{i}" for i in range(len(workers)))
    assert set(Worker.objects.values_list("status", flat=True)) == {"active"}
