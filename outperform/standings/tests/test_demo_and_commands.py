"""The demo loader and the cron command run on the role world."""

import datetime as dt
import random
from io import StringIO

import pytest
from django.core.management import call_command

from outperform.core.demo.loader import DemoContext
from outperform.standings import demo
from outperform.standings.models import Settlement, SettlementRule, VendorStanding
from outperform.testing.factories import VendorFactory


@pytest.mark.django_db
def test_demo_gives_a_c_vendor_with_rectification_and_a_q3_settlement(world):
    VendorFactory()
    ctx = DemoContext(rng=random.Random(1), users={"hr": world.users["hr"]}, today=dt.date(2026, 11, 20), small=True)
    demo.load(ctx)
    current = VendorStanding.objects.filter(is_current=True)
    assert current.filter(code="C", rectification_required=True).count() == 1
    assert SettlementRule.objects.count() == 2
    assert Settlement.objects.filter(period_label="2026年第三季度服务商考核").count() == 2


@pytest.mark.django_db
def test_refresh_command(world):
    out = StringIO()
    call_command("refresh_standings", stdout=out)
    assert "new rows 0" in out.getvalue()
