"""/api/v1/ routes of the surveys app."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse
from rest_framework.routers import DefaultRouter

from outperform.access.scoping import restrict, scope_for
from outperform.core.api import ScopedModelSerializer, ScopedModelViewSet

from . import scoring, services
from .filters import QuestionnaireFilterSet, SurveyFilterSet
from .models import Question, Questionnaire, Response, Survey
from .resources import QuestionnaireResource, SurveyResource


class QuestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Question
        fields = ["id", "order", "kind", "text", "required", "low_label", "high_label", "options", "weight"]


class QuestionnaireSerializer(ScopedModelSerializer):
    questions = QuestionSerializer(many=True, read_only=True)

    class Meta:
        model = Questionnaire
        fields = ["id", "title", "intro", "is_active", "questions", "created_at"]
        read_only_fields = ["created_at"]


class SurveySerializer(ScopedModelSerializer):
    invitation_count = serializers.IntegerField(read_only=True)
    response_count = serializers.IntegerField(read_only=True)
    response_rate = serializers.SerializerMethodField()

    class Meta:
        model = Survey
        fields = ["id", "questionnaire", "title", "subject_kind", "vendor", "project", "worker", "department",
                  "period_start", "period_end", "expires_at", "status", "invitation_count", "response_count",
                  "response_rate"]
        read_only_fields = ["department"]

    def get_response_rate(self, obj: Survey) -> str | None:
        inv = getattr(obj, "invitation_count", None)
        if inv is None:
            return None
        rate = scoring.response_rate(obj.response_count, inv)  # type: ignore[attr-defined]
        return None if rate is None else str(rate)


class RecipientSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    department = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class InviteSerializer(serializers.Serializer):
    recipients = RecipientSerializer(many=True)
    send_email = serializers.BooleanField(default=False)


class QuestionResultSerializer(serializers.Serializer):
    question = serializers.IntegerField(source="question.pk")
    text = serializers.CharField(source="question.text")
    kind = serializers.CharField(source="question.kind")
    answered = serializers.IntegerField()
    mean_score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    distribution = serializers.ListField(child=serializers.ListField())


class SurveyResultsSerializer(serializers.Serializer):
    score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    responses = serializers.IntegerField()
    invitations = serializers.IntegerField()
    response_rate = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    questions = QuestionResultSerializer(many=True)


class QuestionnaireViewSet(ScopedModelViewSet):
    resource = QuestionnaireResource()
    serializer_class = QuestionnaireSerializer
    filterset_class = QuestionnaireFilterSet
    search_fields = ["title"]
    ordering_fields = ["title", "created_at"]


class SurveyViewSet(ScopedModelViewSet):
    resource = SurveyResource()
    serializer_class = SurveySerializer
    filterset_class = SurveyFilterSet
    search_fields = ["title"]
    ordering_fields = ["period_end", "title", "expires_at"]

    @extend_schema(responses={200: SurveyResultsSerializer})
    @action(detail=True, methods=["get"])
    def results(self, request: Request, pk: str | None = None) -> ApiResponse:
        survey = self.get_object()
        questions, score, responses, invitations = services.survey_results(survey)
        return ApiResponse(SurveyResultsSerializer({
            "score": score, "responses": responses, "invitations": invitations,
            "response_rate": scoring.response_rate(responses, invitations), "questions": questions,
        }).data)

    @extend_schema(request=InviteSerializer, responses={201: serializers.ListSerializer(child=serializers.DictField())})
    @action(detail=True, methods=["post"])
    def invite(self, request: Request, pk: str | None = None) -> ApiResponse:
        """Create one link per recipient (HR); the response lists the links."""
        if not scope_for(request.user).whole_write:
            raise PermissionDenied
        survey = self.get_object()
        s = InviteSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        recipients = [services.Recipient(**r) for r in s.validated_data["recipients"]]

        def link(i: Any) -> str:
            return request.build_absolute_uri(f"/surveys/r/{i.token}/")

        try:
            created = services.invitations_create(actor=request.user, survey=survey, recipients=recipients,  # type: ignore[arg-type]
                                                  send_email=s.validated_data["send_email"], link_for=link)
        except DjangoValidationError as exc:
            raise DRFValidationError(exc.messages) from None
        return ApiResponse([{"id": i.pk, "name": i.name, "link": link(i)} for i in created],
                           status=status.HTTP_201_CREATED)


class ResponseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Response
        fields = ["id", "external_id", "survey", "submitted_on", "period_date", "score", "vendor", "project", "worker",
                  "department"]
        read_only_fields = fields


class ResponseViewSet(viewsets.ReadOnlyModelViewSet):
    """答卷 (record source survey_response): scores and subjects, not the respondents."""

    serializer_class = ResponseSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["survey", "vendor", "project", "worker"]
    ordering_fields = ["submitted_on", "score", "id"]

    def get_queryset(self) -> QuerySet[Response]:
        return restrict(Response.objects.all(), self.request.user).order_by("-submitted_on", "-id")


def register(router: DefaultRouter) -> None:
    """Add this app's viewsets to the /api/v1/ router."""
    router.register("questionnaires", QuestionnaireViewSet, basename="questionnaire")
    router.register("surveys", SurveyViewSet, basename="survey")
    router.register("survey-responses", ResponseViewSet, basename="survey-response")
