from django.urls import path

from . import views
from .resources import AuditLogResource

app_name = "core"
urlpatterns = [path("", views.home, name="home"), *AuditLogResource().urls()]
