from typing import Any

from django.http import HttpRequest

from .selectors import unread_count


def inbox(request: HttpRequest) -> dict[str, Any]:
    """`unread_notifications` for the header badge (one count query per signed-in page)."""
    return {"unread_notifications": unread_count(getattr(request, "user", None))}
