"""Consequences of a standing on the vendors' and workers' own save paths.

These receivers are the one way this app can stop a new contract or worker without editing the
vendors and workers apps: `object_create` (web form and API) saves inside a try that turns a
ValidationError into a form / 400 error. Bulk imports (`bulk_create`) send no pre_save signal, so
the same gate is registered as an import create-check (core.importing.register_create_check).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models.signals import post_init, pre_save

from outperform.vendors.models import Contract
from outperform.workers.models import Worker

from .services import ensure_gate

_UNKNOWN = object()


def contract_gate(sender: Any, instance: Contract, raw: bool = False, **kwargs: Any) -> None:
    if raw or instance.pk is not None:
        return
    ensure_gate(instance.vendor_id, "new_contract", "vendor")


def worker_gate(sender: Any, instance: Worker, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    if instance.pk is None:
        ensure_gate(instance.vendor_id, "new_worker", "vendor")
        return
    if instance.project_id is None:
        return
    # A worker moved onto another project is a new project assignment for the vendor. The project
    # it was loaded with is remembered at init, so this costs no query.
    old = getattr(instance, "_standings_loaded_project", _UNKNOWN)
    if old is _UNKNOWN:  # loaded with the field deferred: ask the database
        old = Worker.objects.filter(pk=instance.pk).values_list("project_id", flat=True).first()
    if old != instance.project_id:
        ensure_gate(instance.vendor_id, "new_project_assignment", "project")
    instance._standings_loaded_project = instance.project_id  # type: ignore[attr-defined]


def remember_project(sender: Any, instance: Worker, **kwargs: Any) -> None:
    instance._standings_loaded_project = instance.__dict__.get("project_id", _UNKNOWN)  # type: ignore[attr-defined]


def _import_gate(action: str) -> Any:
    """The same gate for rows an Excel import creates (bulk_create sends no pre_save); the verdict
    for each vendor is looked up once per import."""

    def check(obj: Any, memo: dict[Any, Any]) -> None:
        key = ("standings_gate", action, obj.vendor_id)
        if key not in memo:
            try:
                ensure_gate(obj.vendor_id, action, "vendor")
                memo[key] = None
            except ValidationError as exc:
                memo[key] = exc
        if memo[key] is not None:
            raise memo[key]

    return check


def connect() -> None:
    from outperform.core.importing import register_create_check

    register_create_check(Contract, _import_gate("new_contract"))
    register_create_check(Worker, _import_gate("new_worker"))
    pre_save.connect(contract_gate, sender=Contract, dispatch_uid="standings_contract_gate")
    pre_save.connect(worker_gate, sender=Worker, dispatch_uid="standings_worker_gate")
    post_init.connect(remember_project, sender=Worker, dispatch_uid="standings_worker_project")
