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


@register.simple_tag
def standing_badge(standing: object, colours: dict[str, str] | None = None) -> str:
    """A standing's code in its band's colour as configured now (the colour stored on the row is
    the one of the day it was computed, kept for a band deleted since)."""
    code = str(getattr(standing, "code", ""))
    colour = (colours or {}).get(code) or str(getattr(standing, "colour", ""))
    return band_badge(code, colour)


@register.filter
def yuan(fen: int | None) -> str:
    from outperform.core.display import format_money

    return format_money(fen)


@register.filter
def get(mapping: dict, key: object) -> object:
    return mapping.get(key, "") if mapping else ""
