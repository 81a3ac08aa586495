"""The batch of individual reports reads each chunk of people together: a fixed number of queries
whatever the number of people (house rule for bulk jobs), and each report equal to the one printed
alone (nothing of one person leaks into another's)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from outperform.cycles.models import Appraisal, Goal, Interview, RaterAssignment, Score
from outperform.insights.reports import data

pytestmark = pytest.mark.django_db


def _appraisals(cycle):  # type: ignore[no-untyped-def]
    return list(Appraisal.objects.filter(cycle=cycle).select_related("cycle", "cycle_template", "worker")
                .order_by("id"))


def _rate(world, a, value, comment):  # type: ignore[no-untyped-def]
    sup = RaterAssignment.objects.create(cycle=a.cycle, appraisal=a, rater=world.users["supervisor"],
                                         role="supervisor", state="submitted")
    Score.objects.create(cycle=a.cycle, appraisal=a, assignment=sup, role="supervisor", indicator_code="Q1",
                         value=Decimal(value), comment=comment)
    Goal.objects.create(appraisal=a, title=f"目标-{comment}", measure="m", target="t", weight=Decimal(1),
                        proposed_by=world.users["supervisor"])
    Interview.objects.create(appraisal=a, held_on="2026-10-20", participants="p", strengths=comment,
                             interviewer=world.users["supervisor"])


@pytest.fixture
def everyone(world, results):  # type: ignore[no-untyped-def]
    """Every Q3 appraisal with its own supervisor score and comment, goal and interview."""
    appraisals = _appraisals(results["2026Q3"])
    for a, value in zip(appraisals, (71, 82, 93, 64, 55, 86), strict=False):
        _rate(world, a, value, f"评语{a.pk}")
    return appraisals


def _queries(user, appraisals) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        data.individuals(user, appraisals)
    return len(ctx.captured_queries)


def test_reports_of_a_chunk_take_the_same_queries_for_one_person_or_all(world, everyone):
    hr = world.users["hr"]
    assert len(everyone) >= 4
    data.individuals(hr, everyone[:1])  # the user's scope is read once and kept for the request
    assert _queries(hr, everyone[:1]) == _queries(hr, everyone) == 8


def test_each_report_of_a_batch_equals_the_report_printed_alone(world, everyone):
    hr = world.users["hr"]
    together = data.individuals(hr, everyone)
    for a, report in zip(everyone, together, strict=True):
        alone = data.individual(hr, a)
        assert report["explain"] == alone["explain"]
        assert report["comments"] == alone["comments"] == [
            {"role": report["comments"][0]["role"], "indicator": "Q1", "comment": f"评语{a.pk}"}]
        assert [g.title for g in report["goals"]] == [f"目标-评语{a.pk}"]
        assert [i.strengths for i in report["interviews"]] == [f"评语{a.pk}"]
        assert [h.pk for h in report["history"]] == [h.pk for h in alone["history"]]
        # the worker's Q2 and Q3 results, oldest first
        assert [h.cycle.name for h in report["history"]] == ["2026Q2", "2026Q3"]
