"""Dashboard data (看板): each chart is a few GROUP BY queries over the caller's scoped appraisals.

The same functions serve HR (the whole organisation), a supervisor (their department subtree), a
vendor manager (their vendor) and a worker (themself): every queryset goes through
`access.scoping.restrict`, so the scope decides the numbers, never the page. The pages read them
through `dashboard_cached` (a minute per scope).

Results reach a viewer who is not organisation-wide (admin, HR, auditor) only from cycles that have
reached 结果发布 and only for published appraisals — the rule of `cycles.queries.results_visible`.

Rounding (ROUND_HALF_UP): mean composites to 0.01, shares to 0.1 %.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from outperform import scoring
from outperform.access.scoping import Scope, restrict, scope_for, scope_key
from outperform.cycles.models import (
    CYCLE_FLOW,
    Appraisal,
    AssignmentState,
    Cycle,
    CycleState,
    CycleTemplate,
    Goal,
    RaterAssignment,
)
from outperform.indicators.models import SubjectKind
from outperform.org.models import Department, Position
from outperform.vendors.models import Vendor

from .models import ResultCell, ResultExtreme
from .summary import summary_build, summary_fresh, summary_markers

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
TOP_N = 10
TREND_CYCLES = 8
PENDING_RATERS = 20
UNGRADED = "—"
RESULT_STATES = CYCLE_FLOW[CYCLE_FLOW.index(CycleState.CALIBRATION):]
PUBLIC_STATES = CYCLE_FLOW[CYCLE_FLOW.index(CycleState.PUBLISHED):]
RUNNING_STATES = CYCLE_FLOW[CYCLE_FLOW.index(CycleState.GOAL_SETTING):CYCLE_FLOW.index(CycleState.PUBLISHED)]
CHARTS = ("distribution", "departments", "vendors", "trend", "progress", "ranking", "alerts")
WORKER_CHARTS = ("my_trend", "my_goals")


def mean(total: Decimal | None, n: int) -> Decimal | None:
    if not n or total is None:
        return None
    return (Decimal(total) / n).quantize(CENT, rounding=ROUND_HALF_UP)


def share(part: int, whole: int) -> Decimal:
    if not whole:
        return Decimal("0.0")
    return (Decimal(part) * 100 / whole).quantize(TENTH, rounding=ROUND_HALF_UP)


def num(value: Decimal | None) -> float | None:
    """Numbers for ECharts (the .xlsx keeps the Decimal)."""
    return None if value is None else float(value)


@dataclass(frozen=True)
class Filters:
    cycle_id: int | None = None
    department_id: int | None = None
    vendor_id: int | None = None
    position_id: int | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Filters:
        def as_id(key: str) -> int | None:
            value = str(params.get(key) or "").strip()
            return int(value) if value.isdigit() else None

        return cls(cycle_id=as_id("cycle"), department_id=as_id("department"), vendor_id=as_id("vendor"),
                   position_id=as_id("position"))

    def as_params(self) -> dict[str, int]:
        pairs = {"cycle": self.cycle_id, "department": self.department_id, "vendor": self.vendor_id,
                 "position": self.position_id}
        return {k: v for k, v in pairs.items() if v is not None}


@dataclass
class Chart:
    """One chart: `data` feeds ECharts, `headers`/`rows` are its table (the .xlsx download)."""

    key: str
    title: str
    data: dict[str, Any]
    headers: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    note: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "data": self.data, "note": self.note,
                "table": {"headers": self.headers, "rows": [[_plain(v) for v in r] for r in self.rows]}}


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


# --- what the user may look at ----------------------------------------------------------------------


def visible_cycles(user: Any) -> list[Cycle]:
    """Worker cycles whose results this user may see, newest first."""
    states = RESULT_STATES if scope_for(user).whole_view else PUBLIC_STATES
    return list(restrict(Cycle.objects.filter(subject_kind=SubjectKind.WORKER, state__in=states), user)
                .order_by("-start_date", "-id").only("id", "name", "state", "start_date", "archived_at"))


def running_cycle(user: Any, filters: Filters) -> Cycle | None:
    qs = restrict(Cycle.objects.filter(subject_kind=SubjectKind.WORKER, state__in=RUNNING_STATES), user)
    if filters.cycle_id is not None:
        chosen = qs.filter(pk=filters.cycle_id).first()
        if chosen is not None:
            return chosen
    return qs.order_by("-start_date", "-id").first()


def pick_cycle(cycles: list[Cycle], filters: Filters) -> Cycle | None:
    for c in cycles:
        if c.pk == filters.cycle_id:
            return c
    return cycles[0] if cycles else None


def department_ids(department_id: int | None) -> list[int] | None:
    """The department and its subtree (a filter on a department includes its sub-departments)."""
    if department_id is None:
        return None
    path = Department.objects.filter(pk=department_id).values_list("path", flat=True).first()
    if path is None:
        return []
    return list(Department.objects.filter(path__startswith=path).values_list("id", flat=True))


def scoped_appraisals(user: Any, filters: Filters, dept_ids: list[int] | None, *, prefix: str = "") -> Q:
    """The filter part shared by every chart (department subtree, vendor, position)."""
    q = Q()
    if dept_ids is not None:
        q &= Q(**{f"{prefix}department_id__in": dept_ids})
    if filters.vendor_id is not None:
        q &= Q(**{f"{prefix}vendor_id": filters.vendor_id})
    if filters.position_id is not None:
        q &= Q(**{f"{prefix}position_id": filters.position_id})
    return q


def results(user: Any, cycle_ids: Iterable[int], filters: Filters, dept_ids: list[int] | None) -> QuerySet[Appraisal]:
    qs = Appraisal.objects.filter(cycle_id__in=list(cycle_ids), subject_kind=SubjectKind.WORKER,
                                  composite__isnull=False)
    if not scope_for(user).whole_view:
        qs = qs.filter(published_at__isnull=False)
    return restrict(qs.filter(scoped_appraisals(user, filters, dept_ids)), user).order_by()


def grouped(user: Any, cycles: list[Cycle], filters: Filters, dept_ids: list[int] | None,
            keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """Count and composite sum of the visible results per `keys` (e.g. department_id, vendor_id,
    grade). Archived cycles read their result cells (built on first use, see summary.py); others —
    and a viewer whose scope includes "self", which cells cannot express — read the appraisals."""
    if not cycles:
        return []
    scope = scope_for(user)
    use_cells = scope.whole_view or not scope.is_worker
    markers = summary_markers([c.pk for c in cycles]) if use_cells else {}
    if use_cells:
        for c in cycles:
            if c.state == CycleState.ARCHIVED and c.archived_at is not None and not summary_fresh(c, markers):
                summary_build(c.pk)
                markers = summary_markers([c.pk for c in cycles])
    from_cells = [c.pk for c in cycles if use_cells and summary_fresh(c, markers)]
    raw = [c.pk for c in cycles if c.pk not in from_cells]
    rows: list[dict[str, Any]] = []
    if from_cells:
        n, total = ("n", "total") if scope.whole_view else ("published_n", "published_total")
        cells = ResultCell.objects.filter(cycle_id__in=from_cells).filter(scoped_appraisals(user, filters, dept_ids))
        if not scope.whole_view:
            cells = cells.filter(published_n__gt=0)
        rows += list(restrict(cells, user).order_by().values(*keys).annotate(n=Sum(n), total=Sum(total)))
    if raw:
        rows += list(results(user, raw, filters, dept_ids).values(*keys).annotate(n=Count("id"), total=Sum("composite")))
    return rows


# --- grades -----------------------------------------------------------------------------------------


def cycle_scale(cycle: Cycle) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The grade bands (best first) and the quotas of the cycle's templates (the first template that
    has quotas: a cycle normally grades workers by one scale)."""
    bands: dict[str, dict[str, Any]] = {}
    quotas: list[dict[str, Any]] = []
    for snapshot in CycleTemplate.objects.filter(cycle=cycle).order_by("id").values_list("snapshot", flat=True):
        for b in snapshot.get("bands", []):
            bands.setdefault(b["code"], b)
        if not quotas:
            quotas = list(snapshot.get("quotas", []))
    return list(bands.values()), quotas


def distribution_chart(cells: list[dict[str, Any]], bands: list[dict[str, Any]],
                       quotas: list[dict[str, Any]]) -> Chart:
    counts: dict[str, int] = defaultdict(int)
    for c in cells:
        counts[c["grade"] or UNGRADED] += c["n"]
    n = sum(v for k, v in counts.items() if k != UNGRADED)
    by_grade = {q["grade_code"]: q for q in quotas}
    labels, values, colours, qmax, qmin = [], [], [], [], []
    rows: list[list[Any]] = []
    for b in bands:
        q = by_grade.get(b["code"])
        places = scoring.quota_places(n, q["kind"], Decimal(str(q["share"])) / 100) if q else None
        count = counts.get(b["code"], 0)
        labels.append(b["name"])
        values.append(count)
        colours.append(b.get("colour") or "#1f5fbf")
        qmax.append(places if q and q["kind"] == "max" else None)
        qmin.append(places if q and q["kind"] == "min" else None)
        quota_text = f"{'≤' if q['kind'] == 'max' else '≥'} {Decimal(str(q['share'])).normalize():f}%" if q else ""
        broken = bool(q and ((q["kind"] == "max" and count > (places or 0)) or
                             (q["kind"] == "min" and count < (places or 0))))
        rows.append([b["name"], count, share(count, n), quota_text, places, _("超出") if broken else ""])
    return Chart(
        key="distribution", title=_("等级分布与强制分布比例"),
        data={"labels": labels, "values": values, "colours": colours, "quota_max": qmax, "quota_min": qmin,
              "total": n},
        headers=[_("等级"), _("人数"), _("占比(%)"), _("强制分布比例"), _("名额"), _("是否超出")], rows=rows,
    )


def compare_chart(key: str, title: str, label: str, cells: list[dict[str, Any]], names: dict[int | None, str],
                  bands: list[dict[str, Any]]) -> Chart:
    """Mean composite and the share of each grade per department (or vendor), best mean first."""
    groups: dict[int | None, dict[str, Any]] = defaultdict(lambda: {"n": 0, "total": Decimal(0), "grades": defaultdict(int)})
    for c in cells:
        g = groups[c[key]]
        g["n"] += c["n"]
        g["total"] += c["total"] or 0
        g["grades"][c["grade"] or UNGRADED] += c["n"]
    ordered = sorted(groups.items(), key=lambda kv: (-(mean(kv[1]["total"], kv[1]["n"]) or 0), names.get(kv[0], "")))
    cats = [names.get(k, "—") for k, _g in ordered]
    means = [mean(g["total"], g["n"]) for _k, g in ordered]
    series = [{"name": b["name"], "colour": b.get("colour") or "#1f5fbf",
               "data": [num(share(g["grades"].get(b["code"], 0), g["n"])) for _k, g in ordered]} for b in bands]
    rows = [[names.get(k, "—"), g["n"], mean(g["total"], g["n"]),
             *[share(g["grades"].get(b["code"], 0), g["n"]) for b in bands]] for k, g in ordered]
    return Chart(
        key="departments" if key == "department_id" else "vendors", title=title,
        data={"categories": cats, "means": [num(m) for m in means], "series": series},
        headers=[label, _("人数"), _("平均综合得分"), *[f"{b['name']}(%)" for b in bands]], rows=rows,
    )


def trend_chart(user: Any, cycles: list[Cycle], filters: Filters, dept_ids: list[int] | None,
                bands: list[dict[str, Any]]) -> Chart:
    shown = list(reversed(cycles[:TREND_CYCLES]))
    stats: dict[int, dict[str, Any]] = defaultdict(lambda: {"n": 0, "total": Decimal(0), "grades": defaultdict(int)})
    for r in grouped(user, shown, filters, dept_ids, ("cycle_id", "grade")):
        s = stats[r["cycle_id"]]
        s["n"] += r["n"]
        s["total"] += r["total"] or 0
        s["grades"][r["grade"] or UNGRADED] += r["n"]
    means = [mean(stats[c.pk]["total"], stats[c.pk]["n"]) for c in shown]
    series = [{"name": b["name"], "colour": b.get("colour") or "#1f5fbf",
               "data": [num(share(stats[c.pk]["grades"].get(b["code"], 0), stats[c.pk]["n"])) for c in shown]}
              for b in bands]
    rows = [[c.name, stats[c.pk]["n"], m, *[share(stats[c.pk]["grades"].get(b["code"], 0), stats[c.pk]["n"])
                                             for b in bands]] for c, m in zip(shown, means, strict=True)]
    return Chart(
        key="trend", title=_("历次周期趋势"),
        data={"categories": [c.name for c in shown], "means": [num(m) for m in means], "series": series},
        headers=[_("考核周期"), _("人数"), _("平均综合得分"), *[f"{b['name']}(%)" for b in bands]], rows=rows,
    )


def ranking_chart(user: Any, cycle: Cycle, qs: QuerySet[Appraisal], filters: Filters,
                  dept_ids: list[int] | None) -> Chart:
    """Best and worst TOP_N of the cycle; an archived cycle reads its extremes table (summary.py)."""
    scope = scope_for(user)
    fields = ("subject_name", "department__name", "vendor__name", "composite", "grade_name")
    lists: list[list[tuple[Any, ...]]] = []
    markers = summary_markers([cycle.pk]) if (scope.whole_view or not scope.is_worker) else {}
    for best in (True, False):
        order = ("-composite" if best else "composite", "subject_name", "id")
        if summary_fresh(cycle, markers):
            extremes = restrict(ResultExtreme.objects.filter(
                cycle=cycle, best=best, published_only=not scope.whole_view).filter(
                scoped_appraisals(user, filters, dept_ids)), user).order_by(*order[:2], "appraisal_id")
            lists.append(list(extremes.values_list(*fields)[:TOP_N]))
        else:
            lists.append(list(qs.order_by(*order).values_list(*fields)[:TOP_N]))
    best_rows, worst_rows = lists

    def item(r: tuple[Any, ...]) -> dict[str, Any]:
        return {"name": r[0], "department": r[1] or "—", "vendor": r[2] or "—", "composite": num(r[3]),
                "grade": r[4]}

    rows = ([[_("最佳"), i + 1, r[0], r[1] or "—", r[2] or "—", r[3], r[4]] for i, r in enumerate(best_rows)]
            + [[_("待提升"), i + 1, r[0], r[1] or "—", r[2] or "—", r[3], r[4]] for i, r in enumerate(worst_rows)])
    return Chart(
        key="ranking", title=_("最佳与待提升前十名"),
        data={"best": [item(r) for r in best_rows], "worst": [item(r) for r in worst_rows]},
        headers=[_("榜单"), _("名次"), _("姓名"), _("部门"), _("服务商"), _("综合得分"), _("绩效等级")], rows=rows,
    )


def progress_chart(user: Any, cycle: Cycle | None, filters: Filters, dept_ids: list[int] | None) -> Chart:
    """The running cycle: submitted / pending evaluations by department, and (organisation-wide
    viewers only: raters of anonymous roles must stay unnamed to the others) who has most pending."""
    headers = [_("部门"), _("评价任务"), _("已提交"), _("未提交"), _("完成率(%)")]
    if cycle is None:
        return Chart(key="progress", title=_("进行中周期的评价进度"), data={"cycle": None, "categories": [],
                     "done": [], "pending": [], "raters": []}, headers=headers, note=_("当前没有进行中的考核周期"))
    on_appraisal = scoped_appraisals(user, filters, dept_ids, prefix="appraisal__")
    mine = RaterAssignment.objects.filter(cycle=cycle)
    # The appraisal's cycle too: lets the planner narrow the joined appraisals by their cycle index.
    qs = restrict(mine.filter(appraisal__cycle=cycle).filter(on_appraisal), user).order_by()
    per_dept: dict[int | None, list[int]] = defaultdict(lambda: [0, 0])
    # Counted over appraisal_id (never null), not id: with an index on (cycle, appraisal) that
    # includes the state, the assignments can be read from that index alone.
    for r in qs.values("appraisal__department_id").annotate(
            total=Count("appraisal"), done=Count("appraisal", filter=Q(state=AssignmentState.SUBMITTED))):
        per_dept[r["appraisal__department_id"]] = [r["total"], r["done"]]
    names: dict[int | None, str] = dict(
        Department.objects.filter(pk__in=[k for k in per_dept if k]).values_list("id", "name"))
    ordered = sorted(per_dept.items(), key=lambda kv: (-(kv[1][0] - kv[1][1]), names.get(kv[0], "")))
    raters: list[dict[str, Any]] = []
    if scope_for(user).whole_view:
        # Organisation-wide and not filtered by department, vendor or position: the raters' counts
        # need no appraisal at all — joining 100,000 of them only to check their cycle cost 2/3 of
        # this query at 100,000 workers.
        pending = qs if on_appraisal else restrict(mine, user).order_by()
        for full_name, username, n in (pending.exclude(state=AssignmentState.SUBMITTED)
                                       .values("rater__full_name", "rater__username").annotate(n=Count("id"))
                                       .order_by("-n", "rater__username")
                                       .values_list("rater__full_name", "rater__username", "n")[:PENDING_RATERS]):
            raters.append({"name": full_name or username, "pending": n})
    rows = [[names.get(k, "—"), t, d, t - d, share(d, t)] for k, (t, d) in ordered]
    return Chart(
        key="progress", title=_("进行中周期的评价进度") + f" · {cycle.name}",
        data={"cycle": {"id": cycle.pk, "name": cycle.name, "state": cycle.get_state_display()},
              "categories": [names.get(k, "—") for k, _v in ordered],
              "done": [d for _k, (_t, d) in ordered], "pending": [t - d for _k, (t, d) in ordered],
              "raters": raters},
        headers=headers, rows=rows,
    )


def alerts_chart(user: Any, filters: Filters) -> Chart:
    """Alerts by severity and state, through the alerts app's own model when it is installed with
    one (`alerts.Alert` with `severity` and `state`); otherwise a labelled placeholder."""
    headers = [_("严重程度"), _("状态"), _("数量")]
    try:
        model = apps.get_model("alerts", "Alert")
    except LookupError:
        model = None
    field_names = {f.name for f in model._meta.get_fields()} if model is not None else set()
    if model is None or not {"severity", "state"} <= field_names:
        return Chart(key="alerts", title=_("预警汇总"), data={"available": False, "severities": [], "series": []},
                     headers=headers, note=_("预警模块尚未提供数据"))
    rows = list(restrict(model.objects.all(), user).order_by().values("severity", "state").annotate(n=Count("pk")))
    severities = sorted({r["severity"] for r in rows})
    states = sorted({r["state"] for r in rows})
    counts = {(r["severity"], r["state"]): r["n"] for r in rows}
    severity_field = model._meta.get_field("severity")
    state_field = model._meta.get_field("state")
    sev_labels = dict(getattr(severity_field, "choices", None) or [])
    state_labels = dict(getattr(state_field, "choices", None) or [])
    return Chart(
        key="alerts", title=_("预警汇总"),
        data={"available": True, "severities": [str(sev_labels.get(s, s)) for s in severities],
              "series": [{"name": str(state_labels.get(st, st)), "data": [counts.get((s, st), 0) for s in severities]}
                         for st in states]},
        headers=headers,
        rows=[[str(sev_labels.get(s, s)), str(state_labels.get(st, st)), counts[(s, st)]]
              for s in severities for st in states if (s, st) in counts],
    )


# --- the dashboard ----------------------------------------------------------------------------------


@dataclass
class Dashboard:
    filters: Filters
    cycle: Cycle | None
    cycles: list[Cycle]
    charts: dict[str, Chart]
    counted_at: datetime = field(default_factory=timezone.now)

    def as_json(self) -> dict[str, Any]:
        return {"filters": self.filters.as_params(),
                "cycle": {"id": self.cycle.pk, "name": self.cycle.name} if self.cycle else None,
                "cycles": [{"id": c.pk, "name": c.name} for c in self.cycles],
                "charts": {k: c.as_json() for k, c in self.charts.items()}}


def dashboard(user: Any, filters: Filters, only: Iterable[str] = CHARTS) -> Dashboard:
    """Every chart of the dashboard for this user's scope (or just those in `only`).

    Queries: the scope (cached on the user), visible cycles, department subtree (when filtered),
    the cycle's scale, one GROUP BY (department, vendor, grade) feeding distribution and both
    comparisons, department and vendor names, the trend GROUP BY, best and worst, the running
    cycle and its GROUP BY, alerts — a constant number whatever the head count.
    """
    wanted = set(only)
    cycles = visible_cycles(user)
    cycle = pick_cycle(cycles, filters)
    dept_ids = department_ids(filters.department_id)
    bands, quotas = cycle_scale(cycle) if cycle is not None else ([], [])
    charts: dict[str, Chart] = {}
    if cycle is not None and wanted & {"distribution", "departments", "vendors", "ranking"}:
        qs = results(user, [cycle.pk], filters, dept_ids)
        if wanted & {"distribution", "departments", "vendors"}:
            cells = grouped(user, [cycle], filters, dept_ids, ("department_id", "vendor_id", "grade"))
            if "distribution" in wanted:
                charts["distribution"] = distribution_chart(cells, bands, quotas)
            if "departments" in wanted:
                names: dict[int | None, str] = dict(Department.objects.filter(
                    pk__in={c["department_id"] for c in cells if c["department_id"]}).values_list("id", "name"))
                charts["departments"] = compare_chart("department_id", _("各部门对比"), _("部门"), cells, names, bands)
            if "vendors" in wanted:
                vnames: dict[int | None, str] = dict(Vendor.objects.filter(
                    pk__in={c["vendor_id"] for c in cells if c["vendor_id"]}).values_list("id", "name"))
                charts["vendors"] = compare_chart("vendor_id", _("各服务商对比"), _("服务商"), cells, vnames, bands)
        if "ranking" in wanted:
            charts["ranking"] = ranking_chart(user, cycle, qs, filters, dept_ids)
    if "trend" in wanted:
        charts["trend"] = trend_chart(user, cycles, filters, dept_ids, bands)
    if "progress" in wanted:
        charts["progress"] = progress_chart(user, running_cycle(user, filters), filters, dept_ids)
    if "alerts" in wanted:
        charts["alerts"] = alerts_chart(user, filters)
    return Dashboard(filters=filters, cycle=cycle, cycles=cycles, charts={k: charts[k] for k in CHARTS if k in charts})


def dashboard_cached(user: Any, filters: Filters, only: Iterable[str] = CHARTS) -> Dashboard:
    """`dashboard()` kept in the cache for PAGE_CACHE_SECONDS: at 100,000 people a dashboard is a
    few hundred milliseconds of GROUP BY (the running cycle's progress reads every rater
    assignment), and everyone opens it. A time box, not invalidated: a submitted evaluation reaches
    the progress chart within a minute; the page says when its figures were counted.

    Organisation-wide viewers (admin, HR, auditor) see the same numbers and share one entry; any
    other viewer has their own, since alerts they own reach them whatever their scope."""
    seconds = settings.PAGE_CACHE_SECONDS
    if not seconds:
        return dashboard(user, filters, only)
    scope = scope_for(user)
    who = scope_key(scope) if scope.whole_view else f"{scope_key(scope)}:{user.pk}"
    params = ",".join(f"{k}={v}" for k, v in sorted(filters.as_params().items()))
    key = f"insights:dashboard:{who}:{get_language()}:{params}:{','.join(sorted(set(only)))}"
    board = cache.get(key)
    if board is None:
        board = dashboard(user, filters, only)
        cache.set(key, board, seconds)
    return board


# --- the worker's own dashboard ---------------------------------------------------------------------


def my_dashboard(user: Any) -> Dashboard:
    """A worker's own trend (published results only, unless the viewer is organisation-wide) and
    the goals of their appraisals in cycles that are still running or the latest one."""
    qs = Appraisal.objects.filter(subject_user_id=user.pk, subject_kind=SubjectKind.WORKER)
    own = list(qs.filter(composite__isnull=False, published_at__isnull=False, cycle__state__in=PUBLIC_STATES)
               .select_related("cycle").order_by("cycle__start_date", "cycle_id"))
    trend = Chart(
        key="my_trend", title=_("我的绩效趋势"),
        data={"categories": [a.cycle.name for a in own], "scores": [num(a.composite) for a in own],
              "grades": [a.grade_name for a in own]},
        headers=[_("考核周期"), _("综合得分"), _("绩效等级"), _("排名"), _("组内人数")],
        rows=[[a.cycle.name, a.composite, a.grade_name, a.rank, a.group_size] for a in own],
    )
    goals = list(Goal.objects.filter(appraisal__subject_user_id=user.pk)
                 .exclude(appraisal__cycle__state=CycleState.DRAFT)
                 .select_related("appraisal__cycle").order_by("-appraisal__cycle__start_date", "id")[:50])
    goal_chart = Chart(
        key="my_goals", title=_("我的绩效目标"),
        data={"goals": [{"cycle": g.appraisal.cycle.name, "title": g.title, "target": g.target,
                         "completion": num(g.completion), "status": g.get_status_display()} for g in goals]},
        headers=[_("考核周期"), _("目标"), _("衡量标准"), _("目标值"), _("权重(%)"), _("完成度(%)"), _("状态")],
        rows=[[g.appraisal.cycle.name, g.title, g.measure, g.target, g.weight, g.completion, g.get_status_display()]
              for g in goals],
    )
    return Dashboard(filters=Filters(), cycle=None, cycles=[], charts={"my_trend": trend, "my_goals": goal_chart})


# --- filter choices ---------------------------------------------------------------------------------


def filter_choices(user: Any) -> dict[str, list[tuple[int, str]]]:
    """Departments, vendors and positions for the filter bar: only those the user may see."""
    scope: Scope = scope_for(user)
    departments = Department.objects.all()
    vendors = restrict(Vendor.objects.all(), user)
    if not scope.whole_view and scope.department_ids:
        departments = departments.filter(pk__in=scope.department_ids)
    return {
        "departments": list(departments.order_by("path").values_list("id", "name")),
        "vendors": list(vendors.order_by("name").values_list("id", "name")),
        "positions": list(Position.objects.order_by("code").values_list("id", "name")),
    }
