from __future__ import annotations

from django import template

from outperform.core.display import format_money

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """Fen shown as ¥1,234.56."""
    return format_money(fen)
