from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from outperform.access.scoping import get_scoped_or_404

from ..models import Appraisal, Cycle
from ..queries import is_hr


def require_hr(request: HttpRequest) -> None:
    if not is_hr(request.user):
        raise PermissionDenied


def get_cycle(request: HttpRequest, pk: int) -> Cycle:
    return get_scoped_or_404(Cycle.objects.select_related("default_template"), request.user, "view", pk=pk)


def get_appraisal(request: HttpRequest, pk: int) -> Appraisal:
    qs = Appraisal.objects.select_related("cycle", "cycle_template", "worker", "vendor", "department", "position",
                                          "team", "subject_user")
    return get_scoped_or_404(qs, request.user, "view", pk=pk)


def messages_of(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return target
    return fallback


def post_values(request: HttpRequest, *names: str) -> dict[str, Any]:
    return {n: request.POST.get(n, "") for n in names}
