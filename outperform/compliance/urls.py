from typing import Any

from django.urls import path, reverse

from outperform.core import crud

from . import views
from .resources import NOTICES, RESOURCES

app_name = "compliance"


class _NoImport:
    """These rows are written through services (state machines, derived flags): export, no import."""

    resource: crud.Resource
    scope: Any

    def context(self, **extra: Any) -> dict[str, Any]:
        r = self.resource
        meta = r.model._meta
        create = r.route("create")
        can_write = self.scope.can_write(r.model) or (r is NOTICES and self.scope.whole_write)
        return {
            "resource": r, "verbose_name": meta.verbose_name, "verbose_name_plural": meta.verbose_name_plural,
            "list_url": reverse(r.route("list")), "can_write": can_write, "can_import": False, "import_url": None,
            "create_url": reverse(create), **extra,
        }


class ListView(_NoImport, crud.ListView):
    pass


class DetailView(_NoImport, crud.DetailView):
    pass


class EditView(_NoImport, crud.EditView):
    pass


class DeleteView(_NoImport, crud.DeleteView):
    pass


def _crud(r: crud.Resource) -> list:
    """List (with export), detail, create, edit, delete — no import: these rows go through services."""
    n = r.name
    return [
        path(f"{n}/", ListView.as_view(resource=r), name=f"{n}_list"),
        path(f"{n}/<int:pk>/", DetailView.as_view(resource=r), name=f"{n}_detail"),
        path(f"{n}/new/", EditView.as_view(resource=r), name=f"{n}_create"),
        path(f"{n}/<int:pk>/edit/", EditView.as_view(resource=r), name=f"{n}_edit"),
        path(f"{n}/<int:pk>/delete/", DeleteView.as_view(resource=r), name=f"{n}_delete"),
    ]


urlpatterns = [
    path("portal/", views.portal, name="portal"),
    path("portal/results/", views.portal_results, name="portal_results"),
    path("notices/", ListView.as_view(resource=NOTICES), name="notices_list"),
    path("notices/new/", views.notice_issue_view, name="notices_create"),
    path("notices/<int:pk>/", views.notice_detail, name="notices_detail"),
    path("notices/<int:pk>/<str:action>/", views.notice_action, name="notice_action"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("findings/<int:pk>/notice/", views.notice_from_finding, name="notice_from_finding"),
    path("vetoes/", views.vetoes_view, name="vetoes"),
    *[p for r in RESOURCES for p in _crud(r)],
]
