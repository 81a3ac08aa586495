"""Pages beyond the declared CRUD: the SLA breaches per vendor."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from .selectors import sla_breaches_by_vendor


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


@login_required
def sla_breaches(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    date_from = _date(request.GET.get("date_from")) if "date_from" in request.GET else quarter_start(today)
    date_to = _date(request.GET.get("date_to"))
    rows = sla_breaches_by_vendor(request.user, date_from=date_from, date_to=date_to)
    return render(request, "records/sla_breaches.html", {
        "rows": rows, "date_from": date_from, "date_to": date_to,
        "totals": {
            "tickets": sum(r.tickets for r in rows), "breached": sum(r.breached for r in rows),
            "open_breached": sum(r.open_breached for r in rows), "at_risk": sum(r.at_risk for r in rows),
        },
    })
