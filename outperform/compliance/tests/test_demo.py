from __future__ import annotations

import datetime as dt
import random

import pytest

from outperform.compliance import demo
from outperform.compliance.models import EmergencyContact, NoticeState, RectificationNotice, VendorAudit
from outperform.core.demo.loader import DemoContext

pytestmark = pytest.mark.django_db


def test_demo_loads_audits_contacts_and_two_notices(world, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    world.vendor_a.name = demo.DEMO_VENDOR
    world.vendor_a.save()
    ctx = DemoContext(rng=random.Random(1), users={"hr": world.users["hr"], "vendor": world.users["vendor_manager"]},
                      today=dt.date(2026, 11, 20), small=True)
    demo.load(ctx)
    assert VendorAudit.objects.filter(vendor=world.vendor_a).count() == 2
    assert EmergencyContact.objects.filter(vendor=world.vendor_b).count() == 2
    states = sorted(RectificationNotice.objects.filter(vendor=world.vendor_a).values_list("state", flat=True))
    assert states == sorted([NoticeState.CLOSED, NoticeState.ISSUED])
