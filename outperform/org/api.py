from rest_framework import serializers

from outperform.core.api import ScopedModelSerializer, ScopedModelViewSet

from .filters import DepartmentFilterSet, PositionFilterSet, ProjectFilterSet
from .models import Department, Position, Project
from .resources import DepartmentResource, PositionResource, ProjectResource


class DepartmentSerializer(ScopedModelSerializer):
    path = serializers.CharField(read_only=True)

    class Meta:
        model = Department
        fields = ["id", "code", "name", "parent", "path", "head", "is_active", "created_at", "updated_at"]


class PositionSerializer(ScopedModelSerializer):
    class Meta:
        model = Position
        fields = ["id", "code", "name", "category", "description", "is_active", "created_at", "updated_at"]


class ProjectSerializer(ScopedModelSerializer):
    class Meta:
        model = Project
        fields = [
            "id", "code", "name", "department", "manager", "clients", "start_date", "end_date", "status", "description",
            "created_at", "updated_at",
        ]


class DepartmentViewSet(ScopedModelViewSet):
    resource = DepartmentResource()
    serializer_class = DepartmentSerializer
    filterset_class = DepartmentFilterSet
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name", "path"]


class PositionViewSet(ScopedModelViewSet):
    resource = PositionResource()
    serializer_class = PositionSerializer
    filterset_class = PositionFilterSet
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]


class ProjectViewSet(ScopedModelViewSet):
    resource = ProjectResource()
    serializer_class = ProjectSerializer
    filterset_class = ProjectFilterSet
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name", "start_date", "end_date"]
