"""The one place that decides what a user may see and change.

Every queryset that reaches a user passes through `restrict`. Models declare, in `scope_paths`,
how each kind of scope reaches them:

    scope_paths = {"department": "department", "vendor": "vendor", "self": "user"}

- "department": lookup from the model to a Department id (supervisors, subtrees included);
- "vendor": lookup to a Vendor id (vendor managers);
- "self": lookup to the User id (workers see their own rows);
- "owner": lookup to the User id; any signed-in user sees the rows they own (jobs, drafts);
- the value "*" means every row is visible under that scope (reference data);
- a missing key means nothing is visible under that scope.

`write_scopes` names the scope kinds that may also change rows (default: none, so only the
organisation-wide admin and HR roles write). Admin, HR and auditor see everything; the auditor
never writes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404

from .models import Role

Action = Literal["view", "change"]
M = TypeVar("M", bound=models.Model)

WHOLE_VIEW_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.HR_ADMIN, Role.AUDITOR})
WHOLE_WRITE_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.HR_ADMIN})
PERSONAL_DATA_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.HR_ADMIN})


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    roles: frozenset[str]
    department_ids: frozenset[int]
    vendor_ids: frozenset[int]
    is_superuser: bool = False

    @property
    def whole_view(self) -> bool:
        return self.is_superuser or bool(self.roles & WHOLE_VIEW_ROLES)

    @property
    def whole_write(self) -> bool:
        return self.is_superuser or bool(self.roles & WHOLE_WRITE_ROLES)

    @property
    def is_worker(self) -> bool:
        return Role.WORKER in self.roles

    def has(self, *roles: str) -> bool:
        return self.is_superuser and Role.SYSTEM_ADMIN in roles or bool(self.roles & set(roles))

    def kinds(self) -> set[str]:
        kinds = set()
        if self.department_ids:
            kinds.add("department")
        if self.vendor_ids:
            kinds.add("vendor")
        if self.is_worker:
            kinds.add("self")
        return kinds

    def can_write(self, model: type[models.Model]) -> bool:
        return self.whole_write or bool(self.kinds() & set(getattr(model, "write_scopes", ())))

    def sees_personal_data(self, *, vendor_id: int | None, user_id: int | None) -> bool:
        """Whole 身份证号, mobile and pay: HR and admin; a vendor's own managers; the person."""
        if self.is_superuser or self.roles & PERSONAL_DATA_ROLES:
            return True
        if vendor_id is not None and vendor_id in self.vendor_ids:
            return True
        return user_id is not None and user_id == self.user_id


ANONYMOUS = Scope(user_id=None, roles=frozenset(), department_ids=frozenset(), vendor_ids=frozenset())


def scope_for(user: Any) -> Scope:
    """The user's scope, computed once per request (two queries) and kept on the user object."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, "_outperform_scope", None)
    if cached is not None:
        return cached
    from outperform.org.models import Department

    grants = list(user.role_grants.select_related("department").all())
    roles = frozenset(g.role for g in grants)
    if user.is_superuser:
        roles = roles | {Role.SYSTEM_ADMIN}
    prefixes = [g.department.path for g in grants if g.role == Role.SUPERVISOR and g.department is not None]
    department_ids: frozenset[int] = frozenset()
    if prefixes:
        q = Q()
        for prefix in prefixes:
            q |= Q(path__startswith=prefix)
        department_ids = frozenset(Department.objects.filter(q).values_list("id", flat=True))
    vendor_ids = frozenset(g.vendor_id for g in grants if g.role == Role.VENDOR_MANAGER and g.vendor_id)
    scope = Scope(
        user_id=user.pk,
        roles=roles,
        department_ids=department_ids,
        vendor_ids=vendor_ids,
        is_superuser=user.is_superuser,
    )
    user._outperform_scope = scope
    return scope


def scope_key(scope: Scope) -> str:
    """A short key naming the rows a scope sees through department, vendor and self paths, for
    caches shared by users who see the same rows ("owner" rows are not in it: a cache of a model
    with an owner path must add the user). Organisation-wide viewers share one key."""
    if scope.whole_view:
        return "all"
    parts = [
        "d" + ",".join(map(str, sorted(scope.department_ids))),
        "v" + ",".join(map(str, sorted(scope.vendor_ids))),
        f"u{scope.user_id}" if scope.is_worker else "u",
    ]
    return hashlib.sha256(";".join(parts).encode()).hexdigest()[:24]


def forget_scope(user: Any) -> None:
    if hasattr(user, "_outperform_scope"):
        del user._outperform_scope


def scope_filter(model: type[models.Model], scope: Scope, action: Action = "view") -> Q | None:
    """The Q a user's rows of `model` must match; None means every row."""
    if action == "view" and scope.whole_view:
        return None
    if action == "change" and scope.whole_write:
        return None
    paths: dict[str, str] = getattr(model, "scope_paths", {})
    allowed = set(paths) if action == "view" else set(getattr(model, "write_scopes", ()))
    q = Q(pk__in=[])
    grants = {
        "department": (scope.department_ids, lambda p: Q(**{f"{p}__in": scope.department_ids})),
        "vendor": (scope.vendor_ids, lambda p: Q(**{f"{p}__in": scope.vendor_ids})),
        "self": (scope.is_worker, lambda p: Q(**{p: scope.user_id})),
    }
    for kind, (held, make_q) in grants.items():
        if not held or kind not in allowed or kind not in paths:
            continue
        if paths[kind] == "*":
            return None
        q |= make_q(paths[kind])
    if "owner" in paths and "owner" in allowed and scope.user_id is not None:
        q |= Q(**{paths["owner"]: scope.user_id})
    return q


def restrict(queryset: QuerySet[M], user: Any, action: Action = "view") -> QuerySet[M]:
    q = scope_filter(queryset.model, scope_for(user), action)
    return queryset if q is None else queryset.filter(q)


def get_scoped_or_404(queryset: QuerySet[M], user: Any, action: Action = "view", **lookup: Any) -> M:
    """Not found and not allowed look the same (404), so ids cannot be probed."""
    try:
        return restrict(queryset, user, action).get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None
