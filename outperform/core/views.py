from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from outperform.access.scoping import restrict, scope_for, scope_key
from outperform.org.models import Department
from outperform.vendors.filters import contracts_expiring
from outperform.vendors.models import Contract, Vendor
from outperform.workers.models import Worker, WorkerStatus

from .auth import ThrottledAuthenticationForm


class LoginView(auth_views.LoginView):
    authentication_form = ThrottledAuthenticationForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


def home_figures(user: Any) -> tuple[int, int, int]:
    """Active workers, vendors and departments the user sees. Counting 100,000 workers on every
    visit to the home page is the dearest thing on it, so the figures are kept per scope for
    PAGE_CACHE_SECONDS (a time box: a new hire shows within a minute)."""
    scope = scope_for(user)
    key = f"home:figures:{scope_key(scope)}"
    cached = cache.get(key) if settings.PAGE_CACHE_SECONDS else None
    if cached is not None:
        return cached
    figures = (
        restrict(Worker.objects.filter(status=WorkerStatus.ACTIVE), user).count(),
        restrict(Vendor.objects.all(), user).count(),
        restrict(Department.objects.all(), user).count(),
    )
    if settings.PAGE_CACHE_SECONDS:
        cache.set(key, figures, settings.PAGE_CACHE_SECONDS)
    return figures


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    scope = scope_for(user)
    active, vendors, departments = home_figures(user)
    cards: list[dict[str, Any]] = [
        {"label": "在岗外包人员 / Active workers", "value": active, "url": "workers:workers_list"},
        {"label": "服务商 / Vendors", "value": vendors, "url": "vendors:vendors_list"},
        {"label": "部门 / Departments", "value": departments, "url": "org:departments_list"},
    ]
    expiring = list(
        contracts_expiring(restrict(Contract.objects.select_related("vendor"), user), 60).order_by("end_date")[:10]
    )
    own_worker = Worker.objects.filter(user_id=user.pk or 0).select_related("vendor", "department", "position").first()
    return render(
        request, "core/home.html", {"cards": cards, "expiring": expiring, "own_worker": own_worker, "scope": scope}
    )
