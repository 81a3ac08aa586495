"""/api/v1/: one router for every app's viewsets."""

from rest_framework.routers import DefaultRouter

from outperform.org.api import DepartmentViewSet, PositionViewSet, ProjectViewSet
from outperform.vendors.api import ContractViewSet, ServiceLevelViewSet, VendorViewSet
from outperform.workers.api import WorkerViewSet

router = DefaultRouter()
router.register("departments", DepartmentViewSet, basename="department")
router.register("positions", PositionViewSet, basename="position")
router.register("projects", ProjectViewSet, basename="project")
router.register("vendors", VendorViewSet, basename="vendor")
router.register("contracts", ContractViewSet, basename="contract")
router.register("service-levels", ServiceLevelViewSet, basename="service-level")
router.register("workers", WorkerViewSet, basename="worker")

urlpatterns = router.urls
