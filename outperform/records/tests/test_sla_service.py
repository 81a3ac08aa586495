"""SLA columns of tickets as the writers store them, over the seeded 2026 calendar."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from outperform.records.models import CalendarDay, Ticket, WorkCalendar
from outperform.records.sla.service import sla_refresh_open, tickets_refresh_sla
from outperform.testing.factories import ContractFactory

from .factories import SHANGHAI, SlaPolicyFactory, TicketFactory

pytestmark = pytest.mark.django_db


def bj(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def test_the_migration_seeds_the_2026_schedule():
    calendar = WorkCalendar.objects.get(code="CN-STD")
    assert calendar.is_default
    days = dict(CalendarDay.objects.filter(calendar=calendar).values_list("date", "kind"))
    # 元旦 3 + 春节 9 + 清明 3 + 劳动节 5 + 端午 3 + 中秋 3 + 国庆 7 = 33 holidays; 6 make-up days.
    assert sum(1 for k in days.values() if k == "holiday") == 33
    assert sorted(d for d, k in days.items() if k == "workday") == [
        dt.date(2026, 1, 4), dt.date(2026, 2, 14), dt.date(2026, 2, 28), dt.date(2026, 5, 9),
        dt.date(2026, 9, 20), dt.date(2026, 10, 10),
    ]


def test_due_times_skip_national_day(world):
    SlaPolicyFactory(contract=world.contract_a, priority="p2", response_minutes=120, resolution_minutes=900)
    ticket = TicketFactory(vendor=world.vendor_a, contract=world.contract_a, priority="p2",
                           opened_at=bj(2026, 9, 30, 17, 0))
    tickets_refresh_sla([ticket], now=bj(2026, 9, 30, 17, 30))
    ticket.refresh_from_db()
    # Response: 60 min on 30 Sep, then 60 on Thursday 8 Oct → 10:00.
    assert ticket.response_due_at == bj(2026, 10, 8, 10, 0)
    # Resolution 900: 60 (30 Sep) + 450 (8 Oct) + 390 on 9 Oct = 180 by noon + 210 → 17:00.
    assert ticket.resolution_due_at == bj(2026, 10, 9, 17, 0)
    assert (ticket.sla_status, ticket.resolution_minutes) == ("on_time", 30)


def test_ticket_without_contract_uses_the_vendor_contract_in_force(world):
    SlaPolicyFactory(contract=world.contract_a, priority="p1", response_minutes=30, resolution_minutes=240)
    ticket = TicketFactory(vendor=world.vendor_a, priority="p1", opened_at=bj(2026, 10, 12, 9, 0))
    assert ticket.sla_policy.contract == world.contract_a
    assert ticket.response_due_at == bj(2026, 10, 12, 9, 30)


def test_no_policy_means_no_sla(world):
    ticket = TicketFactory(vendor=world.vendor_b, priority="p4")
    assert ticket.sla_status == "no_sla"
    assert ticket.response_due_at is None


def test_refresh_moves_open_tickets_along(world):
    SlaPolicyFactory(contract=world.contract_a, priority="p2", response_minutes=60, resolution_minutes=450)
    ticket = TicketFactory(vendor=world.vendor_a, priority="p2", opened_at=bj(2026, 10, 12, 9, 0))
    done = TicketFactory(vendor=world.vendor_a, priority="p2", opened_at=bj(2026, 10, 12, 9, 0),
                         first_response_at=bj(2026, 10, 12, 9, 5), resolved_at=bj(2026, 10, 12, 10, 0))
    assert sla_refresh_open(now=bj(2026, 10, 12, 9, 50)) == 1  # the resolved ticket is left alone
    ticket.refresh_from_db()
    assert (ticket.response_status, ticket.sla_status) == ("at_risk", "at_risk")
    sla_refresh_open(now=bj(2026, 10, 12, 10, 1))
    ticket.refresh_from_db()
    assert ticket.sla_status == "breached"
    assert ticket.response_met is False
    done.refresh_from_db()
    assert (done.sla_status, done.response_met, done.resolution_met) == ("met", True, True)


def test_refresh_command_runs():
    out = StringIO()
    call_command("refresh_sla", stdout=out)
    assert "refreshed" in out.getvalue()


def test_a_pause_entered_on_the_page_moves_the_due_time(world, client_for):
    SlaPolicyFactory(contract=world.contract_a, priority="p2", response_minutes=60, resolution_minutes=450)
    ticket = TicketFactory(vendor=world.vendor_a, priority="p2", opened_at=bj(2026, 10, 12, 9, 0))
    assert ticket.resolution_due_at == bj(2026, 10, 12, 18, 0)
    response = client_for("hr").post(reverse("records:pauses_create"), {
        "ticket": ticket.pk, "reason": "awaiting_customer", "started_at": "2026-10-12T10:00",
        "ended_at": "2026-10-12T11:30"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.resolution_due_at == bj(2026, 10, 13, 10, 30)  # 90 minutes later in working time
    assert ticket.paused_minutes == 90


def test_breaches_page_counts_per_vendor_within_scope(world, client_for):
    contract_b = world.contract_b
    SlaPolicyFactory(contract=world.contract_a, priority="p2", response_minutes=60, resolution_minutes=450)
    SlaPolicyFactory(contract=contract_b, priority="p2", response_minutes=60, resolution_minutes=450)
    late = {"opened_at": bj(2026, 10, 12, 9, 0), "first_response_at": bj(2026, 10, 12, 11, 0),
            "resolved_at": bj(2026, 10, 12, 12, 0)}
    fine = {"opened_at": bj(2026, 10, 12, 9, 0), "first_response_at": bj(2026, 10, 12, 9, 10),
            "resolved_at": bj(2026, 10, 12, 12, 0)}
    TicketFactory(vendor=world.vendor_a, **late)
    TicketFactory(vendor=world.vendor_a, **fine)
    TicketFactory(vendor=world.vendor_a, **fine)
    TicketFactory(vendor=world.vendor_b, **late)
    url = reverse("records:sla_breaches") + "?date_from=2026-10-01&date_to=2026-12-31"
    page = client_for("hr").get(url).content.decode()
    assert world.vendor_a.name in page and world.vendor_b.name in page
    assert "66.7%" in page  # vendor A: 2 of 3 not breached
    own = client_for("vendor_manager").get(url).content.decode()
    assert world.vendor_a.name in own and world.vendor_b.name not in own
    assert client_for("worker").get(url).status_code == 200
    assert world.vendor_a.name not in client_for("worker").get(url).content.decode()


def test_contract_of_another_vendor_is_refused(world, client_for):
    other = ContractFactory(vendor=world.vendor_b)
    response = client_for("hr").post(reverse("records:tickets_create"), {
        "external_id": "K-X", "title": "x", "vendor": world.vendor_a.pk, "contract": other.pk, "priority": "p2",
        "opened_at": "2026-10-12T09:00"})
    assert response.status_code == 400
    assert not Ticket.objects.filter(external_id="K-X").exists()
