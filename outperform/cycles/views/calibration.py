"""绩效校准 board: one distribution group of a cycle, its grades against the template's quotas, and
a calibration form per row (HR only; changes only in the 校准 stage)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from outperform.access.scoping import restrict

from .. import queries
from ..forms import CalibrateForm, apply_errors
from ..models import Appraisal, CycleState, CycleTemplate
from ..services import appraisal_calibrate
from .common import get_cycle, require_hr


@login_required
def calibration_board(request: HttpRequest, pk: int) -> HttpResponse:
    require_hr(request)
    cycle = get_cycle(request, pk)
    user = request.user
    all_qs = restrict(Appraisal.objects.filter(cycle=cycle), user)
    groups = queries.cycle_groups(all_qs)
    params = request.POST if request.method == "POST" else request.GET
    group = params.get("group") or (groups[0]["key"] if groups else "")
    group_qs = all_qs.filter(group_key=group).select_related("department", "vendor", "worker")
    members = list(group_qs.order_by(F("rank").asc(nulls_last=True), F("composite").desc(nulls_last=True),
                                     "subject_name", "pk"))
    department, vendor = params.get("department", ""), params.get("vendor", "")
    appraisals = [a for a in members
                  if (not department.isdigit() or a.department_id == int(department))
                  and (not vendor.isdigit() or a.vendor_id == int(vendor))]
    template_id = members[0].cycle_template_id if members else None
    ct = CycleTemplate.objects.filter(pk=template_id).first() if template_id else (
        CycleTemplate.objects.filter(cycle=cycle, template_id=cycle.default_template_id).first())
    snapshot = ct.snapshot if ct else {"bands": [], "quotas": []}
    grades = [(b["code"], b["name"]) for b in snapshot["bands"]]
    editable = cycle.state == CycleState.CALIBRATION
    bound: dict[int, CalibrateForm] = {}
    post_errors: list[str] = []
    status = 200
    query = urlencode({k: v for k, v in (("group", group), ("department", department), ("vendor", vendor)) if v})
    here = reverse("cycles:calibration_board", args=[pk]) + (f"?{query}" if query else "")
    if request.method == "POST":
        target = next((a for a in members if str(a.pk) == request.POST.get("appraisal")), None)
        if target is None:
            messages.error(request, _("找不到该考核单 / No such appraisal in this group"))
            return HttpResponseRedirect(here)
        form = CalibrateForm(request.POST, prefix=f"a{target.pk}", grades=grades)
        if form.is_valid():
            try:
                appraisal_calibrate(actor=user, appraisal=target, reason=form.cleaned_data["reason"],  # type: ignore[arg-type]
                                    composite=form.cleaned_data.get("composite"),
                                    grade=form.cleaned_data.get("grade") or None)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已校准：%s / Calibrated") % target.subject_name)
                return HttpResponseRedirect(here)
        bound[target.pk] = form
        post_errors = [f"{target.subject_name}：{e}" for errs in form.errors.values() for e in errs]
        status = 400
    # Quotas apply to the whole group, whatever part of it the list shows.
    board = queries.quota_board([a.grade for a in members], snapshot)
    rows: list[dict[str, Any]] = [
        {"a": a, "form": bound.get(a.pk) or CalibrateForm(prefix=f"a{a.pk}", grades=grades)} for a in appraisals
    ]
    chart = {
        "bands": [{"code": r["code"], "name": r["name"], "colour": r["colour"]} for r in board],
        "quotas": [{"code": r["code"], "kind": r["kind"], "share": r["share"]} for r in board if r["kind"]],
        "grades": {str(a.pk): a.grade for a in members},
        "text": {
            "over": _("{name} 超出上限：{count} 人 > {places} 人（{share}%）"),
            "under": _("{name} 低于下限：{count} 人 < {places} 人（{share}%）"),
            "ok": _("符合强制分布比例"), "count": _("人数"), "max": _("上限"), "min": _("下限"),
        },
    }
    departments = sorted({(a.department_id, a.department.name) for a in members if a.department}, key=lambda x: x[1])
    vendors = sorted({(a.vendor_id, a.vendor.name) for a in members if a.vendor}, key=lambda x: x[1])
    return render(request, "cycles/calibration.html", {
        "cycle": cycle, "groups": groups, "group": group, "group_label": next(
            (g["label"] for g in groups if g["key"] == group), group),
        "rows": rows, "board": board, "violations": [r["violation"] for r in board if r["violation"]],
        "chart": chart, "editable": editable, "here": here, "departments": departments, "vendors": vendors,
        "department": department, "vendor": vendor, "post_errors": post_errors,
    }, status=status)
