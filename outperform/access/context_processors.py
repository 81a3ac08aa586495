from typing import Any

from django.http import HttpRequest

from .models import Role
from .scoping import scope_for


def scope(request: HttpRequest) -> dict[str, Any]:
    s = scope_for(getattr(request, "user", None))
    return {"scope": s, "role_labels": [Role(r).label for r in sorted(s.roles)]}
