"""Role × route matrix, generated from the URL configuration.

1. Every named route has a scope decision: derived (crud Resource views and ScopedModelViewSet
   routes go through `restrict` by construction) or declared in outperform/access/routes.py.
   A new route without one fails here.
2. On the demo enterprise (every app's demo rows), for every route and every role:
   - anonymous callers are sent to the log-in page (web) or refused (API), except PUBLIC routes;
   - no GET answers a server error;
   - WHOLE_VIEW / WHOLE_WRITE routes refuse the roles they exclude;
   - for routes naming one row (`pk`), a row outside the caller's scope answers 404 — for the
     supervisor, the vendor manager and the worker, each against a row `restrict` hides from them;
     OWN rows answer 404 to everyone but their owner.
Failures are collected and reported together, one line per route and role.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from outperform.access.routes import (
    OWN,
    PUBLIC,
    ROUTES,
    VIEWSETS,
    WHOLE_VIEW,
    WHOLE_WRITE,
    Decision,
    decision_for,
)
from outperform.access.scoping import restrict
from outperform.core.api import ScopedModelViewSet
from outperform.core.crud import ResourceView
from outperform.core.models import User

ROLE_USERS = {"admin": "admin", "hr": "hr", "supervisor": "supervisor", "vendor_manager": "vendor",
              "worker": "worker", "auditor": "auditor"}
LIMITED = ("supervisor", "vendor_manager", "worker")
PLACEHOLDERS = {"role": "supervisor", "token": "no-such-token", "format": None}
MISSING = 99999999


def walk(resolver: URLResolver, ns: str = "") -> Iterator[tuple[str, Any]]:
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                continue  # Django's admin has its own staff check
            yield from walk(p, f"{ns}{p.namespace}:" if p.namespace else ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{ns}{p.name}", p


def derived(callback: Any) -> Decision | None:
    view_class = getattr(callback, "view_class", None)
    if view_class is not None and issubclass(view_class, ResourceView):
        resource = getattr(callback, "view_initkwargs", {}).get("resource") or getattr(view_class, "resource", None)
        model = resource.model if resource is not None else None
        return Decision("scoped", model._meta.label if model else None)
    viewset = getattr(callback, "cls", None)
    if viewset is not None and issubclass(viewset, ScopedModelViewSet):
        return Decision("scoped", viewset.resource.model._meta.label)
    return None


def routes() -> dict[str, tuple[Any, Decision | None]]:
    found: dict[str, tuple[Any, Decision | None]] = {}
    for name, pattern in walk(get_resolver()):
        if name in found:
            continue  # DRF's format-suffix twin
        basename = getattr(pattern.callback, "initkwargs", {}).get("basename")  # set by DRF's router
        found[name] = (pattern, decision_for(name, basename) or derived(pattern.callback))
    return found


def kwarg_names(pattern: URLPattern) -> list[str]:
    converters = getattr(pattern.pattern, "converters", None)
    if converters:
        return list(converters)
    return list(re.compile(str(pattern.pattern)).groupindex)


def url_for(name: str, pattern: URLPattern, pk: Any) -> str | None:
    kwargs: dict[str, Any] = {}
    for key in kwarg_names(pattern):
        if key == "format":
            continue
        if key == "pk":
            kwargs[key] = pk
        elif key in PLACEHOLDERS:
            kwargs[key] = PLACEHOLDERS[key]
        elif key.endswith("pk") or key.endswith("id"):
            kwargs[key] = MISSING
        else:
            kwargs[key] = "x"
    try:
        return reverse(name, kwargs=kwargs)
    except Exception:  # noqa: BLE001 — a converter that refuses the placeholder: nothing to call
        return None


def is_api(name: str, pattern: URLPattern) -> bool:
    return hasattr(pattern.callback, "cls") or name in {"schema", "api_token"}


def test_every_route_has_a_scope_decision() -> None:
    undecided = sorted(name for name, (_p, decision) in routes().items() if decision is None)
    assert not undecided, (
        "Routes without a scope decision (declare them in outperform/access/routes.py):\n  " + "\n  ".join(undecided))
    names = set(routes())
    basenames = {getattr(p.callback, "initkwargs", {}).get("basename") for p, _d in routes().values()}
    stale = sorted(set(ROUTES) - names) + sorted(
        key for key in VIEWSETS
        if key not in basenames and not (key.endswith("-*") and any(
            b and b.startswith(key[:-1]) for b in basenames)))
    assert not stale, f"Declared routes that no longer exist: {stale}"


def _model(label: str | None) -> type[models.Model] | None:
    return apps.get_model(label) if label else None


@pytest.mark.django_db
def test_role_by_route_matrix_on_the_demo_enterprise() -> None:
    from outperform.core.demo.loader import load_demo

    load_demo(workers=60, seed=7)
    users = {role: User.objects.get(username=username) for role, username in ROLE_USERS.items()}
    web: dict[str, Client] = {"anonymous": Client(raise_request_exception=False)}
    api: dict[str, APIClient] = {"anonymous": APIClient(raise_request_exception=False)}
    for role, user in users.items():
        web[role] = Client(raise_request_exception=False)
        web[role].force_login(user)
        api[role] = APIClient(raise_request_exception=False)
        api[role].force_authenticate(user)

    failures: list[str] = []
    checked_objects = 0
    for name, (pattern, decision) in sorted(routes().items()):
        assert decision is not None
        model = _model(decision.model)
        any_row = model._default_manager.order_by("pk").first() if model is not None else None
        clients = api if is_api(name, pattern) else web

        # Anonymous callers.
        url = url_for(name, pattern, any_row.pk if any_row is not None else MISSING)
        if url is None:
            continue
        if decision.kind != PUBLIC:
            status = clients["anonymous"].get(url).status_code
            if status not in (302, 401, 403):
                failures.append(f"{name}: anonymous GET {url} answered {status}")

        for role in users:
            # A row this role may see, so that the page is exercised, not just its 404.
            row = None
            if model is not None:
                if decision.kind == OWN and decision.owner:
                    row = model._default_manager.filter(**{decision.owner: users[role]}).first()
                else:
                    row = restrict(model._default_manager.order_by("pk"), users[role]).first()
            url = url_for(name, pattern, row.pk if row is not None else MISSING)
            if url is None:
                continue
            status = clients[role].get(url).status_code
            if status >= 500:
                failures.append(f"{name}: {role} GET {url} answered {status}")
            excluded = (decision.kind == WHOLE_VIEW and role in LIMITED) or (
                decision.kind == WHOLE_WRITE and role in (*LIMITED, "auditor"))
            if excluded and status == 200:
                failures.append(f"{name}: {role} reached a {decision.kind} route ({url})")

        # Rows outside the caller's scope, for routes naming one row.
        if model is None or "pk" not in kwarg_names(pattern):
            continue
        for role in LIMITED:
            user = users[role]
            if decision.kind == OWN and decision.owner:
                outside = model._default_manager.exclude(**{decision.owner: user}).first()
            else:
                visible = restrict(model._default_manager.all(), user).values("pk")
                outside = model._default_manager.exclude(pk__in=visible).first()
            if outside is None:
                continue
            url = url_for(name, pattern, outside.pk)
            if url is None:
                continue
            checked_objects += 1
            response = clients[role].get(url)
            status = response.status_code
            if status == 405:  # an action: call it with the method it allows (DRF says which)
                allow = [m.strip() for m in response.get("Allow", "POST").split(",")]
                method = next((m for m in ("POST", "PUT", "PATCH", "DELETE") if m in allow), "POST")
                status = getattr(clients[role], method.lower())(url, {}).status_code
            # 404 hides the row; 403 is also sound where the role may not write at all (the answer
            # is the same for every row, so it tells nothing about this one).
            allowed = {403, 404}
            if status not in allowed:
                failures.append(f"{name}: {role} got {status} for {model._meta.label} #{outside.pk} outside their "
                                f"scope ({url}); expected {sorted(allowed)}")
    assert checked_objects > 50, f"only {checked_objects} out-of-scope checks ran: the demo lacks rows"
    assert not failures, f"{len(failures)} route-matrix failures:\n" + "\n".join(failures)
