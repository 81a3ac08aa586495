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

from typing import Any

from django.db.models import Model, Q, QuerySet

from outperform.access.scoping import restrict
from outperform.indicators.models import SubjectKind, Template, TemplateStatus
from outperform.vendors.models import Vendor, VendorStatus
from outperform.workers.models import Worker, WorkerStatus

from .models import Cycle, Team

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
    """The templates a cycle applies: its default, then every active template of its kind that
    names position categories (workers) or vendor categories (vendors) — those subjects get it."""
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


# --- the picker ---------------------------------------------------------------------------------


def subject_label(obj: Any) -> str:
    if isinstance(obj, Worker):
        return f"{obj.name}（{obj.employee_no}）"
    if isinstance(obj, Team):
        return f"{obj.name}（{obj.code}）"
    return str(obj)


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
