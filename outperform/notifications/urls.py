from django.urls import path

from . import views
from .resources import RESOURCES

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/open/", views.notification_open, name="open"),
    path("read-all/", views.notifications_read_all, name="read_all"),
    path("preferences/", views.preferences, name="preferences"),
    *[p for r in RESOURCES for p in r.urls()],
]
