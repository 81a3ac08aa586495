"""我的评价: the rater's to-do list, the form for one evaluation, and the grid for many.

A rater reaches their own assignments (`rater = me`, as selectors.my_assignments reads them),
whatever their role grants: a project's internal client or a peer rates without any scope.

Both pages go page by page: a supervisor of a large department holds 10,000+ evaluations in one
cycle, and a page that lists them all takes seconds to build and megabytes to send. The to-do list
shows its counts per cycle and role from one GROUP BY; the grid posts the rows of its page only."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from outperform.core.crud import PAGE_SIZES, paginate
from outperform.indicators.models import RaterRole

from .. import queries
from ..models import AssignmentState, CycleTemplate, RaterAssignment, Score
from ..peers import pending_peer_choices
from ..selectors import my_assignment_groups, my_assignments, rated_indicators
from ..services import assignment_save
from .common import messages_of


def _page_context(request: HttpRequest, page: Any, per_page: int) -> dict[str, Any]:
    params = request.GET.copy()
    params.pop("page", None)
    return {"page": page, "per_page": per_page, "page_sizes": PAGE_SIZES, "querystring": params.urlencode()}


@login_required
def my_evaluations(request: HttpRequest) -> HttpResponse:
    page, per_page = paginate(request, my_assignments(request.user))
    today = timezone.localdate()
    rows = [{"a": a, "overdue": queries.is_overdue(a, today), "open": queries.assignment_open(a)}
            for a in page.object_list]
    grids = [{**g, "url": reverse("cycles:rating_grid", args=[g["cycle_id"], g["role"]])}
             for g in my_assignment_groups(request.user) if g["total"] > 1]
    return render(request, "cycles/my_evaluations.html",
                  {"rows": rows, "grids": grids, "peer_choices": pending_peer_choices(request.user),
                   **_page_context(request, page, per_page)})


def _own(request: HttpRequest, pk: int) -> RaterAssignment:
    try:
        return RaterAssignment.objects.select_related("cycle", "appraisal__cycle_template").get(
            pk=pk, rater_id=request.user.pk)
    except RaterAssignment.DoesNotExist:
        raise Http404 from None


def _levels(item: dict[str, Any]) -> list[dict[str, Any]]:
    return sorted(item.get("levels") or [], key=lambda lv: -float(lv.get("score", 0) or 0))


@login_required
def evaluation_form(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _own(request, pk)
    snapshot = assignment.appraisal.cycle_template.snapshot
    items = rated_indicators(snapshot, assignment.role)
    stored = {s.indicator_code: s for s in Score.objects.filter(assignment=assignment)}
    values = {code: (str(s.value), s.comment) for code, s in stored.items()}
    errors: dict[str, list[str]] = {}
    top: list[str] = []
    status = 200
    if request.method == "POST":
        submit = "submit" in request.POST
        posted = {i["code"]: (request.POST.get(f"v_{i['code']}", "").strip(), request.POST.get(f"c_{i['code']}", ""))
                  for i in items}
        try:
            assignment_save(actor=request.user, assignment=assignment, values=posted,  # type: ignore[arg-type]
                            submit=submit)
        except ValidationError as exc:
            values = posted
            status = 400
            if hasattr(exc, "error_dict"):
                for code, msgs in exc.message_dict.items():
                    if code in posted:
                        errors[code] = msgs
                    else:
                        top += msgs
            else:
                top = messages_of(exc)
        else:
            if submit:
                messages.success(request, _("评价已提交 / Evaluation submitted"))
                return HttpResponseRedirect(reverse("cycles:my_evaluations"))
            messages.success(request, _("草稿已保存 / Draft saved"))
            return HttpResponseRedirect(reverse("cycles:evaluation_form", args=[pk]))
    rows = [{"item": i, "levels": _levels(i), "value": values.get(i["code"], ("", ""))[0],
             "comment": values.get(i["code"], ("", ""))[1], "errors": errors.get(i["code"], [])} for i in items]
    return render(request, "cycles/evaluation_form.html", {
        "assignment": assignment, "a": assignment.appraisal, "rows": rows, "top_errors": top,
        "editable": queries.assignment_open(assignment),
        "submitted": assignment.state == AssignmentState.SUBMITTED,
        "comment_below": snapshot.get("comment_below"), "comment_above": snapshot.get("comment_above"),
    }, status=status)


# --- the grid -------------------------------------------------------------------------------------


def _norm(raw: str) -> str:
    raw = (raw or "").strip()
    try:
        return str(Decimal(raw).normalize()) if raw else ""
    except InvalidOperation:
        return raw


@login_required
def rating_grid(request: HttpRequest, pk: int, role: str) -> HttpResponse:
    if role not in RaterRole.values:
        raise Http404
    # One page of the grid (50 people by default); a POST saves the rows of the page it came from.
    page, per_page = paginate(request, my_assignments(request.user).filter(cycle_id=pk, role=role)
                              .order_by("appraisal__subject_name", "pk"), default=50)
    assignments = list(page.object_list)
    if not assignments:
        raise Http404
    cycle = assignments[0].cycle
    # The columns are those of the templates of the people on this page.
    templates = {ct.pk: ct.snapshot for ct in CycleTemplate.objects.filter(
        pk__in={a.appraisal.cycle_template_id for a in assignments})}
    columns: list[dict[str, Any]] = []
    rated: dict[int, set[str]] = {}
    for ct_id, snap in templates.items():
        codes = set()
        for item in rated_indicators(snap, role):
            codes.add(item["code"])
            if all(c["code"] != item["code"] for c in columns):
                columns.append({"code": item["code"], "name": item["name"], "weight": item["weight"],
                                "levels": _levels(item)})
        rated[ct_id] = codes
    stored: dict[int, dict[str, tuple[str, str]]] = {a.pk: {} for a in assignments}
    for s in Score.objects.filter(assignment_id__in=list(stored)):
        stored[s.assignment_id][s.indicator_code] = (str(s.value), s.comment)
    row_errors: dict[int, dict[str, Any]] = {}
    posted: dict[int, dict[str, tuple[str, str]]] = {}
    status = 200
    if request.method == "POST":
        submit_rows = {int(x) for x in request.POST.getlist("submit_row") if x.isdigit()}
        submitting = "submit" in request.POST
        saved = submitted = 0
        for a in assignments:
            if not queries.assignment_open(a):
                continue
            codes = rated[a.appraisal.cycle_template_id]
            values = {c: (request.POST.get(f"v_{a.pk}_{c}", "").strip(), request.POST.get(f"c_{a.pk}_{c}", ""))
                      for c in codes}
            posted[a.pk] = values
            submit = submitting and a.pk in submit_rows
            changed = any((_norm(v), cm.strip()) != (_norm(stored[a.pk].get(c, ("", ""))[0]),
                                                     stored[a.pk].get(c, ("", ""))[1].strip())
                          for c, (v, cm) in values.items())
            if not submit and not changed:
                continue
            try:
                with transaction.atomic():
                    assignment_save(actor=request.user, assignment=a, values=values,  # type: ignore[arg-type]
                                    submit=submit)
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    cells = {k: v for k, v in exc.message_dict.items() if k in codes}
                    rest = [m for k, v in exc.message_dict.items() if k not in codes for m in v]
                else:
                    cells, rest = {}, messages_of(exc)
                row_errors[a.pk] = {"cells": cells, "row": rest}
            except PermissionDenied:
                row_errors[a.pk] = {"cells": {}, "row": [_("没有权限 / Not allowed")]}
            else:
                submitted += submit
                saved += not submit
        if saved or submitted:
            messages.success(request, _("已保存 %(s)d 行草稿，提交 %(t)d 行 / %(s)d drafts saved, %(t)d submitted")
                             % {"s": saved, "t": submitted})
        if not row_errors:
            query = request.GET.urlencode()
            return HttpResponseRedirect(reverse("cycles:rating_grid", args=[pk, role]) + (f"?{query}" if query else ""))
        messages.error(request, _("%d 行有错误，请修改后重试 / Some rows have errors") % len(row_errors))
        status = 400
        # the rows saved above are re-read (in one query), the rows in error keep what was typed
        fresh = {pk_: (state, at) for pk_, state, at in RaterAssignment.objects.filter(
            pk__in=[a.pk for a in assignments]).values_list("pk", "state", "submitted_at")}
        for a in assignments:
            a.state, a.submitted_at = fresh[a.pk]
        stored = {a.pk: {} for a in assignments}
        for s in Score.objects.filter(assignment_id__in=list(stored)):
            stored[s.assignment_id][s.indicator_code] = (str(s.value), s.comment)
    rows = []
    for r, a in enumerate(assignments):
        codes = rated[a.appraisal.cycle_template_id]
        values = posted[a.pk] if a.pk in row_errors else stored[a.pk]
        errs = row_errors.get(a.pk, {"cells": {}, "row": []})
        editable = queries.assignment_open(a)
        rows.append({
            "a": a, "index": r, "editable": editable, "errors": errs["row"], "overdue": queries.is_overdue(a),
            "cells": [{"code": c["code"], "rated": c["code"] in codes, "value": values.get(c["code"], ("", ""))[0],
                       "comment": values.get(c["code"], ("", ""))[1], "errors": errs["cells"].get(c["code"], []),
                       "col": j} for j, c in enumerate(columns)],
        })
    return render(request, "cycles/rating_grid.html", {
        "cycle": cycle, "role": role, "role_label": RaterRole(role).label, "columns": columns, "rows": rows,
        "any_editable": any(r["editable"] for r in rows), **_page_context(request, page, per_page),
    }, status=status)
