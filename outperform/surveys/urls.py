from django.urls import path

from . import views
from .resources import RESOURCES

app_name = "surveys"

urlpatterns = [
    path("r/<str:token>/", views.respond, name="respond"),
    path("questionnaires/<int:pk>/questions/", views.questions, name="questions"),
    path("questionnaires/<int:pk>/copy/", views.questionnaire_copy, name="questionnaire_copy"),
    path("surveys/<int:pk>/send/", views.send, name="send"),
    path("surveys/<int:pk>/results/", views.results, name="results"),
    *[p for r in RESOURCES for p in r.urls()],
]
