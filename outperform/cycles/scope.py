"""Who a cycle appraises: the subjects its scope names (docs/cycles.md, "Scope").

    subjects = (matched by the filters — departments with their sub-departments, vendors,
                projects, positions — or every subject of the kind when no filter is set,
                or nobody when 仅考核指定对象 is ticked)
               ∪ named includes − named excludes

Filtered workers must be 在岗 or 休假 and have worked during the cycle's period; a named worker
only needs the period (someone who left mid-period can be named). Filtered vendors must be active;
a named vendor need not be. Each function is a fixed number of queries (the named lists are
sub-queries), whatever the number of subjects.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from django.db.models import Count, Model, Q, QuerySet

from outperform.access.scoping import restrict
from outperform.indicators.models import SubjectKind, Template, TemplateStatus
from outperform.org.models import Department
from outperform.vendors.models import Vendor, VendorStatus
from outperform.workers.models import Worker, WorkerStatus

from .models import Cycle, CycleTemplateRule, RuleTarget, Team

# subject kind -> (model, include field, exclude field)
NAMED: dict[str, tuple[type[Model], str, str]] = {
    SubjectKind.WORKER: (Worker, "include_workers", "exclude_workers"),
    SubjectKind.VENDOR: (Vendor, "include_vendors", "exclude_vendors"),
    SubjectKind.TEAM: (Team, "include_teams", "exclude_teams"),
}
NAMED_FIELDS = tuple(f for _m, inc, exc in NAMED.values() for f in (inc, exc))
FILTER_FIELDS = ("departments", "vendors", "projects", "positions")
SEARCH_LIMIT = 20


def _named(cycle: Cycle, field: str) -> QuerySet[Any]:
    """The ids named in one list, as a sub-query (no rows fetched)."""
    through = getattr(Cycle, field).through
    column = next(f.attname for f in through._meta.concrete_fields if f.attname not in ("id", "cycle_id"))
    return through.objects.filter(cycle_id=cycle.pk).values(column)


def _ids(cycle: Cycle, field: str) -> list[int]:
    return list(getattr(cycle, field).values_list("id", flat=True))


def _department_q(cycle: Cycle, lookup: str) -> Q | None:
    paths = list(cycle.departments.values_list("path", flat=True))
    if not paths:
        return None
    q = Q()
    for p in paths:
        q |= Q(**{f"{lookup}__path__startswith": p})
    return q


def employed_during(cycle: Cycle) -> Q:
    return Q(hire_date__lte=cycle.end_date) & (Q(leave_date__isnull=True) | Q(leave_date__gte=cycle.start_date))


def _combine(cycle: Cycle, model: type[Model], matched: Q, named_condition: Q, kind: str) -> QuerySet[Any]:
    _model, include, exclude = NAMED[kind]
    if not matched:
        # An empty Q would vanish from the OR below (Q() | x is x): "no filter" must mean everyone.
        matched = Q(pk__isnull=False)
    named = Q(pk__in=_named(cycle, include)) & named_condition
    condition = named if cycle.subjects_named_only else matched | named
    return model._default_manager.filter(condition).exclude(pk__in=_named(cycle, exclude))


def worker_subjects(cycle: Cycle) -> QuerySet[Worker]:
    matched = Q(status__in=[WorkerStatus.ACTIVE, WorkerStatus.ON_LEAVE]) & employed_during(cycle)
    departments = _department_q(cycle, "department")
    if departments is not None:
        matched &= departments
    for field, rel in (("vendor", "vendors"), ("project", "projects"), ("position", "positions")):
        ids = _ids(cycle, rel)
        if ids:
            matched &= Q(**{f"{field}__in": ids})
    return _combine(cycle, Worker, matched, employed_during(cycle), SubjectKind.WORKER)


def vendor_subjects(cycle: Cycle) -> QuerySet[Vendor]:
    matched = Q(status=VendorStatus.ACTIVE)
    ids = _ids(cycle, "vendors")
    if ids:
        matched &= Q(pk__in=ids)
    return _combine(cycle, Vendor, matched, Q(), SubjectKind.VENDOR)


def team_subjects(cycle: Cycle) -> QuerySet[Team]:
    matched = Q()
    departments = _department_q(cycle, "department")
    if departments is not None:
        matched &= departments
    for field, rel in (("vendor", "vendors"), ("project", "projects")):
        ids = _ids(cycle, rel)
        if ids:
            matched &= Q(**{f"{field}__in": ids})
    return _combine(cycle, Team, matched, Q(), SubjectKind.TEAM)


def cycle_subjects(cycle: Cycle) -> QuerySet[Any]:
    if cycle.subject_kind == SubjectKind.VENDOR:
        return vendor_subjects(cycle)
    if cycle.subject_kind == SubjectKind.TEAM:
        return team_subjects(cycle)
    return worker_subjects(cycle)


def template_plan(cycle: Cycle) -> list[tuple[Template, list[str]]]:
    """The templates a cycle applies without its own rules: its default, then every active template
    of its kind that names position categories (workers) or vendor categories (vendors) — those
    subjects get it."""
    wanted: list[tuple[Template, list[str]]] = [(cycle.default_template, [])]
    field = "position_categories" if cycle.subject_kind == SubjectKind.WORKER else "vendor_categories"
    if cycle.subject_kind == SubjectKind.TEAM:
        return wanted
    for t in Template.objects.filter(subject_kind=cycle.subject_kind, status=TemplateStatus.ACTIVE).exclude(
        pk=cycle.default_template_id
    ).order_by("code", "-version"):
        if getattr(t, field):
            wanted.append((t, list(getattr(t, field))))
    return wanted


# --- which template applies to whom (docs/cycles.md, "Which template") --------------------------

# The rule targets a cycle of each kind may use, most specific first: the order in which they win.
RULE_ORDER: dict[str, tuple[str, ...]] = {
    SubjectKind.WORKER: (RuleTarget.SUBJECT, RuleTarget.POSITION, RuleTarget.POSITION_CATEGORY, RuleTarget.VENDOR,
                         RuleTarget.VENDOR_CATEGORY, RuleTarget.DEPARTMENT),
    SubjectKind.VENDOR: (RuleTarget.SUBJECT, RuleTarget.VENDOR_CATEGORY),
    SubjectKind.TEAM: (RuleTarget.SUBJECT, RuleTarget.VENDOR, RuleTarget.VENDOR_CATEGORY, RuleTarget.DEPARTMENT),
}
# The subject's values each target is matched on, as `values()` lookups per subject kind (None: the
# kind has no such value). A vendor subject's own category is its vendor category.
SUBJECT_VALUES: dict[str, dict[str, str | None]] = {
    SubjectKind.WORKER: {"position": "position_id", "position_category": "position__category",
                         "vendor": "vendor_id", "vendor_category": "vendor__category", "department": "department_id"},
    SubjectKind.VENDOR: {"position": None, "position_category": None, "vendor": None, "vendor_category": "category",
                         "department": None},
    SubjectKind.TEAM: {"position": None, "position_category": None, "vendor": "vendor_id",
                       "vendor_category": "vendor__category", "department": "department_id"},
}
# The rule's field that holds what it names, per target (a subject: the field of the cycle's kind).
RULE_FIELD: dict[str, str] = {RuleTarget.POSITION: "position_id", RuleTarget.POSITION_CATEGORY: "category",
              RuleTarget.VENDOR: "vendor_id", RuleTarget.VENDOR_CATEGORY: "category",
              RuleTarget.DEPARTMENT: "department_id"}
SUBJECT_FIELD: dict[str, str] = {SubjectKind.WORKER: "worker_id", SubjectKind.VENDOR: "vendor_id", SubjectKind.TEAM: "team_id"}


@dataclass
class TemplateChooser:
    """The cycle's rules as lookups of template ids, and the one order in which they are asked:
    named subject > position > position category > vendor > vendor category > department (the
    nearest department up the tree that has a rule) > the templates' own 适用类别 > the default."""

    kind: str
    default: int
    # target -> value -> template id; "department" holds every department under a ruled one.
    rules: dict[str, dict[Any, int]] = dc_field(default_factory=dict)
    # The templates' own 适用类别: position categories (workers) or vendor categories (vendors).
    own: dict[str, int] = dc_field(default_factory=dict)

    def choose(self, subject: int | None, row: dict[str, Any]) -> int:
        """The template id for a subject: its id and its values as read with SUBJECT_VALUES' lookups
        of the cycle's kind (a `values()` row)."""
        lookups = SUBJECT_VALUES[self.kind]
        if self.rules:
            for target in RULE_ORDER[self.kind]:
                table = self.rules.get(target)
                if not table:
                    continue
                lookup = lookups.get(target)
                key = subject if target == RuleTarget.SUBJECT else (row.get(lookup) if lookup else None)
                if key is not None and key in table:
                    return table[key]
        own = lookups["position_category" if self.kind == SubjectKind.WORKER else "vendor_category"]
        category = row.get(own) if own else None
        if category is not None and category in self.own:
            return self.own[category]
        return self.default

    def template_ids(self) -> set[int]:
        return {self.default, *self.own.values(), *(t for table in self.rules.values() for t in table.values())}


def _department_table(ruled: dict[int, int]) -> dict[int, int]:
    """Every department id to the template of its nearest ruled department (itself or up the tree),
    from one read of the tree."""
    parent = dict(Department.objects.values_list("id", "parent_id"))
    table: dict[int, int] = {}
    for dept in parent:
        node: int | None = dept
        seen = 0
        while node is not None and node not in ruled and seen <= len(parent):
            node, seen = parent.get(node), seen + 1
        if node is not None and node in ruled:
            table[dept] = ruled[node]
    return table


def template_chooser(cycle: Cycle, own: dict[str, int] | None = None) -> TemplateChooser:
    """The cycle's chooser (two or three queries). `own` is the templates' own 适用类别 as opening
    froze them; by default what template_plan gives now (the preview of a draft)."""
    if own is None:
        own = {}
        for template, categories in template_plan(cycle):
            for c in categories:
                own.setdefault(c, template.pk)
    chooser = TemplateChooser(kind=cycle.subject_kind, default=cycle.default_template_id, own=own)
    subject_field = SUBJECT_FIELD[cycle.subject_kind]
    # Rules left from before the cycle's kind was changed (the service refuses them on the next save)
    # never give a subject a template of another kind.
    rules = CycleTemplateRule.objects.filter(cycle_id=cycle.pk, template__subject_kind=cycle.subject_kind)
    for rule in rules.order_by("pk"):
        if rule.target not in RULE_ORDER[cycle.subject_kind]:
            continue
        key = getattr(rule, subject_field if rule.target == RuleTarget.SUBJECT else RULE_FIELD[rule.target])
        if key not in (None, ""):
            chooser.rules.setdefault(rule.target, {})[key] = rule.template_id
    if chooser.rules.get(RuleTarget.DEPARTMENT):
        chooser.rules[RuleTarget.DEPARTMENT] = _department_table(chooser.rules[RuleTarget.DEPARTMENT])
    return chooser


def template_counts(cycle: Cycle) -> dict[int, int]:
    """How many of the cycle's subjects each template would get if it opened now — by template id,
    templates that would get nobody left out. A fixed number of queries: the subjects grouped by the
    values the rules look at, and the named ones (their rule is per subject) apart."""
    chooser = template_chooser(cycle)
    kind = cycle.subject_kind
    lookups = [lookup for lookup in SUBJECT_VALUES[kind].values() if lookup]
    subjects = cycle_subjects(cycle)
    named = chooser.rules.get(RuleTarget.SUBJECT, {})
    counts: dict[int, int] = defaultdict(int)
    if named:
        for row in subjects.filter(pk__in=list(named)).values("pk", *lookups):
            counts[named[row["pk"]]] += 1
            # Taken out of its group below (grouped rows cannot tell who is named).
            counts[chooser.choose(None, row)] -= 1
    for row in subjects.order_by().values(*lookups).annotate(n=Count("pk")):
        counts[chooser.choose(None, row)] += row["n"]
    return {t: n for t, n in counts.items() if n}


# --- the picker ---------------------------------------------------------------------------------


def subject_label(obj: Any) -> str:
    if isinstance(obj, Worker):
        return f"{obj.name}（{obj.employee_no}）"
    if isinstance(obj, Team):
        return f"{obj.name}（{obj.code}）"
    return str(obj)


def user_label(user: Any) -> str:
    return f"{user.full_name}（{user.username}）" if user.full_name else user.username


def user_search(user: Any, q: str, limit: int = SEARCH_LIMIT) -> tuple[list[dict[str, Any]], bool]:
    """Active accounts whose name or username contains `q`, within the caller's scope: the first
    `limit` as options (the picker's label, the e-mail to tell namesakes apart) and whether there
    were more (one query)."""
    from outperform.core.models import User

    qs = User.objects.filter(is_active=True).order_by("username", "pk")
    q = q.strip()
    if q:
        qs = qs.filter(Q(full_name__icontains=q) | Q(username__icontains=q))
    rows = list(restrict(qs, user)[:limit + 1])
    return [{"id": u.pk, "label": user_label(u), "detail": u.email} for u in rows[:limit]], len(rows) > limit


def _searchable(kind: str, q: str) -> QuerySet[Any]:
    if kind == SubjectKind.VENDOR:
        qs: QuerySet[Any] = Vendor.objects.order_by("name", "pk")
        return qs.filter(Q(name__icontains=q) | Q(credit_code__icontains=q)) if q else qs
    if kind == SubjectKind.TEAM:
        qs = Team.objects.select_related("department").order_by("code", "pk")
        return qs.filter(Q(name__icontains=q) | Q(code__icontains=q)) if q else qs
    qs = Worker.objects.select_related("department", "vendor").order_by("employee_no", "pk")
    return qs.filter(Q(name__icontains=q) | Q(employee_no__icontains=q)) if q else qs


def option(obj: Any) -> dict[str, Any]:
    """One search result: the id, the label the chip keeps, and a line that tells namesakes apart."""
    if isinstance(obj, Worker):
        detail = f"{obj.department.name} · {obj.vendor.name} · {obj.get_status_display()}"
    elif isinstance(obj, Team):
        detail = obj.department.name
    else:
        detail = obj.get_status_display()
    return {"id": obj.pk, "label": subject_label(obj), "detail": detail}


def search_options(qs: QuerySet[Any], limit: int = SEARCH_LIMIT) -> tuple[list[dict[str, Any]], bool]:
    """The first `limit` rows as options, and whether there were more (one query)."""
    rows = list(qs[:limit + 1])
    return [option(o) for o in rows[:limit]], len(rows) > limit


def subject_search(user: Any, kind: str, q: str) -> tuple[list[dict[str, Any]], bool]:
    """Subjects of a kind matching `q` (name, 工号 / code, 统一社会信用代码), within the user's scope."""
    return search_options(restrict(_searchable(kind, q.strip()), user))
