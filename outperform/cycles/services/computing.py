"""Compute: load the cycle's inputs in bulk, call the pure engine per template, save in bulk.

The number of queries does not depend on the number of subjects. Only submitted evaluations count.
Calibrated results keep their calibrated score and grade (a calibration is an authorised decision;
recomputing does not undo it)."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from operator import itemgetter, sub
from typing import Any, cast

from django.db import connection, transaction
from django.db.models import Field
from django.utils import timezone

from outperform import scoring
from outperform.core.audit import audit_changes
from outperform.core.faults import checkpoint
from outperform.core.models import User
from outperform.indicators.models import RaterRole
from outperform.indicators.snapshot import spec_from_snapshot
from outperform.indicators.validation import row_rule_text
from outperform.scoring.dense import SCORE_DECIMALS
from outperform.scoring.types import Ratings

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
    if (hire is None or hire <= start) and (leave is None or leave >= end):
        return scoring.FULL_PERIOD  # the usual case, without building a Fraction
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
    decoders = {ct_id: _DenseDecoder(spec_from_snapshot(ct.snapshot), codes) for ct_id, ct in templates.items()}
    template_of = {r[0]: r[1] for r in rows}
    ratings = dict(_submitted_ratings(cycle, codes, decoders, template_of))
    metrics: dict[int, dict[str, Decimal | None]] = defaultdict(dict)
    for aid, metric, value in MetricValue.objects.filter(cycle=cycle).values_list("appraisal_id", "metric", "value"):
        metrics[aid][metric] = value
    _goal_metric(Goal.objects.filter(appraisal__cycle=cycle), metrics)
    _members_metric(cycle, rows, metrics)
    adjustments: dict[int, list[scoring.Adjustment]] = defaultdict(list)
    vetoes: dict[int, list[scoring.Veto]] = defaultdict(list)
    caps = {ct_id: {a["code"]: Decimal(a["cap"]) for a in ct.snapshot["adjustments"]} for ct_id, ct in templates.items()}
    for aid, code, value, is_veto in AdjustmentEntry.objects.filter(appraisal__cycle=cycle).values_list(
        "appraisal_id", "code", "value", "is_veto"
    ):
        if is_veto:
            vetoes[aid].append(scoring.Veto(code=code))
        elif code in caps[template_of[aid]]:
            adjustments[aid].append(scoring.Adjustment(code=code, value=value, cap=caps[template_of[aid]][code]))
    by_template: dict[int, list[scoring.SubjectInput]] = defaultdict(list)
    start, end = cycle.start_date, cycle.end_date
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
            proration(hire, leave, start, end) if hire else scoring.FULL_PERIOD,
        ))
    return templates, by_template, {}


# Every score is 0.00–100.00 in steps of 0.01: 10,001 possible values. Sharing one Decimal per value
# saves millions of allocations when a cycle holds millions of scores.
SCORE_VALUES = SCORE_DECIMALS
BASE = 10001  # scores travel as key × BASE + hundredths (see _submitted_ratings)
ROLES = [r.value for r in RaterRole]


class _DenseDecoder:
    """Turns one appraisal's packed scores into DenseRatings when they are exactly one score per
    slot of the template's grid (the common case), else returns None.

    With the numbers sorted, slot p of the sorted key order must hold key × BASE + hundredths with
    hundredths in 0…10000: two C-level passes (subtract the expected offsets, min/max) check that
    and give the hundredths, and one itemgetter puts them in the grid's order."""

    def __init__(self, spec: scoring.TemplateSpec, codes: Sequence[str]) -> None:
        self.grid = scoring.rating_grid(spec)
        code_index = {c: i for i, c in enumerate(codes)}
        role_index = {r: i for i, r in enumerate(ROLES)}
        self.size = len(self.grid)
        keys = [code_index[c] * 8 + role_index[r] if c in code_index and r in role_index else None
                for c, r in self.grid.slots]
        self.usable = self.size > 1 and None not in keys and len(set(keys)) == self.size
        if not self.usable:
            return
        order = sorted(range(self.size), key=lambda j: keys[j])  # type: ignore[arg-type,return-value]
        self.offsets = [keys[j] * BASE for j in order]  # type: ignore[operator]
        position = {slot: p for p, slot in enumerate(order)}
        self.take = itemgetter(*(position[slot] for slot in range(self.size)))

    def decode(self, numbers: list[int]) -> scoring.DenseRatings | None:
        if not self.usable or len(numbers) != self.size:
            return None
        numbers.sort()
        cents = list(map(sub, numbers, self.offsets))
        if min(cents) < 0 or max(cents) > 10000:
            return None
        return scoring.DenseRatings.unchecked(self.grid, self.take(cents))


def _submitted_ratings(
    cycle: Cycle, codes: list[str], decoders: dict[int, _DenseDecoder], template_of: dict[int, int],
) -> Iterator[tuple[int, Ratings]]:
    """(appraisal id, ratings) for every appraisal with submitted scores: DenseRatings when the
    appraisal has one score per slot of its template, else {indicator: {role: [scores]}}.

    The biggest read of a compute (millions of rows). The database folds each appraisal's scores
    into one text row of integers, each (indicator index × 8 + role index) × 10001 + hundredths,
    so Python splits one string per person instead of receiving millions of row tuples. Only
    submitted evaluations count: an anti-join against the assignments not submitted (few by the
    time results are computed) costs a fraction of a join with every assignment."""
    code_case = " ".join(f"WHEN %s THEN {i}" for i in range(len(codes)))
    role_case = " ".join(f"WHEN %s THEN {i}" for i in range(len(ROLES)))
    hundredths = "(s.value * 100)::int" if connection.vendor == "postgresql" else "CAST(ROUND(s.value * 100) AS INTEGER)"
    encoded = (f"((CASE s.indicator_code {code_case} ELSE -1 END) * 8 + (CASE s.role {role_case} END)) * {BASE}"
               f" + {hundredths}")
    agg = "string_agg(CAST({e} AS TEXT), ',')" if connection.vendor == "postgresql" else "group_concat({e}, ',')"
    # Only table names and CASE arms with %s placeholders are formatted in; codes are parameters.
    sql = (
        f"SELECT s.appraisal_id, {agg.format(e=encoded)} "  # noqa: S608
        f"FROM {Score._meta.db_table} s WHERE s.cycle_id = %s AND NOT EXISTS ("
        f"SELECT 1 FROM {RaterAssignment._meta.db_table} r WHERE r.id = s.assignment_id AND r.state <> %s) "
        "GROUP BY s.appraisal_id"
    )
    names = [(code, ROLES[r] if r < len(ROLES) else "") for code in codes for r in range(8)]
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # Room to hash-aggregate millions of rows in memory instead of sorting them on disk, and
            # no JIT compile for a query that runs once (7.5 s → 1.2 s at 4.6 million scores).
            cur.execute("SET LOCAL work_mem = '512MB'")
            cur.execute("SET LOCAL jit = off")
        cur.execute(sql, [*codes, *ROLES, cycle.pk, AssignmentState.SUBMITTED])
        while True:
            rows = cur.fetchmany(5000)
            if not rows:
                return
            for aid, packed in rows:
                numbers = list(map(int, packed.split(",")))
                decoder = decoders.get(template_of.get(aid, -1))
                dense = decoder.decode(numbers) if decoder is not None else None
                yield aid, (dense if dense is not None else _ratings_from_numbers(numbers, names))


def _ratings_from_numbers(numbers: list[int], names: list[tuple[str, str]]) -> dict[str, dict[str, list[Decimal]]]:
    values = SCORE_VALUES
    ratings: dict[str, dict[str, list[Decimal]]] = {}
    for number in numbers:
        key, cents = divmod(number, BASE)
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
    return ratings


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


RESULT_FIELDS = ("composite", "grade", "grade_name", "rank", "group_size", "coefficient", "bonus_fen", "breakdown",
                 "computed_at", "state")


@transaction.atomic
def cycle_compute(*, actor: User, cycle: Cycle, progress: ProgressFn | None = None) -> ComputeSummary:
    ensure_hr(actor)
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    ensure_state(cycle, *BEFORE_PUBLICATION)
    results = cycle_results_preview(cycle)
    bands = {ct.pk: {b["code"]: b for b in ct.snapshot["bands"]} for ct in CycleTemplate.objects.filter(cycle=cycle)}
    latest_calibration = _latest_calibrations(cycle)
    now = timezone.now()
    # Plain tuples, not model instances: 100,000 Appraisal objects cost seconds to build.
    appraisals = list(Appraisal.objects.filter(cycle=cycle).values_list("id", "cycle_template_id", "state"))
    calibrated = {
        a.pk: a for a in Appraisal.objects.filter(pk__in=list(latest_calibration)).select_related(
            "worker", "cycle", "cycle_template")
    }
    rows: list[tuple[Any, ...]] = []
    graded = 0
    summaries: dict[tuple[Any, ...], str] = {}
    for aid, ct_id, state in appraisals:
        r = results[aid]
        band = bands[ct_id].get(r.grade or "")
        breakdown = _summary_json(r, summaries)
        row: tuple[Any, ...] = (
            aid, r.composite, r.grade or "", band["name"] if band else "", r.rank, r.group_size, r.coefficient,
            r.bonus_fen, breakdown, now, AppraisalState.COMPUTED if state == AppraisalState.OPEN else state)
        cal = latest_calibration.get(aid)
        if cal is not None:
            row = _calibrated_row(calibrated[aid], row, cal, bands[ct_id])
        graded += bool(row[2])
        rows.append(row)
    _save_results(rows)
    checkpoint("compute_saved")  # results written, transaction open: a crash here must leave nothing
    if progress:
        progress(len(appraisals), len(appraisals), "computed")
    audit_changes(actor, cycle, {"computed": [None, len(appraisals)], "graded": [None, graded]}, reason="compute")
    return ComputeSummary(computed=len(appraisals), graded=graded)


def _calibrated_row(a: Appraisal, row: tuple[Any, ...], cal: Calibration, bands: dict[str, Any]) -> tuple[Any, ...]:
    """The engine's row with the latest calibration applied (few rows: through the model)."""
    values = dict(zip(RESULT_FIELDS, row[1:], strict=True))
    values["breakdown"] = json.loads(str(values["breakdown"]))
    for name, value in values.items():
        setattr(a, name, value)
    _apply_calibration(a, cal, bands)
    return (row[0], *(json.dumps(a.breakdown, ensure_ascii=False) if name == "breakdown" else getattr(a, name)
                      for name in RESULT_FIELDS))


def _summary_json(r: scoring.SubjectResult, cache: dict[tuple[Any, ...], str]) -> str:
    """result_summary(r) as JSON text. Subjects share few distinct summaries apart from the
    weighted score, so the rest is encoded once per distinct value."""
    key = (r.adjustment_total, r.band_grade, r.grade_reason, r.not_applicable, r.vetoes)
    tail = cache.get(key)
    if tail is None:
        summary = result_summary(r)
        del summary["weighted_score"]
        tail = cache[key] = json.dumps(summary, ensure_ascii=False)[1:]
    weighted = "null" if r.weighted_score is None else f'"{r.weighted_score}"'
    return f'{{"weighted_score": {weighted}, {tail}'


def _save_results(rows: list[tuple[Any, ...]]) -> None:
    """Write the results in one statement per database: PostgreSQL gets them through COPY into a
    temporary table and one UPDATE … FROM; other databases through one prepared UPDATE."""
    table = Appraisal._meta.db_table
    fields = [cast(Field, Appraisal._meta.get_field(name)) for name in RESULT_FIELDS]
    columns = [str(f.column) for f in fields]
    q = connection.ops.quote_name
    with connection.cursor() as cur:
        if connection.vendor != "postgresql":
            sets = ", ".join(f"{q(c)} = %s" for c in columns)
            cur.executemany(f"UPDATE {q(table)} SET {sets} WHERE id = %s",  # noqa: S608  # names from the model
                            [[*(f.get_db_prep_save(v, connection) if f.name != "breakdown" else v
                                for f, v in zip(fields, row[1:], strict=True)), row[0]] for row in rows])
            return
        defs = ", ".join(f"{q(c)} {f.db_type(connection)}" for c, f in zip(columns, fields, strict=True))
        cur.execute(f"CREATE TEMP TABLE compute_results (id bigint, {defs}) ON COMMIT DROP")
        with cur.cursor.copy("COPY compute_results FROM STDIN") as copy:
            for i in range(0, len(rows), 5000):
                copy.write("".join(_copy_line(row) for row in rows[i:i + 5000]))
        cur.execute("ANALYZE compute_results")  # a hash join, not a sort of 100,000 rows on disk
        sets = ", ".join(f"{q(c)} = s.{q(c)}" for c in columns)
        cur.execute(f"UPDATE {q(table)} t SET {sets} FROM compute_results s WHERE t.id = s.id")  # noqa: S608
        cur.execute("DROP TABLE compute_results")


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: str) -> str:
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_COPY_ESCAPES)
    return value


def _copy_line(row: tuple[Any, ...]) -> str:
    """One line of COPY text: fields by tab, NULL as \\N, backslash and control characters escaped.
    The row is (id, composite, grade, grade name, rank, group size, coefficient, bonus, breakdown
    JSON, computed at, state): numbers print as they are, only the texts need escaping."""
    aid, composite, grade, name, rank, size, coefficient, bonus, breakdown, at, state = row
    n = "\\N"
    return (f"{aid}\t{n if composite is None else composite}\t{_copy_text(grade)}\t{_copy_text(name)}\t"
            f"{n if rank is None else rank}\t{n if size is None else size}\t"
            f"{n if coefficient is None else coefficient}\t{n if bonus is None else bonus}\t"
            f"{n if breakdown is None else _copy_text(breakdown)}\t{at.isoformat()}\t{_copy_text(state)}\n")


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
