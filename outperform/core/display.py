"""Formatting of model values for pages and exports (money in fen shown as yuan)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _


def fen_to_yuan(fen: int | None) -> Decimal | None:
    if fen is None:
        return None
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


def format_money(fen: int | None) -> str:
    yuan = fen_to_yuan(fen)
    return "" if yuan is None else f"¥{yuan:,.2f}"


def resolve(obj: Any, accessor: str) -> Any:
    """Follow "vendor.name" / "get_status_display" style accessors; missing links give None."""
    value = obj
    for part in accessor.split("."):
        if value is None:
            return None
        value = getattr(value, part)
        if callable(value) and not isinstance(value, models.Manager):
            value = value()
    return value


def format_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
