"""Compute: load the cycle's inputs in bulk, call the pure engine per template, save in bulk.

The number of queries does not depend on the number of subjects. Only submitted evaluations count.
Calibrated results keep their calibrated score and grade (a calibration is an authorised decision;
recomputing does not undo it)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from outperform import scoring
from outperform.core.audit import audit_changes
from outperform.core.db import bulk_update_fast
from outperform.core.models import User
from outperform.indicators.models import RaterRole
from outperform.indicators.snapshot import spec_from_snapshot
from outperform.indicators.validation import row_rule_text

from ..models import (
    AdjustmentEntry,
    Appraisal,
    AppraisalState,
    AssignmentState,
    Calibration,
    Cycle,
    CycleState,
    CycleTemplate,
    Goal,
    GoalStatus,
    MetricValue,
    RaterAssignment,
    Score,
)
from .common import ensure_hr, ensure_state

ProgressFn = Callable[[int, int, str], None]
BEFORE_PUBLICATION = (
    CycleState.GOAL_SETTING, CycleState.IN_PROGRESS, CycleState.SELF_REVIEW, CycleState.REVIEW,
    CycleState.CALIBRATION,
)
GOAL_METRIC = "goal_completion"
EMPTY: dict[str, dict[str, list[Decimal]]] = {}
MEMBERS_METRIC = "members_mean"


@dataclass
class ComputeSummary:
    computed: int
    graded: int


def proration(hire: dt.date | None, leave: dt.date | None, start: dt.date, end: dt.date) -> Fraction:
    """Share of the period worked, by calendar days, both ends included (docs/scoring.md)."""
    days = (end - start).days + 1
    first = max(start, hire) if hire else start
    last = min(end, leave) if leave else end
    worked = max((last - first).days + 1, 0)
    return Fraction(min(worked, days), days)


def _load_inputs(cycle: Cycle) -> tuple[dict[int, CycleTemplate], dict[int, list[scoring.SubjectInput]], dict[int, Any]]:
    templates = {ct.pk: ct for ct in CycleTemplate.objects.filter(cycle=cycle)}
    rows = list(Appraisal.objects.filter(cycle=cycle).values_list(
        "id", "cycle_template_id", "group_key", "worker__base_bonus_fen", "worker__hire_date", "worker__leave_date",
        "team_id",
    ))
    codes = sorted({i["code"] for ct in templates.values() for i in ct.snapshot["indicators"]})
    ratings = dict(_submitted_ratings(cycle, codes))
    metrics: dict[int, dict[str, Decimal | None]] = defaultdict(dict)
    for aid, metric, value in MetricValue.objects.filter(cycle=cycle).values_list("appraisal_id", "metric", "value"):
        metrics[aid][metric] = value
    _goal_metric(Goal.objects.filter(appraisal__cycle=cycle), metrics)
    _members_metric(cycle, rows, metrics)
    adjustments: dict[int, list[scoring.Adjustment]] = defaultdict(list)
    vetoes: dict[int, list[scoring.Veto]] = defaultdict(list)
    caps = {ct_id: {a["code"]: Decimal(a["cap"]) for a in ct.snapshot["adjustments"]} for ct_id, ct in templates.items()}
    template_of = {r[0]: r[1] for r in rows}
    for aid, code, value, is_veto in AdjustmentEntry.objects.filter(appraisal__cycle=cycle).values_list(
        "appraisal_id", "code", "value", "is_veto"
    ):
        if is_veto:
            vetoes[aid].append(scoring.Veto(code=code))
        elif code in caps[template_of[aid]]:
            adjustments[aid].append(scoring.Adjustment(code=code, value=value, cap=caps[template_of[aid]][code]))
    by_template: dict[int, list[scoring.SubjectInput]] = defaultdict(list)
    for aid, ct_id, group_key, base_bonus, hire, leave, _team in rows:
        # Unchecked: every score comes from SCORE_VALUES (0.00–100.00 by construction), metrics and
        # adjustments from Decimal columns, the base bonus from a non-negative column.
        by_template[ct_id].append(scoring.SubjectInput.unchecked(
            f"{aid:012d}",  # zero-padded so the engine's id order is numeric order
            group_key,
            ratings.get(aid, EMPTY),
            metrics.get(aid, {}),
            tuple(adjustments.get(aid, ())),
            tuple(vetoes.get(aid, ())),
            base_bonus or 0,
            proration(hire, leave, cycle.start_date, cycle.end_date) if hire else Fraction(1),
        ))
    return templates, by_template, {}


# Every score is 0.00–100.00 in steps of 0.01: 10,001 possible values. Sharing one Decimal per value
# saves millions of allocations when a cycle holds millions of scores.
SCORE_VALUES = tuple(Decimal(i).scaleb(-2) for i in range(10001))


def _submitted_ratings(
    cycle: Cycle, codes: list[str]
) -> Iterator[tuple[int, dict[str, dict[str, list[Decimal]]]]]:
    """(appraisal id, {indicator: {role: [scores]}}) for every appraisal with submitted scores.

    The biggest read of a compute (millions of rows). The database folds each appraisal's scores
    into one text row of integers, each (indicator index × 8 + role index) × 10001 + hundredths,
    so Python splits one string per person instead of receiving millions of row tuples."""
    roles = [r.value for r in RaterRole]
    code_case = " ".join(f"WHEN %s THEN {i}" for i in range(len(codes)))
    role_case = " ".join(f"WHEN %s THEN {i}" for i in range(len(roles)))
    hundredths = "(s.value * 100)::int" if connection.vendor == "postgresql" else "CAST(ROUND(s.value * 100) AS INTEGER)"
    encoded = (f"((CASE s.indicator_code {code_case} ELSE -1 END) * 8 + (CASE s.role {role_case} END)) * 10001"
               f" + {hundredths}")
    agg = "string_agg(CAST({e} AS TEXT), ',')" if connection.vendor == "postgresql" else "group_concat({e}, ',')"
    # Only table names and CASE arms with %s placeholders are formatted in; codes are parameters.
    sql = (
        f"SELECT s.appraisal_id, {agg.format(e=encoded)} "  # noqa: S608
        f"FROM {Score._meta.db_table} s JOIN {RaterAssignment._meta.db_table} r ON r.id = s.assignment_id "
        "WHERE s.cycle_id = %s AND r.state = %s GROUP BY s.appraisal_id"
    )
    values = SCORE_VALUES
    names = [(code, roles[r] if r < len(roles) else "") for code in codes for r in range(8)]
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # Room to hash-aggregate millions of rows in memory instead of sorting them on disk, and
            # no JIT compile for a query that runs once (7.5 s → 1.2 s at 4.6 million scores).
            cur.execute("SET LOCAL work_mem = '512MB'")
            cur.execute("SET LOCAL jit = off")
        cur.execute(sql, [*codes, *roles, cycle.pk, AssignmentState.SUBMITTED])
        while True:
            rows = cur.fetchmany(5000)
            if not rows:
                return
            for aid, packed in rows:
                ratings: dict[str, dict[str, list[Decimal]]] = {}
                for number in map(int, packed.split(",")):
                    key, cents = divmod(number, 10001)
                    if key < 0:
                        continue  # a score for an indicator no longer in the template
                    code, role = names[key]
                    by_role = ratings.get(code)
                    if by_role is None:
                        ratings[code] = {role: [values[cents]]}
                    elif role in by_role:
                        by_role[role].append(values[cents])
                    else:
                        by_role[role] = [values[cents]]
                yield aid, ratings


def _goal_metric(goals: Any, metrics: dict[int, dict[str, Decimal | None]]) -> None:
    """Goal completion (目标达成): weight-averaged completion of the agreed goals, in percent.
    Goals without a weight count as weight 1."""
    sums: dict[int, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for aid, weight, completion in goals.filter(status=GoalStatus.AGREED, completion__isnull=False).values_list(
        "appraisal_id", "weight", "completion"
    ):
        w = weight if weight > 0 else Decimal(1)
        sums[aid][0] += completion * w
        sums[aid][1] += w
    for aid, (total, weights) in sums.items():
        metrics[aid].setdefault(GOAL_METRIC, total / weights if weights else None)


def _members_metric(cycle: Cycle, rows: list[Any], metrics: dict[int, dict[str, Decimal | None]]) -> None:
    """For team subjects: the mean composite of the members' appraisals in worker cycles of the same
    period (a team template uses it through an indicator whose metric is `members_mean`)."""
    team_of = {r[0]: r[6] for r in rows if r[6]}
    if not team_of:
        return
    from ..models import Team

    members = defaultdict(list)
    for team_id, worker_id in Team.members.through.objects.filter(team_id__in=set(team_of.values())).values_list(
        "team_id", "worker_id"
    ):
        members[team_id].append(worker_id)
    composite: dict[int, Decimal] = dict(Appraisal.objects.filter(
        cycle__start_date=cycle.start_date, cycle__end_date=cycle.end_date, worker__isnull=False,
        composite__isnull=False,
    ).values_list("worker_id", "composite"))  # type: ignore[arg-type]  # filtered to non-null above
    for aid, team_id in team_of.items():
        values = [composite[w] for w in members[team_id] if w in composite]
        mean: Decimal | None = sum(values, Decimal(0)) / len(values) if values else None
        metrics[aid].setdefault(MEMBERS_METRIC, mean)


def cycle_results_preview(cycle: Cycle) -> dict[int, scoring.SubjectResult]:
    """What the engine gives now for every appraisal of the cycle, without saving anything."""
    templates, by_template, _ = _load_inputs(cycle)
    results: dict[int, scoring.SubjectResult] = {}
    for ct_id, inputs in by_template.items():
        spec = spec_from_snapshot(templates[ct_id].snapshot)
        if spec.bonus == "pool":
            # Pools are set per group when bonuses are prepared; until then grades are what matter.
            spec = _without_pool(spec)
        for r in scoring.compute_cycle(spec, inputs):
            results[int(r.subject_id)] = r
    return results


def _without_pool(spec: scoring.TemplateSpec) -> scoring.TemplateSpec:
    import dataclasses

    return dataclasses.replace(spec, bonus="base")


def result_summary(r: scoring.SubjectResult) -> dict[str, Any]:
    """The small part of the breakdown stored with the result; the per-indicator rows are recomputed
    on demand by `appraisal_explain`, from the same snapshot and scores."""
    return {
        "weighted_score": None if r.weighted_score is None else str(r.weighted_score),
        "adjustment_total": str(r.adjustment_total),
        "band_grade": r.band_grade,
        "grade_reason": r.grade_reason,
        "not_applicable": list(r.not_applicable),
        "vetoes": list(r.vetoes),
    }


@transaction.atomic
def cycle_compute(*, actor: User, cycle: Cycle, progress: ProgressFn | None = None) -> ComputeSummary:
    ensure_hr(actor)
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    ensure_state(cycle, *BEFORE_PUBLICATION)
    results = cycle_results_preview(cycle)
    bands = {ct.pk: {b["code"]: b for b in ct.snapshot["bands"]} for ct in CycleTemplate.objects.filter(cycle=cycle)}
    latest_calibration = _latest_calibrations(cycle)
    now = timezone.now()
    appraisals = list(Appraisal.objects.filter(cycle=cycle).only("id", "cycle_template_id", "state", "calibrated"))
    calibrated = {
        a.pk: a for a in Appraisal.objects.filter(pk__in=list(latest_calibration)).select_related(
            "worker", "cycle", "cycle_template")
    }
    graded = 0
    for a in appraisals:
        r = results[a.pk]
        band = bands[a.cycle_template_id].get(r.grade or "")
        a.composite, a.grade = r.composite, r.grade or ""
        a.grade_name = band["name"] if band else ""
        a.rank, a.group_size = r.rank, r.group_size
        a.coefficient, a.bonus_fen = r.coefficient, r.bonus_fen
        a.breakdown = result_summary(r)
        cal = latest_calibration.get(a.pk)
        if cal is not None:
            full = calibrated[a.pk]
            a.worker, a.cycle, a.cycle_template = full.worker, full.cycle, full.cycle_template
            _apply_calibration(a, cal, bands[a.cycle_template_id])
        a.computed_at = now
        if a.state == AppraisalState.OPEN:
            a.state = AppraisalState.COMPUTED
        graded += bool(a.grade)
    bulk_update_fast(
        Appraisal, appraisals,
        ["composite", "grade", "grade_name", "rank", "group_size", "coefficient", "bonus_fen", "breakdown",
         "computed_at", "state"],
    )
    if progress:
        progress(len(appraisals), len(appraisals), "computed")
    audit_changes(actor, cycle, {"computed": [None, len(appraisals)], "graded": [None, graded]}, reason="compute")
    return ComputeSummary(computed=len(appraisals), graded=graded)


def _latest_calibrations(cycle: Cycle) -> dict[int, Calibration]:
    latest: dict[int, Calibration] = {}
    for cal in Calibration.objects.filter(appraisal__cycle=cycle).order_by("at", "id"):
        latest[cal.appraisal_id] = cal
    return latest


def _apply_calibration(a: Appraisal, cal: Calibration, bands: dict[str, Any]) -> None:
    if cal.composite_after is not None:
        a.composite = cal.composite_after
    if cal.grade_after:
        a.grade = cal.grade_after
        band = bands.get(cal.grade_after)
        a.grade_name = band["name"] if band else a.grade_name
        a.coefficient = Decimal(band["coefficient"]) if band else a.coefficient
        a.bonus_fen = calibrated_bonus(a, a.coefficient)


def calibrated_bonus(appraisal: Appraisal, coefficient: Decimal | None) -> int | None:
    """The base bonus for a calibrated grade: base × coefficient × share of the period worked, as the
    engine pays it (pool shares are settled when bonuses are prepared)."""
    snap = appraisal.cycle_template.snapshot
    worker = appraisal.worker
    if snap.get("bonus_mode") != "base" or worker is None or coefficient is None:
        return appraisal.bonus_fen
    cycle = appraisal.cycle
    share = proration(worker.hire_date, worker.leave_date, cycle.start_date, cycle.end_date)
    return scoring.base_bonus(worker.base_bonus_fen, coefficient, share)


def appraisal_explain(appraisal: Appraisal) -> dict[str, Any]:
    """The full breakdown of one appraisal: recomputed alone from the snapshot and its submitted
    scores (indicator rows do not depend on the group), plus the stored grade, rank and reason."""
    snap = appraisal.cycle_template.snapshot
    spec = spec_from_snapshot(snap)
    if spec.bonus == "pool":
        spec = _without_pool(spec)
    ratings: dict[str, dict[str, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    for code, role, value in Score.objects.filter(
        appraisal=appraisal, assignment__state=AssignmentState.SUBMITTED
    ).values_list("indicator_code", "role", "value"):
        ratings[code][role].append(value)
    metrics: dict[str, Decimal | None] = dict(
        MetricValue.objects.filter(appraisal=appraisal).values_list("metric", "value"))
    goal: dict[int, dict[str, Decimal | None]] = defaultdict(dict)
    _goal_metric(appraisal.goals.all(), goal)
    metrics.update({k: v for k, v in goal[appraisal.pk].items() if k not in metrics})
    adjustments, vetoes = [], []
    caps = {a["code"]: Decimal(a["cap"]) for a in snap["adjustments"]}
    for code, value, is_veto in appraisal.adjustment_entries.values_list("code", "value", "is_veto"):
        if is_veto:
            vetoes.append(scoring.Veto(code=code))
        elif code in caps:
            adjustments.append(scoring.Adjustment(code=code, value=value, cap=caps[code]))
    subject = scoring.SubjectInput(subject_id="x", ratings={c: dict(r) for c, r in ratings.items()}, metrics=metrics,
                                   adjustments=tuple(adjustments), vetoes=tuple(vetoes))
    (result,) = scoring.compute_cycle(spec, [subject])
    names = {i["code"]: i for i in snap["indicators"]}
    rows = []
    for row in result.indicators:
        item = names[row.code]
        rows.append({
            "code": row.code, "name": item["name"], "dimension": item.get("dimension_name", ""), "kind": row.kind,
            "raw_value": _s(row.raw_value), "rule": row_rule_text(item), "score": _s(row.score), "weight": _s(row.weight),
            "effective_weight": _s(row.effective_weight), "contribution": _s(row.contribution, 2),
            "roles": [
                {"role": rb.role, "mean": _s(rb.mean, 2), "count": rb.count, "weight": _s(rb.weight),
                 "effective_weight": _s(rb.effective_weight), "total": str(rb.total)}
                for rb in row.roles
            ],
        })
    return {
        "indicators": rows,
        "adjustments": [{"code": a.code, "value": str(a.value), "cap": str(a.cap), "applied": str(a.applied)}
                        for a in result.adjustments],
        "weighted_score": _s(result.weighted_score, 2),
        "composite": _s(appraisal.composite),
        "grade": appraisal.grade, "grade_name": appraisal.grade_name,
        "rank": appraisal.rank, "group_size": appraisal.group_size,
        "grade_reason": (appraisal.breakdown or {}).get("grade_reason", ""),
        "not_applicable": list(result.not_applicable), "vetoes": list(result.vetoes),
        "calibrated": appraisal.calibrated,
    }


def _s(value: Decimal | None, places: int | None = None) -> str | None:
    if value is None:
        return None
    if places is not None:
        return str(value.quantize(Decimal(1).scaleb(-places)))
    return str(value)


__all__ = ["appraisal_explain", "cycle_compute", "cycle_results_preview", "proration"]
