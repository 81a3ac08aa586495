"""The database router sends dashboard and report reads to the replica when one is configured.

On PostgreSQL CI sets REPLICA_DATABASE_URL to a second database on the same server (no streaming
replication here: the test writes different rows into each database, so where a read went is
visible in what it returns)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from outperform.core.replica import ReplicaRouter, replica_block, replica_reads
from outperform.org.models import Position, PositionCategory

needs_replica = pytest.mark.skipif("replica" not in settings.DATABASES,
                                   reason="REPLICA_DATABASE_URL not set (make test-pg sets it)")


@pytest.fixture(autouse=True)
def _replica_reads_on(settings: Any) -> None:
    settings.REPLICA_READS = True


def test_without_a_replica_the_router_leaves_reads_on_the_primary() -> None:
    router = ReplicaRouter()
    with replica_block():
        expected = "replica" if "replica" in settings.DATABASES else None
        assert router.db_for_read(Position) == expected
    assert router.db_for_read(Position) is None
    with replica_block():
        assert router.db_for_write(Position) is None


@needs_replica
@pytest.mark.django_db(databases=["default", "replica"])
def test_reads_inside_a_replica_block_come_from_the_replica() -> None:
    Position.objects.create(code="P-PRIMARY", name="主库岗位", category=PositionCategory.SERVICE)
    Position.objects.using("replica").create(code="P-REPLICA", name="副本岗位", category=PositionCategory.SERVICE)

    @replica_reads
    def dashboard_codes() -> set[str]:
        return set(Position.objects.values_list("code", flat=True))

    assert "P-REPLICA" in dashboard_codes() and "P-PRIMARY" not in dashboard_codes()
    assert set(Position.objects.values_list("code", flat=True)) >= {"P-PRIMARY"}
    assert not Position.objects.filter(code="P-REPLICA").exists()

    # A write inside the block still goes to the primary.
    with replica_block():
        Position.objects.create(code="P-WRITTEN", name="写入岗位", category=PositionCategory.SERVICE)
    assert Position.objects.filter(code="P-WRITTEN").exists()
    assert not Position.objects.using("replica").filter(code="P-WRITTEN").exists()
