"""Demo appraisal cycles: 2026 Q3 closed (rated, computed, published, confirmed, archived) and 2026 Q4
running (in self-review, about 70 % of self-evaluations in). Beside them, two that show set-up
features: a 客服 cycle in 目标设定 whose peers the supervisors choose (half of the demo
supervisor's people chosen, the rest pending) and whose 客服一部 uses its own template by a
per-cycle rule; and a 2027 Q1 draft with template rules, whose cockpit previews who gets which
template. Ratings, goals and metric values are seeded in bulk (operator-loaded data, like the rest of
the demo); stage changes, rules, peer choices and results go through the real services, so every
number on the pages is the engine's."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from outperform.core.models import User
from outperform.cycles import peers
from outperform.cycles.models import (
    Appraisal,
    AppraisalState,
    AssignmentState,
    Cycle,
    CycleState,
    Goal,
    GoalStatus,
    MetricValue,
    PeerSelection,
    PeriodType,
    RaterAssignment,
    Score,
)
from outperform.cycles.selectors import rated_indicators
from outperform.cycles.services import appraisal_peers_set, cycle_advance, cycle_open
from outperform.cycles.services.overrides import cycle_template_rules_set
from outperform.indicators.models import Template
from outperform.indicators.services import template_activate, template_copy
from outperform.org.models import Department
from outperform.workers.models import Worker

GOALS = [
    ("热线接通率", "月度接通率", "≥ 95%"),
    ("工单按时关闭", "SLA 内关闭工单占比", "≥ 98%"),
    ("质检合格率", "抽检合格率", "≥ 97%"),
    ("客户回访满意度", "回访满意度平均分", "≥ 4.6/5"),
]


def load_demo_cycles(rng: random.Random, hr: User) -> None:
    template = Template.objects.filter(code="TPL-WORKER").order_by("-version").first()
    if template is None:
        return
    closed = Cycle.objects.create(
        name="2026年第三季度外包人员考核", period_type=PeriodType.QUARTER, start_date=dt.date(2026, 7, 1),
        end_date=dt.date(2026, 9, 30), default_template=template, peer_count=2, seed=3,
        self_review_due=dt.date(2026, 10, 10), review_due=dt.date(2026, 10, 20),
    )
    # Created before the running Q4 cycle, so that one stays the newest running worker cycle (the
    # dashboards' "running cycle").
    chosen_peers = Cycle.objects.create(
        name="2026年第四季度客服中心考核（上级指定互评）", period_type=PeriodType.QUARTER,
        start_date=dt.date(2026, 10, 1), end_date=dt.date(2026, 12, 31), default_template=template, peer_count=2,
        peer_selection=PeerSelection.SUPERVISOR, seed=5, goals_due=dt.date(2026, 11, 20),
        self_review_due=dt.date(2026, 12, 10), review_due=dt.date(2026, 12, 20),
    )
    running = Cycle.objects.create(
        name="2026年第四季度外包人员考核", period_type=PeriodType.QUARTER, start_date=dt.date(2026, 10, 1),
        end_date=dt.date(2026, 12, 31), default_template=template, peer_count=2, seed=4,
        goals_due=dt.date(2026, 10, 15), self_review_due=dt.date(2026, 12, 10), review_due=dt.date(2026, 12, 20),
        calibration_due=dt.date(2026, 12, 28), confirmation_due=dt.date(2027, 1, 10),
    )
    # Q3: the whole flow.
    cycle_open(actor=hr, cycle=closed)
    _goals_and_metrics(closed, rng, hr, completion=True)
    for state in (CycleState.IN_PROGRESS, CycleState.SELF_REVIEW):
        closed = cycle_advance(actor=hr, cycle=closed, target=state)
    _ratings(closed, rng, roles={"self"}, share=1.0)
    closed = cycle_advance(actor=hr, cycle=closed, target=CycleState.REVIEW)
    _ratings(closed, rng, roles={"supervisor", "peer", "client", "skip_level"}, share=1.0)
    for state in (CycleState.CALIBRATION, CycleState.PUBLISHED, CycleState.CONFIRMATION):
        closed = cycle_advance(actor=hr, cycle=closed, target=state)
    Appraisal.objects.filter(cycle=closed).update(state=AppraisalState.CONFIRMED, confirmed_at=timezone.now())
    cycle_advance(actor=hr, cycle=closed, target=CycleState.ARCHIVED)
    # Q4: goals agreed, in self-review; the demo worker has not yet evaluated themself.
    cycle_open(actor=hr, cycle=running)
    _goals_and_metrics(running, rng, hr, completion=False)
    for state in (CycleState.IN_PROGRESS, CycleState.SELF_REVIEW):
        running = cycle_advance(actor=hr, cycle=running, target=state)
    _ratings(running, rng, roles={"self"}, share=0.7, skip_user="worker")
    _setup_examples(chosen_peers, template, hr)


def _setup_examples(chosen_peers: Cycle, template: Template, hr: User) -> None:
    """The 客服 cycle with peers chosen by the supervisor and a per-cycle template rule, and a draft
    with rules (docs/cycles.md: "Which template applies to whom", "Peers")."""
    service = template_copy(hr, template, "TPL-WORKER-CS", name="客服岗位考核方案（同事评价加重）")
    Template.objects.filter(pk=service.pk).update(
        role_weights={"self": "10", "supervisor": "50", "peer": "30", "client": "10"},
        description="客服一部试行：同事评价权重 30%，上级 50%。由考核周期的适用规则指定，不按岗位类别自动适用。")
    service.refresh_from_db()
    template_activate(actor=hr, template=service)
    depts = {d.code: d for d in Department.objects.filter(code__in=["OPS-CS1", "OPS-CS2"])}
    if len(depts) < 2:
        return
    chosen_peers.departments.set(depts.values())
    cycle_template_rules_set(actor=hr, cycle=chosen_peers,
                             rules=[{"template": service.pk, "departments": [depts["OPS-CS1"].pk]}])
    cycle_open(actor=hr, cycle=chosen_peers)
    # The demo supervisor chooses the peers of every other person of 客服一部; the rest wait (their
    # pending list and the reminder have something to show).
    supervisor = User.objects.get(username="supervisor")
    mine = peers.choice_list(chosen_peers, supervisor).select_related("cycle", "cycle_template").order_by("pk")
    for i, appraisal in enumerate(mine):
        if i % 2:
            continue
        choosable = list(peers.choosable(appraisal, supervisor).order_by("employee_no")
                         .values_list("pk", flat=True)[:peers.required_count(appraisal)])
        if choosable:
            appraisal_peers_set(actor=supervisor, appraisal=appraisal, workers=choosable)
    draft = Cycle.objects.create(
        name="2027年第一季度考核（草稿）", period_type=PeriodType.QUARTER, start_date=dt.date(2027, 1, 1),
        end_date=dt.date(2027, 3, 31), default_template=template, peer_count=2, seed=6,
    )
    draft.departments.set(depts.values())
    demo_worker = Worker.objects.filter(user__username="worker").values_list("pk", flat=True).first()
    rules: list[dict[str, object]] = [{"template": service.pk, "departments": [depts["OPS-CS1"].pk]}]
    if demo_worker is not None and Worker.objects.filter(pk=demo_worker, department=depts["OPS-CS1"]).exists():
        # An exception to the department's rule: the named subject keeps the general template.
        rules.append({"template": template.pk, "subjects": [demo_worker]})
    cycle_template_rules_set(actor=hr, cycle=draft, rules=rules)


def _goals_and_metrics(cycle: Cycle, rng: random.Random, hr: User, *, completion: bool) -> None:
    goals, metrics = [], []
    for aid in Appraisal.objects.filter(cycle=cycle).values_list("id", flat=True):
        for title, measure, target in rng.sample(GOALS, 2):
            goals.append(Goal(
                appraisal_id=aid, title=title, measure=measure, target=target, weight=Decimal(50),
                completion=Decimal(rng.randint(70, 105)).min(Decimal(100)) if completion else None,
                status=GoalStatus.AGREED, proposed_by=hr, agreed_by_subject=True, agreed_by_supervisor=True,
            ))
        if completion:
            metrics.append(MetricValue(appraisal_id=aid, cycle=cycle, metric="customer_satisfaction",
                                       value=Decimal(rng.randint(7000, 9800)) / 100, source="survey"))
    Goal.objects.bulk_create(goals, batch_size=2000)
    MetricValue.objects.bulk_create(metrics, batch_size=2000)


def _ratings(cycle: Cycle, rng: random.Random, *, roles: set[str], share: float, skip_user: str = "") -> None:
    skip = User.objects.filter(username=skip_user).values_list("id", flat=True).first() if skip_user else None
    snapshot_of = {ct.pk: ct.snapshot for ct in cycle.cycle_templates.all()}
    # Each person has a level around which all their raters score, so grades spread realistically.
    level: dict[int, int] = {}
    scores, submitted = [], []
    now = timezone.now()
    for a in RaterAssignment.objects.filter(cycle=cycle, role__in=roles).select_related("appraisal").order_by("id"):
        if a.rater_id == skip or rng.random() > share:
            continue
        base = level.setdefault(a.appraisal_id, rng.choice([52, 66, 74, 80, 84, 86, 88, 93, 96]))
        bias = 4 if a.role == "self" else 0  # people rate themselves a little higher
        for item in rated_indicators(snapshot_of[a.appraisal.cycle_template_id], a.role):
            value = max(40, min(100, base + bias + rng.randint(-6, 6)))
            comment = "" if 60 <= value <= 95 else ("表现突出，多次获得客户表扬" if value > 95 else "需加强业务熟练度")
            scores.append(Score(cycle=cycle, appraisal_id=a.appraisal_id, assignment=a, role=a.role,
                                indicator_code=item["code"], value=Decimal(value), comment=comment))
        a.state, a.submitted_at = AssignmentState.SUBMITTED, now
        submitted.append(a)
    Score.objects.bulk_create(scores, batch_size=5000)
    RaterAssignment.objects.bulk_update(submitted, ["state", "submitted_at"], batch_size=2000)
