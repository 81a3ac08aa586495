"""Rule kinds over data other apps keep: tickets' SLA (records), metrics over records (metrics) and
improvement plans (development). They replace the placeholders of the same keys; when the app
that holds the data is not installed, `available()` is False and a rule reports "数据源未安装".

Each evaluator reads in bulk: a fixed number of queries whatever the number of tickets, subjects
or plans (`metric_threshold`: at most one engine call per period, docs/alerts.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from .builtin import OP_CHOICES, OP_TEXT, WHEN_CHOICES, _breaches, _due_text, _when_ok
from .kinds import Candidate, Param, ParamsError, RuleContext, register_kind

DIGEST_TICKETS = 10


def _installed(app: str) -> Callable[[], bool]:
    return lambda: apps.is_installed(app)


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}"


# --- SLA of tickets ------------------------------------------------------------------------------

SLA_STATUS_CHOICES = (("both", gettext_lazy("即将超时与已超时")), ("at_risk", gettext_lazy("仅即将超时")),
                      ("breached", gettext_lazy("仅已超时")))
SLA_GROUP_CHOICES = (("ticket", gettext_lazy("每张工单一条预警")), ("vendor", gettext_lazy("每个服务商一条汇总预警")))


def _rule_department_path(rule_id: int | None) -> str | None:
    if rule_id is None:
        return None
    from .models import AlertRule

    row = AlertRule.objects.filter(pk=rule_id, department__isnull=False).values_list("department__path", flat=True)
    return row.first()


def sla_breach(ctx: RuleContext) -> list[Candidate]:
    """Unresolved tickets whose SLA clock says at risk (≥ 80 % of the target used, or — with
    `hours_before` — a deadline within that many hours from now) or breached."""
    from outperform.records.models import SlaStatus, Ticket

    statuses, group, hours = ctx.params["statuses"], ctx.params["group"], int(ctx.params["hours_before"])
    wanted = {"both": [SlaStatus.AT_RISK, SlaStatus.BREACHED], "at_risk": [SlaStatus.AT_RISK],
              "breached": [SlaStatus.BREACHED]}[statuses]
    now = timezone.now()
    q = Q(sla_status__in=wanted)
    if hours and SlaStatus.AT_RISK in wanted:
        soon = now + dt.timedelta(hours=hours)
        q |= Q(sla_status=SlaStatus.ON_TIME) & (Q(first_response_at__isnull=True, response_due_at__lte=soon)
                                                | Q(resolution_due_at__lte=soon))
    qs = Ticket.objects.filter(q, resolved=False)
    rule_path = _rule_department_path(ctx.rule_id) if group == "vendor" else None
    if rule_path is not None:
        # A summary per vendor counts only the tickets within the rule's departments.
        qs = qs.filter(department__path__startswith=rule_path)
    rows = list(qs.values_list(
        "pk", "external_id", "title", "priority", "sla_status", "first_response_at", "response_due_at",
        "resolution_due_at", "vendor_id", "vendor__name", "department_id", "worker__user_id",
        "worker__supervisor_id", "worker__name").order_by("vendor_id", "resolution_due_at", "pk"))
    if group == "vendor":
        return _sla_by_vendor(rows)
    out = []
    for (pk, ext, title, priority, status, first_response, response_due, resolution_due, vendor_id, vendor_name,
         dept, user_id, sup, worker_name) in rows:
        breached = status == SlaStatus.BREACHED
        # The deadline still ahead of the ticket: the response while nobody answered, then the resolution.
        responding = first_response is None and response_due is not None
        due = response_due if responding else resolution_due
        which = _("响应") if responding else _("解决")
        head = _("SLA 已超时") if breached else _("SLA 即将超时")
        due_text = timezone.localtime(due).strftime("%Y-%m-%d %H:%M") if due else "-"
        out.append(Candidate(
            dedup_key=f"sla:ticket:{pk}:{'breached' if breached else 'risk'}",
            title=f"{head}：{ext} {title}",
            message=_("%(v)s 的工单 %(e)s《%(t)s》（优先级 %(p)s%(w)s）%(which)s截止 %(d)s，%(state)s。") % {
                "v": vendor_name, "e": ext, "t": title, "p": priority,
                "w": f"，{worker_name}" if worker_name else "", "which": which, "d": due_text,
                "state": _("已超时") if breached else _("即将超时")},
            subject=f"{vendor_name} · {ext}", url=reverse("records:tickets_detail", args=[pk]),
            department_id=dept, vendor_id=vendor_id, subject_user_id=user_id, supervisor_id=sup, escalate=breached,
            data={"status": status},
        ))
    return out


def _sla_by_vendor(rows: Sequence[tuple[Any, ...]]) -> list[Candidate]:
    from outperform.records.models import SlaStatus

    groups: dict[tuple[int, bool], list[tuple[Any, ...]]] = {}
    for r in rows:
        groups.setdefault((r[8], r[4] == SlaStatus.BREACHED), []).append(r)
    out = []
    for (vendor_id, breached), tickets in groups.items():
        vendor_name = tickets[0][9]
        departments = {t[10] for t in tickets}
        # The summary sits in the one department its tickets share; otherwise in none (a rule
        # limited to a department has already kept only that subtree's tickets).
        dept = departments.pop() if len(departments) == 1 else None
        head = _("SLA 已超时工单") if breached else _("SLA 即将超时工单")
        listed = "、".join(f"{t[1]}" for t in tickets[:DIGEST_TICKETS])
        if len(tickets) > DIGEST_TICKETS:
            listed += _(" 等")
        status = SlaStatus.BREACHED if breached else SlaStatus.AT_RISK
        out.append(Candidate(
            dedup_key=f"sla:vendor:{vendor_id}:{'breached' if breached else 'risk'}",
            title=_("%(h)s %(n)s 张：%(v)s") % {"h": head, "n": len(tickets), "v": vendor_name},
            message=_("%(v)s 有 %(n)s 张未解决工单%(state)s：%(list)s。") % {
                "v": vendor_name, "n": len(tickets), "state": _("已超时") if breached else _("即将超时"),
                "list": listed},
            subject=vendor_name,
            url=reverse("records:tickets_list") + f"?vendor={vendor_id}&sla_status={status}&resolved=false",
            department_id=dept, vendor_id=vendor_id, escalate=breached, data={"tickets": len(tickets)},
        ))
    return out


# --- a metric over consecutive periods -----------------------------------------------------------

PERIOD_CHOICES = (("day", gettext_lazy("天")), ("week", gettext_lazy("周（周一至周日）")),
                  ("month", gettext_lazy("自然月")))
LEVEL_CHOICES = (("department", gettext_lazy("部门")), ("vendor", gettext_lazy("服务商")),
                 ("worker", gettext_lazy("外包人员")), ("project", gettext_lazy("项目")))
# "N 天/周/个月" in titles (a context of its own: English needs the plural here).
PERIOD_WORDS = {"day": pgettext_lazy("periods", "天"), "week": pgettext_lazy("periods", "周"),
                "month": pgettext_lazy("periods", "个月")}
MAX_PERIODS = 62  # one engine call per period: a daily rule looks back two months at most


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def periods_back(today: dt.date, unit: str, n: int, include_current: bool) -> list[tuple[dt.date, dt.date, str]]:
    """The last n periods (start, end, label), oldest first. Complete periods only, unless
    include_current: then the running period (cut at today) is the latest."""
    out: list[tuple[dt.date, dt.date, str]] = []
    if unit == "day":
        last = today if include_current else today - dt.timedelta(days=1)
        for i in range(n - 1, -1, -1):
            d = last - dt.timedelta(days=i)
            out.append((d, d, d.isoformat()))
        return out
    if unit == "week":
        monday = today - dt.timedelta(days=today.weekday())
        if not include_current:
            monday -= dt.timedelta(days=7)
        for i in range(n - 1, -1, -1):
            start = monday - dt.timedelta(days=7 * i)
            end = min(start + dt.timedelta(days=6), today)
            year, week, _day = start.isocalendar()
            out.append((start, end, f"{year}-W{week:02d}"))
        return out
    first = _month_start(today)
    if not include_current:
        first = _month_start(first - dt.timedelta(days=1))
    starts = [first]
    for _i in range(n - 1):
        starts.append(_month_start(starts[-1] - dt.timedelta(days=1)))
    for start in reversed(starts):
        end = min(_month_start(start + dt.timedelta(days=32)) - dt.timedelta(days=1), today)
        out.append((start, end, start.strftime("%Y-%m")))
    return out


def _subjects(level: str) -> dict[int, dict[str, Any]]:
    """Subjects of a level that can still be acted upon, with what places them (one query)."""
    from outperform.org.models import Department, Project, ProjectStatus
    from outperform.vendors.models import Vendor, VendorStatus
    from outperform.workers.models import Worker, WorkerStatus

    if level == "vendor":
        return {pk: {"name": name, "vendor": pk} for pk, name in
                Vendor.objects.exclude(status=VendorStatus.TERMINATED).values_list("pk", "name")}
    if level == "worker":
        return {pk: {"name": f"{name}（{no}）", "department": dept, "vendor": vendor, "user": user, "supervisor": sup}
                for pk, name, no, dept, vendor, user, sup in
                Worker.objects.exclude(status=WorkerStatus.LEFT).values_list(
                    "pk", "name", "employee_no", "department_id", "vendor_id", "user_id", "supervisor_id")}
    if level == "project":
        return {pk: {"name": name, "department": dept, "supervisor": manager} for pk, name, dept, manager in
                Project.objects.exclude(status=ProjectStatus.CLOSED).values_list(
                    "pk", "name", "department_id", "manager_id")}
    rows = list(Department.objects.values_list("pk", "name", "path", "is_active"))
    out: dict[int, dict[str, Any]] = {}
    for pk, name, path, active in rows:
        if active:
            # A department's records include its sub-departments' (as the metrics engine counts them).
            out[pk] = {"name": name, "department": pk,
                       "subtree": {x for x, _n, p, _a in rows if p.startswith(path)}}
    return out


def metric_threshold(ctx: RuleContext) -> list[Candidate]:
    """Subjects whose metric breaches the threshold in each of the last N periods. A period with
    no value (not applicable: no records) breaks the streak."""
    from outperform.metrics import engine
    from outperform.metrics.models import Metric

    code, level, op = ctx.params["metric"], ctx.params["level"], ctx.params["op"]
    threshold, n = Decimal(str(ctx.params["threshold"])), int(ctx.params["periods"])
    unit = ctx.params["period"]
    metric = Metric.objects.filter(code=code, is_active=True).first()
    if metric is None:
        raise ParamsError({"metric": _("没有启用的数据指标“%(c)s” / no active metric %(c)s") % {"c": code}})
    if level not in metric.allowed_levels():
        raise ParamsError({"level": _("该指标不能按此对象计算，可选：%(v)s / this metric is not computed for "
                                      "that level; use one of: %(v)s") % {"v": ", ".join(metric.allowed_levels())}})
    spec = metric.spec()
    subjects = _subjects(level)
    periods = periods_back(ctx.today, unit, n, bool(ctx.params["include_current"]))
    values: dict[int, list[Decimal]] = {pk: [] for pk in subjects}
    # Newest period first: a subject that does not breach drops out, so later calls ask for fewer.
    for start, end, _label in reversed(periods):
        if not values:
            break
        if level == "department":
            outcome = engine.evaluate_groups(spec, "department", {pk: subjects[pk]["subtree"] for pk in values},
                                             start, end)
        else:
            outcome = engine.evaluate(spec, level, list(values), start, end)
        for pk in list(values):
            value = outcome[pk].value
            if value is None or not _breaches(value, op, threshold):
                del values[pk]
            else:
                values[pk].insert(0, value)
    unit_text = metric.unit or ""
    explore = reverse("metrics:explore")
    out = []
    for pk, series in values.items():
        s = subjects[pk]
        latest = series[-1]
        text = "、".join(f"{label} {_fmt(v)}{unit_text}" for (_s, _e, label), v in zip(periods, series, strict=True))
        out.append(Candidate(
            dedup_key=f"metric:{code}:{level}:{pk}:{unit}",
            title=_("%(m)s连续 %(n)s %(u)s %(op)s %(t)s%(unit)s：%(s)s") % {
                "m": metric.name, "n": n, "u": PERIOD_WORDS[unit], "op": OP_TEXT[op], "t": _fmt(threshold),
                "unit": unit_text, "s": s["name"]},
            message=_("%(s)s 的%(m)s（%(c)s）最近 %(n)s %(u)s均 %(op)s %(t)s%(unit)s：%(series)s。") % {
                "s": s["name"], "m": metric.name, "c": code, "n": n, "u": PERIOD_WORDS[unit],
                "op": OP_TEXT[op], "t": _fmt(threshold), "unit": unit_text, "series": text},
            subject=s["name"],
            url=f"{explore}?metric={metric.pk}&level={level}&subject={pk}"
                f"&start={periods[0][0].isoformat()}&end={periods[-1][1].isoformat()}",
            department_id=s.get("department"), vendor_id=s.get("vendor"), subject_user_id=s.get("user"),
            supervisor_id=s.get("supervisor"), data={"latest": str(latest)},
        ))
    return out


# --- improvement plans ---------------------------------------------------------------------------


def improvement_plan_deadline(ctx: RuleContext) -> list[Candidate]:
    """Plans in progress (进行中/已延期) whose deadline, or an unfinished milestone's date, is near or past."""
    from outperform.development.models import ImprovementPlan, PlanMilestone, PlanState

    soon = ctx.today + dt.timedelta(days=int(ctx.params["days_before"]))
    when = ctx.params["when"]
    running = (PlanState.ACTIVE, PlanState.EXTENDED)
    fields = ("title", "subject_kind", "worker__name", "vendor__name", "department_id", "vendor_id",
              "worker__user_id", "worker__supervisor_id", "owner_id")
    plans = [("plan", pk, pk, title, due, *rest) for pk, due, title, *rest in
             ImprovementPlan.objects.filter(state__in=running, deadline__lte=soon)
             .values_list("pk", "deadline", *fields).order_by("deadline", "pk")]
    milestones: list[tuple[Any, ...]] = []
    if ctx.params["milestones"]:
        milestones = [("milestone", pk, plan_id, f"{plan_title} · {title}", due, *rest) for
                      pk, due, plan_id, title, plan_title, *rest in
                      PlanMilestone.objects.filter(done_at__isnull=True, due__lte=soon, plan__state__in=running)
                      .values_list("pk", "due", "plan_id", "title", *(f"plan__{f}" for f in fields))
                      .order_by("due", "pk")]
    out = []
    for what, pk, plan_id, title, due, _kind, worker, vendor, dept, vendor_id, user_id, sup, owner in (
            *plans, *milestones):
        missed = due < ctx.today
        if not _when_ok(when, missed):
            continue
        subject = worker or vendor or ""
        if what == "plan":
            head = _("改进计划已逾期") if missed else _("改进计划即将到期")
            message = _("%(s)s 的改进计划《%(t)s》截止 %(d)s，%(left)s，请完成验证并登记结果或办理延期。")
        else:
            head = _("改进计划里程碑已逾期") if missed else _("改进计划里程碑即将到期")
            message = _("%(s)s 的改进计划里程碑“%(t)s”计划 %(d)s 完成，%(left)s，尚未完成。")
        out.append(Candidate(
            dedup_key=f"{what}:{pk}:{due.isoformat()}:{'missed' if missed else 'soon'}",
            title=f"{head}：{subject} {title}".strip(),
            message=message % {"s": subject, "t": title, "d": due.isoformat(), "left": _due_text(due, ctx.today)},
            subject=subject, url=reverse("development:plans_detail", args=[plan_id]),
            department_id=dept, vendor_id=vendor_id, subject_user_id=user_id, supervisor_id=sup, owner_id=owner,
            escalate=missed,
        ))
    return out


def register_data_kinds() -> None:
    register_kind(
        "sla_breach", gettext_lazy("SLA 即将违约/已违约"), sla_breach,
        (Param("statuses", gettext_lazy("工单状态"), "choice", default="both", choices=SLA_STATUS_CHOICES),
         Param("group", gettext_lazy("预警粒度"), "choice", default="ticket", choices=SLA_GROUP_CHOICES),
         Param("hours_before", gettext_lazy("截止前几小时也视为即将超时（0 = 仅按 SLA 时钟 80%）"), "int", default=0,
               min=0, max=720)),
        description=gettext_lazy("未解决工单的 SLA 即将超时或已超时"),
        available=_installed("outperform.records"), source="outperform.records",
    )
    register_kind(
        "metric_threshold", gettext_lazy("数据指标连续 N 期/天越过阈值"), metric_threshold,
        (Param("metric", gettext_lazy("数据指标代码"), "text", required=True),
         Param("level", gettext_lazy("对象"), "choice", default="department", choices=LEVEL_CHOICES),
         Param("op", gettext_lazy("比较"), "choice", default="lt", choices=OP_CHOICES),
         Param("threshold", gettext_lazy("阈值"), "decimal", required=True),
         Param("period", gettext_lazy("期间"), "choice", default="week", choices=PERIOD_CHOICES),
         Param("periods", gettext_lazy("连续期数/天数"), "int", default=2, min=1, max=MAX_PERIODS),
         Param("include_current", gettext_lazy("包含进行中的本期"), "bool", default=False)),
        description=gettext_lazy("部门、服务商、人员或项目的数据指标连续 N 天/周/月均低于或高于阈值"),
        available=_installed("outperform.metrics"), source="outperform.metrics",
    )
    register_kind(
        "improvement_plan_deadline", gettext_lazy("改进计划截止提醒/逾期"), improvement_plan_deadline,
        (Param("days_before", gettext_lazy("提前天数"), "int", default=3, min=0, max=60),
         Param("when", gettext_lazy("提醒范围"), "choice", default="both", choices=WHEN_CHOICES),
         Param("milestones", gettext_lazy("包含里程碑"), "bool", default=True)),
        description=gettext_lazy("进行中的改进计划或其未完成里程碑即将到期或已逾期"),
        available=_installed("outperform.development"), source="outperform.development",
    )
