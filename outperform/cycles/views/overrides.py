"""考核方案适用规则 / 例外: the page where HR says, for one draft cycle, which template applies to whom
(services.overrides writes and checks; scope.template_counts previews)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from outperform.access.scoping import restrict
from outperform.indicators.models import SubjectKind
from outperform.org.models import Department, Position
from outperform.vendors.models import Vendor

from ..forms import TemplateRulesForm
from ..models import Cycle, CycleState
from ..scope import NAMED, template_counts
from ..selectors import template_rules_get
from ..services.overrides import DRAFT_ONLY, cycle_template_rules_set
from .common import get_cycle, require_hr


def _querysets(cycle: Cycle, user: Any) -> dict[str, QuerySet[Any]]:
    """What each list may name, within the caller's scope."""
    model = NAMED.get(cycle.subject_kind, NAMED[SubjectKind.WORKER])[0]
    return {
        "subjects": restrict(model._default_manager.all(), user),
        "positions": restrict(Position.objects.order_by("code"), user),
        "vendors": restrict(Vendor.objects.order_by("name", "pk"), user),
        "departments": restrict(Department.objects.order_by("path"), user),
    }


@login_required
def cycle_template_rules(request: HttpRequest, pk: int) -> HttpResponse:
    require_hr(request)
    cycle = get_cycle(request, pk)
    if cycle.state != CycleState.DRAFT:
        messages.error(request, str(DRAFT_ONLY))
        return HttpResponseRedirect(reverse("cycles:cycles_detail", args=[pk]))
    form = TemplateRulesForm(request.POST if request.method == "POST" else None, cycle=cycle,
                             rules=template_rules_get(cycle), querysets=_querysets(cycle, request.user))
    if request.method == "POST" and form.is_valid():
        try:
            cycle_template_rules_set(actor=request.user, cycle=cycle, rules=form.rules())  # type: ignore[arg-type]
        except ValidationError as exc:
            form.apply_service_errors(exc)
        else:
            messages.success(request, _("已保存 / Saved"))
            return HttpResponseRedirect(reverse("cycles:cycles_detail", args=[pk]))
    counts = template_counts(cycle)
    return render(request, "cycles/template_rules.html", {
        "cycle": cycle, "form": form, "groups": [(t, fields, counts.get(t.pk, 0)) for t, fields in form.bound_groups()],
    }, status=400 if request.method == "POST" else 200)
