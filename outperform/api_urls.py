"""/api/v1/: one router for every app's viewsets."""

from importlib import import_module
from typing import Any

from rest_framework.routers import DefaultRouter

from outperform.cycles import api as cycles_api
from outperform.indicators.api import DimensionViewSet, IndicatorViewSet, TemplateViewSet
from outperform.notifications.api import NotificationViewSet
from outperform.org.api import DepartmentViewSet, PositionViewSet, ProjectViewSet
from outperform.vendors.api import ContractViewSet, ServiceLevelViewSet, VendorViewSet
from outperform.workers.api import WorkerViewSet


class Router(DefaultRouter):
    """Numeric primary keys only: `/api/v1/workers/abc/` does not resolve (404) instead of reaching a
    view that would turn the bad id into a server error."""

    def get_lookup_regex(self, viewset: Any, lookup_prefix: str = "") -> str:
        if getattr(viewset, "lookup_field", "pk") in ("pk", "id") and not getattr(viewset, "lookup_value_regex", None):
            viewset.lookup_value_regex = "[0-9]+"
        return super().get_lookup_regex(viewset, lookup_prefix)


router = Router()
router.register("departments", DepartmentViewSet, basename="department")
router.register("positions", PositionViewSet, basename="position")
router.register("projects", ProjectViewSet, basename="project")
router.register("vendors", VendorViewSet, basename="vendor")
router.register("contracts", ContractViewSet, basename="contract")
router.register("service-levels", ServiceLevelViewSet, basename="service-level")
router.register("workers", WorkerViewSet, basename="worker")
router.register("cycles", cycles_api.CycleViewSet, basename="cycle")
router.register("appraisals", cycles_api.AppraisalViewSet, basename="appraisal")
router.register("my-evaluations", cycles_api.MyEvaluationViewSet, basename="my-evaluation")
router.register("assignments", cycles_api.AssignmentViewSet, basename="assignment")
router.register("goals", cycles_api.GoalViewSet, basename="goal")
router.register("appeals", cycles_api.AppealViewSet, basename="appeal")
router.register("interviews", cycles_api.InterviewViewSet, basename="interview")
router.register("jobs", cycles_api.JobViewSet, basename="job")
router.register("teams", cycles_api.TeamViewSet, basename="team")
router.register("dimensions", DimensionViewSet, basename="dimension")
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("templates", TemplateViewSet, basename="template")
router.register("notifications", NotificationViewSet, basename="notification")

# Apps added after the first issues register their own viewsets.
APPS = ("records", "ingest", "metrics", "surveys", "rewards", "development", "alerts", "insights", "standings",
        "compliance")
for _app in APPS:
    import_module(f"outperform.{_app}.api").register(router)

urlpatterns = router.urls
