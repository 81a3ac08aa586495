"""Demo rows of rewards: the 2026 Q3 bonus plan prepared by HR and approved by the admin, salary
rules, and the salary suggestions they give after Q3 (a few already reviewed)."""

from __future__ import annotations

from decimal import Decimal

from outperform.core.demo.loader import DemoContext
from outperform.cycles.models import Cycle, CycleState

from . import services
from .models import SalaryRule, SalarySuggestion

RULES = [  # name, grade, match, cycles, min %, max %, priority
    ("不合格不调薪", "不合格", "any", 1, "0", "0", 1),
    ("连续两期优秀", "优秀", "all", 2, "8", "12", 5),
    ("本期优秀", "优秀", "all", 1, "4", "6", 6),
    ("本期良好", "良好", "all", 1, "2", "3", 8),
    ("本期合格", "合格", "all", 1, "0", "1", 9),
]


def load(ctx: DemoContext) -> None:
    hr, admin = ctx.users.get("hr"), ctx.users.get("admin")
    if hr is None or admin is None:
        return
    SalaryRule.objects.bulk_create([
        SalaryRule(name=n, grade_name=g, match=m, cycles=c, min_pct=Decimal(lo), max_pct=Decimal(hi), priority=p)
        for n, g, m, c, lo, hi, p in RULES
    ], ignore_conflicts=True)
    cycle = Cycle.objects.filter(state=CycleState.ARCHIVED, name__contains="第三季度").order_by("-start_date").first()
    if cycle is None or hasattr(cycle, "bonus_plan"):
        return
    plan = services.plan_create(actor=hr, cycle=cycle, name="2026年第三季度绩效奖金",
                                note="按绩效奖金基数×等级系数发放，季度内入离场按在岗天数折算")
    services.plan_prepare(actor=hr, plan=plan)
    services.plan_submit(actor=hr, plan=plan)
    services.plan_approve(actor=admin, plan=plan)
    services.suggestions_generate(actor=hr, cycle=cycle)
    pending = list(SalarySuggestion.objects.filter(cycle=cycle).order_by("worker__employee_no")[:6])
    for i, s in enumerate(pending):
        if i % 3 == 2:
            services.suggestion_reject(actor=hr, suggestion=s, reason="合同期内暂不调整，下季度复议")
        else:
            services.suggestion_accept(actor=hr, suggestion=s)
