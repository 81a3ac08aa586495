from django.urls import path

from . import views
from .resources import RESOURCES

app_name = "metrics"

urlpatterns = [
    path("explore/", views.explore, name="explore"),
    path("explore/<int:pk>/", views.explore_metric, name="explore_metric"),
    path("refresh/", views.refresh, name="refresh"),
    *[p for r in RESOURCES for p in r.urls()],
]
