from django.urls import path

from . import views
from .resources import RESOURCES

app_name = "indicators"

_TEMPLATES = next(r for r in RESOURCES if r.name == "templates")
_OWN_VIEWS = {"templates_list": views.TemplateListView.as_view(resource=_TEMPLATES)}

urlpatterns = [
    path("templates/import/", views.TemplateImportView.as_view(resource=_TEMPLATES), name="templates_import"),
    path("templates/<int:pk>/export.xlsx", views.TemplateExportView.as_view(resource=_TEMPLATES),
         name="templates_export"),
    *(
        path(str(p.pattern), _OWN_VIEWS[p.name], name=p.name) if p.name in _OWN_VIEWS else p
        for r in RESOURCES for p in r.urls()
    ),
]
