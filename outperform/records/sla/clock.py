"""A ticket's SLA clocks (response and resolution): pure Python, no Django.

Each clock runs in working time from the moment the ticket was opened, stops while the ticket is
paused, and ends when the ticket was first answered (response) or resolved (resolution). Status:

- met — ended within the target;
- breached — more working time used than the target (ended late, or still running and past due);
- at_risk — still running and at least 80 % of the target used;
- on_time — still running, less than 80 % used.

Comparisons are exact (to the microsecond); minutes shown are whole minutes, floored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from .worktime import MINUTE, Calendar, Interval, add_working_minutes, working_time_between

ON_TIME, AT_RISK, BREACHED, MET, NO_SLA = "on_time", "at_risk", "breached", "met", "no_sla"
AT_RISK_NUMERATOR, AT_RISK_DENOMINATOR = 4, 5  # 80 %


def clock_status(target: dt.timedelta, used: dt.timedelta, *, ended: bool) -> str:
    if used > target:
        return BREACHED
    if ended:
        return MET
    if used * AT_RISK_DENOMINATOR >= target * AT_RISK_NUMERATOR:
        return AT_RISK
    return ON_TIME


def overall_status(*statuses: str) -> str:
    """The ticket's one status: the worst of its clocks; met only when every clock is met."""
    for status in (BREACHED, AT_RISK):
        if status in statuses:
            return status
    return MET if all(s == MET for s in statuses) else ON_TIME


@dataclass(frozen=True)
class TicketSla:
    response_due_at: dt.datetime
    resolution_due_at: dt.datetime
    response_minutes: int
    resolution_minutes: int
    paused_minutes: int
    response_status: str
    resolution_status: str
    status: str

    @property
    def response_met(self) -> bool | None:
        return _met(self.response_status)

    @property
    def resolution_met(self) -> bool | None:
        return _met(self.resolution_status)


def _met(status: str) -> bool | None:
    """True when met, False when breached, None while the clock still runs within target."""
    return {MET: True, BREACHED: False}.get(status)


def ticket_sla(
    cal: Calendar,
    *,
    opened_at: dt.datetime,
    first_response_at: dt.datetime | None,
    resolved_at: dt.datetime | None,
    pauses: Sequence[tuple[dt.datetime, dt.datetime | None]],
    response_minutes: int,
    resolution_minutes: int,
    now: dt.datetime,
) -> TicketSla:
    """Both clocks of one ticket as of `now`. A pause still open ends at resolution, else now."""
    stop = resolved_at or now
    closed: list[Interval] = [(s, e if e is not None else stop) for s, e in pauses]
    response_end = first_response_at or resolved_at or now  # resolving a ticket answers it
    resolution_end = stop
    response_used = working_time_between(cal, opened_at, response_end, closed)
    resolution_used = working_time_between(cal, opened_at, resolution_end, closed)
    paused = working_time_between(cal, opened_at, resolution_end) - resolution_used
    response_status = clock_status(
        dt.timedelta(minutes=response_minutes), response_used,
        ended=first_response_at is not None or resolved_at is not None,
    )
    resolution_status = clock_status(
        dt.timedelta(minutes=resolution_minutes), resolution_used, ended=resolved_at is not None
    )
    return TicketSla(
        response_due_at=add_working_minutes(cal, opened_at, response_minutes, closed),
        resolution_due_at=add_working_minutes(cal, opened_at, resolution_minutes, closed),
        response_minutes=response_used // MINUTE,
        resolution_minutes=resolution_used // MINUTE,
        paused_minutes=paused // MINUTE,
        response_status=response_status,
        resolution_status=resolution_status,
        status=overall_status(response_status, resolution_status),
    )
