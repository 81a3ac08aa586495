"""Reads of the inbox. Always filtered on the user themself (see models: HR does not read other
people's inboxes, so `restrict`, which shows whole-view roles every row, is not used here)."""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet

from .models import Notification


def inbox_for(user: Any) -> QuerySet[Notification]:
    """The user's notifications, unread first, newest first."""
    return Notification.objects.filter(user_id=user.pk).order_by(
        F("read_at").asc(nulls_first=True), "-created_at", "-id"
    )


def unread_count(user: Any) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(user_id=user.pk, read_at__isnull=True).count()
