"""360 anonymity on the explain page: anonymous roles (peer, client, subordinate) reach the subject
only as a role mean, and only from the template's minimum of raters (3 by default); raters are
never named, except in HR's 评分明细."""

from __future__ import annotations

import pytest
from django.urls import reverse

from outperform.cycles.models import Appraisal

from .helpers_web import published_360

pytestmark = pytest.mark.django_db


def _page(client, world):  # type: ignore[no-untyped-def]
    mine = Appraisal.objects.get(worker=world.workers["a_self"])
    response = client.get(reverse("cycles:appraisal_detail", args=[mine.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_two_peers_are_hidden_from_the_subject_and_their_vendor(world, client_for):
    _cycle, peers = published_360(world, peers_rating=2)
    for role in ("worker", "vendor_manager", "supervisor"):
        page = _page(client_for(role), world)
        assert 'data-testid="breakdown"' in page
        assert 'data-role="peer"' not in page and 'data-role="others"' not in page, role
        # the other roles' rows are withheld too: next to the indicator score they would give the
        # two peers' mean away
        assert 'data-roles-withheld="P1"' in page and 'data-role="supervisor"' not in page
        assert not any(str(u) in page for u in peers)
    # HR sees the role row (a mean, no names) and, separately, who rated what
    page = _page(client_for("hr"), world)
    assert 'data-role="peer"' in page and "77.00" in page  # (71 + 83) / 2
    assert 'data-testid="score-rows"' in page and str(peers[0]) in page
    # the auditor sees role rows but not the individual scores
    page = _page(client_for("auditor"), world)
    assert 'data-role="peer"' in page and 'data-testid="score-rows"' not in page
    assert not any(str(u) in page for u in peers)


def test_three_peers_show_the_role_mean_only(world, client_for):
    _cycle, peers = published_360(world, peers_rating=3)
    page = _page(client_for("worker"), world)
    assert 'data-role="peer"' in page and "83.00" in page  # (71 + 83 + 95) / 3
    assert 'data-role="supervisor"' in page and "data-roles-withheld" not in page
    assert "3 人评价" in page
    assert not any(str(u) in page for u in peers)
    for value in ("71.00", "95.00"):  # individual peer scores never appear
        assert value not in page
