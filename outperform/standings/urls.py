from django.urls import path

from . import views
from .resources import RESOURCES

app_name = "standings"

urlpatterns = [
    path("", views.index, name="index"),
    path("refresh/", views.refresh, name="refresh"),
    path("policy/", views.policy, name="policy"),
    path("vendors/<int:pk>/", views.vendor_detail, name="vendor"),
    path("scorecards/<int:pk>/", views.scorecard, name="scorecard"),
    path("compare/", views.compare, name="compare"),
    path("termination/", views.termination, name="termination"),
    path("settlements/", views.settlement_list, name="settlements"),
    path("settlements/compute/", views.settlement_compute, name="settlement_compute"),
    path("settlements/<int:pk>/", views.settlement_detail, name="settlement_detail"),
    path("settlements/<int:pk>/approve/", views.settlement_approve, name="settlement_approve"),
    *[p for r in RESOURCES for p in r.urls()],
]
