"""Opening a cycle in bulk: one appraisal per subject, the template snapshots, rater assignments.

Who is appraised is `scope.cycle_subjects` (filters ∪ named includes − named excludes).
Idempotent: opening again creates only what is missing (new joiners), never a second appraisal.
Constant number of queries whatever the number of subjects (bulk reads, bulk inserts in batches).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from outperform.core.audit import audit_update, snapshot
from outperform.core.models import User
from outperform.indicators.models import RaterRole, SubjectKind, Template
from outperform.indicators.snapshot import template_snapshot, validate_template_model
from outperform.org.models import Department, Project
from outperform.workers.models import Worker, WorkerStatus

from ..models import (
    Appraisal,
    Cycle,
    CycleState,
    CycleTemplate,
    CycleTemplateRule,
    PeerSelection,
    RaterAssignment,
)
from ..scope import (
    TemplateChooser,
    team_subjects,
    template_chooser,
    template_plan,
    vendor_subjects,
    worker_subjects,
)
from .common import ensure_hr, ensure_state

ProgressFn = Callable[[int, int, str], None]
# A subject's id and its values (scope.SUBJECT_VALUES' lookups) -> the cycle template it gets.
PickFn = Callable[[int | None, dict[str, Any]], CycleTemplate]
BATCH = 5000


@dataclass
class OpenSummary:
    appraisals_created: int
    assignments_created: int
    appraisals_total: int


def _templates(cycle: Cycle) -> tuple[dict[int, CycleTemplate], TemplateChooser]:
    """Every template the cycle may give a subject — its default, those whose own 适用类别 apply,
    those its rules name — snapshotted once each (the first opening), by template id; and the
    chooser that says which one a subject gets (scope.template_chooser)."""
    existing = {ct.template_id: ct for ct in cycle.cycle_templates.all()}
    wanted: dict[int, tuple[Template, list[str]]] = {t.pk: (t, cats) for t, cats in template_plan(cycle)}
    ruled = CycleTemplateRule.objects.filter(cycle_id=cycle.pk, template__subject_kind=cycle.subject_kind).exclude(
        template_id__in=list(wanted))
    for template in Template.objects.filter(pk__in=ruled.values("template_id")).order_by("pk"):
        wanted[template.pk] = (template, [])
    cts: dict[int, CycleTemplate] = {}
    for template, categories in wanted.values():
        ct = existing.get(template.pk)
        if ct is None:
            errors = validate_template_model(template)
            if errors:
                raise ValidationError(
                    _("考核方案“%(t)s”不能使用：%(e)s") % {"t": template, "e": "；".join(errors)}, code="template"
                )
            ct = CycleTemplate.objects.create(
                cycle=cycle, template=template, snapshot=template_snapshot(template), categories=categories
            )
            Template.objects.filter(pk=template.pk).update(frozen=True)
        cts[template.pk] = ct
    own: dict[str, int] = {}
    # The default first, then in the plan's order: the first template naming a category keeps it.
    for template_id in wanted:
        for c in cts[template_id].categories:
            own.setdefault(c, template_id)
    chooser = template_chooser(cycle, own=own)
    assert cycle.default_template_id in cts
    return cts, chooser


def _roles_in_use(templates: Iterable[CycleTemplate]) -> set[str]:
    roles: set[str] = set()
    for ct in templates:
        snap = ct.snapshot
        roles |= {r for r, w in snap["role_weights"].items() if float(w) > 0}
        for item in snap["indicators"]:
            if item.get("role_weights"):
                roles |= {r for r, w in item["role_weights"].items() if float(w) > 0}
    return roles


def _group_key(snapshot: dict[str, Any], department_id: int | None, vendor_id: int | None,
               position_id: int | None) -> str:
    group = snapshot.get("distribution_group", "department")
    if group == "department":
        return f"D{department_id}"
    if group == "vendor":
        return f"V{vendor_id}"
    if group == "position":
        return f"P{position_id}"
    return "ALL"


def _bulk(model: Any, objs: list[Any], progress: ProgressFn | None, label: str, offset: int, total: int) -> None:
    for i in range(0, len(objs), BATCH):
        model.objects.bulk_create(objs[i:i + BATCH], batch_size=BATCH, ignore_conflicts=model is RaterAssignment)
        if progress:
            progress(offset + min(i + BATCH, len(objs)), total, label)


@transaction.atomic
def cycle_open(*, actor: User, cycle: Cycle, progress: ProgressFn | None = None) -> OpenSummary:
    ensure_hr(actor)
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    ensure_state(cycle, CycleState.DRAFT, CycleState.GOAL_SETTING, CycleState.IN_PROGRESS)
    before = snapshot(cycle)
    cts, chooser = _templates(cycle)
    kind = cycle.subject_kind

    def pick(subject: int | None, row: dict[str, Any]) -> CycleTemplate:
        return cts[chooser.choose(subject, row)]

    # Raters only in the roles the subject's own template rates with (a task with nothing to rate,
    # or a blocking supervisor task a template does not weigh, would only confuse).
    roles = {ct.pk: _roles_in_use([ct]) for ct in cts.values()}
    if kind == SubjectKind.WORKER:
        created, assignments = _open_workers(cycle, pick, roles, progress)
    elif kind == SubjectKind.VENDOR:
        created, assignments = _open_vendors(cycle, actor, pick, roles)
    else:
        created, assignments = _open_teams(cycle, actor, pick, roles)
    if cycle.state == CycleState.DRAFT:
        cycle.state = CycleState.GOAL_SETTING
        cycle.opened_at = timezone.now()
        cycle.save(update_fields=["state", "opened_at", "updated_at"])
        audit_update(actor, cycle, before, reason=f"opened: {created} appraisals")
    total = Appraisal.objects.filter(cycle=cycle).count()
    return OpenSummary(appraisals_created=created, assignments_created=assignments, appraisals_total=total)


def _open_workers(
    cycle: Cycle, pick: PickFn, roles_of: dict[int, set[str]], progress: ProgressFn | None,
) -> tuple[int, int]:
    rows = list(worker_subjects(cycle).order_by("id").values_list(
        "id", "name", "vendor_id", "department_id", "position_id", "position__category", "user_id",
        "supervisor_id", "project_id", "vendor__category",
    ))
    existing = set(Appraisal.objects.filter(cycle=cycle, worker__isnull=False).values_list("worker_id", flat=True))
    new_rows = [r for r in rows if r[0] not in existing]
    total_steps = len(new_rows) * 2
    appraisals = []
    template_of: dict[int, CycleTemplate] = {}
    for wid, name, vendor_id, dept_id, pos_id, category, user_id, _sup, _prj, vendor_category in new_rows:
        ct = template_of[wid] = pick(wid, {
            "position_id": pos_id, "position__category": category, "vendor_id": vendor_id,
            "vendor__category": vendor_category, "department_id": dept_id})
        appraisals.append(Appraisal(
            cycle=cycle, cycle_template=ct, subject_kind=SubjectKind.WORKER, worker_id=wid, vendor_id=vendor_id,
            department_id=dept_id, position_id=pos_id, subject_user_id=user_id, subject_name=name,
            group_key=_group_key(ct.snapshot, dept_id, vendor_id, pos_id),
        ))
    _bulk(Appraisal, appraisals, progress, _("创建考核单 / creating appraisals"), 0, total_steps)
    if not new_rows:
        return 0, 0
    appraisal_of = dict(
        Appraisal.objects.filter(cycle=cycle, worker__isnull=False).values_list("worker_id", "id")
    )
    heads = {d: (parent, head) for d, parent, head in Department.objects.values_list("id", "parent_id", "head_id")}
    clients: dict[int, list[int]] = defaultdict(list)
    for project_id, user_id in Project.clients.through.objects.values_list("project_id", "user_id"):
        clients[project_id].append(user_id)
    # Peers come from the same department; subordinates are the workers a manager supervises.
    with_user_by_dept: dict[int, list[tuple[int, int]]] = defaultdict(list)
    reports_of: dict[int, list[int]] = defaultdict(list)
    for wid, _n, _v, dept_id, _p, _c, user_id, sup_id, _prj, _vc in rows:
        if user_id:
            with_user_by_dept[dept_id].append((wid, user_id))
            if sup_id:
                reports_of[sup_id].append(user_id)
    due_self, due_review = cycle.self_review_due, cycle.review_due
    assignments: list[RaterAssignment] = []

    roles: set[str] = set()

    def add(appraisal_id: int, rater: int | None, role: str, subject_user: int | None) -> None:
        if rater and role in roles and (role == RaterRole.SELF or rater != subject_user):
            assignments.append(RaterAssignment(
                cycle=cycle, appraisal_id=appraisal_id, rater_id=rater, role=role,
                due_date=due_self if role == RaterRole.SELF else due_review,
            ))

    for wid, _n, _v, dept_id, _p, category, user_id, sup_id, project_id, _vc in new_rows:
        aid = appraisal_of[wid]
        roles = roles_of[template_of[wid].pk]
        parent, head = heads.get(dept_id, (None, None))
        supervisor = sup_id or head
        add(aid, user_id, RaterRole.SELF, user_id)
        add(aid, supervisor, RaterRole.SUPERVISOR, user_id)
        skip = heads.get(parent, (None, None))[1] if parent else None
        if skip != supervisor:
            add(aid, skip, RaterRole.SKIP_LEVEL, user_id)
        rng = random.Random(f"{cycle.seed}:{cycle.pk}:{wid}")
        # Peers chosen by the supervisor come later (services.peers), before 评价.
        if RaterRole.PEER in roles and cycle.peer_count and cycle.peer_selection == PeerSelection.RANDOM:
            for u in _draw_peers(rng, with_user_by_dept[dept_id], cycle.peer_count, wid, supervisor):
                add(aid, u, RaterRole.PEER, user_id)
        for u in clients.get(project_id, []) if project_id else []:
            add(aid, u, RaterRole.CLIENT, user_id)
        if user_id and category == "management" and RaterRole.SUBORDINATE in roles:
            subs = reports_of.get(user_id, [])
            for u in rng.sample(subs, min(max(cycle.peer_count, 3), len(subs))):
                add(aid, u, RaterRole.SUBORDINATE, user_id)
    _bulk(RaterAssignment, assignments, progress, _("分配评价人 / assigning raters"), len(new_rows), total_steps)
    return len(new_rows), len(assignments)


def _draw_peers(
    rng: random.Random, members: list[tuple[int, int]], count: int, subject: int, supervisor: int | None
) -> list[int]:
    """`count` distinct colleagues at random, never the subject nor their supervisor. Draws indices
    (a few spare for the excluded two) instead of filtering the department: a department can hold
    tens of thousands of people and this runs once per person."""
    picks: list[int] = []
    for i in rng.sample(range(len(members)), min(len(members), count + 2)):
        worker, user = members[i]
        if worker != subject and user != supervisor and user not in picks:
            picks.append(user)
            if len(picks) == count:
                break
    return picks


def _open_vendors(
    cycle: Cycle, actor: User, pick: PickFn, roles_of: dict[int, set[str]],
) -> tuple[int, int]:
    vendors = vendor_subjects(cycle)
    existing = set(Appraisal.objects.filter(cycle=cycle, subject_kind=SubjectKind.VENDOR)
                   .values_list("vendor_id", flat=True))
    new = [v for v in vendors.order_by("id") if v.pk not in existing]
    Appraisal.objects.bulk_create([
        Appraisal(cycle=cycle, cycle_template=pick(v.pk, {"category": v.category}), subject_kind=SubjectKind.VENDOR,
                  vendor=v, subject_name=v.name, group_key="ALL")
        for v in new
    ])
    # Internal stakeholders: HR (the opener) as supervisor; heads of the departments the vendor staffs
    # as clients.
    staffed: dict[int, set[int]] = defaultdict(set)
    for vendor_id, head in Worker.objects.filter(status=WorkerStatus.ACTIVE, department__head__isnull=False).values_list(
        "vendor_id", "department__head_id"
    ).distinct():
        staffed[vendor_id].add(head)
    assignments = []
    for a in Appraisal.objects.filter(cycle=cycle, vendor_id__in=[v.pk for v in new], subject_kind=SubjectKind.VENDOR):
        roles = roles_of[a.cycle_template_id]
        if RaterRole.SUPERVISOR in roles:
            assignments.append(RaterAssignment(cycle=cycle, appraisal=a, rater=actor, role=RaterRole.SUPERVISOR,
                                               due_date=cycle.review_due))
        if RaterRole.CLIENT in roles:
            assignments += [RaterAssignment(cycle=cycle, appraisal=a, rater_id=u, role=RaterRole.CLIENT,
                                            due_date=cycle.review_due) for u in sorted(staffed.get(a.vendor_id or 0, ()))]
    RaterAssignment.objects.bulk_create(assignments, ignore_conflicts=True)
    return len(new), len(assignments)


def _open_teams(cycle: Cycle, actor: User, pick: PickFn, roles_of: dict[int, set[str]]) -> tuple[int, int]:
    teams = team_subjects(cycle).select_related("vendor")
    existing = set(Appraisal.objects.filter(cycle=cycle, team__isnull=False).values_list("team_id", flat=True))
    new = [t for t in teams.order_by("id") if t.pk not in existing]
    appraisals = []
    for t in new:
        ct = pick(t.pk, {"vendor_id": t.vendor_id, "vendor__category": t.vendor.category if t.vendor else None,
                         "department_id": t.department_id})
        appraisals.append(Appraisal(
            cycle=cycle, cycle_template=ct, subject_kind=SubjectKind.TEAM, team=t, vendor_id=t.vendor_id,
            department_id=t.department_id, subject_name=t.name,
            group_key=_group_key(ct.snapshot, t.department_id, t.vendor_id, None)))
    Appraisal.objects.bulk_create(appraisals)
    heads = dict(Department.objects.values_list("id", "head_id"))
    clients: dict[int, list[int]] = defaultdict(list)
    for project_id, user_id in Project.clients.through.objects.values_list("project_id", "user_id"):
        clients[project_id].append(user_id)
    assignments = []
    for a in Appraisal.objects.filter(cycle=cycle, team_id__in=[t.pk for t in new]).select_related("team"):
        team = a.team
        assert team is not None
        roles = roles_of[a.cycle_template_id]
        sup = heads.get(team.department_id) or actor.pk
        if RaterRole.SUPERVISOR in roles:
            assignments.append(RaterAssignment(cycle=cycle, appraisal=a, rater_id=sup, role=RaterRole.SUPERVISOR,
                                               due_date=cycle.review_due))
        if RaterRole.CLIENT in roles and team.project_id:
            assignments += [RaterAssignment(cycle=cycle, appraisal=a, rater_id=u, role=RaterRole.CLIENT,
                                            due_date=cycle.review_due) for u in clients[team.project_id]]
    RaterAssignment.objects.bulk_create(assignments, ignore_conflicts=True)
    return len(new), len(assignments)
