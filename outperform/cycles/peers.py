"""Peers chosen by the supervisor (互评人由上级指定): who may be chosen, how many, who still has to.

In a worker cycle whose 互评人产生方式 is 上级指定, opening draws no peers. From 目标设定 until
评价 starts, the supervisor rater of each appraisal (or HR) chooses **exactly** `peer_count`
colleagues — every eligible colleague when fewer are eligible — so that every subject of the cycle
is rated by the same number of peers, as with the random draw. Eligible: a worker of the
appraisal's department or of a team the subject belongs to, 在岗 or 休假, with a log-in, never the
subject nor the subject's supervisor rater; the chooser picks among those within their own scope.
An appraisal whose template gives peers no weight needs no choice.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from outperform.access.scoping import restrict
from outperform.indicators.models import RaterRole, SubjectKind
from outperform.workers.models import Worker, WorkerStatus

from .models import Appraisal, Cycle, CycleState, CycleTemplate, PeerSelection, RaterAssignment, Team
from .queries import is_hr

PEER_STAGES = (CycleState.GOAL_SETTING, CycleState.IN_PROGRESS, CycleState.SELF_REVIEW)


def chooses_peers(cycle: Cycle) -> bool:
    return (cycle.subject_kind == SubjectKind.WORKER and cycle.peer_selection == PeerSelection.SUPERVISOR
            and cycle.peer_count > 0)


def uses_peers(snapshot: dict[str, Any]) -> bool:
    """Whether a template snapshot gives the peer role any weight (overall or on one indicator)."""
    weights = [snapshot.get("role_weights") or {}] + [i.get("role_weights") or {} for i in snapshot["indicators"]]
    return any(float(w.get(RaterRole.PEER, 0) or 0) > 0 for w in weights)


def peer_template_ids(cycle: Cycle) -> list[int]:
    """The cycle's templates whose appraisals need peers chosen (none unless the cycle chooses)."""
    if not chooses_peers(cycle):
        return []
    return [ct.pk for ct in CycleTemplate.objects.filter(cycle=cycle) if uses_peers(ct.snapshot)]


def needs_peers(appraisal: Appraisal) -> bool:
    return chooses_peers(appraisal.cycle) and uses_peers(appraisal.cycle_template.snapshot)


def choice_open(appraisal: Appraisal) -> bool:
    """Whether the peers of this appraisal may be chosen or changed now."""
    return needs_peers(appraisal) and appraisal.cycle.state in PEER_STAGES


def may_choose(user: Any, appraisal: Appraisal) -> bool:
    """HR, or the appraisal's supervisor rater."""
    return is_hr(user) or RaterAssignment.objects.filter(
        appraisal=appraisal, rater_id=user.pk, role=RaterRole.SUPERVISOR).exists()


def peer_pool(appraisal: Appraisal) -> QuerySet[Worker]:
    """Every eligible colleague, whoever chooses (the required count is worked out on this)."""
    worker_id = appraisal.worker_id or 0
    teams = Team.members.through.objects.filter(worker_id=worker_id).values("team_id")
    team_mates = Team.members.through.objects.filter(team_id__in=teams).values("worker_id")
    supervisors = RaterAssignment.objects.filter(appraisal=appraisal, role=RaterRole.SUPERVISOR).values("rater_id")
    return (
        Worker.objects.filter(Q(department_id=appraisal.department_id) | Q(pk__in=team_mates),
                              user__isnull=False, status__in=[WorkerStatus.ACTIVE, WorkerStatus.ON_LEAVE])
        .exclude(pk=worker_id)
        .exclude(user_id__in=supervisors)
    )


def choosable(appraisal: Appraisal, user: Any) -> QuerySet[Worker]:
    """The colleagues this user may choose: the pool, within their scope."""
    return restrict(peer_pool(appraisal), user)


def required_count(appraisal: Appraisal, pool_size: int | None = None) -> int:
    if not needs_peers(appraisal):
        return 0
    size = peer_pool(appraisal).count() if pool_size is None else pool_size
    return min(appraisal.cycle.peer_count, size)


def chosen_peers(appraisal: Appraisal) -> list[dict[str, Any]]:
    """The peer raters now assigned (one query), as the picker shows them."""
    rows = []
    for a in (RaterAssignment.objects.filter(appraisal=appraisal, role=RaterRole.PEER)
              .select_related("rater__worker").order_by("id")):
        worker = getattr(a.rater, "worker", None)
        rows.append({"assignment": a, "worker": worker, "worker_id": worker.pk if worker else None,
                     "label": f"{worker.name}（{worker.employee_no}）" if worker else str(a.rater),
                     "state": a.get_state_display(), "started": a.state != "pending"})
    return rows


def _peer_count() -> Coalesce:
    count = (RaterAssignment.objects.filter(appraisal=OuterRef("pk"), role=RaterRole.PEER).order_by()
             .values("appraisal").annotate(n=Count("id")).values("n"))
    return Coalesce(Subquery(count, output_field=IntegerField()), 0)


def choice_list(cycle: Cycle, user: Any, *, pending_only: bool = False) -> QuerySet[Appraisal]:
    """The appraisals of a cycle whose peers the user chooses: HR all (in scope), a supervisor those
    they are the supervisor rater of. Annotated with the number of peers (`peer_total`)."""
    qs = restrict(Appraisal.objects.filter(cycle=cycle, cycle_template_id__in=peer_template_ids(cycle)), user)
    if not is_hr(user):
        mine = RaterAssignment.objects.filter(cycle=cycle, rater_id=user.pk, role=RaterRole.SUPERVISOR)
        qs = qs.filter(pk__in=mine.values("appraisal_id"))
    if pending_only:
        qs = qs.filter(peers_chosen_at__isnull=True)
    return (qs.select_related("department", "worker").annotate(peer_total=_peer_count())
            .order_by("peers_chosen_at", "subject_name", "pk"))


def pending_count(cycle: Cycle) -> int:
    """Appraisals still waiting for their peers (what blocks the move to 评价)."""
    ids = peer_template_ids(cycle)
    if not ids:
        return 0
    return Appraisal.objects.filter(cycle=cycle, cycle_template_id__in=ids, peers_chosen_at__isnull=True).count()


def pending_peer_choices(user: Any) -> list[dict[str, Any]]:
    """我的评价's to-do: per cycle, how many of the user's subjects (as supervisor rater) still wait
    for peers. Two queries whatever the number of subjects."""
    mine = RaterAssignment.objects.filter(rater_id=user.pk, role=RaterRole.SUPERVISOR).values("appraisal_id")
    rows = list(
        restrict(Appraisal.objects.filter(
            pk__in=mine, peers_chosen_at__isnull=True, cycle__state__in=PEER_STAGES,
            cycle__peer_selection=PeerSelection.SUPERVISOR, cycle__subject_kind=SubjectKind.WORKER,
            cycle__peer_count__gt=0,
        ), user).order_by().values("cycle_id", "cycle__name", "cycle__self_review_due", "cycle_template_id")
        .annotate(n=Count("id"))
    )
    if not rows:
        return []
    with_peers = {ct.pk for ct in CycleTemplate.objects.filter(pk__in={r["cycle_template_id"] for r in rows})
                  if uses_peers(ct.snapshot)}
    by_cycle: dict[int, dict[str, Any]] = {}
    for r in rows:
        if r["cycle_template_id"] not in with_peers:
            continue
        entry = by_cycle.setdefault(r["cycle_id"], {
            "cycle_id": r["cycle_id"], "cycle_name": r["cycle__name"], "due": r["cycle__self_review_due"],
            "count": 0, "url": reverse("cycles:peer_choices", args=[r["cycle_id"]]) + "?pending=1",
        })
        entry["count"] += r["n"]
    return sorted(by_cycle.values(), key=lambda e: (e["due"] is None, e["due"] or 0, e["cycle_id"]))
