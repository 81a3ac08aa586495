"""`{% load development_tags %}{% development_archive worker %}`: the development part of a worker's
performance archive (training, improvement plans, commendations), scoped to the viewing user."""

from __future__ import annotations

from typing import Any

from django import template

from outperform.development.selectors import archive_extras

register = template.Library()


@register.inclusion_tag("development/archive_extras.html", takes_context=True)
def development_archive(context: dict[str, Any], worker: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"dev_worker": None}
    return {**archive_extras(worker, user), "request": request}
