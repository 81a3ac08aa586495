import datetime as dt

import pytest

from outperform.cycles.models import Cycle
from outperform.testing.templates import make_template


@pytest.fixture
def template(db):  # type: ignore[no-untyped-def]
    return make_template()


@pytest.fixture
def cycle(world, template):  # type: ignore[no-untyped-def]
    # Every world worker reports to the supervisor user, so each appraisal gets a supervisor rater.
    from outperform.workers.models import Worker

    Worker.objects.update(supervisor=world.users["supervisor"])
    return Cycle.objects.create(
        name="2026年第四季度", start_date=dt.date(2026, 10, 1), end_date=dt.date(2026, 12, 31),
        default_template=template, seed=7, peer_count=2,
    )
