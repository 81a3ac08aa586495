from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from outperform.surveys.models import Invitation, Question, Questionnaire, Response, Survey


def questionnaire() -> Questionnaire:
    """Four questions: 1–5 rating (weight 2), 0–10 rating, single choice, multiple choice, and text."""
    q = Questionnaire.objects.create(title="服务商满意度问卷", intro="请根据本季度合作情况填写")
    Question.objects.bulk_create([
        Question(questionnaire=q, order=1, kind="rating5", text="整体满意度", weight=Decimal(2),
                 low_label="非常不满意", high_label="非常满意"),
        Question(questionnaire=q, order=2, kind="rating10", text="推荐意愿"),
        Question(questionnaire=q, order=3, kind="single", text="响应速度",
                 options=[{"label": "快", "score": "100"}, {"label": "一般", "score": "60"},
                          {"label": "慢", "score": "0"}]),
        Question(questionnaire=q, order=4, kind="multiple", text="做得好的方面", required=False,
                 options=[{"label": "沟通", "score": "40"}, {"label": "质量", "score": "40"},
                          {"label": "成本", "score": "30"}]),
        Question(questionnaire=q, order=5, kind="text", text="建议", required=False),
    ])
    return q


def survey(world: Any, *, subject: str = "vendor", expires_in_days: int = 7, **extra: Any) -> Survey:
    s = Survey(questionnaire=extra.pop("questionnaire", None) or questionnaire(), title="2026年Q4服务商满意度调查",
               subject_kind=subject, period_start=dt.date(2026, 10, 1), period_end=dt.date(2026, 12, 31),
               expires_at=timezone.now() + dt.timedelta(days=expires_in_days), **extra)
    if subject == "vendor" and "vendor" not in extra:
        s.vendor = world.vendor_a
    s.full_clean()
    s.save()
    return s


def answered_survey(world: Any, scores: list[Decimal], **kwargs: Any) -> Survey:
    """A vendor-A survey with responses of the given scores (written directly, for metric tests)."""
    s = survey(world, **kwargs)
    for i, score in enumerate(scores):
        inv = Invitation.objects.create(survey=s, name=f"客户{i}")
        Response.objects.create(survey=s, invitation=inv, submitted_on=dt.date(2026, 12, 20),
                                period_date=s.period_end, score=score, vendor_id=s.vendor_id,
                                project_id=s.project_id, worker_id=s.worker_id, department_id=s.department_id)
    return s
