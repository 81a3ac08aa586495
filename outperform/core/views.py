from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from outperform.access.scoping import restrict, scope_for
from outperform.org.models import Department
from outperform.vendors.filters import contracts_expiring
from outperform.vendors.models import Contract, Vendor
from outperform.workers.models import Worker, WorkerStatus

from .auth import ThrottledAuthenticationForm


class LoginView(auth_views.LoginView):
    authentication_form = ThrottledAuthenticationForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    scope = scope_for(user)
    workers = restrict(Worker.objects.all(), user)
    cards: list[dict[str, Any]] = [
        {"label": "在岗外包人员 / Active workers", "value": workers.filter(status=WorkerStatus.ACTIVE).count(),
         "url": "workers:workers_list"},
        {"label": "服务商 / Vendors", "value": restrict(Vendor.objects.all(), user).count(),
         "url": "vendors:vendors_list"},
        {"label": "部门 / Departments", "value": restrict(Department.objects.all(), user).count(),
         "url": "org:departments_list"},
    ]
    expiring = list(
        contracts_expiring(restrict(Contract.objects.select_related("vendor"), user), 60).order_by("end_date")[:10]
    )
    own_worker = Worker.objects.filter(user_id=user.pk or 0).select_related("vendor", "department", "position").first()
    return render(
        request, "core/home.html", {"cards": cards, "expiring": expiring, "own_worker": own_worker, "scope": scope}
    )
