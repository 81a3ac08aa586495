"""The team performance archive (团队绩效档案): every cycle's result of a team, the change against
its previous result and its group's average; scoped like the team itself; constant queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outperform.cycles.models import Appraisal, CycleState, Team
from outperform.cycles.services import cycle_open
from outperform.testing.templates import make_template

from .helpers_web import advance, make_cycle, submit_all

pytestmark = pytest.mark.django_db

TEAM_ROLES = {"system_admin": 200, "hr": 200, "auditor": 200, "supervisor": 200, "vendor_manager": 200,
              "worker": 404, "nobody": 404}


def _teams(world):  # type: ignore[no-untyped-def]
    ours = Team.objects.create(code="TM-A", name="热线一组", department=world.ops, vendor=world.vendor_a)
    theirs = Team.objects.create(code="TM-B", name="研发二组", department=world.tech, vendor=world.vendor_b)
    return ours, theirs


def _team_cycle(world, template, name, start, scores):  # type: ignore[no-untyped-def]
    """A published team cycle; `scores` maps team code → the supervisor's score of T1."""
    cycle = make_cycle(world, template, name=name, subject_kind="team", start_date=start,
                       end_date=start + dt.timedelta(days=89))
    hr = world.users["hr"]
    cycle_open(actor=hr, cycle=cycle)
    cycle = advance(cycle, hr, CycleState.IN_PROGRESS, CycleState.SELF_REVIEW, CycleState.REVIEW)
    for code, value in scores.items():
        submit_all(cycle, "supervisor", {"T1": (value, "")}, appraisal__team__code=code)
    return advance(cycle, hr, CycleState.CALIBRATION, CycleState.PUBLISHED)


@pytest.fixture
def template(db):  # type: ignore[no-untyped-def]
    # One indicator rated by the supervisor, teams grouped together: composite = the score.
    return make_template(code="T-TEAM", subject_kind="team", role_weights={"supervisor": "100"},
                         distribution_group="all",
                         indicators=[{"code": "T1", "weight": 100, "rater_roles": ["supervisor"]}])


def test_team_archive_values_trend_and_group_average(world, client_for, template):
    ours, _theirs = _teams(world)
    _team_cycle(world, template, "2026年第三季度", dt.date(2026, 7, 1), {"TM-A": "72.5", "TM-B": "90"})
    _team_cycle(world, template, "2026年第四季度", dt.date(2026, 10, 1), {"TM-A": "81", "TM-B": "85"})
    page = client_for("hr").get(reverse("cycles:archive_team", args=[ours.pk]))
    assert page.status_code == 200
    rows = page.context["rows"]
    assert [r["cycle"].name for r in rows] == ["2026年第三季度", "2026年第四季度"]  # oldest first
    # Q3: 72.50, group (both teams) average (72.50 + 90.00) / 2 = 81.25, 8.75 below it
    # Q4: 81.00, +8.50 on Q3; average (81.00 + 85.00) / 2 = 83.00, 2.00 below it
    assert [str(r["composite"]) for r in rows] == ["72.50", "81.00"]
    assert [r["delta"] for r in rows] == [None, pytest.approx(8.5)]
    assert str(rows[1]["delta"]) == "8.50"
    assert [str(r["group_avg"]) for r in rows] == ["81.25", "83.00"]
    assert [str(r["vs_group"]) for r in rows] == ["-8.75", "-2.00"]
    body = page.content.decode()
    assert "热线一组" in body and "+8.50" in body and 'data-source="archive-chart"' in body
    assert page.context["chart"]["series"][0]["data"] == [72.5, 81.0]


@pytest.mark.parametrize(("role", "status"), TEAM_ROLES.items())
def test_team_archive_is_scoped_like_the_team(world, client_for, template, role, status):
    ours, theirs = _teams(world)
    _team_cycle(world, template, "2026年第四季度", dt.date(2026, 10, 1), {"TM-A": "81", "TM-B": "85"})
    client = client_for(role)
    assert client.get(reverse("cycles:archive_team", args=[ours.pk])).status_code == status
    # team B is in TECH (outside the supervisor's OPS) with vendor B (not the vendor manager's)
    whole = role in {"system_admin", "hr", "auditor"}
    other = client.get(reverse("cycles:archive_team", args=[theirs.pk]))
    assert other.status_code == (200 if whole else 404)


def test_team_list_and_detail_link_to_the_archive(world, client_for):
    ours, _theirs = _teams(world)
    url = reverse("cycles:archive_team", args=[ours.pk])
    hr = client_for("hr")
    assert url in hr.get(reverse("cycles:teams_list")).content.decode()
    assert url in hr.get(reverse("cycles:teams_detail", args=[ours.pk])).content.decode()


def test_team_archive_queries_do_not_grow_with_cycles(world, client_for, template):
    ours, _theirs = _teams(world)
    client = client_for("supervisor")
    url = reverse("cycles:archive_team", args=[ours.pk])

    def count() -> int:
        client.get(url)  # warm-up: per-process caches
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    _team_cycle(world, template, "2026年第二季度", dt.date(2026, 4, 1), {"TM-A": "70", "TM-B": "60"})
    one = count()
    _team_cycle(world, template, "2026年第三季度", dt.date(2026, 7, 1), {"TM-A": "75", "TM-B": "65"})
    _team_cycle(world, template, "2026年第四季度", dt.date(2026, 10, 1), {"TM-A": "80", "TM-B": "70"})
    assert Appraisal.objects.filter(team=ours).count() == 3
    assert count() == one
