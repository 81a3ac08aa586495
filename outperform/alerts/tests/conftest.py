import datetime as dt

import pytest

from outperform.alerts.models import AlertRule
from outperform.testing.templates import make_template

TODAY = dt.date(2026, 12, 10)


@pytest.fixture
def template(db):  # type: ignore[no-untyped-def]
    return make_template()


def make_rule(world, kind, params=None, **fields):  # type: ignore[no-untyped-def]
    fields.setdefault("owner", world.users["hr"])
    rule = AlertRule(name=fields.pop("name", f"规则 {kind} {AlertRule.objects.count() + 1}"), kind=kind,
                     params=params or {}, **fields)
    rule.full_clean()
    rule.save()
    return rule
