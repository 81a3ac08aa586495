"""Demo surveys: a quarterly vendor satisfaction questionnaire sent to internal customers for
2026 Q3 (closed) and Q4 (collecting), with answers; then the running cycles' metrics refresh so
CSAT and the record-based indicators show values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from outperform.core.demo import names
from outperform.org.models import Project
from outperform.vendors.models import Vendor
from outperform.workers.models import Worker

from . import scoring
from .models import Answer, Invitation, Question, Questionnaire, Response, Survey, SurveyStatus

if TYPE_CHECKING:
    from outperform.core.demo.loader import DemoContext

DEPARTMENTS = ["客服一部", "客服二部", "质检部", "研发部", "运维部", "仓储部", "配送部", "行政后勤部", "市场部"]
COMMENTS = ["响应及时，沟通顺畅", "人员流动偏大，希望稳定团队", "交付质量稳定", "夜班支持不足", "报表格式需统一",
            "培训到位，新人上手快", "偶有延期，需提前预警", ""]


def _questionnaire() -> tuple[Questionnaire, list[Question]]:
    q = Questionnaire.objects.create(
        title="外包服务商季度满意度问卷",
        intro="请您根据本季度与该服务商的合作情况如实填写，约需 2 分钟。结果仅用于服务商绩效考核与改进。",
    )
    questions = Question.objects.bulk_create([
        Question(questionnaire=q, order=1, kind="rating5", text="总体而言，您对该服务商本季度的服务是否满意？",
                 weight=Decimal(2), low_label="非常不满意", high_label="非常满意"),
        Question(questionnaire=q, order=2, kind="rating5", text="交付是否按时、质量是否达到约定标准？",
                 low_label="差", high_label="好"),
        Question(questionnaire=q, order=3, kind="single", text="遇到问题时，服务商的响应速度如何？",
                 options=[{"label": "2 小时内", "score": "100"}, {"label": "当天", "score": "70"},
                          {"label": "超过一天", "score": "30"}, {"label": "经常无响应", "score": "0"}]),
        Question(questionnaire=q, order=4, kind="multiple", text="该服务商做得好的方面（可多选）", required=False,
                 options=[{"label": "沟通协作", "score": "35"}, {"label": "专业能力", "score": "35"},
                          {"label": "人员稳定", "score": "30"}, {"label": "主动改进", "score": "30"}]),
        Question(questionnaire=q, order=5, kind="rating10", text="您向其他部门推荐该服务商的可能性有多大？",
                 low_label="不可能", high_label="极有可能"),
        Question(questionnaire=q, order=6, kind="text", text="其他意见或建议", required=False),
    ])
    return q, questions


def _answers(ctx: DemoContext, questions: list[Question], quality: float) -> tuple[list[Answer], Decimal | None]:
    rng = ctx.rng
    answers: list[Answer] = []
    scored: list[scoring.ScoredAnswer] = []
    for q in questions:
        if q.kind == "rating5":
            v = max(1, min(5, round(rng.gauss(1 + 4 * quality, 0.8))))
            s = scoring.rating_score(q.kind, v)
            answers.append(Answer(question=q, rating=v, score=scoring.answer_score(s)))
        elif q.kind == "rating10":
            v = max(0, min(10, round(rng.gauss(10 * quality, 1.5))))
            s = scoring.rating_score(q.kind, v)
            answers.append(Answer(question=q, rating=v, score=scoring.answer_score(s)))
        elif q.kind == "single":
            i = 0 if rng.random() < quality else rng.randrange(1, len(q.options))
            s = Fraction(Decimal(q.options[i]["score"]))
            answers.append(Answer(question=q, choices=[i], score=scoring.answer_score(s)))
        elif q.kind == "multiple":
            picked = [i for i in range(len(q.options)) if rng.random() < quality * 0.7]
            if not picked:
                continue
            cs = scoring.choice_score(q.kind, [o["score"] for o in q.options], picked)
            s = cs if cs is not None else Fraction(0)
            answers.append(Answer(question=q, choices=picked, score=scoring.answer_score(s)))
        else:
            text = rng.choice(COMMENTS)
            if text:
                answers.append(Answer(question=q, text=text))
            continue
        scored.append(scoring.ScoredAnswer(s, Fraction(q.weight)))
    return answers, scoring.response_score(scored)


def load(ctx: DemoContext) -> None:
    questionnaire, questions = _questionnaire()
    hr = ctx.users.get("hr")
    now = timezone.now()
    periods = [(dt.date(2026, 7, 1), dt.date(2026, 9, 30), "第三季度", True),
               (dt.date(2026, 10, 1), dt.date(2026, 12, 31), "第四季度", False)]
    vendors = list(Vendor.objects.order_by("name"))
    projects = list(Project.objects.order_by("code")[:3]) if ctx.small else []
    # Client-facing workers (客服) are rated by their internal customers too.
    cs_workers = list(Worker.objects.filter(position__code__in=["P-CS", "P-CRM"]).order_by("employee_no"))
    workers = ctx.rng.sample(cs_workers, min(len(cs_workers), 40 if ctx.small else 10))
    invites_per_survey = 8 if ctx.small else 4
    all_answers: list[tuple[Response, list[Answer]]] = []
    for start, end, label, closed in periods:
        expires = (timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=10), dt.time(18))) if closed
                   else now + dt.timedelta(days=14))
        subjects: list[tuple[str, Any]] = [("vendor", v) for v in vendors] + [("project", p) for p in projects]
        subjects += [("worker", w) for w in workers]
        for kind, subject in subjects:
            title = f"2026年{label}「{subject.name}」服务满意度调查"
            survey = Survey(questionnaire=questionnaire, title=title[:150],
                            subject_kind=kind, period_start=start, period_end=end, expires_at=expires,
                            status=SurveyStatus.CLOSED if closed else SurveyStatus.OPEN, created_by=hr)
            setattr(survey, kind, subject)
            survey.full_clean()
            survey.save()
            quality = ctx.rng.uniform(0.55, 0.92)
            invitations = Invitation.objects.bulk_create([
                Invitation(survey=survey, name=names.person_name(ctx.rng),
                           department_name=ctx.rng.choice(DEPARTMENTS)) for _ in range(invites_per_survey)
            ])
            rate = 0.85 if closed else 0.55
            for inv in invitations:
                if ctx.rng.random() > rate:
                    continue
                answers, score = _answers(ctx, questions, quality)
                submitted = min(end + dt.timedelta(days=ctx.rng.randint(1, 9)), ctx.today)
                response = Response(survey=survey, invitation=inv,
                                    submitted_at=timezone.make_aware(dt.datetime.combine(submitted, dt.time(10))),
                                    submitted_on=submitted, period_date=end, score=score,
                                    vendor_id=survey.vendor_id, project_id=survey.project_id,
                                    worker_id=survey.worker_id, department_id=survey.department_id)
                all_answers.append((response, answers))
                inv.used_at = response.submitted_at
    Response.objects.bulk_create([r for r, _ in all_answers], batch_size=1000)
    Invitation.objects.bulk_update([r.invitation for r, _ in all_answers], ["used_at"], batch_size=1000)
    rows = []
    for response, answers in all_answers:
        for a in answers:
            a.response = response
            rows.append(a)
    Answer.objects.bulk_create(rows, batch_size=2000)

    from outperform.metrics.services import metrics_refresh_open

    metrics_refresh_open(actor=hr)
