"""Reads of alerts, always through `restrict`."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from outperform.access.scoping import restrict

from .models import OPEN_STATES, Alert, Severity


def alert_queryset() -> QuerySet[Alert]:
    return Alert.objects.select_related("rule", "owner", "department", "vendor", "acknowledged_by", "resolved_by")


def alert_list(user: Any) -> QuerySet[Alert]:
    return restrict(alert_queryset(), user, "view")


def alert_may_change(user: Any, alert: Alert) -> bool:
    """Acknowledge/resolve: admin, HR, the owner, and supervisors / vendor managers of its scope;
    never the auditor."""
    from outperform.access.models import Role
    from outperform.access.scoping import scope_for

    scope = scope_for(user)
    if Role.AUDITOR in scope.roles and not scope.whole_write:
        return False
    return restrict(Alert.objects.filter(pk=alert.pk), user, "change").exists()


def open_counts(user: Any) -> dict[str, int]:
    """Open alerts the user sees, by severity (one query), for the nav badge and the list header."""
    agg = alert_list(user).filter(state__in=OPEN_STATES).aggregate(
        total=Count("pk"), **{s: Count("pk", filter=Q(severity=s)) for s in Severity.values})
    return {k: int(v or 0) for k, v in agg.items()}
