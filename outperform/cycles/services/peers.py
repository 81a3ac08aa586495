"""Peers chosen by the supervisor: the choice of one appraisal, saved as peer RaterAssignments.

Changeable until 评价 starts (the move to 评价 waits for every choice, see flow.cycle_blockers);
a peer who has started rating (after a move back) cannot be taken off. Rules: cycles/peers.py."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from outperform.core.audit import audit_changes
from outperform.core.models import User
from outperform.indicators.models import RaterRole

from .. import peers
from ..models import Appraisal, AssignmentState, RaterAssignment
from .common import ensure_state


def _label(name: str, employee_no: str) -> str:
    return f"{name}（{employee_no}）"


@transaction.atomic
def appraisal_peers_set(*, actor: User, appraisal: Appraisal, workers: Iterable[int]) -> list[RaterAssignment]:
    """Make the appraisal's peer raters exactly the log-ins of `workers` (ids of Worker)."""
    appraisal = Appraisal.objects.select_for_update(of=("self",)).select_related("cycle", "cycle_template").get(
        pk=appraisal.pk)
    cycle = appraisal.cycle
    if not peers.chooses_peers(cycle):
        raise ValidationError(_("本周期的互评人由系统随机抽取，不需指定 / This cycle draws its peers at random"),
                              code="random")
    if not peers.may_choose(actor, appraisal):
        raise PermissionDenied(_("只有该考核对象的上级或绩效管理员可以指定互评人 / Only the supervisor or HR"))
    ensure_state(cycle, *peers.PEER_STAGES)
    if not peers.needs_peers(appraisal):
        raise ValidationError(_("该考核单的考核方案不含互评 / This appraisal's template has no peer rating"),
                              code="no_peers")
    ids = list(dict.fromkeys(int(w) for w in workers))
    pool_size = peers.peer_pool(appraisal).count()
    required = peers.required_count(appraisal, pool_size)
    allowed = {pk: (user_id, name, no) for pk, user_id, name, no in
               peers.choosable(appraisal, actor).filter(pk__in=ids).values_list("pk", "user_id", "name", "employee_no")}
    errors: list[str] = []
    refused = [i for i in ids if i not in allowed]
    if refused:
        errors.append(
            _("ID %(ids)s 不是可选的同事（须为同部门或同团队、有登录账号、在您的范围内，且不是本人或其上级）/ "
              "Not an eligible colleague: id %(ids)s") % {"ids": "、".join(str(i) for i in refused[:10])})
    if len(ids) != required:
        errors.append(_("须指定 %(n)d 名同事评价人，当前 %(m)d 名 / Choose exactly %(n)d peers (%(m)d chosen)")
                      % {"n": required, "m": len(ids)})
    existing = {a.rater_id: a for a in
                RaterAssignment.objects.select_for_update(of=("self",)).filter(appraisal=appraisal, role=RaterRole.PEER)
                .select_related("rater__worker")}
    chosen_users = {allowed[i][0]: i for i in ids if i in allowed}
    dropped = [a for uid, a in existing.items() if uid not in chosen_users]
    started = [a for a in dropped if a.state != AssignmentState.PENDING]
    if started:
        names = "、".join(_label(a.rater.worker.name, a.rater.worker.employee_no)
                         if getattr(a.rater, "worker", None) else str(a.rater) for a in started)
        errors.append(_("%(names)s 已开始评价，不能移除 / Already rating, can't be taken off: %(names)s")
                      % {"names": names})
    if errors:
        raise ValidationError({"workers": errors})
    before = sorted(_label(a.rater.worker.name, a.rater.worker.employee_no) if getattr(a.rater, "worker", None)
                    else str(a.rater) for a in existing.values())
    after = sorted(_label(allowed[i][1], allowed[i][2]) for i in ids)
    first = appraisal.peers_chosen_at is None
    if first or set(chosen_users) != set(existing):
        RaterAssignment.objects.filter(pk__in=[a.pk for a in dropped]).delete()
        RaterAssignment.objects.bulk_create([
            RaterAssignment(cycle=cycle, appraisal=appraisal, rater_id=uid, role=RaterRole.PEER,
                            due_date=cycle.review_due)
            for uid in chosen_users if uid not in existing
        ])
        chosen_at = appraisal.peers_chosen_at
        appraisal.peers_chosen_at = timezone.now()
        appraisal.save(update_fields=["peers_chosen_at", "updated_at"])
        audit_changes(actor, appraisal, {
            "peers": [before, after],
            "peers_chosen_at": [chosen_at.isoformat() if chosen_at else None, appraisal.peers_chosen_at.isoformat()],
        }, reason="peers chosen")
    return list(RaterAssignment.objects.filter(appraisal=appraisal, role=RaterRole.PEER).order_by("id"))
