from django.urls import path

from . import views
from .resources import PAGES

app_name = "development"

urlpatterns = [
    path("", views.my_development, name="mine"),
    path("recognition/", views.recognition_wall, name="wall"),
    path("evaluate/", views.evaluate, name="evaluate"),
    path("plans/<int:pk>/transition/", views.plan_transition, name="plan_transition"),
    path("plans/<int:pk>/milestones/", views.milestone_add, name="milestone_add"),
    path("plans/<int:pk>/checkins/", views.checkin_add, name="checkin_add"),
    path("milestones/<int:pk>/done/", views.milestone_done, name="milestone_done"),
    *[p for r in PAGES for p in r.urls()],
]
