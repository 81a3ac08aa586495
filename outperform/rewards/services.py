"""Writes of rewards: bonus plans through their states, pools, lines; salary suggestions.

Every write is one transaction and leaves one audit row on the object it changes. A plan's lines
are written only by `plan_prepare` and never change once the plan is approved: every service that
could change them refuses unless the plan is in 草稿 or 退回.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from outperform.access.scoping import scope_for
from outperform.core.audit import (
    audit_bulk,
    audit_changes,
    audit_create,
    audit_delete,
    audit_update,
    snapshot,
)
from outperform.core.models import User
from outperform.cycles.models import Appraisal, Cycle, CycleState, CycleTemplate

from . import calc
from .models import (
    POOL_MODES,
    BonusLine,
    BonusPlan,
    BonusPool,
    PlanMode,
    PlanState,
    SalaryRule,
    SalarySuggestion,
    SuggestionState,
)

ProgressFn = Callable[[int, int, str], None]
RESULT_STATES = (CycleState.PUBLISHED, CycleState.CONFIRMATION, CycleState.ARCHIVED)
PLAN_FIELDS = ("name", "mode", "coefficients", "prorate", "note")
BATCH = 2000


def _noop(done: int, total: int, message: str = "") -> None:
    return None


# --- permissions ------------------------------------------------------------------------------


def ensure_writer(actor: Any) -> None:
    """HR or the system admin: the roles that prepare plans and review suggestions."""
    if not scope_for(actor).whole_write:
        raise PermissionDenied(_("需要绩效管理员权限 / Performance admin only"))


def may_decide(actor: Any, plan: BonusPlan) -> bool:
    """The approver: a whole-organisation writer who neither prepared nor submitted this plan."""
    return scope_for(actor).whole_write and actor.pk not in (plan.prepared_by_id, plan.submitted_by_id)


def ensure_decider(actor: Any, plan: BonusPlan) -> None:
    ensure_writer(actor)
    if not may_decide(actor, plan):
        raise PermissionDenied(_("编制或提交方案的人不能审批自己的方案 / You can't approve a plan you prepared or "
                                 "submitted"))


def ensure_editable(plan: BonusPlan) -> None:
    if not plan.is_editable:
        raise ValidationError(
            _("方案%(state)s，金额已冻结，不能修改 / The plan is %(state)s; its figures are frozen")
            % {"state": plan.get_state_display()}, code="frozen")


def ensure_results(cycle: Cycle) -> None:
    if cycle.state not in RESULT_STATES:
        raise ValidationError(
            _("只有已发布或已归档的周期可以计算奖金 / Only a published or archived cycle has results to pay"),
            code="stage")


def _locked(plan: BonusPlan) -> BonusPlan:
    """The plan re-read under a row lock, so two transitions can't interleave."""
    return BonusPlan.objects.select_for_update().select_related("cycle").get(pk=plan.pk)


# --- plans ------------------------------------------------------------------------------------


def default_coefficients(cycle: Cycle) -> dict[str, str]:
    """Grade code → coefficient from the grade bands of the cycle's frozen templates."""
    coefficients: dict[str, str] = {}
    for snap in CycleTemplate.objects.filter(cycle=cycle).order_by("id").values_list("snapshot", flat=True):
        for band in snap.get("bands", []):
            coefficients.setdefault(band["code"], str(Decimal(band["coefficient"]).quantize(Decimal("0.01"))))
    return coefficients


def clean_coefficients(raw: Mapping[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    errors = []
    for code, value in raw.items():
        try:
            d = Decimal(str(value).strip())
        except InvalidOperation:
            errors.append(_("等级 %(g)s 的系数不是数字 / The coefficient of %(g)s is not a number") % {"g": code})
            continue
        if not d.is_finite() or d < 0 or d > Decimal("9.99") or d != d.quantize(Decimal("0.01")):
            errors.append(_("等级 %(g)s 的系数须在 0–9.99 之间，最多两位小数 / The coefficient of %(g)s must be "
                            "0–9.99 with at most two decimals") % {"g": code})
            continue
        out[str(code)] = str(d.quantize(Decimal("0.01")))
    if errors:
        raise ValidationError({"coefficients": errors})
    return out


@transaction.atomic
def plan_create(*, actor: User, cycle: Cycle, name: str, mode: str = PlanMode.BASE, prorate: bool = True,
                note: str = "", coefficients: Mapping[str, Any] | None = None) -> BonusPlan:
    ensure_writer(actor)
    ensure_results(cycle)
    if BonusPlan.objects.filter(cycle=cycle).exists():
        raise ValidationError({"cycle": _("该周期已有奖金方案 / This cycle already has a bonus plan")})
    plan = BonusPlan(
        cycle=cycle, name=name, mode=mode, prorate=prorate, note=note,
        coefficients=clean_coefficients(coefficients) if coefficients is not None else default_coefficients(cycle),
    )
    plan.full_clean()
    plan.save()
    audit_create(actor, plan)
    return plan


@transaction.atomic
def plan_update(*, actor: User, plan: BonusPlan, **fields: Any) -> BonusPlan:
    ensure_writer(actor)
    plan = _locked(plan)
    ensure_editable(plan)
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise ValueError(f"not plan settings: {sorted(unknown)}")
    if "coefficients" in fields:
        fields["coefficients"] = clean_coefficients(fields["coefficients"])
    before = snapshot(plan)
    old_mode = plan.mode
    for key, value in fields.items():
        setattr(plan, key, value)
    plan.full_clean()
    if snapshot(plan) == before:
        return plan
    if plan.mode != old_mode:
        # Pools belong to one way of grouping; another mode starts from none.
        BonusPool.objects.filter(plan=plan).delete()
    plan.stale = True
    plan.save()
    audit_update(actor, plan, before)
    return plan


@transaction.atomic
def pools_set(*, actor: User, plan: BonusPlan, amounts: Mapping[int, int]) -> BonusPlan:
    """Set the pool (fen) of each department or vendor of a pool plan; groups not given lose theirs."""
    ensure_writer(actor)
    plan = _locked(plan)
    ensure_editable(plan)
    if plan.mode not in POOL_MODES:
        raise ValidationError(_("按基数计算的方案没有奖金池 / A base-mode plan has no pools"))
    field = "department_id" if plan.mode == PlanMode.POOL_DEPARTMENT else "vendor_id"
    groups = {g.id for g in plan_groups(plan)}
    stray = set(amounts) - groups
    if stray:
        raise ValidationError(_("奖金池只能设给本周期有考核单的部门或服务商 / Pools are for the departments or "
                                "vendors appraised in this cycle"))
    if any(a < 0 for a in amounts.values()):
        raise ValidationError(_("奖金池不能为负数 / A pool can't be negative"))
    existing = {getattr(p, field): p for p in BonusPool.objects.filter(plan=plan)}
    before = {str(k): p.amount_fen for k, p in sorted(existing.items())}
    after = {str(k): v for k, v in sorted(amounts.items())}
    if before == after:
        return plan
    BonusPool.objects.filter(plan=plan).exclude(**{f"{field}__in": list(amounts)}).delete()
    to_update, to_create = [], []
    for group_id, amount in amounts.items():
        pool = existing.get(group_id)
        if pool is None:
            to_create.append(BonusPool(plan=plan, amount_fen=amount, **{field: group_id}))
        elif pool.amount_fen != amount:
            pool.amount_fen = amount
            to_update.append(pool)
    BonusPool.objects.bulk_create(to_create)
    BonusPool.objects.bulk_update(to_update, ["amount_fen"])
    plan.stale = True
    plan.save(update_fields=["stale", "updated_at"])
    audit_changes(actor, plan, {"pools_fen": [before, after]}, reason=_("设置奖金池"))
    return plan


@dataclass(frozen=True)
class Group:
    id: int
    name: str
    headcount: int


def plan_groups(plan: BonusPlan) -> list[Group]:
    """The departments (or vendors) of the cycle's worker appraisals, with their headcounts: the
    groups a pool plan shares pools over. One query."""
    from django.db.models import Count

    key = "department" if plan.mode != PlanMode.POOL_VENDOR else "vendor"
    rows = (worker_appraisals(plan.cycle).exclude(**{f"{key}__isnull": True})
            .values_list(f"{key}_id", f"{key}__name").annotate(n=Count("id")).order_by(f"{key}__name", f"{key}_id"))
    return [Group(gid, name, n) for gid, name, n in rows]


def worker_appraisals(cycle: Cycle) -> Any:
    return Appraisal.objects.filter(cycle=cycle, subject_kind="worker", worker__isnull=False)


@dataclass(frozen=True)
class PrepareSummary:
    lines: int
    total_fen: int


def plan_prepare(*, actor: User, plan: BonusPlan, progress: ProgressFn | None = None) -> PrepareSummary:
    """Compute every line of the plan from the cycle's results (replacing earlier lines).

    Reads the appraisals with their workers in one query and the pools in one, computes in memory
    with `calc`, writes lines in batches: the query count does not grow with the headcount."""
    progress = progress or _noop
    ensure_writer(actor)
    with transaction.atomic():
        plan = _locked(plan)
        ensure_editable(plan)
        ensure_results(plan.cycle)
        before = snapshot(plan)
        cycle = plan.cycle
        rows = list(worker_appraisals(cycle).order_by("id").values_list(
            "id", "worker_id", "department_id", "vendor_id", "composite", "grade", "grade_name", "coefficient",
            "worker__employee_no", "worker__hire_date", "worker__leave_date", "worker__base_bonus_fen",
        ))
        total = len(rows)
        progress(0, total, _("读取考核结果"))
        coefficients = {code: Decimal(v) for code, v in plan.coefficients.items()}
        lines: list[BonusLine] = []
        employee_nos: list[str] = []
        for (aid, worker_id, dept_id, vendor_id, composite, grade, grade_name, own_coef, emp_no, hire, leave,
             base) in rows:
            if not grade:
                coef = Decimal(0)  # no result, no bonus
            else:
                coef = coefficients.get(grade, own_coef if own_coef is not None else Decimal(0))
            if plan.prorate:
                days, period = calc.days_employed(hire, leave, cycle.start_date, cycle.end_date)
            else:
                period = (cycle.end_date - cycle.start_date).days + 1
                days = period
            line = BonusLine(
                plan=plan, appraisal_id=aid, worker_id=worker_id, department_id=dept_id, vendor_id=vendor_id,
                composite=composite, grade=grade, grade_name=grade_name, coefficient=coef, days=days,
                period_days=period,
            )
            employee_nos.append(emp_no)  # the tie-break of pool shares
            if plan.mode == PlanMode.BASE:
                line.base_fen = base or 0
                line.bonus_fen = calc.base_bonus_fen(line.base_fen, coef, days, period)
            lines.append(line)
        if plan.is_pool:
            _share_pools(plan, lines, employee_nos)
        BonusLine.objects.filter(plan=plan).delete()
        for start in range(0, total, BATCH):
            BonusLine.objects.bulk_create(lines[start:start + BATCH])
            progress(min(start + BATCH, total), total, _("写入奖金明细"))
        plan.line_count = total
        plan.total_fen = sum(line.bonus_fen for line in lines)
        plan.stale = False
        plan.state = PlanState.DRAFT
        plan.prepared_by = actor
        plan.prepared_at = timezone.now()
        plan.save()
        audit_update(actor, plan, before, reason=_("计算奖金"))
    progress(total, total, "")
    return PrepareSummary(lines=total, total_fen=plan.total_fen)


def _share_pools(plan: BonusPlan, lines: list[BonusLine], employee_nos: list[str]) -> None:
    field = "department_id" if plan.mode == PlanMode.POOL_DEPARTMENT else "vendor_id"
    pools = {getattr(p, field): p for p in BonusPool.objects.filter(plan=plan)}
    by_group: dict[int | None, list[int]] = defaultdict(list)
    for i, line in enumerate(lines):
        by_group[getattr(line, field)].append(i)
    for group_id, indexes in by_group.items():
        pool = pools.get(group_id) if group_id is not None else None
        if pool is None:
            continue  # no pool, no money: submit names the group
        members = [lines[i] for i in indexes]
        entries = [calc.PoolEntry(i, employee_nos[i], lines[i].composite, lines[i].coefficient, lines[i].days,
                                  lines[i].period_days) for i in indexes]
        for member, fen in zip(members, calc.share_pool(pool.amount_fen, entries), strict=True):
            member.pool = pool
            member.bonus_fen = fen


def plan_check(plan: BonusPlan) -> list[str]:
    """Why the plan can't be submitted yet, in words (empty when it can)."""
    from .selectors import plan_totals

    problems = []
    if plan.stale or plan.prepared_at is None:
        problems.append(_("设置或奖金池已改动，请先重新计算 / Settings or pools changed: recompute first"))
        return problems
    if plan.line_count == 0:
        problems.append(_("没有奖金明细 / The plan has no lines"))
    if plan.is_pool:
        for row in plan_totals(plan, BonusLine.objects.filter(plan=plan)):
            if row.pool_fen is None:
                problems.append(_("“%(g)s”未设置奖金池 / “%(g)s” has no pool") % {"g": row.name})
            elif row.difference_fen:
                problems.append(_("“%(g)s”的奖金池未分配完（差额 %(d)s 分），可能所有人得分或系数为零 / The pool of "
                                  "“%(g)s” is not paid out (%(d)s fen left): every weight is zero")
                                % {"g": row.name, "d": row.difference_fen})
    return problems


@transaction.atomic
def plan_submit(*, actor: User, plan: BonusPlan) -> BonusPlan:
    ensure_writer(actor)
    plan = _locked(plan)
    if plan.state != PlanState.DRAFT:
        raise ValidationError(_("只有草稿可以提交审批 / Only a draft can be submitted"), code="state")
    problems = plan_check(plan)
    if problems:
        raise ValidationError(problems, code="incomplete")
    before = snapshot(plan)
    plan.state = PlanState.SUBMITTED
    plan.submitted_by = actor
    plan.submitted_at = timezone.now()
    plan.save()
    audit_update(actor, plan, before, reason=_("提交审批"))
    return plan


@transaction.atomic
def plan_approve(*, actor: User, plan: BonusPlan) -> BonusPlan:
    """已批准: the lines are frozen as they are; nothing changes them afterwards."""
    plan = _locked(plan)
    ensure_decider(actor, plan)
    if plan.state != PlanState.SUBMITTED:
        raise ValidationError(_("只有待审批的方案可以批准 / Only a submitted plan can be approved"), code="state")
    before = snapshot(plan)
    frozen = BonusLine.objects.filter(plan=plan).update(frozen=True)
    plan.state = PlanState.APPROVED
    plan.decided_by = actor
    plan.decided_at = timezone.now()
    plan.save()
    audit_update(actor, plan, before, reason=_("批准：冻结 %(n)d 条明细，合计 %(t)d 分") % {"n": frozen,
                                                                                    "t": plan.total_fen})
    return plan


@transaction.atomic
def plan_return(*, actor: User, plan: BonusPlan, reason: str) -> BonusPlan:
    plan = _locked(plan)
    ensure_decider(actor, plan)
    if plan.state != PlanState.SUBMITTED:
        raise ValidationError(_("只有待审批的方案可以退回 / Only a submitted plan can be returned"), code="state")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写退回原因 / Give a reason")})
    before = snapshot(plan)
    plan.state = PlanState.RETURNED
    plan.return_reason = reason[:500]
    plan.decided_by = actor
    plan.decided_at = timezone.now()
    plan.save()
    audit_update(actor, plan, before, reason=reason)
    return plan


@transaction.atomic
def plan_delete(*, actor: User, plan: BonusPlan) -> None:
    ensure_writer(actor)
    plan = _locked(plan)
    ensure_editable(plan)
    audit_delete(actor, plan)
    plan.delete()


# --- salary suggestions -----------------------------------------------------------------------


@dataclass(frozen=True)
class SuggestSummary:
    created: int
    kept: int
    no_rule: int


def rule_specs(rules: list[SalaryRule]) -> list[calc.SalaryRuleSpec]:
    return [calc.SalaryRuleSpec(r.pk, r.name, r.grade_name, r.match, r.cycles, r.min_pct, r.max_pct, r.priority)
            for r in rules]


def suggestions_generate(*, actor: User, cycle: Cycle) -> SuggestSummary:
    """Apply the active salary rules to every worker appraised in `cycle`.

    The history (each worker's grades in published cycles ending no later than this one) is read in
    one query; decided suggestions are kept as they are, pending ones are replaced."""
    ensure_writer(actor)
    ensure_results(cycle)
    rules = list(SalaryRule.objects.filter(is_active=True).order_by("priority", "id"))
    specs = rule_specs(rules)
    rule_names = {r.pk: r for r in rules}
    with transaction.atomic():
        current = list(worker_appraisals(cycle).values_list(
            "worker_id", "department_id", "vendor_id", "grade_name", "worker__base_salary_fen"))
        history: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for worker_id, name, grade_name in (
            Appraisal.objects.filter(
                subject_kind="worker", worker_id__in=worker_appraisals(cycle).values("worker_id"),
                cycle__end_date__lte=cycle.end_date, cycle__state__in=RESULT_STATES,
            ).exclude(grade_name="").order_by("worker_id", "-cycle__end_date", "-cycle_id")
            .values_list("worker_id", "cycle__name", "grade_name")
        ):
            history[worker_id].append((name, grade_name))
        decided = set(SalarySuggestion.objects.filter(cycle=cycle).exclude(state=SuggestionState.PENDING)
                      .values_list("worker_id", flat=True))
        SalarySuggestion.objects.filter(cycle=cycle, state=SuggestionState.PENDING).delete()
        created: list[SalarySuggestion] = []
        no_rule = 0
        for worker_id, dept_id, vendor_id, grade_name, salary in current:
            if worker_id in decided:
                continue
            result = calc.suggest_raise(history.get(worker_id, []), specs)
            if result is None:
                no_rule += 1
                continue
            rule = rule_names[result.rule_key]
            created.append(SalarySuggestion(
                cycle=cycle, worker_id=worker_id, department_id=dept_id, vendor_id=vendor_id, rule=rule,
                grade_name=grade_name, current_salary_fen=salary or 0, suggested_pct=result.pct,
                suggested_salary_fen=calc.new_salary_fen(salary or 0, result.pct),
                reason=_suggestion_reason(rule, result)[:500],
            ))
        SalarySuggestion.objects.bulk_create(created, batch_size=BATCH)
        audit_bulk(actor, created=created, reason=_("生成调薪建议"))
    return SuggestSummary(created=len(created), kept=len(decided), no_rule=no_rule)


def _suggestion_reason(rule: SalaryRule, result: calc.SuggestionResult) -> str:
    cycles = "、".join(result.cycles_used)
    return _("规则“%(rule)s”：%(cycles)s %(match)s%(grade)s，调幅 %(lo)s%%–%(hi)s%%，建议取中值 %(pct)s%%") % {
        "rule": rule.name, "cycles": cycles, "match": rule.get_match_display(), "grade": rule.grade_name,
        "lo": rule.min_pct, "hi": rule.max_pct, "pct": result.pct,
    }


def _ensure_pending(suggestion: SalarySuggestion) -> None:
    if suggestion.state != SuggestionState.PENDING:
        raise ValidationError(_("该建议已审核 / This suggestion has already been decided"), code="state")


@transaction.atomic
def suggestion_accept(*, actor: User, suggestion: SalarySuggestion, pct: Decimal | None = None,
                      reason: str = "") -> SalarySuggestion:
    """采纳, at the suggested percentage or an edited one (an edit needs a reason)."""
    ensure_writer(actor)
    suggestion = SalarySuggestion.objects.select_for_update().get(pk=suggestion.pk)
    _ensure_pending(suggestion)
    final = suggestion.suggested_pct if pct is None else pct
    if not Decimal(-50) <= final <= Decimal(100) or final != final.quantize(Decimal("0.01")):
        raise ValidationError({"pct": _("调幅须在 -50%–100% 之间，最多两位小数 / The raise must be -50 %–100 % with "
                                        "at most two decimals")})
    reason = (reason or "").strip()
    if final != suggestion.suggested_pct and not reason:
        raise ValidationError({"reason": _("修改调幅须填写原因 / Say why the raise differs from the suggestion")})
    before = snapshot(suggestion)
    suggestion.state = SuggestionState.ACCEPTED
    suggestion.final_pct = final
    suggestion.final_salary_fen = calc.new_salary_fen(suggestion.current_salary_fen, final)
    suggestion.decided_by = actor
    suggestion.decided_at = timezone.now()
    suggestion.decision_reason = reason[:500]
    suggestion.save()
    audit_update(actor, suggestion, before, reason=reason)
    return suggestion


@transaction.atomic
def suggestion_reject(*, actor: User, suggestion: SalarySuggestion, reason: str) -> SalarySuggestion:
    ensure_writer(actor)
    suggestion = SalarySuggestion.objects.select_for_update().get(pk=suggestion.pk)
    _ensure_pending(suggestion)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写驳回原因 / Give a reason")})
    before = snapshot(suggestion)
    suggestion.state = SuggestionState.REJECTED
    suggestion.decided_by = actor
    suggestion.decided_at = timezone.now()
    suggestion.decision_reason = reason[:500]
    suggestion.save()
    audit_update(actor, suggestion, before, reason=reason)
    return suggestion

