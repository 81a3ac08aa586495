from outperform.core.api import ScopedModelSerializer, ScopedModelViewSet

from .filters import WorkerFilterSet
from .models import Worker
from .resources import WorkerResource


class WorkerSerializer(ScopedModelSerializer):
    class Meta:
        model = Worker
        fields = ["id", "employee_no", "name", "gender", "mobile", "id_number", "email", "vendor", "department",
                  "project", "position", "supervisor", "user", "hire_date", "leave_date", "status",
                  "base_salary_fen", "base_bonus_fen", "created_at", "updated_at"]
        # Linking a login account to a worker is the system admin's job (Django admin).
        read_only_fields = ["user"]


class WorkerViewSet(ScopedModelViewSet):
    resource = WorkerResource()
    serializer_class = WorkerSerializer
    filterset_class = WorkerFilterSet
    search_fields = ["employee_no", "name"]
    ordering_fields = ["employee_no", "name", "hire_date"]
