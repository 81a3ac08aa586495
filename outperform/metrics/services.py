"""Writes of the metrics app: feeding quantitative indicators (docs/metrics.md §Refresh).

`metrics_refresh(cycle)` computes, for every appraisal of a cycle that is not yet published, each
metric its template uses, over the cycle's period, and upserts `cycles.MetricValue` rows with
source "metric". A value of any other source (HR's "manual" entry, an API push) is never
overwritten. Queries do not grow with the number of appraisals: one read of the definitions, one
GROUP BY per metric over records and subject level (a formula metric's parts are such metrics,
evaluated once however many formulas read them), one read of the existing values, bulk inserts and
updates, one audit INSERT.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError, Q

from outperform.core.audit import audit_bulk, snapshot
from outperform.core.db import bulk_update_fast
from outperform.core.models import User
from outperform.core.services import object_delete
from outperform.cycles.models import Appraisal, Cycle, CycleState, CycleTemplate, MetricValue, Team

from . import engine, formulas
from .models import Metric

log = logging.getLogger(__name__)

SOURCE = "metric"  # MetricValue.source of values written here
# Cycles whose appraisals still take data: opened and not yet published.
REFRESHABLE = (CycleState.GOAL_SETTING, CycleState.IN_PROGRESS, CycleState.SELF_REVIEW, CycleState.REVIEW,
               CycleState.CALIBRATION)
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
ProgressFn = Callable[[int, int, str], None]


@dataclass
class RefreshSummary:
    cycle_id: int
    metrics: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_manual: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def template_metric_names(snapshot_: dict[str, Any]) -> set[str]:
    """Every metric name a template's quantitative indicators read: the indicator's metric and any
    name inside a formula rule (e.g. `value / tasks_assigned * 100` also reads tasks_assigned)."""
    names: set[str] = set()
    for item in snapshot_.get("indicators", []):
        if item.get("kind") != "quantitative":
            continue
        names.add(str(item.get("metric") or item["code"]))
        rule = item.get("rule") or {}
        if rule.get("type") == "formula":
            names.update(NAME.findall(str(rule.get("expression", ""))))
    return names


def _subject_groups(rows: Sequence[tuple[int, int, str, int | None, int | None, int | None]]
                    ) -> tuple[dict[str, dict[int, int]], dict[int, int]]:
    """Appraisal ids by subject level → subject id, and team appraisals → team id."""
    direct: dict[str, dict[int, int]] = {"worker": {}, "vendor": {}}
    teams: dict[int, int] = {}
    for aid, _ct, kind, worker_id, vendor_id, team_id in rows:
        if kind == "worker" and worker_id:
            direct["worker"][aid] = worker_id
        elif kind == "vendor" and vendor_id:
            direct["vendor"][aid] = vendor_id
        elif kind == "team" and team_id:
            teams[aid] = team_id
    return direct, teams


def _resolvers(defs: dict[str, Metric], appraisals: dict[int, set[str]], direct: dict[str, dict[int, int]],
               teams: dict[int, int], members: dict[int, set[int]], start: dt.date, end: dt.date
               ) -> list[tuple[formulas.Resolver, dict[int, Any]]]:
    """One resolver per kind of subject — workers, vendors (by id), teams (over their members'
    records, by appraisal) — with the appraisal → key it answers for. Each metric is evaluated once
    per resolver for all its subjects (one GROUP BY, whatever their number); a formula's parts too."""
    reading = {aid for aid, names in appraisals.items() if names}
    out: list[tuple[formulas.Resolver, dict[int, Any]]] = []
    for level in ("worker", "vendor"):
        subjects = {aid: sid for aid, sid in direct[level].items() if aid in reading}
        if not subjects:
            continue
        ids = sorted(set(subjects.values()))

        def base(m: Metric, level: str = level, ids: list[int] = ids) -> Any:
            return engine.evaluate(m.spec(), level, ids, start, end)

        out.append((formulas.Resolver(defs, ids, base, level), subjects))
    team_aids = {aid: aid for aid in teams if aid in reading}
    if team_aids:
        groups = {aid: members.get(teams[aid], set()) for aid in team_aids}

        def team_base(m: Metric) -> Any:
            return engine.evaluate_groups(m.spec(), "worker", groups, start, end)

        out.append((formulas.Resolver(defs, list(groups), team_base, "worker"), team_aids))
    return out


@transaction.atomic
def metrics_refresh(*, cycle: Cycle, actor: User | None = None, codes: Collection[str] | None = None,
                    appraisal_ids: Collection[int] | None = None, subject_kinds: Collection[str] | None = None,
                    progress: ProgressFn | None = None) -> RefreshSummary:
    """Recompute the data-fed metric values of a running cycle (all appraisals, or some: by id,
    by subject kind)."""
    summary = RefreshSummary(cycle_id=cycle.pk)
    if cycle.state not in REFRESHABLE:
        return summary
    names_of = {ct.pk: template_metric_names(ct.snapshot) for ct in CycleTemplate.objects.filter(cycle=cycle)}
    defs = formulas.definitions()  # formulas read their parts whether the templates name them or not
    named = set().union(*names_of.values()) if names_of else set()
    defined = {c: m for c, m in defs.items() if m.is_active and c in named}
    if codes is not None:
        defined = {c: m for c, m in defined.items() if c in set(codes)}
    if not defined:
        return summary
    qs = Appraisal.objects.filter(cycle=cycle)
    if appraisal_ids is not None:
        qs = qs.filter(pk__in=list(appraisal_ids))
    if subject_kinds is not None:
        qs = qs.filter(subject_kind__in=sorted(subject_kinds))
    rows = list(qs.values_list("id", "cycle_template_id", "subject_kind", "worker_id", "vendor_id", "team_id"))
    appraisals = {r[0]: names_of.get(r[1], set()) & set(defined) for r in rows}
    direct, teams = _subject_groups(rows)
    members: dict[int, set[int]] = defaultdict(set)
    if teams:
        for tid, wid in Team.members.through.objects.filter(team_id__in=set(teams.values())).values_list(
                "team_id", "worker_id"):
            members[tid].add(wid)
    computed: dict[tuple[int, str], Decimal | None] = {}
    resolvers = _resolvers(defs, appraisals, direct, teams, members, cycle.start_date, cycle.end_date)
    total = len(defined)
    for i, code in enumerate(sorted(defined)):
        for resolver, keys in resolvers:
            wanted = {aid: key for aid, key in keys.items() if code in appraisals[aid]}
            if wanted:
                outcomes = resolver.outcomes(code)
                computed.update({(aid, code): outcomes[key].value for aid, key in wanted.items()})
        if progress is not None:
            progress(i + 1, total, code)
    summary.metrics = sorted(defined)
    _save(cycle, computed, summary, actor)
    return summary


def _save(cycle: Cycle, computed: dict[tuple[int, str], Decimal | None], summary: RefreshSummary,
          actor: User | None) -> None:
    existing = {
        (mv.appraisal_id, mv.metric): mv
        for mv in MetricValue.objects.filter(cycle=cycle, appraisal_id__in={a for a, _ in computed},
                                             metric__in={m for _, m in computed})
    }
    create: list[MetricValue] = []
    update: list[tuple[MetricValue, dict[str, Any]]] = []
    for (aid, code), value in sorted(computed.items()):
        mv = existing.get((aid, code))
        if mv is None:
            create.append(MetricValue(appraisal_id=aid, cycle=cycle, metric=code, value=value, source=SOURCE))
        elif mv.source != SOURCE:
            summary.kept_manual += 1  # HR's own entry wins over data; clear it to let data in
        elif mv.value != value:
            before = snapshot(mv)
            mv.value = value
            update.append((mv, before))
        else:
            summary.unchanged += 1
    MetricValue.objects.bulk_create(create, batch_size=2000)
    bulk_update_fast(MetricValue, [mv for mv, _ in update], ["value"])
    summary.created, summary.updated = len(create), len(update)
    if create or update:
        # Databases that cannot return ids from a bulk insert: read them back for the audit rows.
        if create and create[0].pk is None:
            ids = dict(((a, m), pk) for pk, a, m in MetricValue.objects.filter(
                cycle=cycle, source=SOURCE).values_list("id", "appraisal_id", "metric"))
            for mv in create:
                mv.pk = ids[(mv.appraisal_id, mv.metric)]
        audit_bulk(actor, created=create, updated=update, reason="metrics_refresh")


def open_cycles() -> list[Cycle]:
    return list(Cycle.objects.filter(state__in=REFRESHABLE))


def metrics_refresh_open(*, actor: User | None = None) -> list[RefreshSummary]:
    """Every running cycle (the periodic task and `manage.py refresh_metrics`)."""
    return [metrics_refresh(cycle=c, actor=actor) for c in open_cycles()]


Span = tuple[dt.date, dt.date | None]  # days from … to (both included); None: still going on
# Which appraisals a subject level feeds (see _resolvers): teams are computed over their members.
KINDS_OF_LEVEL = {"worker": ("worker", "team"), "vendor": ("vendor",)}


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """Overlapping or adjacent spans joined, in order: an import of 100,000 workers hired over a few
    years queues a handful of spans, not one per row."""
    out: list[Span] = []
    for start, end in sorted(spans, key=lambda s: s[0]):
        if out:
            last_start, last_end = out[-1]
            if last_end is None or start <= last_end + dt.timedelta(days=1):
                out[-1] = (last_start, None if last_end is None or end is None else max(last_end, end))
                continue
        out.append((start, end))
    return out


def _cycle_touched(cycle: Cycle, days: Sequence[dt.date] | None, spans: Sequence[Span] | None) -> bool:
    if days is None and spans is None:
        return True
    if days and any(cycle.start_date <= d <= cycle.end_date for d in days):
        return True
    return bool(spans) and any(start <= cycle.end_date and (end is None or end >= cycle.start_date)
                               for start, end in spans or ())


def _subject_kinds(codes: Collection[str], defs: dict[str, Metric]) -> set[str]:
    """The appraisal subject kinds for which one of `codes` can have a value. A metric that no
    appraisal level allows (headcount has no worker level, so neither worker nor team appraisals
    read it) would only rewrite "not applicable" there: those appraisals are left out."""
    kinds: set[str] = set()
    for code in codes:
        for level in formulas.allowed_levels(defs[code], defs):
            kinds.update(KINDS_OF_LEVEL.get(level, ()))
    return kinds


def metrics_refresh_for_source(source_key: str, *, dates: Iterable[dt.date] | None = None,
                               spans: Iterable[Span] | None = None,
                               vendor_ids: Collection[int] | None = None,
                               worker_ids: Collection[int] | None = None) -> list[RefreshSummary]:
    """The hook for writers of records: after records of `source_key` changed, refresh the metrics
    that read that source in the running cycles whose period contains one of `dates` or overlaps one
    of `spans` (all running cycles when both are None), for the appraisals of the touched
    vendors/workers (all when both are None).

    `spans` are for records that last (headcount: a worker from hire to leave): a change to one
    reaches every period it overlaps, not only those holding its first and last day.

    Only appraisals of the kinds the metrics can be computed for are refreshed (`_subject_kinds`):
    appraisals are of workers, vendors and teams (teams over their members' records); department
    and project values are read live by the explorer, the dashboards and the alert rules, so no
    appraisal holds them.

    Call it after the write has committed, e.g. `transaction.on_commit(lambda: ...)`, or use
    `metrics_refresh_for_source_later` to run it in the background. Formula metrics reading those
    metrics, directly or through other formulas, are refreshed with them."""
    defs = formulas.definitions()
    reading = {c for c, m in defs.items() if m.source == source_key}
    codes = {c for c in reading | formulas.dependents(reading, defs) if defs[c].is_active}
    kinds = _subject_kinds(codes, defs)
    if not codes or not kinds:
        return []
    day_list = sorted(set(dates)) if dates is not None else None
    span_list = merge_spans(spans) if spans is not None else None
    only_kinds = None if kinds >= {"worker", "team", "vendor"} else kinds
    out = []
    for cycle in open_cycles():
        if not _cycle_touched(cycle, day_list, span_list):
            continue
        appraisal_ids = None
        if vendor_ids is not None or worker_ids is not None:
            q = Q(pk__in=[])
            if vendor_ids:
                q |= Q(vendor_id__in=list(vendor_ids))  # the vendor itself and the vendor's workers
            if worker_ids:
                q |= Q(worker_id__in=list(worker_ids)) | Q(team__members__in=list(worker_ids))
            qs = Appraisal.objects.filter(q, cycle=cycle)
            if only_kinds is not None:
                qs = qs.filter(subject_kind__in=sorted(only_kinds))
            appraisal_ids = set(qs.values_list("id", flat=True))
            if not appraisal_ids:
                continue
        out.append(metrics_refresh(cycle=cycle, codes=codes, appraisal_ids=appraisal_ids, subject_kinds=only_kinds))
    return out


def metrics_refresh_for_source_later(source_key: str, *, dates: Iterable[dt.date] | None = None,
                                     spans: Iterable[Span] | None = None,
                                     vendor_ids: Collection[int] | None = None,
                                     worker_ids: Collection[int] | None = None) -> None:
    """Queue `metrics_refresh_for_source` to run after the current transaction commits (nothing
    if it rolls back): one task, whatever the number of records, with the spans merged."""
    from .tasks import refresh_for_source

    kwargs: dict[str, Any] = {
        "source_key": source_key,
        "dates": None if dates is None else sorted({d.isoformat() for d in dates}),
        "vendor_ids": None if vendor_ids is None else sorted(set(vendor_ids)),
        "worker_ids": None if worker_ids is None else sorted(set(worker_ids)),
    }
    if spans is not None:
        # Only when given, so the message stays readable by a worker that predates spans.
        kwargs["spans"] = [[a.isoformat(), b.isoformat() if b else None] for a, b in merge_spans(spans)]

    def enqueue() -> None:
        try:
            refresh_for_source.delay(**kwargs)
        except Exception as exc:  # a broker that is down must not fail the write that touched records
            log.warning("metrics refresh could not be queued: %s", exc)

    transaction.on_commit(enqueue)


@transaction.atomic
def metric_delete(*, actor: User | None, metric: Metric) -> None:
    """Delete a definition (audited) unless a formula metric names it: the formula would read nothing
    and stay "not applicable" for ever. ProtectedError names the formulas (the page and the API turn
    it into their "still referred to" answer)."""
    users = formulas.referrers(metric.code)
    if users:
        raise ProtectedError(
            f"公式指标 {'、'.join(users)} 引用了 {metric.code} / formula metrics {', '.join(users)} use {metric.code}",
            set(Metric.objects.filter(code__in=users)))
    object_delete(actor=actor, obj=metric)
