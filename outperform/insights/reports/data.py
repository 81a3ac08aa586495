"""What each report shows, read through the user's scope (access.scoping.restrict) with the same
result-visibility and 360-anonymity rules as the cycle pages (cycles.queries)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from outperform.access.scoping import get_scoped_or_404, restrict, scope_for
from outperform.cycles.models import Appraisal, AssignmentState, Cycle, Goal, Interview, Score
from outperform.cycles.queries import explain_for, results_public, results_visible, role_label
from outperform.indicators.models import ANONYMOUS_ROLES, SubjectKind
from outperform.org.models import Department
from outperform.vendors.models import Vendor

from .. import selectors
from ..selectors import Filters, num
from .svg import line_chart


@dataclass
class Table:
    """A result table: shown in the PDF, downloadable as .xlsx."""

    title: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)


# --- individual -------------------------------------------------------------------------------------


def subject_comments(rows: Iterable[tuple[str, int, str, str]], min_raters: int) -> list[dict[str, str]]:
    """Rater comments as the subject may read them, from the appraisal's submitted scores as
    (role, assignment id, indicator code, comment): never a rater's name; self, supervisor and
    skip-level comments by role; an anonymous role's comments (peer, client, subordinate) only when
    at least `min_raters` of that role submitted — the rule of the subject's breakdown — and sorted
    by text, so their order says nothing about who wrote them."""
    rows = list(rows)
    raters: dict[str, set[int]] = {}
    for role, assignment_id, _code, _comment in rows:
        raters.setdefault(role, set()).add(assignment_id)
    out = []
    for role, _aid, code, comment in rows:
        if not comment:
            continue
        if role in ANONYMOUS_ROLES and len(raters.get(role, ())) < min_raters:
            continue
        out.append({"role": role_label(role), "indicator": code, "comment": comment})
    return sorted(out, key=lambda c: (c["role"], c["indicator"], c["comment"]))


def appraisal_for_report(user: Any, pk: int) -> Appraisal:
    """A worker appraisal the user may see, with results they may see (else 404: the report does
    not exist for them yet)."""
    appraisal = get_scoped_or_404(
        Appraisal.objects.select_related("cycle", "cycle_template", "department", "vendor", "position", "worker"),
        user, pk=pk)
    if appraisal.composite is None or not results_visible(appraisal, user):
        raise Http404
    return appraisal


def individual(user: Any, appraisal: Appraisal) -> dict[str, Any]:
    return individuals(user, [appraisal])[0]


def individuals(user: Any, appraisals: list[Appraisal]) -> list[dict[str, Any]]:
    """The individual report of each appraisal (with cycle and cycle_template loaded), from a fixed
    number of queries whatever their number (the batch job reads them a chunk at a time)."""
    from outperform.cycles.services.computing import appraisals_explain

    explains = appraisals_explain(appraisals)
    ids = [a.pk for a in appraisals]
    scores: dict[int, list[tuple[str, int, str, str]]] = {pk: [] for pk in ids}
    for aid, *row in (Score.objects.filter(appraisal_id__in=ids, assignment__state=AssignmentState.SUBMITTED)
                      .values_list("appraisal_id", "role", "assignment_id", "indicator_code", "comment")):
        scores[aid].append(tuple(row))  # type: ignore[arg-type]
    goals: dict[int, list[Any]] = {pk: [] for pk in ids}
    for g in Goal.objects.filter(appraisal_id__in=ids).order_by("id"):
        goals[g.appraisal_id].append(g)
    interviews: dict[int, list[Any]] = {pk: [] for pk in ids}
    for i in Interview.objects.filter(appraisal_id__in=ids).order_by("held_on", "id"):
        interviews[i.appraisal_id].append(i)
    # Each worker's own past results (an appraisal without a worker: itself), as the user may see them.
    workers = {a.worker_id for a in appraisals if a.worker_id}
    history_qs = Appraisal.objects.filter(subject_kind=SubjectKind.WORKER, composite__isnull=False).filter(
        Q(worker_id__in=workers) | Q(pk__in=[a.pk for a in appraisals if not a.worker_id]))
    whole = scope_for(user).whole_view
    past: dict[Any, list[Appraisal]] = {}
    for h in restrict(history_qs.select_related("cycle"), user).order_by("cycle__start_date", "cycle_id"):
        if whole or results_public(h):
            past.setdefault(h.worker_id or ("self", h.pk), []).append(h)
    out = []
    for a in appraisals:
        # The report is the subject's document: the breakdown always follows the subject's view of
        # the 360 roles, whoever prints it.
        explain = explain_for(a, AnonymousUser(), explains[a.pk])
        min_raters = int(a.cycle_template.snapshot.get("anonymity_min_raters", 3))
        history = past.get(a.worker_id or ("self", a.pk), [])
        out.append({
            "appraisal": a, "explain": explain,
            "comments": subject_comments(scores[a.pk], min_raters),
            "goals": goals[a.pk], "interviews": interviews[a.pk], "history": history,
            "trend_svg": line_chart([h.cycle.name for h in history], [num(h.composite) for h in history]),
        })
    return out


def individual_tables(data: dict[str, Any]) -> list[Table]:
    a: Appraisal = data["appraisal"]
    result = Table(_("考核结果"), [_("姓名"), _("考核周期"), _("部门"), _("服务商"), _("岗位"), _("综合得分"), _("绩效等级"),
                                  _("排名"), _("组内人数")],
                   [[a.subject_name, a.cycle.name, str(a.department or "—"), str(a.vendor or "—"),
                     str(a.position or "—"), a.composite, a.grade_name, a.rank, a.group_size]])
    breakdown = Table(_("指标得分明细"), [_("指标"), _("维度"), _("得分"), _("权重(%)"), _("加权得分")],
                      [[r["name"], r["dimension"], r["score"], r["weight"], r["contribution"]]
                       for r in data["explain"]["indicators"]])
    goals = Table(_("绩效目标"), [_("目标"), _("衡量标准"), _("目标值"), _("权重(%)"), _("完成度(%)"), _("状态")],
                  [[g.title, g.measure, g.target, g.weight, g.completion, g.get_status_display()] for g in data["goals"]])
    actions = Table(_("面谈改进行动"), [_("面谈日期"), _("改进行动"), _("负责人"), _("期限")],
                    [[i.held_on, x.get("action", ""), x.get("owner", ""), x.get("due", "")]
                     for i in data["interviews"] for x in (i.actions or [])])
    history = Table(_("历次考核"), [_("考核周期"), _("综合得分"), _("绩效等级")],
                    [[h.cycle.name, h.composite, h.grade_name] for h in data["history"]])
    return [result, breakdown, goals, actions, history]


# --- groups: department, vendor, cycle -----------------------------------------------------------------


def people_table(user: Any, cycle: Cycle, filters: Filters) -> Table:
    qs: QuerySet[Appraisal] = selectors.results(user, [cycle.pk], filters, selectors.department_ids(filters.department_id))
    rows = (qs.select_related("department", "vendor", "position", "worker")
            .order_by("-composite", "subject_name", "id"))
    return Table(_("考核结果明细"),
                 [_("工号"), _("姓名"), _("部门"), _("服务商"), _("岗位"), _("综合得分"), _("绩效等级"), _("排名"), _("组内人数")],
                 [[a.worker.employee_no if a.worker else "", a.subject_name, str(a.department or "—"),
                   str(a.vendor or "—"), str(a.position or "—"), a.composite, a.grade_name, a.rank, a.group_size]
                  for a in rows])


def chart_tables(charts: Iterable[selectors.Chart]) -> list[Table]:
    return [Table(c.title, c.headers, c.rows) for c in charts]


def group_report(user: Any, cycle_id: int, *, department_id: int | None = None,
                 vendor_id: int | None = None) -> dict[str, Any]:
    """Department report, vendor scorecard or cycle summary (no department, no vendor)."""
    filters = Filters(cycle_id=cycle_id, department_id=department_id, vendor_id=vendor_id)
    board = selectors.dashboard(user, filters, ["distribution", "departments", "vendors", "ranking", "trend"])
    if board.cycle is None or board.cycle.pk != cycle_id:
        raise Http404
    subject: Department | Vendor | None = None
    if department_id is not None:
        subject = get_scoped_or_404(Department.objects.all(), user, pk=department_id)
    if vendor_id is not None:
        subject = get_scoped_or_404(Vendor.objects.all(), user, pk=vendor_id)
    tables = chart_tables(board.charts.values())
    if department_id is not None or vendor_id is not None:
        tables.append(people_table(user, board.cycle, filters))
    scorecards: list[Appraisal] = []
    if vendor_id is not None:
        # The vendor's own 服务商考核 results (vendor-subject cycles), as far as they are visible.
        scorecards = [a for a in restrict(Appraisal.objects.filter(subject_kind=SubjectKind.VENDOR, vendor_id=vendor_id,
                                                                   composite__isnull=False).select_related("cycle"),
                                          user).order_by("cycle__start_date")
                      if results_visible(a, user)]
        tables.append(Table(_("服务商考核结果"), [_("考核周期"), _("综合得分"), _("绩效等级")],
                            [[a.cycle.name, a.composite, a.grade_name] for a in scorecards]))
    trend = board.charts.get("trend")
    svg = line_chart(trend.data["categories"], trend.data["means"]) if trend and trend.data["categories"] else ""
    return {"cycle": board.cycle, "subject": subject, "board": board, "tables": tables, "trend_svg": svg,
            "kind": "department" if department_id else "vendor" if vendor_id else "cycle"}
