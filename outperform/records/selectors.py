"""Reads beyond a scoped list: the per-vendor SLA breach summary."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q

from outperform.access.scoping import restrict

from .models import SlaStatus, Ticket


@dataclass(frozen=True)
class VendorSla:
    vendor_id: int
    vendor_name: str
    tickets: int
    with_sla: int
    breached: int
    response_breached: int
    resolution_breached: int
    open_breached: int
    at_risk: int

    @property
    def attainment(self) -> Decimal | None:
        """Share of SLA-governed tickets not breached, in %, one decimal, ROUND_HALF_UP."""
        if not self.with_sla:
            return None
        rate = Decimal(self.with_sla - self.breached) * 100 / Decimal(self.with_sla)
        return rate.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def sla_breaches_by_vendor(user: Any, *, date_from: dt.date | None, date_to: dt.date | None) -> list[VendorSla]:
    """One row per vendor with tickets opened in the period (one query), most breaches first."""
    qs = restrict(Ticket.objects.all(), user, "view")
    if date_from:
        qs = qs.filter(opened_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(opened_at__date__lte=date_to)
    breached = Q(sla_status=SlaStatus.BREACHED)
    rows = (
        qs.values("vendor_id", "vendor__name")
        .annotate(
            tickets=Count("id"),
            with_sla=Count("id", filter=~Q(sla_status=SlaStatus.NO_SLA)),
            breached=Count("id", filter=breached),
            response_breached=Count("id", filter=Q(response_met=False)),
            resolution_breached=Count("id", filter=Q(resolution_met=False)),
            open_breached=Count("id", filter=breached & Q(resolved=False)),
            at_risk=Count("id", filter=Q(sla_status=SlaStatus.AT_RISK)),
        )
        .order_by("-breached", "vendor__name")
    )
    return [
        VendorSla(
            vendor_id=r["vendor_id"], vendor_name=r["vendor__name"], tickets=r["tickets"], with_sla=r["with_sla"],
            breached=r["breached"], response_breached=r["response_breached"],
            resolution_breached=r["resolution_breached"], open_breached=r["open_breached"], at_risk=r["at_risk"],
        )
        for r in rows
    ]
