"""Base classes for the REST API: the same scoping, services and audit as the pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.db.models import ProtectedError, QuerySet
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import APIException
from rest_framework.exceptions import ValidationError as DRFValidationError

from outperform.access.scoping import restrict, scope_for

from .audit import snapshot
from .masking import mask_field
from .permissions import ScopedWritePermission, ensure_in_write_scope


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "该记录仍被其他数据引用 / Other records still refer to this one."
    default_code = "protected"


class ScopedModelSerializer(serializers.ModelSerializer):
    """Related-object choices restricted to the caller's scope; personal fields masked for
    callers who may not see them (the model lists them in PERSONAL_FIELDS)."""

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            for f in fields.values():
                related = getattr(f, "queryset", None)
                if isinstance(related, QuerySet | models.Manager):
                    f.queryset = restrict(related.all(), request.user, "view")  # type: ignore[attr-defined]
        return fields

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        personal = getattr(type(instance), "PERSONAL_FIELDS", ())
        request = self.context.get("request")
        if personal and request is not None:
            scope = scope_for(request.user)
            allowed = scope.sees_personal_data(
                vendor_id=getattr(instance, "vendor_id", None), user_id=getattr(instance, "user_id", None)
            )
            if not allowed:
                for name in personal:
                    if name in data and data[name] not in (None, ""):
                        data[name] = mask_field(name, data[name])
        return data


class ScopedModelViewSet(viewsets.ModelViewSet):
    """A viewset over a crud.Resource: its queryset, filters and audited save/delete."""

    resource: Any = None
    permission_classes = [ScopedWritePermission]

    def get_queryset(self) -> QuerySet[Any]:
        qs = restrict(self.resource.queryset(), self.request.user, "view")
        return qs.order_by(*self.resource.default_ordering)

    def get_object(self) -> Any:
        obj = super().get_object()
        if self.request.method not in ("GET", "HEAD", "OPTIONS"):
            model = type(obj)
            if not restrict(model._default_manager.filter(pk=obj.pk), self.request.user, "change").exists():
                from rest_framework.exceptions import PermissionDenied

                raise PermissionDenied
        return obj

    def _save(self, serializer: serializers.BaseSerializer[Any], instance: models.Model | None) -> None:
        data = dict(serializer.validated_data)
        m2m = {k: data.pop(k) for k in list(data) if isinstance(data[k], list)}
        before = snapshot(instance) if instance is not None else None
        obj = instance if instance is not None else self.resource.model()
        for key, value in data.items():
            setattr(obj, key, value)
        try:
            with transaction.atomic():
                self.resource.save(actor=self.request.user, obj=obj, before=before)
                for key, value in m2m.items():
                    getattr(obj, key).set(value)
                ensure_in_write_scope(self.request.user, obj)
        except DjangoValidationError as exc:
            raise DRFValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from None
        serializer.instance = obj

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        self._save(serializer, None)

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        self._save(serializer, serializer.instance)

    def perform_destroy(self, instance: models.Model) -> None:
        try:
            self.resource.delete(actor=self.request.user, obj=instance)
        except ProtectedError:
            raise Conflict from None
