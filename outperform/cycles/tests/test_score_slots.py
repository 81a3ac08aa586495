"""Score slots (cycles/slots.py): every pair a cycle's templates rate has a stored number, every score
carries its pair's number, numbers never change meaning, and scores without one are still read
right (the general path), so that the compute's packed read needs no join on text."""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.db import IntegrityError, connection, transaction

from outperform.cycles.models import CycleState, CycleTemplate, RaterAssignment, Score
from outperform.cycles.services import cycle_advance, cycle_compute, cycle_open
from outperform.indicators.snapshot import template_snapshot
from outperform.testing.factories import UserFactory, WorkerFactory
from outperform.testing.templates import make_template

from .helpers_compute import read_spy, stored_results
from .helpers_web import make_cycle, submit_all

pytestmark = pytest.mark.django_db



@pytest.fixture
def scored(world):  # type: ignore[no-untyped-def]
    """A cycle of five workers rated by self and supervisor on two indicators, in 校准 (calibration)."""
    template = make_template(code="T-SLOTS", role_weights={"self": "30", "supervisor": "70"},
                             indicators=[{"code": "S1", "weight": "40", "rater_roles": ["self", "supervisor"]},
                                         {"code": "S2", "weight": "60", "rater_roles": ["supervisor"],
                                          "role_weights": {"supervisor": "100"}}])
    for _ in range(5):
        WorkerFactory(vendor=world.vendor_a, department=world.ops, position=world.position, user=UserFactory())
    cycle = make_cycle(world, template, departments=[world.ops])
    hr = world.users["hr"]
    cycle_open(actor=hr, cycle=cycle)
    for state in (CycleState.IN_PROGRESS, CycleState.SELF_REVIEW):
        cycle = cycle_advance(actor=hr, cycle=cycle, target=state)
    submit_all(cycle, "self", {"S1": ("81.5", "")})
    cycle = cycle_advance(actor=hr, cycle=cycle, target=CycleState.REVIEW)
    submit_all(cycle, "supervisor", {"S1": ("90", ""), "S2": ("64.75", "")})
    cycle = cycle_advance(actor=hr, cycle=cycle, target=CycleState.CALIBRATION)
    return cycle


def test_opening_numbers_the_pairs_the_template_rates(scored):
    scored.refresh_from_db()
    # S1 is rated by self and supervisor, S2 by the supervisor only: three pairs, each numbered once
    assert sorted(map(tuple, scored.score_slots)) == [("S1", "self"), ("S1", "supervisor"), ("S2", "supervisor")]
    assert len(scored.score_slots) == 3


def test_every_score_carries_the_number_of_its_pair(scored):
    scored.refresh_from_db()
    rows = list(Score.objects.filter(cycle=scored).values_list("indicator_code", "role", "slot"))
    submitted = RaterAssignment.objects.filter(cycle=scored, state="submitted")
    # one score per self evaluation (S1), two per supervisor evaluation (S1, S2)
    assert len(rows) == submitted.filter(role="self").count() + 2 * submitted.filter(role="supervisor").count() > 0
    for code, role, slot in rows:
        assert slot is not None
        assert scored.score_slots[slot] == [code, role]


def test_a_template_snapshotted_later_appends_its_pairs_and_keeps_the_old_numbers(world, scored):
    scored.refresh_from_db()
    before = list(scored.score_slots)
    other = make_template(code="T-SLOTS-2", role_weights={"supervisor": "100"},
                          indicators=[{"code": "S2", "weight": "50", "rater_roles": ["supervisor"]},
                                      {"code": "S3", "weight": "50", "rater_roles": ["supervisor"]}])
    CycleTemplate.objects.create(cycle=scored, template=other, snapshot=template_snapshot(other))
    scored.refresh_from_db()
    # (S2, supervisor) already had a number; only (S3, supervisor) is new, and goes last
    assert scored.score_slots == [*before, ["S3", "supervisor"]]


def test_a_score_for_a_pair_no_template_rates_has_no_number(scored):
    assignment = RaterAssignment.objects.filter(cycle=scored, role="supervisor").first()
    assert assignment is not None
    stray = Score.objects.create(cycle=scored, appraisal_id=assignment.appraisal_id, assignment=assignment,
                                 role="supervisor", indicator_code="GONE", value=Decimal("12.00"))
    assert stray.slot is None


def test_scores_without_numbers_give_the_same_results(world, scored, monkeypatch):
    hr = world.users["hr"]
    cycle_compute(actor=hr, cycle=scored)
    numbered = stored_results(scored)
    kinds = read_spy(monkeypatch)
    # as if written before numbers existed
    Score.objects.filter(cycle=scored).update(slot=None)
    cycle_compute(actor=hr, cycle=scored)
    assert stored_results(scored) == numbered
    if connection.vendor == "postgresql":
        # the packed read places scores by their number only: without one, every appraisal is read
        # by the general path
        assert kinds and set(kinds) == {"general"}


def test_the_migration_numbers_existing_cycles_and_their_scores(scored):
    scored.refresh_from_db()
    expected = dict(Score.objects.filter(cycle=scored).values_list("id", "slot"))
    numbering = list(scored.score_slots)
    Score.objects.filter(cycle=scored).update(slot=None)
    type(scored).objects.filter(pk=scored.pk).update(score_slots=[])
    migration = importlib.import_module("outperform.cycles.migrations.0008_score_slots")

    class Editor:
        connection = connection

    migration.number_existing(django_apps, Editor())
    scored.refresh_from_db()
    assert scored.score_slots == numbering
    assert dict(Score.objects.filter(cycle=scored).values_list("id", "slot")) == expected


@pytest.mark.parametrize("value", ["-0.01", "100.01"])
def test_the_table_refuses_a_score_outside_0_to_100(scored, value):
    assignment = RaterAssignment.objects.filter(cycle=scored, role="supervisor").first()
    assert assignment is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        Score.objects.create(cycle=scored, appraisal_id=assignment.appraisal_id, assignment=assignment,
                             role="supervisor", indicator_code="S3", value=Decimal(value))


def test_the_database_keeps_each_value_in_hundredths(scored):
    rows = list(Score.objects.filter(cycle=scored).values_list("pk", "value", "hundredths"))
    assert rows
    assert all(hundredths == int(value * 100) for _, value, hundredths in rows)
    pk = rows[0][0]
    Score.objects.filter(pk=pk).update(value=Decimal("12.34"))
    assert Score.objects.values_list("hundredths", flat=True).get(pk=pk) == 1234
