"""绩效申诉: the list (crud), one appeal with HR's decide form, and its attachment."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from outperform.access.scoping import get_scoped_or_404

from .. import queries
from ..forms import AppealDecideForm, apply_errors
from ..models import Appeal, AppealState
from ..services import appeal_decide
from ..services.results import appeal_deadline


def _appeal(request: HttpRequest, pk: int) -> Appeal:
    qs = Appeal.objects.select_related("appraisal__cycle", "appraisal__cycle_template", "submitted_by", "decided_by")
    return get_scoped_or_404(qs, request.user, "view", pk=pk)


@login_required
def appeal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = _appeal(request, pk)
    a = appeal.appraisal
    grades = [(b["code"], b["name"]) for b in a.cycle_template.snapshot["bands"]]
    hr = queries.is_hr(request.user)
    form = AppealDecideForm(request.POST or None, grades=grades)
    status = 200
    if request.method == "POST":
        if not hr:
            raise PermissionDenied
        if form.is_valid():
            try:
                appeal_decide(actor=request.user, appeal=appeal, accept=form.cleaned_data["accept"],  # type: ignore[arg-type]
                              decision=form.cleaned_data["decision"], composite=form.cleaned_data.get("composite"),
                              grade=form.cleaned_data.get("grade") or None)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("申诉已处理 / Appeal decided"))
                return HttpResponseRedirect(reverse("cycles:appeals_detail", args=[pk]))
        status = 400
    visible = queries.results_visible(a, request.user)
    return render(request, "cycles/appeal_detail.html", {
        "appeal": appeal, "a": a, "form": form, "can_decide": hr and appeal.state == AppealState.SUBMITTED,
        "visible": visible, "deadline": appeal_deadline(a),
    }, status=status)


@login_required
def appeal_attachment(request: HttpRequest, pk: int) -> FileResponse:
    appeal = _appeal(request, pk)
    if not appeal.attachment:
        raise Http404
    try:
        fh = appeal.attachment.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    name = (appeal.attachment.name or "attachment").rsplit("/", 1)[-1]
    return FileResponse(fh, as_attachment=True, filename=name)
