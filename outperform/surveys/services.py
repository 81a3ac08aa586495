"""Writes of the surveys app: questions, invitations, responses (docs/surveys.md)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from outperform.core.audit import audit_bulk, audit_changes, audit_create, snapshot
from outperform.core.models import User

from . import scoring
from .models import Answer, Invitation, Question, Questionnaire, Response, Survey

log = logging.getLogger(__name__)


class SurveyClosedError(Exception):
    """The link cannot take a response; `reason` is "used", "expired" or "closed"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Recipient:
    name: str
    email: str = ""
    department: str = ""


def questionnaire_locked(questionnaire: Questionnaire) -> bool:
    """Questions can't change once answered: old answers would no longer match them."""
    return Response.objects.filter(survey__questionnaire=questionnaire).exists()


@transaction.atomic
def questions_save(*, actor: User, questionnaire: Questionnaire, formset: Any) -> None:
    """Save the builder's formset of questions with one audit row on the questionnaire."""
    if questionnaire_locked(questionnaire):
        raise ValidationError(_("问卷已有答卷，题目不能再修改；请复制问卷后修改 / The questionnaire has responses; "
                                "copy it to change its questions"))
    before = [snapshot(q) for q in questionnaire.questions.all()]
    formset.save()
    after = [snapshot(q) for q in questionnaire.questions.all()]
    if before != after:
        audit_changes(actor, questionnaire, {"questions": [before, after]}, reason="questions")


@transaction.atomic
def questionnaire_copy(*, actor: User, questionnaire: Questionnaire) -> Questionnaire:
    copy = Questionnaire.objects.create(title=_("%s（副本）") % questionnaire.title, intro=questionnaire.intro)
    questions = [
        Question(questionnaire=copy, order=q.order, kind=q.kind, text=q.text, required=q.required,
                 low_label=q.low_label, high_label=q.high_label, options=q.options, weight=q.weight)
        for q in questionnaire.questions.all()
    ]
    Question.objects.bulk_create(questions)
    audit_create(actor, copy, reason=f"copy of {questionnaire.pk}")
    return copy


def parse_recipients(text: str) -> tuple[list[Recipient], list[str]]:
    """One recipient per line: 姓名, 邮箱, 部门 (comma, tab or Chinese comma); errors name the line."""
    from django.core.validators import validate_email

    out: list[Recipient] = []
    errors: list[str] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("\t", ",").replace("，", ",").split(",")]
        name = parts[0]
        email = parts[1] if len(parts) > 1 else ""
        dept = parts[2] if len(parts) > 2 else ""
        if not name:
            errors.append(_("第 %(n)d 行：缺少姓名 / line %(n)d: the name is missing") % {"n": n})
            continue
        if len(name) > 60 or len(dept) > 100:
            errors.append(_("第 %(n)d 行：姓名或部门过长 / line %(n)d: name or department too long") % {"n": n})
            continue
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors.append(_("第 %(n)d 行：邮箱格式不正确：%(e)s / line %(n)d: %(e)s is not an e-mail address") % {"n": n, "e": email})
                continue
        out.append(Recipient(name=name, email=email, department=dept))
    return out, errors


@transaction.atomic
def invitations_create(*, actor: User, survey: Survey, recipients: Sequence[Recipient], send_email: bool = False,
                       link_for: Any = None) -> list[Invitation]:
    """One invitation (and link) per recipient; audited in one INSERT. With send_email, recipients
    that have an address get the link by e-mail once the transaction has committed."""
    if not recipients:
        raise ValidationError(_("没有收件人 / No recipients"))
    if not survey.accepts_responses:
        raise ValidationError(_("调查已截止或已结束，不能再发送 / The survey has expired or is closed"))
    invitations = [Invitation(survey=survey, name=r.name, email=r.email, department_name=r.department)
                   for r in recipients]
    Invitation.objects.bulk_create(invitations)
    if invitations and invitations[0].pk is None:
        by_token = {i.token: i.pk for i in Invitation.objects.filter(token__in=[i.token for i in invitations])}
        for inv in invitations:
            inv.pk = by_token[inv.token]
    audit_bulk(actor, created=invitations, reason="survey_send")
    if send_email and link_for is not None:
        mailable = [i for i in invitations if i.email]
        if mailable:
            messages = [
                (_("满意度调查：%s") % survey.title,
                 _("%(name)s 您好：\n\n请抽空填写满意度调查「%(title)s」，链接仅供您本人使用一次，截止 %(due)s：\n%(link)s\n\n谢谢！")
                 % {"name": i.name, "title": survey.title, "link": link_for(i),
                    "due": timezone.localtime(survey.expires_at).strftime("%Y-%m-%d %H:%M")},
                 settings.DEFAULT_FROM_EMAIL, [i.email])
                for i in mailable
            ]
            ids = [i.pk for i in mailable]

            def send() -> None:
                try:
                    send_mass_mail(messages, fail_silently=False)
                except Exception as exc:  # an SMTP failure must not lose the invitations
                    log.warning("survey e-mails failed: %s", exc)
                    return
                Invitation.objects.filter(pk__in=ids).update(sent_at=timezone.now())

            transaction.on_commit(send)
    return invitations


def _answer_for(question: Question, raw: Any) -> tuple[Answer | None, scoring.ScoredAnswer | None, str | None]:
    """Parse one posted answer; returns (answer, scored answer, error message)."""
    weight = Fraction(question.weight)
    if question.is_rating:
        if raw in (None, ""):
            return None, None, _("请评分 / Please rate") if question.required else None
        try:
            value = int(str(raw))
            score = scoring.rating_score(question.kind, value)
        except ValueError:
            return None, None, _("评分无效 / Invalid rating")
        return (Answer(question=question, rating=value, score=scoring.answer_score(score)),
                scoring.ScoredAnswer(score, weight), None)
    if question.is_choice:
        picked = raw if isinstance(raw, list) else ([] if raw in (None, "") else [raw])
        if not picked:
            return None, None, _("请选择 / Please choose") if question.required else None
        try:
            indexes = sorted({int(str(p)) for p in picked})
            option_scores = [o["score"] for o in question.options]
            cscore = scoring.choice_score(question.kind, option_scores, indexes)
        except (ValueError, KeyError, TypeError):
            return None, None, _("选项无效 / Invalid option")
        return (Answer(question=question, choices=indexes, score=scoring.answer_score(cscore)),
                scoring.ScoredAnswer(cscore, weight), None)
    text = str(raw or "").strip()[:5000]
    if not text:
        return None, None, _("请填写 / Please answer") if question.required else None
    return Answer(question=question, text=text), None, None


def response_submit(*, token: str, data: Mapping[str, Any]) -> Response:
    """Record the answers of the link `token`. `data` maps "q<question id>" to the posted value (a
    list for multiple choice). Raises Invitation.DoesNotExist, SurveyClosedError, or ValidationError
    with a message per question."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().select_related(
            "survey", "survey__questionnaire").get(token=token)
        survey = invitation.survey
        if invitation.used_at is not None:
            raise SurveyClosedError("used")
        if survey.is_expired:
            raise SurveyClosedError("expired")
        if not survey.accepts_responses:
            raise SurveyClosedError("closed")
        answers: list[Answer] = []
        scored: list[scoring.ScoredAnswer] = []
        errors: dict[str, str] = {}
        for q in survey.questionnaire.questions.all():
            answer, s, error = _answer_for(q, data.get(f"q{q.pk}"))
            if error:
                errors[f"q{q.pk}"] = error
            if answer is not None:
                answers.append(answer)
            if s is not None:
                scored.append(s)
        if errors:
            raise ValidationError(errors)
        now = timezone.now()
        response = Response.objects.create(
            survey=survey, invitation=invitation, submitted_at=now, submitted_on=timezone.localdate(now),
            period_date=survey.period_end, score=scoring.response_score(scored),
            vendor_id=survey.vendor_id, project_id=survey.project_id, worker_id=survey.worker_id,
            department_id=survey.department_id,
        )
        for a in answers:
            a.response = response
        Answer.objects.bulk_create(answers)
        invitation.used_at = now
        invitation.save(update_fields=["used_at"])
        # The respondent is anonymous to the system (no log-in); the audit row says which link.
        audit_create(None, response, reason="survey_response")
    _notify_metrics(survey)
    return response


def _notify_metrics(survey: Survey) -> None:
    from outperform.metrics.services import metrics_refresh_for_source_later

    from .sources import KEY

    metrics_refresh_for_source_later(
        KEY, dates=[survey.period_end],
        vendor_ids=[survey.vendor_id] if survey.vendor_id else None,
        worker_ids=[survey.worker_id] if survey.worker_id else None,
    )


@dataclass
class QuestionResult:
    question: Question
    answered: int
    mean_score: Decimal | None
    distribution: list[tuple[str, int]]  # (label, count)
    texts: list[str]


def survey_results(survey: Survey) -> tuple[list[QuestionResult], Decimal | None, int, int]:
    """(per-question results, survey score, responses, invitations) in a fixed number of queries."""
    from collections import Counter, defaultdict

    questions = list(survey.questionnaire.questions.all())
    answers = defaultdict(list)
    for a in Answer.objects.filter(response__survey=survey).only("question_id", "rating", "choices", "text", "score"):
        answers[a.question_id].append(a)
    results = []
    for q in questions:
        rows = answers.get(q.pk, [])
        dist: list[tuple[str, int]] = []
        if q.is_rating:
            counts = Counter(a.rating for a in rows)
            dist = [(str(v), counts.get(v, 0)) for v in q.scale]
        elif q.is_choice:
            counts = Counter(i for a in rows for i in a.choices)
            dist = [(str(o.get("label")), counts.get(i, 0)) for i, o in enumerate(q.options)]
        results.append(QuestionResult(
            question=q, answered=len(rows), mean_score=scoring.mean_score(a.score for a in rows) if q.kind != "text" else None,
            distribution=dist, texts=[a.text for a in rows if a.text][:200],
        ))
    scores = list(Response.objects.filter(survey=survey).values_list("score", flat=True))
    invitations = Invitation.objects.filter(survey=survey).count()
    return results, scoring.mean_score(scores), len(scores), invitations
