"""/api/v1/ routes of the development app: the same resources, scoping, services and audit as the
pages. A service's ValidationError answers 400, PermissionDenied 403, an object outside the caller's
scope 404."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from outperform.access.scoping import get_scoped_or_404, scope_for
from outperform.core.api import ScopedModelSerializer, ScopedModelViewSet
from outperform.cycles.api import JobSerializer, call, job_response
from outperform.cycles.models import Cycle

from . import services
from .filters import (
    ArticleFilterSet,
    CheckInFilterSet,
    CommendationFilterSet,
    MilestoneFilterSet,
    PlanFilterSet,
    RuleFilterSet,
    SuggestionFilterSet,
    TopicFilterSet,
    TrainingFilterSet,
)
from .models import (
    Article,
    Commendation,
    DevelopmentRule,
    ImprovementPlan,
    PlanCheckIn,
    PlanMilestone,
    Suggestion,
    SuggestionState,
    TrainingRecord,
    TrainingTopic,
)
from .resources import (
    ARTICLES,
    CHECKINS,
    COMMENDATIONS,
    MILESTONES,
    PLANS,
    RULES,
    SUGGESTIONS,
    TOPICS,
    TRAINING,
)
from .selectors import article_search, articles_visible

# --- serializers -------------------------------------------------------------------------------------


class RuleSerializer(ScopedModelSerializer):
    class Meta:
        model = DevelopmentRule
        fields = ["id", "code", "name", "kind", "active", "window", "count", "min_grade", "top_grade", "low_grade",
                  "min_tenure_months", "score_below", "max_items", "plan_days", "description"]


class TopicSerializer(ScopedModelSerializer):
    class Meta:
        model = TrainingTopic
        fields = ["id", "topic", "indicator", "dimension", "note"]


class SuggestionSerializer(ScopedModelSerializer):
    worker_name = serializers.CharField(source="worker.name", read_only=True)

    class Meta:
        model = Suggestion
        fields = ["id", "kind", "rule", "cycle", "worker", "worker_name", "department", "vendor", "reason", "topics",
                  "state", "decision_reason", "decided_by", "decided_at", "created_at"]
        read_only_fields = fields


class DecideSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=[SuggestionState.ACCEPTED, SuggestionState.DISMISSED])
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class EvaluateSerializer(serializers.Serializer):
    cycle = serializers.IntegerField()


class TrainingSerializer(ScopedModelSerializer):
    class Meta:
        model = TrainingRecord
        fields = ["id", "external_id", "worker", "department", "vendor", "course", "provider", "date", "hours",
                  "completed", "result", "score", "suggestion", "created_at", "updated_at"]
        read_only_fields = ["department", "vendor", "created_at", "updated_at"]
        extra_kwargs = {"external_id": {"required": False, "allow_blank": True}}


class MilestoneSerializer(ScopedModelSerializer):
    class Meta:
        model = PlanMilestone
        fields = ["id", "plan", "title", "due", "done_at"]


class CheckInSerializer(ScopedModelSerializer):
    class Meta:
        model = PlanCheckIn
        fields = ["id", "plan", "date", "note", "author", "created_at"]
        read_only_fields = ["author", "created_at"]


class PlanSerializer(ScopedModelSerializer):
    milestones = MilestoneSerializer(many=True, read_only=True)
    check_ins = CheckInSerializer(many=True, read_only=True)

    class Meta:
        model = ImprovementPlan
        fields = ["id", "kind", "subject_kind", "worker", "vendor", "department", "title", "problems", "measures",
                  "owner", "start_date", "deadline", "state", "outcome", "outcome_date", "outcome_note",
                  "source_cycle", "source_rule", "articles", "milestones", "check_ins", "created_at", "updated_at"]
        # State and outcome move only through the transition endpoint; the subject kind only by the
        # kinds a later issue adds.
        read_only_fields = ["kind", "subject_kind", "vendor", "department", "state", "outcome", "outcome_date",
                            "outcome_note", "source_cycle", "source_rule", "created_at", "updated_at"]


class TransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=list(services.TRANSITIONS))
    note = serializers.CharField(required=False, allow_blank=True, default="")
    deadline = serializers.DateField(required=False, allow_null=True, default=None)
    on = serializers.DateField(required=False, allow_null=True, default=None)


class CommendationSerializer(ScopedModelSerializer):
    class Meta:
        model = Commendation
        fields = ["id", "worker", "department", "author", "title", "text", "visibility", "cycle", "indicator", "date",
                  "created_at"]
        read_only_fields = ["department", "author", "created_at"]


class ArticleSerializer(ScopedModelSerializer):
    class Meta:
        model = Article
        fields = ["id", "title", "kind", "summary", "body", "tags", "indicators", "dimensions", "author", "published",
                  "created_at", "updated_at"]
        read_only_fields = ["author", "created_at", "updated_at"]


# --- viewsets ----------------------------------------------------------------------------------------


class RuleViewSet(ScopedModelViewSet):
    resource = RULES
    serializer_class = RuleSerializer
    filterset_class = RuleFilterSet
    search_fields = ["code", "name"]
    ordering_fields = ["code", "kind"]


class TopicViewSet(ScopedModelViewSet):
    resource = TOPICS
    serializer_class = TopicSerializer
    filterset_class = TopicFilterSet
    search_fields = ["topic"]
    ordering_fields = ["topic"]


class SuggestionViewSet(ScopedModelViewSet):
    """Suggestions are made by the rules (`evaluate`) and decided (`decide`); never written directly."""

    resource = SUGGESTIONS
    serializer_class = SuggestionSerializer
    filterset_class = SuggestionFilterSet
    search_fields = ["worker__name", "worker__employee_no"]
    ordering_fields = ["created_at", "kind", "state"]
    http_method_names = ["get", "post", "head", "options"]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise PermissionDenied

    @extend_schema(request=DecideSerializer, responses={200: SuggestionSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        """采纳 or 驳回 (a dismissal needs a reason)."""
        suggestion = self.get_object()
        s = DecideSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        suggestion = call(services.suggestion_decide, actor=request.user, suggestion=suggestion,
                          state=s.validated_data["state"], reason=s.validated_data["reason"])
        return Response(SuggestionSerializer(suggestion, context=self.get_serializer_context()).data)

    @extend_schema(request=EvaluateSerializer, responses={202: JobSerializer})
    @action(detail=False, methods=["post"])
    def evaluate(self, request: Request) -> Response:
        """Run the active rules over a published cycle in a background job (HR only; idempotent)."""
        if not scope_for(request.user).whole_write:
            raise PermissionDenied
        s = EvaluateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        cycle = get_scoped_or_404(Cycle.objects.all(), request.user, "view", pk=s.validated_data["cycle"])
        if cycle.state not in services.PUBLISHED_STATES:
            from rest_framework.exceptions import ValidationError

            raise ValidationError({"cycle": ["考核结果尚未发布 / The cycle's results are not published yet"]})
        from .tasks import start_evaluate

        return job_response(start_evaluate(request.user, cycle))  # type: ignore[arg-type]


class TrainingViewSet(ScopedModelViewSet):
    resource = TRAINING
    serializer_class = TrainingSerializer
    filterset_class = TrainingFilterSet
    search_fields = ["course", "provider", "worker__name", "worker__employee_no"]
    ordering_fields = ["date", "hours"]


class PlanViewSet(ScopedModelViewSet):
    resource = PLANS
    serializer_class = PlanSerializer
    filterset_class = PlanFilterSet
    search_fields = ["title", "worker__name"]
    ordering_fields = ["start_date", "deadline", "state"]

    def get_queryset(self) -> Any:
        return super().get_queryset().prefetch_related("milestones", "check_ins", "articles")

    @extend_schema(request=TransitionSerializer, responses={200: PlanSerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        """activate / extend (new deadline) / pass / fail / close — refused (400) when illegal."""
        plan = self.get_object()
        s = TransitionSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        plan = call(services.plan_transition, actor=request.user, plan=plan, **s.validated_data)
        return Response(PlanSerializer(plan, context=self.get_serializer_context()).data)


class MilestoneViewSet(ScopedModelViewSet):
    resource = MILESTONES
    serializer_class = MilestoneSerializer
    filterset_class = MilestoneFilterSet
    ordering_fields = ["due"]


class CheckInViewSet(ScopedModelViewSet):
    resource = CHECKINS
    serializer_class = CheckInSerializer
    filterset_class = CheckInFilterSet
    ordering_fields = ["date"]


class CommendationViewSet(ScopedModelViewSet):
    resource = COMMENDATIONS
    serializer_class = CommendationSerializer
    filterset_class = CommendationFilterSet
    search_fields = ["title", "text", "worker__name"]
    ordering_fields = ["date"]


class ArticleViewSet(ScopedModelViewSet):
    """Search: `?q=` matches every word in the title, summary, body or tags."""

    resource = ARTICLES
    serializer_class = ArticleSerializer
    filterset_class = ArticleFilterSet
    ordering_fields = ["updated_at", "title"]

    def get_queryset(self) -> Any:
        qs = articles_visible(super().get_queryset(), self.request.user).prefetch_related("indicators", "dimensions")
        text = self.request.query_params.get("q", "").strip()
        return article_search(qs, text).distinct() if text else qs


def register(router: DefaultRouter) -> None:
    """Add this app's viewsets to the /api/v1/ router."""
    router.register("development-rules", RuleViewSet, basename="development-rule")
    router.register("training-topics", TopicViewSet, basename="training-topic")
    router.register("development-suggestions", SuggestionViewSet, basename="development-suggestion")
    router.register("training-records", TrainingViewSet, basename="training-record")
    router.register("improvement-plans", PlanViewSet, basename="improvement-plan")
    router.register("plan-milestones", MilestoneViewSet, basename="plan-milestone")
    router.register("plan-checkins", CheckInViewSet, basename="plan-checkin")
    router.register("commendations", CommendationViewSet, basename="commendation")
    router.register("articles", ArticleViewSet, basename="article")

