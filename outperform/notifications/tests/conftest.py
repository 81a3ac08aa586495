import datetime as dt

import pytest

from outperform.cycles.models import Cycle
from outperform.cycles.services import cycle_open
from outperform.testing.templates import make_template

TODAY = dt.date(2026, 12, 10)


@pytest.fixture
def template(db):  # type: ignore[no-untyped-def]
    return make_template()


def open_cycle(world, template, name="2026年第四季度"):  # type: ignore[no-untyped-def]
    from outperform.workers.models import Worker

    Worker.objects.update(supervisor=world.users["supervisor"])
    cycle = Cycle.objects.create(
        name=name, start_date=dt.date(2026, 10, 1), end_date=dt.date(2026, 12, 31),
        default_template=template, seed=7, peer_count=0,
    )
    cycle_open(actor=world.users["hr"], cycle=cycle)
    cycle.refresh_from_db()
    return cycle


@pytest.fixture
def cycle(world, template):  # type: ignore[no-untyped-def]
    return open_cycle(world, template)
