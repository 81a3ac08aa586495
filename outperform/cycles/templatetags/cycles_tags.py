from typing import Any

from django import template

from outperform.core.display import format_money

register = template.Library()


@register.filter
def money(fen: Any) -> str:
    """Fen as ¥ yuan with two decimals (core.display.format_money)."""
    return format_money(fen)


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None
