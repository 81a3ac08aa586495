"""The rule kinds that come with the product, registered by AlertsConfig.ready.

Each evaluator reads with a fixed number of queries (one or two), whatever the number of people,
and returns the conditions that hold on `ctx.today`. Kinds whose data lives in apps that are not
installed yet are registered as placeholders: `available()` is False, evaluation records "data
source not installed", and the owning app replaces the kind with `register_kind` when it ships.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outperform.cycles.models import (
    Appeal,
    AppealState,
    Appraisal,
    AssignmentState,
    CycleState,
    CycleTemplate,
    GoalStatus,
    Interview,
    MetricValue,
    RaterAssignment,
)
from outperform.indicators.models import RaterRole, SubjectKind
from outperform.vendors.filters import contracts_expiring
from outperform.vendors.models import Contract

from .kinds import Candidate, Param, RuleContext, SourceMissingError, register_kind

WHEN_CHOICES = (("both", gettext_lazy("即将到期与已逾期")), ("approaching", gettext_lazy("仅即将到期")), ("missed", gettext_lazy("仅已逾期")))
OP_CHOICES = (("lt", "<"), ("le", "≤"), ("gt", ">"), ("ge", "≥"))
OP_TEXT = dict(OP_CHOICES)
RESULT_STATES = (CycleState.PUBLISHED, CycleState.CONFIRMATION)


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _when_ok(when: str, missed: bool) -> bool:
    return when == "both" or (when == "missed") == missed


def _due_text(due: dt.date, today: dt.date) -> str:
    days = (due - today).days
    if days < 0:
        return _("已逾期 %(n)s 天") % {"n": -days}
    if days == 0:
        return _("今天截止")
    return _("还剩 %(n)s 天") % {"n": days}


# --- contracts -----------------------------------------------------------------------------------


def contract_expiring(ctx: RuleContext) -> list[Candidate]:
    days, critical = int(ctx.params["days"]), int(ctx.params["critical_days"])
    rows = contracts_expiring(Contract.objects.all(), days, ctx.today).values_list(
        "pk", "number", "title", "end_date", "vendor_id", "vendor__name").order_by("end_date", "pk")
    out = []
    for pk, number, title, end, vendor_id, vendor_name in rows:
        left = (end - ctx.today).days
        out.append(Candidate(
            dedup_key=f"contract:{pk}:{end.isoformat()}",
            title=_("合同即将到期：%(n)s %(t)s") % {"n": number, "t": title},
            message=_("%(v)s 的合同 %(n)s《%(t)s》将于 %(d)s 到期（%(left)s），请安排续签或招标。") % {
                "v": vendor_name, "n": number, "t": title, "d": end.isoformat(), "left": _due_text(end, ctx.today)},
            subject=f"{vendor_name} · {number}", url=reverse("vendors:contracts_detail", args=[pk]),
            vendor_id=vendor_id, escalate=left <= critical, data={"days_left": left},
        ))
    return out


# --- cycle deadlines -----------------------------------------------------------------------------


def evaluation_deadline(ctx: RuleContext) -> list[Candidate]:
    soon = ctx.today + dt.timedelta(days=int(ctx.params["days_before"]))
    when = ctx.params["when"]
    rows = (
        RaterAssignment.objects.filter(state__in=[AssignmentState.PENDING, AssignmentState.DRAFT],
                                       due_date__isnull=False, due_date__lte=soon)
        .exclude(cycle__state=CycleState.ARCHIVED)
        .values_list("pk", "due_date", "role", "rater__full_name", "rater__username", "appraisal_id",
                     "appraisal__subject_name", "appraisal__department_id", "appraisal__vendor_id",
                     "appraisal__worker__supervisor_id", "cycle__name")
        .order_by("due_date", "pk")
    )
    out = []
    for pk, due, role, rater_name, username, appraisal_id, subject, dept, vendor, sup, cycle in rows:
        assert due is not None  # filtered above
        missed = due < ctx.today
        if not _when_ok(when, missed):
            continue
        rater = rater_name or username
        role_label = str(RaterRole(role).label) if role in RaterRole.values else role
        head = _("评价已逾期") if missed else _("评价即将截止")
        out.append(Candidate(
            dedup_key=f"evaluation:{pk}:{'missed' if missed else 'soon'}",
            title=f"{head}：{rater} → {subject}（{role_label}）",
            message=_("%(r)s 对 %(s)s 的%(role)s评价（%(c)s）截止日期 %(d)s，%(left)s，尚未提交。") % {
                "r": rater, "s": subject, "role": role_label, "c": cycle, "d": due.isoformat(),
                "left": _due_text(due, ctx.today)},
            subject=subject, url=reverse("cycles:appraisal_detail", args=[appraisal_id]),
            department_id=dept, vendor_id=vendor, supervisor_id=sup, escalate=missed,
        ))
    return out


def goal_deadline(ctx: RuleContext) -> list[Candidate]:
    soon = ctx.today + dt.timedelta(days=int(ctx.params["days_before"]))
    when = ctx.params["when"]
    rows = (
        Appraisal.objects.filter(cycle__state=CycleState.GOAL_SETTING, cycle__goals_due__isnull=False,
                                 cycle__goals_due__lte=soon)
        .annotate(n_goals=Count("goals"), n_agreed=Count("goals", filter=Q(goals__status=GoalStatus.AGREED)))
        .filter(Q(n_goals=0) | Q(n_agreed__lt=Count("goals")))
        .values_list("pk", "subject_name", "department_id", "vendor_id", "worker__supervisor_id", "cycle__name",
                     "cycle__goals_due", "n_goals", "n_agreed")
        .order_by("pk")
    )
    out = []
    for pk, subject, dept, vendor, sup, cycle, due, n_goals, n_agreed in rows:
        assert due is not None  # filtered above
        missed = due < ctx.today
        if not _when_ok(when, missed):
            continue
        head = _("目标设定已逾期") if missed else _("目标设定即将截止")
        state = _("尚无目标") if n_goals == 0 else _("%(a)s/%(n)s 项已确认") % {"a": n_agreed, "n": n_goals}
        out.append(Candidate(
            dedup_key=f"goals:{pk}:{'missed' if missed else 'soon'}",
            title=f"{head}：{subject}",
            message=_("%(s)s 的绩效目标（%(c)s）%(state)s，目标设定截止 %(d)s，%(left)s。") % {
                "s": subject, "c": cycle, "state": state, "d": due.isoformat(), "left": _due_text(due, ctx.today)},
            subject=subject, url=reverse("cycles:appraisal_detail", args=[pk]),
            department_id=dept, vendor_id=vendor, supervisor_id=sup, escalate=missed,
        ))
    return out


def interview_deadline(ctx: RuleContext) -> list[Candidate]:
    within, before = int(ctx.params["within_days"]), int(ctx.params["days_before"])
    when = ctx.params["when"]
    grades = _codes(ctx.params.get("grades") or "")
    # Deadline = publication day + within; listed from `before` days ahead of it.
    latest_day = ctx.today + dt.timedelta(days=before - within)
    qs = (
        Appraisal.objects.filter(published_at__isnull=False, published_at__lt=_start_of(latest_day + dt.timedelta(days=1)),
                                 cycle__state__in=RESULT_STATES)
        .filter(~Exists(Interview.objects.filter(appraisal=OuterRef("pk"))))
    )
    if grades:
        qs = qs.filter(Q(grade__in=grades) | Q(grade_name__in=grades))
    rows = qs.values_list("pk", "published_at", "subject_name", "grade_name", "department_id", "vendor_id",
                          "worker__supervisor_id", "cycle__name").order_by("pk")
    out = []
    for pk, published_at, subject, grade_name, dept, vendor, sup, cycle in rows:
        due = timezone.localdate(published_at) + dt.timedelta(days=within)
        missed = due < ctx.today
        if not _when_ok(when, missed):
            continue
        head = _("绩效面谈已逾期") if missed else _("绩效面谈即将到期")
        out.append(Candidate(
            dedup_key=f"interview:{pk}:{'missed' if missed else 'soon'}",
            title=f"{head}：{subject}",
            message=_("%(s)s（%(c)s，%(g)s）的结果已发布，须在 %(d)s 前完成绩效面谈，%(left)s。") % {
                "s": subject, "c": cycle, "g": grade_name or "-", "d": due.isoformat(),
                "left": _due_text(due, ctx.today)},
            subject=subject, url=reverse("cycles:appraisal_detail", args=[pk]),
            department_id=dept, vendor_id=vendor, supervisor_id=sup, escalate=missed,
        ))
    return out


def appeal_deadline(ctx: RuleContext) -> list[Candidate]:
    within, before = int(ctx.params["within_days"]), int(ctx.params["days_before"])
    when = ctx.params["when"]
    latest_day = ctx.today + dt.timedelta(days=before - within)
    rows = (
        Appeal.objects.filter(state=AppealState.SUBMITTED, created_at__lt=_start_of(latest_day + dt.timedelta(days=1)))
        .values_list("pk", "created_at", "appraisal__subject_name", "appraisal__department_id",
                     "appraisal__vendor_id", "appraisal__worker__supervisor_id", "appraisal__cycle__name")
        .order_by("pk")
    )
    out = []
    for pk, created_at, subject, dept, vendor, sup, cycle in rows:
        due = timezone.localdate(created_at) + dt.timedelta(days=within)
        missed = due < ctx.today
        if not _when_ok(when, missed):
            continue
        head = _("申诉处理已逾期") if missed else _("申诉处理即将到期")
        out.append(Candidate(
            dedup_key=f"appeal:{pk}:{'missed' if missed else 'soon'}",
            title=f"{head}：{subject}",
            message=_("%(s)s 的申诉（%(c)s）提交于 %(at)s，须在 %(d)s 前处理，%(left)s。") % {
                "s": subject, "c": cycle, "at": timezone.localdate(created_at).isoformat(), "d": due.isoformat(),
                "left": _due_text(due, ctx.today)},
            subject=subject, url=reverse("cycles:appeals_detail", args=[pk]),
            department_id=dept, vendor_id=vendor, supervisor_id=sup, escalate=missed,
        ))
    return out


# --- results over consecutive cycles -------------------------------------------------------------


def _codes(text: str) -> set[str]:
    return {c.strip() for c in text.replace("，", ",").split(",") if c.strip()}


def _lowest_bands(template_ids: Iterable[int]) -> dict[int, str]:
    """cycle template → code of its lowest grade band (不合格 / D); one query."""
    out: dict[int, str] = {}
    for pk, snapshot in CycleTemplate.objects.filter(pk__in=set(template_ids)).values_list("pk", "snapshot"):
        bands = (snapshot or {}).get("bands") or []
        if bands:
            lowest = min(bands, key=lambda b: Decimal(str(b.get("min", b.get("min_score")) or "0")))
            out[pk] = str(lowest.get("code", ""))
    return out


def fail_streak(ctx: RuleContext) -> list[Candidate]:
    """A worker's last N published results are all the failing grade."""
    times = int(ctx.params["times"])
    grades = _codes(ctx.params.get("grades") or "")
    rows = list(
        Appraisal.objects.filter(subject_kind=SubjectKind.WORKER, worker__isnull=False, published_at__isnull=False)
        .values_list("worker_id", "pk", "grade", "grade_name", "cycle_template_id", "subject_name",
                     "department_id", "vendor_id", "subject_user_id", "worker__supervisor_id", "cycle__name")
        .order_by("worker_id", "cycle__end_date", "cycle_id")
    )
    lowest = {} if grades else _lowest_bands(r[4] for r in rows)
    by_worker: dict[int, list[tuple[Any, ...]]] = {}
    for r in rows:
        by_worker.setdefault(r[0], []).append(r)

    def is_fail(r: tuple[Any, ...]) -> bool:
        if grades:
            return r[2] in grades or r[3] in grades
        return bool(r[2]) and r[2] == lowest.get(r[4])

    out = []
    for worker_id, results in by_worker.items():
        last = results[-times:]
        if len(last) < times or not all(is_fail(r) for r in last):
            continue
        latest = last[-1]
        _w, pk, _g, grade_name, _t, subject, dept, vendor, user_id, sup, _c = latest
        cycles = "、".join(r[10] for r in last)
        out.append(Candidate(
            dedup_key=f"fail:{worker_id}",
            title=_("连续 %(n)s 次考核%(g)s：%(s)s") % {"n": times, "g": grade_name or _("不合格"), "s": subject},
            message=_("%(s)s 最近 %(n)s 个考核周期（%(c)s）的结果均为%(g)s，请安排绩效面谈并制定改进计划。") % {
                "s": subject, "n": times, "c": cycles, "g": grade_name or _("不合格")},
            subject=subject, url=reverse("cycles:appraisal_detail", args=[pk]),
            department_id=dept, vendor_id=vendor, subject_user_id=user_id, supervisor_id=sup,
        ))
    return out


def _breaches(value: Decimal, op: str, threshold: Decimal) -> bool:
    return {"lt": value < threshold, "le": value <= threshold, "gt": value > threshold,
            "ge": value >= threshold}[op]


def indicator_threshold(ctx: RuleContext) -> list[Candidate]:
    """A subject's value (composite score, or a metric of its appraisal) breaches the threshold in
    each of its last N cycles that have a value."""
    measure, op = ctx.params["measure"], ctx.params["op"]
    threshold, periods = Decimal(str(ctx.params["threshold"])), int(ctx.params["periods"])
    subject_kind = ctx.params["subject_kind"]
    subject_field = {"worker": "worker_id", "vendor": "vendor_id", "team": "team_id"}[subject_kind]
    fields = ("pk", "subject_name", "department_id", "vendor_id", "subject_user_id", "worker__supervisor_id",
              "cycle__name")
    rows: list[tuple[Any, ...]]
    if measure == "composite":
        rows = list(
            Appraisal.objects.filter(subject_kind=subject_kind, composite__isnull=False)
            .values_list(subject_field, "composite", *fields)
            .order_by(subject_field, "cycle__end_date", "cycle_id")
        )
    else:
        rows = list(
            MetricValue.objects.filter(metric=measure, value__isnull=False, appraisal__subject_kind=subject_kind)
            .values_list(f"appraisal__{subject_field}", "value", *(f"appraisal__{f}" for f in fields))
            .order_by(f"appraisal__{subject_field}", "appraisal__cycle__end_date", "appraisal__cycle_id")
        )
    by_subject: dict[Any, list[tuple[Any, ...]]] = {}
    for r in rows:
        if r[0] is not None:
            by_subject.setdefault(r[0], []).append(r)
    label = _("综合得分") if measure == "composite" else measure
    out = []
    for subject_id, values in by_subject.items():
        last = values[-periods:]
        if len(last) < periods or not all(_breaches(Decimal(r[1]), op, threshold) for r in last):
            continue
        _s, value, pk, subject, dept, vendor, user_id, sup, _c = last[-1]
        series = "、".join(f"{r[8]} {Decimal(r[1]).normalize():f}" for r in last)
        out.append(Candidate(
            dedup_key=f"indicator:{measure}:{subject_kind}:{subject_id}",
            title=_("%(m)s 连续 %(n)s 期 %(op)s %(t)s：%(s)s") % {
                "m": label, "n": periods, "op": OP_TEXT[op], "t": f"{threshold.normalize():f}", "s": subject},
            message=_("%(s)s 的%(m)s 最近 %(n)s 期均 %(op)s %(t)s（%(series)s）。") % {
                "s": subject, "m": label, "n": periods, "op": OP_TEXT[op], "t": f"{threshold.normalize():f}",
                "series": series},
            subject=subject, url=reverse("cycles:appraisal_detail", args=[pk]),
            department_id=dept, vendor_id=vendor, subject_user_id=user_id, supervisor_id=sup,
            data={"latest": str(value)},
        ))
    return out


# --- placeholders for data other apps bring -------------------------------------------------------


def _placeholder(ctx: RuleContext) -> list[Candidate]:
    raise SourceMissingError


def register_builtin_kinds() -> None:
    when = Param("when", gettext_lazy("提醒范围"), "choice", default="both", choices=WHEN_CHOICES)
    register_kind(
        "contract_expiring", gettext_lazy("合同即将到期"), contract_expiring,
        (Param("days", gettext_lazy("提前天数"), "int", default=60, min=1, max=730),
         Param("critical_days", gettext_lazy("升级为更高严重程度的剩余天数"), "int", default=7, min=0, max=365)),
        description=gettext_lazy("履行中的外包合同在 N 天内到期"),
    )
    register_kind(
        "evaluation_deadline", gettext_lazy("评价截止提醒/逾期"), evaluation_deadline,
        (Param("days_before", gettext_lazy("提前天数"), "int", default=3, min=0, max=60), when),
        description=gettext_lazy("评价任务（自评、上级、互评、客户评价）即将截止或已逾期而未提交"),
    )
    register_kind(
        "goal_deadline", gettext_lazy("目标设定截止提醒/逾期"), goal_deadline,
        (Param("days_before", gettext_lazy("提前天数"), "int", default=3, min=0, max=60), when),
        description=gettext_lazy("目标设定阶段的考核单，截止前仍无目标或目标未全部确认"),
    )
    register_kind(
        "interview_deadline", gettext_lazy("绩效面谈截止提醒/逾期"), interview_deadline,
        (Param("within_days", gettext_lazy("结果发布后须在几天内面谈"), "int", default=14, min=1, max=120),
         Param("days_before", gettext_lazy("提前天数"), "int", default=3, min=0, max=60), when,
         Param("grades", gettext_lazy("仅这些等级（代码或名称，逗号分隔；空为全部）"), "text", default="")),
        description=gettext_lazy("结果已发布但尚无面谈记录"),
    )
    register_kind(
        "appeal_deadline", gettext_lazy("申诉处理截止提醒/逾期"), appeal_deadline,
        (Param("within_days", gettext_lazy("须在提交后几天内处理"), "int", default=7, min=1, max=90),
         Param("days_before", gettext_lazy("提前天数"), "int", default=2, min=0, max=60), when),
        description=gettext_lazy("待处理的绩效申诉即将超过或已超过处理时限"),
    )
    register_kind(
        "fail_streak", gettext_lazy("连续不合格"), fail_streak,
        (Param("times", gettext_lazy("连续次数"), "int", default=2, min=2, max=12),
         Param("grades", gettext_lazy("视为不合格的等级（代码或名称，逗号分隔；空为各方案最低等级）"), "text", default="")),
        description=gettext_lazy("外包人员最近 N 次已发布的考核结果均为不合格"),
    )
    register_kind(
        "indicator_threshold", gettext_lazy("指标连续低于/高于阈值"), indicator_threshold,
        (Param("measure", gettext_lazy("指标（composite=综合得分，或数据指标代码）"), "text", default="composite"),
         Param("op", gettext_lazy("比较"), "choice", default="lt", choices=OP_CHOICES),
         Param("threshold", gettext_lazy("阈值"), "decimal", required=True),
         Param("periods", gettext_lazy("连续周期数"), "int", default=2, min=1, max=12),
         Param("subject_kind", gettext_lazy("考核对象"), "choice", default="worker", choices=SubjectKind.choices)),
        description=gettext_lazy("考核对象的综合得分或某数据指标在最近 N 个考核周期均越过阈值"),
    )
    placeholders = (
        ("vendor_standing_drop", gettext_lazy("服务商评级下降"), gettext_lazy("服务商评级 (vendor standings)"),
         (Param("levels", gettext_lazy("下降级数"), "int", default=1, min=1, max=5),)),
    )
    for key, label, source, params in placeholders:
        register_kind(key, label, _placeholder, params, available=lambda: False, source=source,
                      description=gettext_lazy("数据源未安装：由对应模块提供评估逻辑后启用"))
