"""The demo's set-up examples: a cycle whose peers the supervisors choose (some chosen, some pending)
using a per-cycle template rule, and a draft whose rules the cockpit previews."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from outperform.core.models import User
from outperform.cycles import peers
from outperform.cycles.models import Appraisal, Cycle, CycleState, PeerSelection
from outperform.cycles.scope import template_counts
from outperform.cycles.selectors import template_rules_get
from outperform.indicators.models import Template

pytestmark = pytest.mark.django_db


def test_demo_has_a_supervisor_peer_cycle_with_an_override_and_a_draft_with_rules():
    call_command("demo", "--workers", "120", "--seed", "3", "--quiet")
    cycle = Cycle.objects.get(name__contains="上级指定互评")
    assert (cycle.state, cycle.peer_selection) == (CycleState.GOAL_SETTING, PeerSelection.SUPERVISOR)
    supervisor = User.objects.get(username="supervisor")
    mine = peers.choice_list(cycle, supervisor)
    chosen, pending = mine.filter(peers_chosen_at__isnull=False).count(), mine.filter(peers_chosen_at__isnull=True)
    assert chosen >= 1 and pending.count() >= 1
    # the supervisor's to-do (我的评价) counts exactly the pending ones
    reminder = {row["cycle_id"]: row["count"] for row in peers.pending_peer_choices(supervisor)}
    assert reminder[cycle.pk] == pending.count()
    # 客服一部 uses the 客服 template by the cycle's rule; 客服二部 the default
    by_dept = dict(Appraisal.objects.filter(cycle=cycle).values_list("department__code",
                                                                     "cycle_template__template__code").distinct())
    assert by_dept == {"OPS-CS1": "TPL-WORKER-CS", "OPS-CS2": "TPL-WORKER"}
    # the draft previews its rules: the department rule, and the demo worker named back to the default
    draft = Cycle.objects.get(state=CycleState.DRAFT, name__contains="2027")
    groups = {Template.objects.get(pk=g["template"]).code: g for g in template_rules_get(draft)}
    assert set(groups) == {"TPL-WORKER-CS", "TPL-WORKER"}
    demo_worker = Appraisal.objects.get(cycle=cycle, subject_user__username="worker").worker_id
    assert groups["TPL-WORKER"]["subjects"] == [demo_worker]
    assert groups["TPL-WORKER-CS"]["departments"] and not groups["TPL-WORKER-CS"]["subjects"]
    counts = {Template.objects.get(pk=t).code: n for t, n in template_counts(draft).items()}
    in_cs1 = Appraisal.objects.filter(cycle=cycle, department__code="OPS-CS1").count()
    assert counts["TPL-WORKER-CS"] == in_cs1 - 1
    # the worker cycles the other demo pages rely on are unchanged
    states = dict(Cycle.objects.filter(name__contains="外包人员").values_list("name", "state"))
    assert states == {"2026年第三季度外包人员考核": CycleState.ARCHIVED, "2026年第四季度外包人员考核": CycleState.SELF_REVIEW}
