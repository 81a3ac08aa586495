"""Survey pages beyond the declared lists: question builder, sending, results, and the public
response page (no log-in)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from outperform.access.scoping import get_scoped_or_404, scope_for
from outperform.core import excel
from outperform.core.permissions import require_write

from . import scoring, services
from .forms import QuestionFormSet, SendForm
from .models import Invitation, Questionnaire, Survey

RECIPIENT_SHEET = excel.SheetSpec("收件人", [
    excel.Column("name", "姓名", "Name", excel.parse_text(max_length=60), required=True),
    excel.Column("email", "邮箱", "E-mail", excel.parse_text(max_length=254)),
    excel.Column("department", "部门", "Department", excel.parse_text(max_length=100)),
])
PUBLIC_RATE_LIMIT = 30  # requests per address per minute on the public page


@login_required
def questions(request: HttpRequest, pk: int) -> HttpResponse:
    require_write(scope_for(request.user), Questionnaire)
    questionnaire = get_scoped_or_404(Questionnaire.objects.all(), request.user, "change", pk=pk)
    locked = services.questionnaire_locked(questionnaire)
    formset = QuestionFormSet(request.POST or None, instance=questionnaire, prefix="q")
    if request.method == "POST":
        if locked:
            messages.error(request, _("问卷已有答卷，题目不能再修改；请复制问卷后修改 / The questionnaire has responses; "
                                      "copy it to change its questions"))
        elif formset.is_valid():
            try:
                services.questions_save(actor=request.user, questionnaire=questionnaire, formset=formset)  # type: ignore[arg-type]
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
            else:
                messages.success(request, _("已保存 / Saved"))
                return HttpResponseRedirect(reverse("surveys:questions", args=[pk]))
        status = 400
    else:
        status = 200
    return render(request, "surveys/questions.html",
                  {"questionnaire": questionnaire, "formset": formset, "locked": locked}, status=status)


@login_required
def questionnaire_copy(request: HttpRequest, pk: int) -> HttpResponse:
    require_write(scope_for(request.user), Questionnaire)
    questionnaire = get_scoped_or_404(Questionnaire.objects.all(), request.user, "change", pk=pk)
    if request.method != "POST":
        return render(request, "surveys/questionnaire_copy.html", {"questionnaire": questionnaire})
    copy = services.questionnaire_copy(actor=request.user, questionnaire=questionnaire)  # type: ignore[arg-type]
    messages.success(request, _("已复制 / Copied"))
    return HttpResponseRedirect(reverse("surveys:questions", args=[copy.pk]))


def _link(request: HttpRequest, invitation: Invitation) -> str:
    return request.build_absolute_uri(reverse("surveys:respond", args=[invitation.token]))


def _recipients_from_file(upload: Any) -> tuple[list[services.Recipient], list[str]]:
    try:
        table = excel.read_table(upload, upload.name, spec=RECIPIENT_SHEET)
    except excel.SpreadsheetError as exc:
        return [], [str(exc)]
    outcome = excel.parse_rows(RECIPIENT_SHEET, table)
    if outcome.missing_required_headers:
        message = outcome.header_message()
        return [], [" / ".join(message) if message else ""]
    errors = [e.describe("zh") for e in outcome.errors]
    text = "\n".join(
        f"{r.values.get('name') or ''},{r.values.get('email') or ''},{r.values.get('department') or ''}"
        for r in outcome.rows if r.ok
    )
    recipients, more = services.parse_recipients(text)
    return recipients, errors + more


@login_required
def send(request: HttpRequest, pk: int) -> HttpResponse:
    require_write(scope_for(request.user), Survey)
    survey = get_scoped_or_404(Survey.objects.select_related("questionnaire"), request.user, "change", pk=pk)
    form = SendForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            recipients, errors = services.parse_recipients(form.cleaned_data["recipients"] or "")
            upload = form.cleaned_data.get("file")
            if upload is not None:
                more, file_errors = _recipients_from_file(upload)
                recipients += more
                errors += file_errors
            if errors:
                for e in errors:
                    form.add_error(None, e)
            else:
                try:
                    created = services.invitations_create(
                        actor=request.user, survey=survey, recipients=recipients,  # type: ignore[arg-type]
                        send_email=form.cleaned_data["send_email"], link_for=lambda i: _link(request, i))
                except ValidationError as exc:
                    form.add_error(None, "；".join(exc.messages))
                else:
                    messages.success(request, _("已生成 %(n)d 个调查链接 / %(n)d links created") % {"n": len(created)})
                    return HttpResponseRedirect(reverse("surveys:send", args=[pk]))
    invitations = list(survey.invitations.all())
    rows = [{"invitation": i, "link": _link(request, i)} for i in invitations]
    responded = sum(1 for i in invitations if i.used_at)
    return render(request, "surveys/send.html", {
        "survey": survey, "form": form, "rows": rows, "responded": responded,
        "rate": scoring.response_rate(responded, len(invitations)),
        "email_configured": "console" not in settings.EMAIL_BACKEND and "locmem" not in settings.EMAIL_BACKEND,
    }, status=status)


@login_required
def results(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_scoped_or_404(Survey.objects.select_related("questionnaire", "vendor", "project", "worker"),
                               request.user, "view", pk=pk)
    question_results, score, responses, invitations = services.survey_results(survey)
    charts = [
        {"id": f"chart-{r.question.pk}-data", "data": {"labels": [d[0] for d in r.distribution],
                                                  "values": [d[1] for d in r.distribution]}}
        for r in question_results if r.distribution
    ]
    scope = scope_for(request.user)
    return render(request, "surveys/results.html", {
        "survey": survey, "results": question_results, "score": score, "responses": responses,
        "invitations": invitations, "rate": scoring.response_rate(responses, invitations),
        "charts": charts,
        # Free-text answers may name people: the vendor side sees numbers only.
        "show_texts": scope.whole_view,
    })


def _rate_limited(request: HttpRequest) -> bool:
    key = f"survey-public:{request.META.get('REMOTE_ADDR', '')}"
    cache.add(key, 0, 60)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, 60)
        count = 1
    return count > PUBLIC_RATE_LIMIT


CLOSED_MESSAGES = {
    "used": ("此链接已提交过答卷，每个链接只能填写一次。", "A response has already been submitted with this link; "
             "each link can be used once."),
    "expired": ("此调查已截止，不再接受答卷。", "This survey has closed; it no longer accepts responses."),
    "closed": ("此调查已结束，不再接受答卷。", "This survey has ended; it no longer accepts responses."),
    "unknown": ("链接无效，请检查链接是否完整。", "This link is not valid; check that it was copied whole."),
}


def _closed(request: HttpRequest, reason: str, status: int) -> HttpResponse:
    zh, en = CLOSED_MESSAGES[reason]
    return render(request, "surveys/public_message.html", {"zh": zh, "en": en, "reason": reason}, status=status)


@never_cache
@csrf_protect
def respond(request: HttpRequest, token: str) -> HttpResponse:
    """The public page of one invitation: no log-in, one response per link."""
    if _rate_limited(request):
        return render(request, "surveys/public_message.html", {
            "zh": "请求过于频繁，请稍后再试。", "en": "Too many requests; try again in a minute.", "reason": "rate"},
            status=429)
    invitation = Invitation.objects.select_related("survey", "survey__questionnaire", "survey__vendor",
                                                   "survey__project", "survey__worker").filter(token=token).first()
    if invitation is None or len(token) > 64:
        return _closed(request, "unknown", 404)
    survey = invitation.survey
    if invitation.used_at is not None:
        return _closed(request, "used", 410)
    if survey.is_expired:
        return _closed(request, "expired", 410)
    if not survey.accepts_responses:
        return _closed(request, "closed", 410)
    errors: dict[str, str] = {}
    posted: dict[str, Any] = {}
    if request.method == "POST":
        posted = {k: request.POST.getlist(k) if len(request.POST.getlist(k)) > 1 else request.POST.get(k)
                  for k in request.POST if k.startswith("q")}
        for q in survey.questionnaire.questions.all():
            if q.kind == "multiple":
                posted[f"q{q.pk}"] = request.POST.getlist(f"q{q.pk}")
        try:
            services.response_submit(token=token, data=posted)
        except services.SurveyClosedError as exc:
            return _closed(request, exc.reason, 410)
        except Invitation.DoesNotExist:
            return _closed(request, "unknown", 404)
        except IntegrityError:  # a second submission racing the first
            return _closed(request, "used", 410)
        except ValidationError as exc:
            errors = {k: v[0] for k, v in exc.message_dict.items()}
        else:
            return render(request, "surveys/public_message.html", {
                "zh": "提交成功，感谢您的反馈！", "en": "Thank you for your feedback!", "reason": "done"})
    questions = []
    for q in survey.questionnaire.questions.all():
        value = posted.get(f"q{q.pk}")
        chosen = [str(v) for v in value] if isinstance(value, list) else [] if value in (None, "") else [str(value)]
        questions.append({"q": q, "name": f"q{q.pk}", "error": errors.get(f"q{q.pk}"), "value": value,
                          "values": chosen})
    return render(request, "surveys/respond.html", {
        "survey": survey, "invitation": invitation, "questions": questions, "errors": errors,
    }, status=400 if errors else 200)

