"""Export-only lists for the vendor-loop apps (compliance and standings).

Their rows are written through services (state machines, derived flags, computed standings), so the
lists export to .xlsx but never import. `core.crud` ties export to an importer and adds import
routes whenever one is set; here an `Exporter` is a ModelImporter whose columns are display
accessors ("vendor.name", "get_state_display") and `crud_routes` builds the pages without the
import routes. Every text cell still goes through the shared writer, which neutralises formulas.

Action links on a detail page are shown only to the callers whose role may use the route they
lead to (the route's decision in `access.routes`), so nobody is offered a link that answers 403.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, ClassVar

from django.db import models
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone

from outperform.access.routes import ROUTES, WHOLE_VIEW, WHOLE_WRITE
from outperform.access.scoping import Scope
from outperform.core import crud, excel
from outperform.core.crud import Col
from outperform.core.display import resolve
from outperform.core.importing import ModelImporter


class Exporter(ModelImporter):
    key = "pk"
    money: ClassVar[frozenset[str]] = frozenset()  # column keys holding fen, written in yuan

    def export_value(self, obj: models.Model, column: excel.Column) -> Any:
        value = resolve(obj, column.key)
        if column.key in self.money and isinstance(value, int) and not isinstance(value, bool):
            return Decimal(value) / 100  # exact: fen are integers
        if isinstance(value, models.Model):
            return str(value)
        if isinstance(value, list):
            return "；".join(str(v) for v in value)
        if isinstance(value, dict):
            return "；".join(f"{k}: {v}" for k, v in value.items())
        if isinstance(value, dt.datetime):
            # Excel has no time zones: the wall-clock time people saw on the page.
            return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
        return value


def exporter_for(model: type[models.Model], title: str, columns: Sequence[Col]) -> Exporter:
    spec = excel.SheetSpec(title, [
        excel.Column(c.accessor, str(c.label), str(c.label), excel.parse_text(),
                     number_format="#,##0.00" if c.money else None)
        for c in columns])
    cls = type(f"{model.__name__}Exporter", (Exporter,), {
        "model": model, "sheet": spec, "money": frozenset(c.accessor for c in columns if c.money)})
    return cls()


def may_use(route: str, scope: Scope) -> bool:
    """Whether the caller's role may use a route at all (its declared decision); rows are still
    checked by the view. Routes without a declared role limit are open to any signed-in user."""
    decision = ROUTES.get(route)
    if decision is None:
        return True
    if decision.kind == WHOLE_WRITE:
        return scope.whole_write
    if decision.kind == WHOLE_VIEW:
        return scope.whole_view
    return True


def _route_exists(name: str) -> bool:
    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True


class _NoImport:
    """The list and detail context of a resource that exports and never imports."""

    resource: crud.Resource
    scope: Scope  # crud.ResourceView's property

    def context(self, **extra: Any) -> dict[str, Any]:
        r = self.resource
        meta = r.model._meta
        create = r.route("create")
        create_url = reverse(create) if _route_exists(create) else None
        can_write = bool(create_url) and self.scope.can_write(r.model) and may_use(create, self.scope)
        return {
            "resource": r, "verbose_name": meta.verbose_name, "verbose_name_plural": meta.verbose_name_plural,
            "list_url": reverse(r.route("list")), "can_write": can_write, "can_import": False, "import_url": None,
            "create_url": create_url, **extra,
        }


class ListView(_NoImport, crud.ListView):
    pass


class DetailView(_NoImport, crud.DetailView):
    def context(self, **extra: Any) -> dict[str, Any]:
        scope = self.scope
        allowed = {str(reverse(route, args=[extra["object"].pk])) for _label, route in self.resource.detail_links
                   if may_use(route, scope)} if "object" in extra else set()
        if "links" in extra:
            extra["links"] = [(label, url) for label, url in extra["links"] if url in allowed]
        return super().context(**extra)


class EditView(_NoImport, crud.EditView):
    pass


class DeleteView(_NoImport, crud.DeleteView):
    pass


def crud_routes(r: crud.Resource) -> list[URLPattern]:
    """List (with ?export=xlsx), detail, and — with a form — create, edit, delete; no import."""
    n = r.name
    routes = [
        path(f"{n}/", ListView.as_view(resource=r), name=f"{n}_list"),
        path(f"{n}/<int:pk>/", DetailView.as_view(resource=r), name=f"{n}_detail"),
    ]
    if r.form_class is not None:
        routes += [
            path(f"{n}/new/", EditView.as_view(resource=r), name=f"{n}_create"),
            path(f"{n}/<int:pk>/edit/", EditView.as_view(resource=r), name=f"{n}_edit"),
            path(f"{n}/<int:pk>/delete/", DeleteView.as_view(resource=r), name=f"{n}_delete"),
        ]
    return routes
