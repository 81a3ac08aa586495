"""Reads of the development app, always through access.scoping.restrict where a user is involved."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from outperform.access.scoping import restrict, scope_for
from outperform.workers.models import Worker

from .models import Article, Commendation, ImprovementPlan, TrainingRecord


def articles_visible(qs: QuerySet[Article], user: Any) -> QuerySet[Article]:
    """Knowledge is for every signed-in role, but drafts only for writers and their author."""
    qs = restrict(qs, user, "view")
    if scope_for(user).can_write(Article):
        return qs
    return qs.filter(Q(published=True) | Q(author_id=user.pk))


def article_search(qs: QuerySet[Article], text: str) -> QuerySet[Article]:
    """Every word must appear in the title, summary, body or tags (icontains: works on SQLite and
    PostgreSQL alike; a few thousand articles need no search index)."""
    for word in text.split():
        qs = qs.filter(Q(title__icontains=word) | Q(summary__icontains=word) | Q(body__icontains=word)
                       | Q(tags__icontains=word))
    return qs


def _scoped(qs: QuerySet[Any], user: Any) -> QuerySet[Any]:
    return qs if user is None else restrict(qs, user, "view")


def archive_extras(worker: Worker, user: Any = None) -> dict[str, Any]:
    """What the performance archive (绩效档案) shows below the results: the worker's training, the
    outcomes of their improvement plans, their commendations — each as `user` may see it (None: all,
    for system use). Three queries whatever the history's length."""
    training = list(_scoped(TrainingRecord.objects.filter(worker=worker), user).order_by("-date", "-id"))
    plans = list(
        _scoped(ImprovementPlan.objects.filter(worker=worker), user)
        .select_related("owner", "source_cycle").order_by("-start_date", "-id")
    )
    commendations = list(
        _scoped(Commendation.objects.filter(worker=worker), user)
        .select_related("author", "cycle", "indicator").order_by("-date", "-id")
    )
    hours = sum((t.hours for t in training if t.completed), Decimal(0))
    return {
        "dev_worker": worker,
        "dev_training": training,
        "dev_training_hours": hours,
        "dev_training_completed": sum(1 for t in training if t.completed),
        "dev_plans": plans,
        "dev_commendations": commendations,
    }


def own_worker(user: Any) -> Worker | None:
    if not user.is_authenticated:
        return None
    return Worker.objects.filter(user_id=user.pk).select_related("vendor", "department", "position").first()
