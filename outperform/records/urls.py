from django.urls import path

from . import views
from .resources import RESOURCES

app_name = "records"
urlpatterns = [
    path("sla/breaches/", views.sla_breaches, name="sla_breaches"),
    *[p for r in RESOURCES for p in r.urls()],
]
