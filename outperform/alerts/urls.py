from django.urls import path

from . import views
from .resources import RULES

app_name = "alerts"

urlpatterns = [
    path("", views.alert_list_view, name="alert_list"),
    path("<int:pk>/", views.alert_detail, name="alert_detail"),
    path("<int:pk>/acknowledge/", views.alert_acknowledge_view, name="alert_acknowledge"),
    path("<int:pk>/resolve/", views.alert_resolve_view, name="alert_resolve"),
    path("kinds/", views.kinds_view, name="kinds"),
    path("evaluate/", views.evaluate_now, name="evaluate"),
    path("rules/<int:pk>/alerts/", views.rule_alerts, name="rule_alerts"),
    *RULES.urls(),
]
