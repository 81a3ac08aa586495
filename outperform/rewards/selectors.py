"""Reads of rewards: which lines a user sees, and totals reconciled against the pools."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from outperform.access.scoping import restrict, scope_for

from .models import BonusLine, BonusPlan, BonusPool, PlanMode, PlanState


def lines_visible(user: Any) -> QuerySet[BonusLine]:
    """Bonus lines the user may see. Scope as declared on the model (department subtree, vendor,
    self); besides, figures that are not final are shown only to those who review them: the
    whole-organisation roles and the supervisors of the lines' departments. Vendor managers and
    workers see a plan's lines once it is approved."""
    qs = restrict(BonusLine.objects.all(), user)
    scope = scope_for(user)
    if scope.whole_view:
        return qs
    return qs.filter(Q(plan__state=PlanState.APPROVED) | Q(department_id__in=scope.department_ids))


def plan_lines(plan: BonusPlan, user: Any) -> QuerySet[BonusLine]:
    return (lines_visible(user).filter(plan=plan)
            .select_related("worker", "department", "vendor")
            .order_by("worker__employee_no", "id"))


def group_field(plan: BonusPlan) -> str:
    """How a plan's totals are grouped: by its pools, or by department for a base-mode plan."""
    return "vendor" if plan.mode == PlanMode.POOL_VENDOR else "department"


@dataclass(frozen=True)
class TotalRow:
    id: int | None
    name: str
    count: int
    base_fen: int
    bonus_fen: int
    pool_fen: int | None = None  # the pool of the group (pool plans)
    allocated_fen: int | None = None  # paid out of the pool, over all of its lines
    difference_fen: int | None = None  # pool − allocated: 0 when the pool is paid out exactly

    @property
    def reconciled(self) -> bool:
        return not self.difference_fen


def plan_totals(plan: BonusPlan, lines: QuerySet[BonusLine]) -> list[TotalRow]:
    """Per department (base, department pools) or vendor (vendor pools): headcount and sums of the
    given lines; for a pool plan also the pool, what its lines got (all of them, whoever looks) and
    the difference. Constant queries (one aggregate, plus pools and allocations for pool plans)."""
    key = group_field(plan)
    rows = (lines.order_by().values(f"{key}_id", f"{key}__name")
            .annotate(n=Count("id"), base=Sum("base_fen"), bonus=Sum("bonus_fen")).order_by(f"{key}__name"))
    if not plan.is_pool:
        return [TotalRow(r[f"{key}_id"], r[f"{key}__name"] or "—", r["n"], r["base"] or 0, r["bonus"] or 0)
                for r in rows]
    pools = {p.group_id: p.amount_fen for p in BonusPool.objects.filter(plan=plan)}
    allocated = dict(BonusLine.objects.filter(plan=plan).order_by().values_list(f"{key}_id")
                     .annotate(s=Sum("bonus_fen")).values_list(f"{key}_id", "s"))
    out = []
    for r in rows:
        gid = r[f"{key}_id"]
        pool = pools.get(gid) if gid is not None else None
        paid = allocated.get(gid) or 0
        out.append(TotalRow(gid, r[f"{key}__name"] or "—", r["n"], r["base"] or 0, r["bonus"] or 0, pool, paid,
                            None if pool is None else pool - paid))
    return out


def grand_total(rows: list[TotalRow]) -> TotalRow:
    pools = [r.pool_fen for r in rows if r.pool_fen is not None]
    return TotalRow(
        None, "合计", sum(r.count for r in rows), sum(r.base_fen for r in rows), sum(r.bonus_fen for r in rows),
        sum(pools) if pools else None,
        sum(r.allocated_fen or 0 for r in rows) if pools else None,
        sum(r.difference_fen or 0 for r in rows) if pools else None,
    )


def plan_grade_names(plan: BonusPlan) -> list[str]:
    return sorted(set(BonusLine.objects.filter(plan=plan).exclude(grade_name="")
                      .values_list("grade_name", flat=True)))
