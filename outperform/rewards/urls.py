from django.urls import path

from . import views
from .resources import SalaryRuleResource

app_name = "rewards"

urlpatterns = [
    path("", views.PlanListView.as_view(resource=views.PLANS), name="plans_list"),
    path("plans/new/", views.plan_create, name="plans_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plans_detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plans_edit"),
    path("plans/<int:pk>/pools/", views.plan_pools, name="plans_pools"),
    path("plans/<int:pk>/prepare/", views.plan_prepare_view, name="plans_prepare"),
    path("plans/<int:pk>/submit/", views.plan_submit_view, name="plans_submit"),
    path("plans/<int:pk>/approve/", views.plan_approve_view, name="plans_approve"),
    path("plans/<int:pk>/return/", views.plan_return_view, name="plans_return"),
    path("plans/<int:pk>/delete/", views.plan_delete_view, name="plans_delete"),
    path("plans/<int:pk>/payroll.xlsx", views.plan_payroll, name="plans_payroll"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/progress/", views.job_progress, name="job_progress"),
    path("mine/", views.my_bonus, name="my_bonus"),
    path("suggestions/", views.SuggestionListView.as_view(resource=views.SUGGESTIONS), name="suggestions_list"),
    path("suggestions/generate/", views.suggestions_generate, name="suggestions_generate"),
    path("suggestions/<int:pk>/", views.suggestion_detail, name="suggestions_detail"),
    *SalaryRuleResource().urls(),
]
