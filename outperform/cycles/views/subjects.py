"""The pickers' searches (the cycle form's 指定纳入 / 指定排除, the template rules, a team's members and
负责人): matches within the caller's scope, as an htmx fragment of at most scope.SEARCH_LIMIT rows."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from outperform.indicators.models import SubjectKind

from ..scope import SEARCH_LIMIT, subject_search, user_search
from .common import require_hr


@login_required
@require_GET
def subject_search_view(request: HttpRequest) -> HttpResponse:
    # The form it serves is HR's (a cycle's scope); nobody else needs to search subjects here.
    require_hr(request)
    kind = request.GET.get("kind", SubjectKind.WORKER)
    if kind not in SubjectKind.values:
        raise Http404
    options, more = subject_search(request.user, kind, request.GET.get("q", ""))
    return render(request, "cycles/_picker_options.html", {"options": options, "more": more, "limit": SEARCH_LIMIT})


@login_required
@require_GET
def user_search_view(request: HttpRequest) -> HttpResponse:
    # For the team form's 负责人, which is HR's (teams are written by HR only).
    require_hr(request)
    options, more = user_search(request.user, request.GET.get("q", ""))
    return render(request, "cycles/_picker_options.html", {"options": options, "more": more, "limit": SEARCH_LIMIT})
