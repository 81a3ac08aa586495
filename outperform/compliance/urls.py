from django.urls import path

from outperform.core.crud import ListView

from . import views
from .resources import NOTICES, RESOURCES

app_name = "compliance"

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
    *[p for r in RESOURCES for p in r.urls()],
]
