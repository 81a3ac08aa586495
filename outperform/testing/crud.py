"""A reusable CRUD + permission test base (the NetBox pattern): a concrete test class declares the
resource, how to make one object, and a valid create payload; the base checks, in the web UI and
the API, that writers create, update and delete with exactly one audit row each, and that every
other role is refused (403) and writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse

from outperform.core.models import AuditLog

READ_ONLY_ROLES = ("supervisor", "worker", "auditor", "nobody")


def audit_rows(obj: models.Model) -> Any:
    return AuditLog.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))


class CrudCase:
    route: ClassVar[str]  # "namespace:stem", e.g. "vendors:vendors"
    api: ClassVar[str]  # "/api/v1/vendors/"
    model: ClassVar[type[models.Model]]
    writers: ClassVar[tuple[str, ...]] = ("hr", "system_admin")
    refused: ClassVar[tuple[str, ...]] = READ_ONLY_ROLES + ("vendor_manager",)
    make: ClassVar[Callable[..., models.Model]]  # (world) -> a saved object
    form_data: ClassVar[Callable[..., dict[str, Any]]]  # (world) -> POST data for a new object
    api_data: ClassVar[Callable[..., dict[str, Any]] | None] = None  # default: form_data
    update_field: ClassVar[tuple[str, Any]]  # (field, new value) for an update

    def _api_payload(self, world: Any) -> dict[str, Any]:
        return (self.api_data or self.form_data)(world)

    @pytest.mark.django_db
    def test_writers_create_update_delete_with_one_audit_row_each(self, world, client_for, api_for):
        for role in self.writers:
            with_web = client_for(role)
            before = set(self.model._default_manager.values_list("pk", flat=True))
            response = with_web.post(reverse(f"{self.route}_create"), self.form_data(world))
            assert response.status_code == 302, response.content.decode()[:3000]
            (new_pk,) = set(self.model._default_manager.values_list("pk", flat=True)) - before
            obj = self.model._default_manager.get(pk=new_pk)
            assert audit_rows(obj).filter(action="create").count() == 1
            field, value = self.update_field
            response = api_for(role).patch(f"{self.api}{obj.pk}/", {field: value}, format="json")
            assert response.status_code == 200, response.content
            assert audit_rows(obj).filter(action="update").count() == 1
            assert with_web.post(reverse(f"{self.route}_delete", args=[obj.pk])).status_code == 302
            assert not self.model._default_manager.filter(pk=obj.pk).exists()
            assert audit_rows(obj).filter(action="delete").count() == 1
            assert audit_rows(obj).count() == 3
            created = api_for(role).post(self.api, self._api_payload(world), format="json")
            assert created.status_code == 201, created.content
            obj = self.model._default_manager.get(pk=created.json()["id"])
            assert audit_rows(obj).count() == 1
            obj.delete()

    @pytest.mark.django_db
    def test_other_roles_are_refused_and_write_nothing(self, world, client_for, api_for):
        obj = self.make(world)
        count = self.model._default_manager.count()
        audits = AuditLog.objects.count()
        field, value = self.update_field
        for role in self.refused:
            web, rest = client_for(role), api_for(role)
            assert web.get(reverse(f"{self.route}_create")).status_code == 403, role
            assert web.post(reverse(f"{self.route}_create"), self.form_data(world)).status_code == 403, role
            assert rest.post(self.api, self._api_payload(world), format="json").status_code in (403, 404), role
            assert rest.patch(f"{self.api}{obj.pk}/", {field: value}, format="json").status_code in (403, 404), role
            assert rest.delete(f"{self.api}{obj.pk}/").status_code in (403, 404), role
            assert web.post(reverse(f"{self.route}_delete", args=[obj.pk])).status_code in (403, 404), role
        assert self.model._default_manager.count() == count
        assert AuditLog.objects.count() == audits
