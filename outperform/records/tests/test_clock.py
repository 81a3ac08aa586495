"""A ticket's SLA clocks, by hand (pure)."""

from __future__ import annotations

import datetime as dt

from outperform.records.sla import clock
from outperform.records.sla.worktime import Calendar

PLAIN = Calendar()


def at(day: str, time: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}")


def run(**kw):
    args = {"opened_at": at("2026-10-12", "09:00"), "first_response_at": None, "resolved_at": None, "pauses": [],
            "response_minutes": 60, "resolution_minutes": 450}
    args.update(kw)
    return clock.ticket_sla(PLAIN, **args)


def test_clock_status_boundaries():
    target = dt.timedelta(minutes=100)
    assert clock.clock_status(target, dt.timedelta(minutes=79), ended=False) == "on_time"
    assert clock.clock_status(target, dt.timedelta(minutes=80), ended=False) == "at_risk"  # 80 % exactly
    assert clock.clock_status(target, dt.timedelta(minutes=100), ended=False) == "at_risk"
    assert clock.clock_status(target, dt.timedelta(minutes=100, seconds=1), ended=False) == "breached"
    assert clock.clock_status(target, dt.timedelta(minutes=100), ended=True) == "met"
    assert clock.clock_status(target, dt.timedelta(minutes=101), ended=True) == "breached"


def test_open_ticket_early_on():
    r = run(now=at("2026-10-12", "09:30"))
    assert r.response_due_at == at("2026-10-12", "10:00")
    assert r.resolution_due_at == at("2026-10-12", "18:00")  # a whole working day: 180 + 270
    assert (r.response_minutes, r.response_status) == (30, "on_time")
    assert r.status == "on_time"
    assert r.response_met is None


def test_at_risk_then_breached():
    assert run(now=at("2026-10-12", "09:48")).response_status == "at_risk"  # 48 of 60 = 80 %
    r = run(now=at("2026-10-12", "10:01"))
    assert r.response_status == "breached"
    assert r.status == "breached"
    assert r.response_met is False


def test_answered_in_time_and_resolved_late():
    r = run(first_response_at=at("2026-10-12", "09:40"), resolved_at=at("2026-10-13", "10:00"),
            now=at("2026-10-20", "00:00"))
    assert (r.response_status, r.response_minutes) == ("met", 40)
    # 9:00 Mon → 10:00 Tue = 450 + 60 working minutes.
    assert (r.resolution_status, r.resolution_minutes) == ("breached", 510)
    assert r.status == "breached"
    assert (r.response_met, r.resolution_met) == (True, False)


def test_all_met():
    r = run(first_response_at=at("2026-10-12", "09:10"), resolved_at=at("2026-10-12", "15:00"),
            now=at("2026-10-20", "00:00"))
    assert r.status == "met"
    assert r.resolution_minutes == 180 + 90


def test_pause_moves_the_due_time_and_an_open_pause_stops_the_clock():
    pauses = [(at("2026-10-12", "09:10"), at("2026-10-12", "10:10"))]
    r = run(first_response_at=at("2026-10-12", "10:30"), pauses=pauses, now=at("2026-10-12", "11:00"))
    assert r.response_due_at == at("2026-10-12", "11:00")
    assert (r.response_minutes, r.response_status) == (30, "met")
    assert r.paused_minutes == 60
    # Paused since 10:00 and still paused at 17:00: only one hour has run.
    r = run(pauses=[(at("2026-10-12", "10:00"), None)], now=at("2026-10-12", "17:00"))
    assert r.resolution_minutes == 60
    assert r.response_status == "at_risk"  # 60 of 60 used, still not answered
    assert r.paused_minutes == 120 + 210  # 10:00–12:00 and 13:30–17:00


def test_resolving_answers_the_response_clock():
    r = run(resolved_at=at("2026-10-12", "09:30"), now=at("2026-10-20", "00:00"))
    assert r.response_status == "met"
    assert r.status == "met"
