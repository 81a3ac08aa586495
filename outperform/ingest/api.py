"""/api/v1/ingest/<source>/: bulk pushes of records by machines (same validation as uploads, all or
nothing, Idempotency-Key), and /api/v1/ingest/batches/: the batches the caller may see."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from outperform.access.scoping import restrict

from . import services
from .models import IngestBatch


class IngestBatchSerializer(serializers.ModelSerializer):
    class Meta:
        model = IngestBatch
        fields = ["id", "source", "origin", "state", "filename", "file_hash", "rows", "created", "updated",
                  "unchanged", "error_count", "errors", "engine", "seconds", "created_at", "committed_at"]


class IngestBatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = IngestBatchSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self) -> Any:
        return restrict(IngestBatch.objects.all(), self.request.user, "view").order_by("-created_at", "-id")


class PushViewSet(viewsets.ViewSet):
    """POST a JSON array of records of one source. Header `Idempotency-Key`: the same key with the
    same body returns the stored response and writes nothing; with another body, 409."""

    permission_classes = [permissions.IsAuthenticated]
    source_key = ""

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT},
        parameters=[OpenApiParameter("Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER)],
    )
    def create(self, request: Request) -> Response:
        key = request.headers.get("Idempotency-Key", "").strip()
        try:
            code, body = services.push_records(actor=request.user, source_key=self.source_key,  # type: ignore[arg-type]
                                               records=request.data,  # type: ignore[arg-type]
                                               idempotency_key=key)
        except DjangoPermissionDenied:
            raise NotFound from None
        except services.IdempotencyConflictError:
            return Response({"detail": "Idempotency-Key 已用于不同的请求内容 / the Idempotency-Key was used with "
                                       "another body"}, status=status.HTTP_409_CONFLICT)
        return Response(body, status=code)


def register(router: DefaultRouter) -> None:
    """Add this app's viewsets to the /api/v1/ router."""
    from .sources import all_sources

    router.register("ingest/batches", IngestBatchViewSet, basename="ingest-batch")
    for key in all_sources():
        viewset = type(f"Push{key.title().replace('_', '')}ViewSet", (PushViewSet,), {"source_key": key})
        router.register(f"ingest/{key}", viewset, basename=f"ingest-{key}")
