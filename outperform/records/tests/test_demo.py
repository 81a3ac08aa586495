"""The demo loader fills every kind with consistent derived columns."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from outperform.core.demo.loader import DemoContext
from outperform.records import demo
from outperform.records.models import Inspection, SlaPolicy, TaskRecord, Ticket
from outperform.records.registry import sources

pytestmark = pytest.mark.django_db


def test_demo_loads_every_kind(world):
    demo.load(DemoContext(rng=random.Random(1), users=world.users, today=dt.date(2026, 11, 22), small=True))
    for key, source in sources().items():
        if source.model.__module__.startswith("outperform.records"):
            assert source.model._default_manager.exists(), key
    assert SlaPolicy.objects.count() == 2 * 4  # two contracts × four priorities
    assert not Ticket.objects.filter(sla_refreshed_at__isnull=True).exists()
    assert not Ticket.objects.filter(sla_status="no_sla").exists()
    task = TaskRecord.objects.exclude(delivered_date=None).first()
    assert task.on_time == (task.delivered_date <= task.due_date)
    assert not Inspection.objects.filter(checked_items=0).exists()
