from __future__ import annotations

import re

from django import template
from django.utils.html import format_html

register = template.Library()

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
_NAMES = {"success", "primary", "warning", "danger", "info", "secondary", "dark"}


@register.simple_tag
def band_badge(code: str, colour: str = "") -> str:
    """A standing code as a coloured badge: a Bootstrap colour name or #RRGGBB."""
    if not code:
        return format_html('<span class="badge text-bg-light">-</span>')
    if _HEX.match(colour or ""):
        return format_html('<span class="badge" style="background:{}">{}</span>', colour, code)
    name = colour if colour in _NAMES else "secondary"
    return format_html('<span class="badge text-bg-{}" data-standing="{}">{}</span>', name, code, code)


@register.filter
def yuan(fen: int | None) -> str:
    from outperform.core.display import format_money

    return format_money(fen)


@register.filter
def get(mapping: dict, key: object) -> object:
    return mapping.get(key, "") if mapping else ""
