"""View mixins and DRF permissions on top of access.scoping."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import models
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.views import APIView

from outperform.access.scoping import Scope, restrict, scope_for


class ScopedViewMixin(LoginRequiredMixin):
    """Gives views `self.scope`; subclasses call `restrict` for every queryset they show."""

    request: Any

    @property
    def scope(self) -> Scope:
        return scope_for(self.request.user)


def require_write(scope: Scope, model: type[models.Model]) -> None:
    if not scope.can_write(model):
        raise PermissionDenied


def require_roles(scope: Scope, *roles: str) -> None:
    if not (scope.is_superuser or scope.roles & set(roles)):
        raise PermissionDenied


def ensure_in_write_scope(user: Any, obj: models.Model) -> None:
    """After a create/update inside a transaction: the row must still be one the user may change
    (e.g. a vendor manager cannot move a worker to another vendor). Raising rolls back."""
    model = type(obj)
    if not restrict(model._default_manager.filter(pk=obj.pk), user, "change").exists():
        raise PermissionDenied


class ScopedWritePermission(permissions.BasePermission):
    """Reads for any authenticated user (rows are filtered by scope); writes need write scope."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        model = view.get_queryset().model  # type: ignore[attr-defined]
        return scope_for(request.user).can_write(model)
