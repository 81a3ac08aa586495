"""Compute: load the cycle's inputs in bulk, call the pure engine per template, save in bulk.

The number of queries does not depend on the number of subjects. Only submitted evaluations count.
Calibrated results keep their calibrated score and grade (a calibration is an authorised decision;
recomputing does not undo it)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import queue
import select
import shutil
import signal
import tempfile
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from operator import itemgetter, sub
from typing import Any, cast

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Field
from django.utils import timezone

from outperform import scoring
from outperform.core.audit import audit_changes
from outperform.core.faults import checkpoint
from outperform.core.models import User
from outperform.indicators.models import RaterRole
from outperform.indicators.snapshot import spec_from_snapshot
from outperform.indicators.validation import row_rule_text
from outperform.scoring import vector
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
from ..slots import cycle_slots_extend
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


def _load_inputs(cycle: Cycle) -> tuple[dict[int, CycleTemplate], dict[int, list[scoring.SubjectInput]],
                                        list[tuple[Any, ...]]]:
    """The engine's inputs per cycle template, and the appraisal rows (id, template, state)."""
    templates = {ct.pk: ct for ct in CycleTemplate.objects.filter(cycle=cycle)}
    rows = _appraisal_rows(cycle)
    codes = sorted({i["code"] for ct in templates.values() for i in ct.snapshot["indicators"]})
    grids = {ct_id: scoring.rating_grid(spec_from_snapshot(ct.snapshot)) for ct_id, ct in templates.items()}
    template_of = {r[0]: r[1] for r in rows}
    ratings = _submitted_ratings(cycle, codes, grids, template_of)
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
    unchecked = scoring.SubjectInput.unchecked
    full = scoring.FULL_PERIOD
    no_metrics: dict[str, Decimal | None] = {}
    for aid, ct_id, _state, group_key, base_bonus, hire, leave, _team in rows:
        # Unchecked: every score is 0.00–100.00 (the table's constraint score_value_range), metrics and
        # adjustments from Decimal columns, the base bonus from a non-negative column.
        by_template[ct_id].append(unchecked(
            f"{aid:012d}",  # zero-padded so the engine's id order is numeric order
            group_key,
            ratings.get(aid, EMPTY),
            metrics.get(aid, no_metrics),
            tuple(adjustments[aid]) if aid in adjustments else (),
            tuple(vetoes[aid]) if aid in vetoes else (),
            base_bonus or 0,
            proration(hire, leave, start, end) if hire or leave else full,
        ))
    return templates, by_template, rows


def _appraisal_rows(cycle: Cycle) -> list[tuple[Any, ...]]:
    """(id, cycle template, state, group key, base bonus, hire date, leave date, team) per appraisal,
    in id order: one plain query, tuples straight from the driver (100,000 rows)."""
    from outperform.workers.models import Worker

    a, w = Appraisal._meta.db_table, Worker._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT a.id, a.cycle_template_id, a.state, a.group_key, w.base_bonus_fen, w.hire_date, "  # noqa: S608
            f"w.leave_date, a.team_id FROM {a} a LEFT JOIN {w} w ON w.id = a.worker_id "
            "WHERE a.cycle_id = %s ORDER BY a.id", [cycle.pk])
        return cur.fetchall()


# Every score is 0.00–100.00 in steps of 0.01: 10,001 possible values. Sharing one Decimal per value
# saves millions of allocations when a cycle holds millions of scores.
SCORE_VALUES = SCORE_DECIMALS
BASE = 10001  # scores travel as key × BASE + hundredths (see _submitted_ratings)
ROLES = [r.value for r in RaterRole]


def _submitted_ratings(
    cycle: Cycle, codes: list[str], grids: dict[int, scoring.RatingGrid], template_of: dict[int, int],
) -> dict[int, Ratings]:
    """Appraisal id → ratings, for every appraisal with submitted scores: a row of a DenseBlock when
    the appraisal has exactly one score per slot of its template's grid (the usual case), else
    {indicator: {role: [scores]}}. On PostgreSQL with numpy, `_packed_ratings`; elsewhere the text
    fold of `_folded_ratings`. Both read the same scores and give the engine the same numbers."""
    if connection.vendor == "postgresql" and vector.AVAILABLE:
        # The cycle's numbered pairs (cycles/slots.py), which the stored Score.slot refer to; the
        # call only reads them unless a template's pair is missing.
        slots = cycle_slots_extend(cycle.pk, (slot for grid in grids.values() for slot in grid.slots))
        if 0 < len(slots) <= PACKED_SLOTS_MAX:
            return _packed_ratings(cycle, slots, set(codes), grids, template_of)
    return _folded_ratings(cycle, codes, grids, template_of)


def _pending_filter(cycle: Cycle) -> tuple[str, list[Any]]:
    """SQL (and its parameters) keeping only the scores of submitted evaluations.

    Scores of evaluations not submitted are few by the time results are computed: their
    assignment ids are read first and excluded with a hashed `<> ALL(...)`, which costs the big
    read nothing when there are none (no clause at all) and far less than an anti-join with the
    assignment table otherwise. Past PENDING_IDS_MAX ids the anti-join is cheaper."""
    pending = list(RaterAssignment.objects.filter(cycle=cycle).exclude(state=AssignmentState.SUBMITTED)
                   .order_by().values_list("id", flat=True)[:PENDING_IDS_MAX + 1])
    if not pending:
        return "", []
    if len(pending) <= PENDING_IDS_MAX and connection.vendor == "postgresql":
        return " AND s.assignment_id <> ALL(%s)", [pending]
    table = RaterAssignment._meta.db_table
    return (f" AND NOT EXISTS (SELECT 1 FROM {table} r WHERE r.id = s.assignment_id AND r.state <> %s)",  # noqa: S608
            [AssignmentState.SUBMITTED])


# The packed read: per appraisal, every score bit-packed into a few bigints by PostgreSQL.
PACKED_SLOTS_MAX = 256  # (indicator, role) slots of all the cycle's templates; beyond: the text fold
PENDING_IDS_MAX = 50_000
FIELD_BITS = 15  # a field: bit 14 = "a score is here", bits 0–13 = the score in hundredths (≤ 10,000)
PER_WORD = 4  # fields per bigint: 60 bits


def _packed_ratings(
    cycle: Cycle, slots: list[tuple[str, str]], codes: set[str], grids: dict[int, scoring.RatingGrid],
    template_of: dict[int, int],
) -> dict[int, Ratings]:
    """The biggest read of a compute (millions of scores) as one aggregate that PostgreSQL runs in
    parallel, like a plain GROUP BY: every (indicator, role) slot of the cycle's templates owns a
    15-bit field of one of a few bigints, and each score is OR-ed into its field
    (`bit_or(...) FILTER (WHERE word = w)`), with `COUNT(*)` of the appraisal's scores beside.
    A score's slot is the number stored with it (`Score.slot`, its place in `slots`, the cycle's
    numbered pairs): slot >> 2 is its word, slot & 3 its field; its value comes as the integer
    `Score.hundredths` the database keeps. A join of (indicator code, role) to the list and numeric
    arithmetic per score cost the read about a quarter of its time (docs/cycles.md).
    The rows arrive as one bytea of int64s (below) and numpy unpacks all the fields at once.

    An appraisal is dense when its count equals its grid's size and each of its template's slots
    has a score: by pigeonhole each slot then holds exactly one score and its field is that score.
    Anything else (two peers, a missing slot, a score without a slot number) is read again row by
    row, for the general path. Every value fits its field: the table holds only 0.00–100.00
    (constraint `score_value_range`)."""
    words = -(-len(slots) // PER_WORD)
    assert PER_WORD == 4  # noqa: S101  # the SQL takes the word and the field by >> 2 and & 3
    pending_sql, pending_params = _pending_filter(cycle)
    ors = ", ".join(f"COALESCE(bit_or(q.x) FILTER (WHERE q.slot >> 2 = {w}), 0) AS w{w}" for w in range(words))
    row_bytes = " || ".join(["int8send(g.appraisal_id::bigint)", "int8send(g.n)", *(f"int8send(g.w{w})" for w in range(words))])
    score = Score._meta.db_table
    # Only the table name and generated column lists are formatted in.
    # The grouped rows leave PostgreSQL as one bytea of big-endian int64s (string_agg over the
    # finished groups, above the parallel part of the plan): one Python object instead of
    # (2 + words) parsed integers per appraisal, and numpy reads it in place.
    sql = (
        f"SELECT string_agg({row_bytes}, ''::bytea) FROM ("  # noqa: S608
        f"SELECT q.appraisal_id, COUNT(*) AS n, {ors} FROM ("
        f"SELECT s.appraisal_id, s.slot, "
        f"({1 << (FIELD_BITS - 1)} + s.hundredths)::bigint << ({FIELD_BITS} * (s.slot & 3)) AS x "
        f"FROM {score} s WHERE s.cycle_id = %s{pending_sql}"
        ") q GROUP BY q.appraisal_id) g"
    )
    with transaction.atomic(), connection.cursor() as cur:
        # Room to hash-aggregate in memory instead of sorting on disk, and no JIT compile for a
        # query that runs once.
        cur.execute("SET LOCAL work_mem = '512MB'")
        cur.execute("SET LOCAL jit = off")
        cur.execute("SET LOCAL parallel_leader_participation = off")
        cur.execute(sql, [cycle.pk, *pending_params])
        (blob,) = cur.fetchone()
    import numpy as np  # present: vector.AVAILABLE

    # rows: appraisal id, count of scores, the words
    table = np.frombuffer(blob or b"", dtype=">i8").astype(np.int64).reshape(-1, 2 + words)
    aids = table[:, 0]
    # The template of each row: template_of is in appraisal id order, so a binary search finds it.
    known = np.fromiter(template_of.keys(), dtype=np.int64, count=len(template_of))
    of = np.fromiter(template_of.values(), dtype=np.int64, count=len(template_of))
    at = np.minimum(np.searchsorted(known, aids), max(len(known) - 1, 0))
    of_template = np.where(known[at] == aids, of[at], 0) if len(known) else np.zeros_like(aids)
    # Every field of every row in slot order (slot u is field u & 3 of word u >> 2): four shifts of
    # the whole word matrix into one int32 matrix, instead of a gather per slot (a sixth of the time).
    n = len(table)
    unpacked = np.empty((n, words, PER_WORD), dtype=np.int32)
    for k in range(PER_WORD):
        np.bitwise_and(table[:, 2:] >> (k * FIELD_BITS), (1 << FIELD_BITS) - 1, out=unpacked[:, :, k], casting="unsafe")
    all_fields = unpacked.reshape(n, words * PER_WORD)
    slot_of = {slot: u for u, slot in enumerate(slots)}
    present_bit, score_mask = 1 << (FIELD_BITS - 1), (1 << (FIELD_BITS - 1)) - 1
    ratings: dict[int, Ratings] = {}
    dense = np.zeros(n, dtype=bool)
    for ct_id, grid in grids.items():
        mine = np.flatnonzero(of_template == ct_id)
        if not len(grid) or not len(mine):
            continue
        where = [slot_of[slot] for slot in grid.slots]
        fields = all_fields if len(mine) == n else all_fields[mine]
        if where != list(range(all_fields.shape[1])):
            fields = fields[:, where]
        ok = (table[mine, 1] == len(grid)) & (fields >= present_bit).all(axis=1)
        block = scoring.DenseBlock(grid, fields[ok] & score_mask)
        dense[mine[ok]] = True
        ratings.update(zip(aids[mine[ok]].tolist(), map(block.ratings, range(len(block))), strict=True))
    ratings.update(_general_ratings(cycle, aids[~dense].tolist(), codes, pending_sql, pending_params))
    return ratings


def _general_ratings(cycle: Cycle, aids: list[int], codes: set[str], pending_sql: str, pending_params: list[Any],
                     ) -> dict[int, Ratings]:
    """{indicator: {role: [scores]}} for the appraisals that are not dense (few), row by row. Runs
    even with none, so that the number of queries does not depend on the data. Like the text
    fold, it leaves out scores for codes no template of the cycle has and for unknown roles."""
    roles = set(ROLES)
    ratings: dict[int, Ratings] = {}
    score = Score._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT s.appraisal_id, s.indicator_code, s.role, s.value FROM {score} s "  # noqa: S608
            f"WHERE s.cycle_id = %s AND s.appraisal_id = ANY(%s){pending_sql}", [cycle.pk, aids, *pending_params])
        for aid, code, role, value in cur.fetchall():
            if code in codes and role in roles:
                by_role = ratings.setdefault(aid, {}).setdefault(code, {})  # type: ignore[attr-defined]
                by_role.setdefault(role, []).append(value)
    return ratings


class _DenseDecoder:
    """Turns one appraisal's packed scores into DenseRatings when they are exactly one score per
    slot of the template's grid (the common case), else returns None.

    With the numbers sorted, slot p of the sorted key order must hold key × BASE + hundredths with
    hundredths in 0…10000: two C-level passes (subtract the expected offsets, min/max) check that
    and give the hundredths, and one itemgetter puts them in the grid's order."""

    def __init__(self, grid: scoring.RatingGrid, codes: Sequence[str]) -> None:
        self.grid = grid
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


def _folded_ratings(
    cycle: Cycle, codes: list[str], grids: dict[int, scoring.RatingGrid], template_of: dict[int, int],
) -> dict[int, Ratings]:
    """The portable read (SQLite; PostgreSQL without numpy): the database folds each appraisal's
    scores into one text row of integers, each (indicator index × 8 + role index) × 10001 +
    hundredths, so Python splits one string per person instead of receiving millions of row
    tuples; `_DenseDecoder` turns the usual shape into DenseRatings."""
    decoders = {ct_id: _DenseDecoder(grid, codes) for ct_id, grid in grids.items()}
    code_case = " ".join(f"WHEN %s THEN {i}" for i in range(len(codes)))
    role_case = " ".join(f"WHEN %s THEN {i}" for i in range(len(ROLES)))
    hundredths = "(s.value * 100)::int" if connection.vendor == "postgresql" else "CAST(ROUND(s.value * 100) AS INTEGER)"
    encoded = (f"((CASE s.indicator_code {code_case} ELSE -1 END) * 8 + (CASE s.role {role_case} END)) * {BASE}"
               f" + {hundredths}")
    agg = "string_agg(CAST({e} AS TEXT), ',')" if connection.vendor == "postgresql" else "group_concat({e}, ',')"
    pending_sql, pending_params = _pending_filter(cycle)
    # Only table names and CASE arms with %s placeholders are formatted in; codes are parameters.
    sql = (
        f"SELECT s.appraisal_id, {agg.format(e=encoded)} "  # noqa: S608
        f"FROM {Score._meta.db_table} s WHERE s.cycle_id = %s{pending_sql} GROUP BY s.appraisal_id"
    )
    names = [(code, ROLES[r] if r < len(ROLES) else "") for code in codes for r in range(8)]
    ratings: dict[int, Ratings] = {}
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET LOCAL work_mem = '512MB'")
            cur.execute("SET LOCAL jit = off")
        cur.execute(sql, [*codes, *ROLES, cycle.pk, *pending_params])
        for aid, packed in cur.fetchall():
            numbers = list(map(int, packed.split(",")))
            decoder = decoders.get(template_of.get(aid, -1))
            dense = decoder.decode(numbers) if decoder is not None else None
            ratings[aid] = dense if dense is not None else _ratings_from_numbers(numbers, names)
    return ratings


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
    team_of = {r[0]: r[7] for r in rows if r[7]}
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
    with scoring.collector_paused():
        templates, by_template, _ = _load_inputs(cycle)
        specs = _specs(templates)
        return {int(r.subject_id): r for ct_id, inputs in by_template.items()
                for r in scoring.compute_cycle(specs[ct_id], inputs)}


def _specs(templates: dict[int, CycleTemplate]) -> dict[int, scoring.TemplateSpec]:
    specs = {}
    for ct_id, ct in templates.items():
        spec = spec_from_snapshot(ct.snapshot)
        # Pools are set per group when bonuses are prepared; until then grades are what matter.
        specs[ct_id] = _without_pool(spec) if spec.bonus == "pool" else spec
    return specs


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
# What a COPY line holds: the same time for every row and the state (open → computed, else kept)
# are set by the UPDATE itself, which spares parsing them 100,000 times.
COPY_FIELDS = RESULT_FIELDS[:-2]
# Cycles from this many appraisals up are scored and saved as a pipeline (PostgreSQL, where the
# database does its share of the work in parallel too); see docs/cycles.md.
FORK_FROM = 20_000
# The pipeline's chunks of whole groups, by weight: the parent scores the first three, a forked child
# the others. The parent's first chunk is small so that the database starts writing early: from then
# on the save (one PostgreSQL process) is the longest line of work, and scoring keeps ahead of it.
CHUNK_WEIGHTS = (0.03, 0.17, 0.25, 0.15, 0.18, 0.22)
PARENT_CHUNKS = 3


@transaction.atomic
def cycle_compute(*, actor: User, cycle: Cycle, progress: ProgressFn | None = None) -> ComputeSummary:
    ensure_hr(actor)
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    ensure_state(cycle, *BEFORE_PUBLICATION)
    with scoring.collector_paused():  # millions of short-lived acyclic objects: see docs/scoring.md
        templates, by_template, appraisals = _load_inputs(cycle)
        latest_calibration = _latest_calibrations(cycle)
        calibrated = {
            a.pk: a for a in Appraisal.objects.filter(pk__in=list(latest_calibration)).select_related(
                "worker", "cycle", "cycle_template")
        }
        render = _Render(templates, appraisals, latest_calibration, calibrated, timezone.now(),
                         copy_text=connection.vendor == "postgresql")
        specs = _specs(templates)
        if render.copy_text and len(appraisals) >= FORK_FROM:
            graded = _pipelined(cycle, render, specs, by_template)
        else:
            rows, graded = render(specs, list(by_template.items()))
            with _Saver(cycle, render.now) as save:
                save(rows)
    checkpoint("compute_saved")  # results written, transaction open: a crash here must leave nothing
    if progress:
        progress(len(appraisals), len(appraisals), "computed")
    audit_changes(actor, cycle, {"computed": [None, len(appraisals)], "graded": [None, graded]}, reason="compute")
    return ComputeSummary(computed=len(appraisals), graded=graded)


def _pipelined(cycle: Cycle, render: _Render, specs: dict[int, scoring.TemplateSpec],
               by_template: dict[int, list[scoring.SubjectInput]]) -> int:
    """Score and save a big cycle so that both cores and the database work at once: the groups are
    cut into CHUNK_WEIGHTS chunks, a forked child scores its chunks while the parent scores its own,
    and a thread of the parent saves every chunk (COPY + UPDATE on the compute's connection, in its
    transaction) as soon as it is ready, the child's handed over by a second thread as they come.
    The same rows are written as by one save, so the results are the same; the number of queries
    is fixed by the number of chunks."""
    chunks = _shares(by_template, CHUNK_WEIGHTS)
    child = _ForkedChunks(lambda i: render.text(specs, chunks[i]), range(PARENT_CHUNKS, len(chunks)))
    graded: list[int] = []
    try:
        with _Saver(cycle, render.now, chunked=True) as save, _Background(save) as saving:
            def hand_over() -> None:
                # Ends quietly on an error: a failed save is raised in the caller by `saving`, and
                # a chunk not handed over stays pending, for the loop below.
                with contextlib.suppress(BaseException):
                    while child.delivering:
                        for text, number in child.ready(wait=True, fallback=False):
                            graded.append(number)
                            saving.put([text])

            collector = threading.Thread(target=hand_over, name="compute-collect", daemon=True)
            collector.start()
            try:
                for i in range(PARENT_CHUNKS):
                    rows, number = render(specs, chunks[i])
                    graded.append(number)
                    saving.put(rows)
            except BaseException:
                child.stop()  # its pipe closes, so the collector ends now, not when the child is done
                raise
            finally:
                collector.join()
            while not child.finished:  # what the child did not deliver, done here
                for text, number in child.ready(wait=True):
                    graded.append(number)
                    saving.put([text])
    finally:
        child.discard()
    return sum(graded)


Share = list[tuple[int, list[scoring.SubjectInput]]]  # (cycle template, subjects of whole groups)


def _shares(by_template: dict[int, list[scoring.SubjectInput]], weights: Sequence[float]) -> list[Share]:
    """The subjects in shares of whole groups, of sizes roughly in proportion to `weights`: a group
    is ranked, graded and paid on its own, so scoring the shares apart gives the same results."""
    if len(weights) == 1:
        return [list(by_template.items())]
    groups: list[tuple[int, int, list[scoring.SubjectInput]]] = []
    for ct_id, inputs in by_template.items():
        by_key: dict[str, list[scoring.SubjectInput]] = defaultdict(list)
        for subject in inputs:
            by_key[subject.group_key].append(subject)
        groups += [(len(members), ct_id, members) for _, members in sorted(by_key.items())]
    shares: list[Share] = [[] for _ in weights]
    sizes = [0] * len(weights)
    for size, ct_id, members in sorted(groups, key=lambda g: -g[0]):
        # the share furthest below its part of the whole after taking this group
        i = min(range(len(weights)), key=lambda j: (sizes[j] + size) / weights[j])
        shares[i].append((ct_id, members))
        sizes[i] += size
    return shares


class _Render:
    """Scores a share of the cycle and turns each result into what `_Saver` writes: on PostgreSQL
    straight into its line of COPY text (COPY_FIELDS: the computed time and the state are set by
    the UPDATE), elsewhere (and for a calibrated result, which goes through the model) a tuple of
    RESULT_FIELDS."""

    def __init__(self, templates: dict[int, CycleTemplate], appraisals: list[tuple[Any, ...]],
                 latest_calibration: dict[int, Calibration], calibrated: dict[int, Appraisal], now: dt.datetime,
                 *, copy_text: bool) -> None:
        self.bands = {ct_id: {b["code"]: b for b in ct.snapshot["bands"]} for ct_id, ct in templates.items()}
        self.names = {ct_id: {code: band["name"] for code, band in by_code.items()}
                      for ct_id, by_code in self.bands.items()}
        self.grade_texts = {ct_id: {code: f"{_copy_text(code)}\t{_copy_text(name)}" for code, name in names.items()}
                            for ct_id, names in self.names.items()}
        self.states = {aid: state for aid, _, state, *_ in appraisals}
        self.latest_calibration = latest_calibration
        self.calibrated = calibrated
        self.now = now
        self.copy_text = copy_text

    def __call__(self, specs: dict[int, scoring.TemplateSpec], share: Share) -> tuple[list[Any], int]:
        rows: list[Any] = []
        add = rows.append
        graded = 0
        summaries: dict[tuple[Any, ...], tuple[str, str]] = {}
        computed, opened = AppraisalState.COMPUTED, AppraisalState.OPEN
        now, blank = self.now, "\t"
        states, calibrations, copy_text = self.states, self.latest_calibration, self.copy_text
        for ct_id, inputs in share:
            grade_texts, names = self.grade_texts[ct_id], self.names[ct_id]
            for r in scoring.compute_cycle(specs[ct_id], inputs):
                aid = int(r.subject_id)
                grade = r.grade or ""
                cal = calibrations.get(aid)
                if copy_text and cal is None:
                    composite, rank = r.composite, r.rank
                    add(f"{aid}\t{NULL if composite is None else composite}\t"
                        f"{(grade_texts.get(grade) or _copy_text(grade) + blank) if grade else blank}\t"
                        f"{NULL if rank is None else rank}\t{r.group_size}\t{r.coefficient}\t{r.bonus_fen}\t"
                        f"{_summary_json(r, summaries, escaped=True)}\n")
                    graded += bool(grade)
                    continue
                state = states[aid]
                row: tuple[Any, ...] = (
                    aid, r.composite, grade, names.get(grade, ""), r.rank, r.group_size, r.coefficient,
                    r.bonus_fen, _summary_json(r, summaries), now, computed if state == opened else state)
                if cal is not None:
                    row = _calibrated_row(self.calibrated[aid], row, cal, self.bands[ct_id])
                graded += bool(row[2])
                add(_copy_line(row) if copy_text else row)
        return rows, graded

    def text(self, specs: dict[int, scoring.TemplateSpec], share: Share) -> tuple[str, int]:
        rows, graded = self(specs, share)
        return "".join(rows), graded


class _ForkedChunks:
    """Runs `work(i)` (pure computation returning (COPY text, int)) for each chunk index in a forked
    child while the caller goes on, so that scoring uses both cores; each chunk is handed over as
    soon as it is done, so that it can be saved while the child scores the next.

    The child inherits the loaded inputs (copy-on-write), touches neither the database nor any
    shared state, writes each chunk's result to its own temporary file, announces it on a pipe
    (index and number) and leaves with os._exit (no clean-up of the parent's connections). A chunk
    the child did not announce, because it failed in any way, is done in-process by `ready`: the
    outcome is the same, only slower. `discard()` (always called) ends and reaps the child and
    removes the files."""

    def __init__(self, work: Callable[[int], tuple[str, int]], chunks: Iterable[int]) -> None:
        self.work = work
        self.pending = list(chunks)
        self.pid = 0
        self.reaped = True
        self.fd = -1
        self.buffer = b""
        self.folder = ""
        if not hasattr(os, "fork") or not self.pending:
            return
        self.folder = tempfile.mkdtemp(prefix="outperform-compute-")
        read_end, write_end = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child
            code = 1
            try:
                os.close(read_end)
                for i in self.pending:
                    text, number = work(i)
                    with open(self._path(i), "w", encoding="utf-8") as out:
                        out.write(text)
                    os.write(write_end, f"{i} {number}\n".encode())
                code = 0
            finally:
                os._exit(code)
        os.close(write_end)
        self.fd = read_end
        self.reaped = False

    def _path(self, i: int) -> str:
        return os.path.join(self.folder, str(i))

    @property
    def finished(self) -> bool:
        return not self.pending

    @property
    def delivering(self) -> bool:
        """Whether the child may still announce chunks (its end of the pipe is open)."""
        return self.fd >= 0

    def ready(self, *, wait: bool, fallback: bool = True) -> list[tuple[str, int]]:
        """The chunks finished since the last call; with `wait`, at least one unless none is left
        (with `fallback`, a chunk the child can no longer deliver is done here)."""
        done: list[tuple[str, int]] = []
        if self.fd >= 0 and (wait or select.select([self.fd], [], [], 0)[0]):
            data = os.read(self.fd, 4096)
            if not data:  # the child has ended: what it did not announce is left to the fallback
                os.close(self.fd)
                self.fd = -1
                self._reap()
            *lines, self.buffer = (self.buffer + data).split(b"\n")
            for line in lines:
                i, number = map(int, line.split())
                with open(self._path(i), encoding="utf-8") as result:
                    done.append((result.read(), number))
                self.pending.remove(i)
        if fallback and self.fd < 0 and self.pending and (wait or not self.pid):
            done += [self.work(i) for i in self.pending]
            self.pending = []
        return done

    def _reap(self) -> None:
        if self.reaped:
            return
        with contextlib.suppress(ChildProcessError):  # reaped by someone else's SIGCHLD handler
            os.waitpid(self.pid, 0)
        self.reaped = True

    def stop(self) -> None:
        """Ends the child now (its results are no longer wanted)."""
        if not self.reaped:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)

    def discard(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        if not self.reaped:
            self.stop()
            self._reap()
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)


class _Background:
    """Runs `save` on each batch of rows `put` to it, in order, in a thread of its own: the save
    waits on PostgreSQL (the GIL is released meanwhile) while the caller goes on scoring.

    The thread uses the caller's connection (shared for the duration; the caller makes no query
    until it leaves the block), hence the caller's transaction. Leaving the block waits for every
    batch to be saved; an error of the save is raised there, in the caller."""

    def __init__(self, save: Callable[[Sequence[Any]], None]) -> None:
        self.save = save
        self.batches: queue.SimpleQueue[Sequence[Any] | None] = queue.SimpleQueue()
        self.error: BaseException | None = None
        self.db = connections[DEFAULT_DB_ALIAS]
        self.thread = threading.Thread(target=self._run, name="compute-save", daemon=True)

    def __enter__(self) -> _Background:
        self.db.inc_thread_sharing()
        self.thread.start()
        return self

    def put(self, rows: Sequence[Any]) -> None:
        if self.error is not None:
            raise self.error
        self.batches.put(rows)

    def _run(self) -> None:
        while (rows := self.batches.get()) is not None:
            if self.error is None:
                try:
                    self.save(rows)
                except BaseException as exc:  # raised again in the caller's thread
                    self.error = exc

    def __exit__(self, *exc: object) -> None:
        self.batches.put(None)
        self.thread.join()
        self.db.dec_thread_sharing()
        if self.error is not None and exc[0] is None:
            raise self.error


def _calibrated_row(a: Appraisal, row: tuple[Any, ...], cal: Calibration, bands: dict[str, Any]) -> tuple[Any, ...]:
    """The engine's row with the latest calibration applied (few rows: through the model)."""
    values = dict(zip(RESULT_FIELDS, row[1:], strict=True))
    values["breakdown"] = json.loads(str(values["breakdown"]))
    for name, value in values.items():
        setattr(a, name, value)
    _apply_calibration(a, cal, bands)
    return (row[0], *(json.dumps(a.breakdown, ensure_ascii=False) if name == "breakdown" else getattr(a, name)
                      for name in RESULT_FIELDS))


def _summary_json(r: scoring.SubjectResult, cache: dict[tuple[Any, ...], tuple[str, str]], escaped: bool = False,
                  ) -> str:
    """result_summary(r) as JSON text (`escaped`: as a field of COPY text), keys in its order.
    Subjects share few distinct summaries apart from the weighted score and the grade's reason (it
    names the rank): the fields before and after the reason are encoded once per distinct value,
    the reason on its own by json's C string encoder."""
    key = (r.adjustment_total, r.band_grade, r.not_applicable, r.vetoes, escaped)
    parts = cache.get(key)
    if parts is None:
        summary = result_summary(r)
        names = list(summary)
        at = names.index("grade_reason")
        assert names[0] == "weighted_score"  # noqa: S101  # the pieces below rely on the order
        assert 0 < at < len(names) - 1  # noqa: S101
        head = json.dumps({k: summary[k] for k in names[1:at]}, ensure_ascii=False)[1:-1]
        tail = json.dumps({k: summary[k] for k in names[at + 1:]}, ensure_ascii=False)[1:-1]
        parts = cache[key] = (_copy_text(head), _copy_text(tail)) if escaped else (head, tail)
    reason = _json_text(r.grade_reason)
    weighted = "null" if r.weighted_score is None else f'"{r.weighted_score}"'
    return (f'{{"weighted_score": {weighted}, {parts[0]}, "grade_reason": '
            f'{_copy_text(reason) if escaped else reason}, {parts[1]}}}')


_json_text = json.encoder.encode_basestring  # = json.dumps(text, ensure_ascii=False)


class _Saver:
    """Writes results, each call in one statement per database: PostgreSQL gets them through COPY
    into a temporary table (`rows` are then texts of COPY lines, see `_copy_line`) and one
    UPDATE … FROM; other databases through one prepared UPDATE (`rows` are tuples). A compute
    calls it once, or once per chunk of the pipeline (a fixed number), so the number of queries
    does not depend on the number of subjects."""

    def __init__(self, cycle: Cycle, now: dt.datetime, *, chunked: bool = False) -> None:
        self.cycle = cycle
        self.now = now
        self.chunked = chunked
        self.planner: list[str] = []
        # The wrapper itself, not the thread-local proxy: a pipelined compute saves from a thread.
        self.db = connections[DEFAULT_DB_ALIAS]
        self.fields = [cast(Field, Appraisal._meta.get_field(name)) for name in RESULT_FIELDS]
        self.columns = [str(f.column) for f in self.fields]
        self.q = self.db.ops.quote_name

    def __enter__(self) -> _Saver:
        if self.db.vendor == "postgresql":
            defs = ", ".join(f"{self.q(c)} {f.db_type(self.db)}"
                             for c, f in zip(self.columns, self.fields, strict=True) if f.name in COPY_FIELDS)
            with self.db.cursor() as cur:
                cur.execute(f"CREATE TEMP TABLE compute_results (id bigint, {defs}) ON COMMIT DROP")
                if self.chunked:
                    # A chunk is a fraction of the cycle: its rows are found through the primary
                    # key (a nested loop) instead of a hash join, which would read the whole
                    # appraisal table once per chunk. Restored on the way out.
                    cur.execute(f"SELECT {', '.join(map(_get_set_off, PROBE_ONLY))}")
                    self.planner = list(cur.fetchone()[::2])
        return self

    def __exit__(self, *exc: object) -> None:
        if self.db.vendor == "postgresql" and exc[0] is None:
            with self.db.cursor() as cur:
                cur.execute("DROP TABLE compute_results")
                if self.planner:
                    cur.execute(f"SELECT {', '.join(['set_config(%s, %s, true)'] * len(PROBE_ONLY))}",
                                [value for pair in zip(PROBE_ONLY, self.planner, strict=True) for value in pair])

    def __call__(self, rows: Sequence[Any]) -> None:
        table, q, columns = Appraisal._meta.db_table, self.q, self.columns
        with self.db.cursor() as cur:
            if self.db.vendor != "postgresql":
                sets = ", ".join(f"{q(c)} = %s" for c in columns)
                cur.executemany(f"UPDATE {q(table)} SET {sets} WHERE id = %s",  # noqa: S608  # names from the model
                                [[*(f.get_db_prep_save(v, self.db) if f.name != "breakdown" else v
                                    for f, v in zip(self.fields, row[1:], strict=True)), row[0]] for row in rows])
                return
            with cur.cursor.copy("COPY compute_results FROM STDIN") as copy:
                for i in range(0, len(rows), 20000):
                    copy.write("".join(rows[i:i + 20000]))
            if not self.chunked:
                # Statistics of the join key only: a hash join, not a sort of 100,000 rows on disk,
                # without the cost of sampling the JSON column (a second, for nothing the plan needs).
                cur.execute("ANALYZE compute_results (id)")
            sets = ", ".join(f"{q(c)} = s.{q(c)}" for c, f in zip(columns, self.fields, strict=True)
                             if f.name in COPY_FIELDS)
            cur.execute(f"UPDATE {q(table)} t SET {sets}, computed_at = %s, "  # noqa: S608
                        "state = CASE WHEN t.state = %s THEN %s ELSE t.state END FROM compute_results s "
                        "WHERE t.id = s.id AND t.cycle_id = %s",
                        [self.now, AppraisalState.OPEN, AppraisalState.COMPUTED, self.cycle.pk])
            cur.execute("TRUNCATE compute_results")


PROBE_ONLY = ("enable_hashjoin", "enable_mergejoin")


def _get_set_off(name: str) -> str:
    return f"current_setting('{name}'), set_config('{name}', 'off', true)"


NULL = "\\N"  # NULL in COPY text
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: str) -> str:
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_COPY_ESCAPES)
    return value


def _copy_line(row: tuple[Any, ...]) -> str:
    """One line of COPY text: fields by tab, NULL as \\N, backslash and control characters escaped.
    The row is (id, composite, grade, grade name, rank, group size, coefficient, bonus, breakdown
    JSON, computed at, state); the line holds the COPY_FIELDS (the UPDATE sets the last two).
    Numbers print as they are, only the texts need escaping."""
    aid, composite, grade, name, rank, size, coefficient, bonus, breakdown, _at, _state = row
    n = "\\N"
    return (f"{aid}\t{n if composite is None else composite}\t{_copy_text(grade)}\t{_copy_text(name)}\t"
            f"{n if rank is None else rank}\t{n if size is None else size}\t"
            f"{n if coefficient is None else coefficient}\t{n if bonus is None else bonus}\t"
            f"{n if breakdown is None else _copy_text(breakdown)}\n")


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
    return appraisals_explain([appraisal])[appraisal.pk]


def appraisals_explain(appraisals: Sequence[Appraisal]) -> dict[int, dict[str, Any]]:
    """appraisal_explain of many appraisals (with their cycle_template loaded) from four queries,
    whatever their number: a batch of reports must not read each person's rows one by one."""
    ids = [a.pk for a in appraisals]
    ratings: dict[int, dict[str, dict[str, list[Decimal]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list)))
    for aid, code, role, value in Score.objects.filter(
        appraisal_id__in=ids, assignment__state=AssignmentState.SUBMITTED
    ).values_list("appraisal_id", "indicator_code", "role", "value"):
        ratings[aid][code][role].append(value)
    metrics: dict[int, dict[str, Decimal | None]] = defaultdict(dict)
    for aid, metric, metric_value in MetricValue.objects.filter(appraisal_id__in=ids).values_list(
            "appraisal_id", "metric", "value"):
        metrics[aid][metric] = metric_value
    goal: dict[int, dict[str, Decimal | None]] = defaultdict(dict)
    _goal_metric(Goal.objects.filter(appraisal_id__in=ids), goal)
    entries: dict[int, list[tuple[str, Any, bool]]] = defaultdict(list)
    for aid, code, amount, is_veto in AdjustmentEntry.objects.filter(appraisal_id__in=ids).order_by("pk").values_list(
            "appraisal_id", "code", "value", "is_veto"):
        entries[aid].append((code, amount, is_veto))
    return {a.pk: _explain(a, ratings[a.pk], {**goal[a.pk], **metrics[a.pk]}, entries[a.pk]) for a in appraisals}


def _explain(appraisal: Appraisal, ratings: dict[str, dict[str, list[Decimal]]], metrics: dict[str, Decimal | None],
             entries: list[tuple[str, Any, bool]]) -> dict[str, Any]:
    snap = appraisal.cycle_template.snapshot
    spec = spec_from_snapshot(snap)
    if spec.bonus == "pool":
        spec = _without_pool(spec)
    adjustments, vetoes = [], []
    caps = {a["code"]: Decimal(a["cap"]) for a in snap["adjustments"]}
    for code, value, is_veto in entries:
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
