"""REST API of the cycle flow: the same services, scoping and anonymity rules as the pages.

Errors: a service's ValidationError answers 400 with its messages (by field where it names one,
else under `non_field_errors`); PermissionDenied answers 403; an object outside the caller's scope
answers 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from outperform.access.scoping import restrict, scope_for
from outperform.core.api import ScopedModelSerializer, ScopedModelViewSet
from outperform.core.audit import snapshot
from outperform.core.crud import paginate
from outperform.core.jobs import job_live_progress
from outperform.core.models import Job, JobState
from outperform.indicators.models import SubjectKind, TemplateStatus

from . import peers, queries
from .filters import (
    ApiAppraisalFilterSet,
    AppealFilterSet,
    AssignmentFilterSet,
    CycleFilterSet,
    GoalFilterSet,
    InterviewFilterSet,
    TeamFilterSet,
)
from .forms import validate_attachment
from .models import (
    CYCLE_FLOW,
    AdjustmentEntry,
    Appeal,
    Appraisal,
    Cycle,
    CycleState,
    Goal,
    Interview,
    MetricValue,
    PeerSelection,
    RaterAssignment,
    Score,
    Team,
)
from .resources import CycleResource, TeamResource
from .scope import search_options, template_counts
from .selectors import cycle_progress, my_assignments, rated_indicators, template_rules_get
from .services import (
    adjustment_add,
    adjustment_remove,
    appeal_decide,
    appeal_submit,
    appraisal_calibrate,
    appraisal_confirm,
    appraisal_peers_set,
    assignment_reopen,
    assignment_save,
    cycle_advance,
    cycle_move_back,
    cycle_scope_set,
    goal_agree,
    goal_change,
    goal_propose,
    interview_acknowledge,
    interview_save,
    metric_value_set,
    veto_add,
)
from .services.goals import GOAL_FIELDS
from .services.overrides import cycle_template_rules_set
from .services.subjects import SCOPE_FIELDS
from .tasks import start_compute, start_open

T = TypeVar("T")
RESULT_FIELDS = ("composite", "grade", "grade_name", "rank", "group_size", "coefficient", "bonus_fen")
RESULT_ORDERINGS = {"composite", "rank", "grade", "bonus_fen"}


def call(fn: Callable[..., T], **kwargs: Any) -> T:
    """Run a service; its ValidationError becomes a 400 with the same (bilingual) messages."""
    try:
        return fn(**kwargs)
    except DjangoValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise DRFValidationError(exc.message_dict) from None
        raise DRFValidationError({"non_field_errors": exc.messages}) from None


# --- jobs ---------------------------------------------------------------------------------------


class JobSerializer(serializers.ModelSerializer):
    percent = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = ["id", "kind", "label", "state", "done", "total", "percent", "message", "result", "error",
                  "created_at", "started_at", "finished_at", "url"]
        read_only_fields = fields

    def to_representation(self, instance: Job) -> dict[str, Any]:
        data = super().to_representation(instance)
        done, total, message = job_live_progress(instance)
        data.update(done=done, total=total, message=message)
        data["error"] = instance.error.split("\n\n", 1)[0] if instance.error else ""
        return data

    @extend_schema_field(OpenApiTypes.INT)
    def get_percent(self, obj: Job) -> int:
        if obj.state == JobState.SUCCEEDED:
            return 100
        done, total, _m = job_live_progress(obj)
        return int(done * 100 / total) if total else 0

    @extend_schema_field(OpenApiTypes.STR)
    def get_url(self, obj: Job) -> str:
        return reverse("job-detail", args=[obj.pk])


class JobViewSet(viewsets.ReadOnlyModelViewSet):
    """Background jobs (cycle opening, compute…) and their progress; everyone sees the jobs they
    started, admin, HR and the auditor all."""

    serializer_class = JobSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["kind", "state"]
    ordering_fields = ["created_at"]
    search_fields = ["label"]

    def get_queryset(self) -> QuerySet[Job]:
        return restrict(Job.objects.all(), self.request.user).order_by("-created_at", "-id")


def job_response(job: Job) -> Response:
    job.refresh_from_db()
    return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


# --- cycles -------------------------------------------------------------------------------------


class SubjectIdsField(serializers.ListField):
    """Ids of one named-subject list of the cycle (a many-to-many), read from the prefetched rows;
    written through services.cycle_scope_set, which checks kind and scope."""

    child = serializers.IntegerField(min_value=1)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 100_000)
        super().__init__(**kwargs)

    def get_attribute(self, instance: Any) -> list[int]:
        return [o.pk for o in getattr(instance, str(self.source)).all()]


NAMED_HELP = ("Ids of {kind} named in the scope ({what}); only for a cycle whose subject_kind is {code}. "
              "Ids outside the caller's scope are refused.")


class CycleSerializer(ScopedModelSerializer):
    include_workers = SubjectIdsField(help_text=NAMED_HELP.format(kind="workers", what="added", code="worker"))
    exclude_workers = SubjectIdsField(help_text=NAMED_HELP.format(kind="workers", what="taken out", code="worker"))
    include_vendors = SubjectIdsField(help_text=NAMED_HELP.format(kind="vendors", what="added", code="vendor"))
    exclude_vendors = SubjectIdsField(help_text=NAMED_HELP.format(kind="vendors", what="taken out", code="vendor"))
    include_teams = SubjectIdsField(help_text=NAMED_HELP.format(kind="teams", what="added", code="team"))
    exclude_teams = SubjectIdsField(help_text=NAMED_HELP.format(kind="teams", what="taken out", code="team"))

    class Meta:
        model = Cycle
        fields = ["id", "name", "period_type", "start_date", "end_date", "subject_kind", "state", "departments",
                  "vendors", "projects", "positions", "subjects_named_only", "include_workers", "exclude_workers",
                  "include_vendors", "exclude_vendors", "include_teams", "exclude_teams", "default_template",
                  "peer_count", "peer_selection", "appeal_window_days", "goals_due", "self_review_due", "review_due",
                  "calibration_due", "confirmation_due", "seed", "opened_at", "published_at", "archived_at",
                  "created_at", "updated_at"]
        read_only_fields = ["state", "opened_at", "published_at", "archived_at", "created_at", "updated_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        instance = self.instance
        template = attrs.get("default_template", getattr(instance, "default_template", None))
        kind = attrs.get("subject_kind", getattr(instance, "subject_kind", None))
        if "default_template" in attrs and template is not None and template.status != TemplateStatus.ACTIVE:
            raise DRFValidationError({"default_template": _("考核方案未启用 / The template is not active")})
        if template is not None and kind and template.subject_kind != kind:
            raise DRFValidationError(
                {"default_template": _("考核方案的考核对象与周期不一致 / The template is for another subject kind")})
        start = attrs.get("start_date", getattr(instance, "start_date", None))
        end = attrs.get("end_date", getattr(instance, "end_date", None))
        if start and end and end < start:
            raise DRFValidationError({"end_date": _("结束日期不能早于开始日期 / The end date is before the start date")})
        selection = attrs.get("peer_selection", getattr(instance, "peer_selection", PeerSelection.RANDOM))
        if selection == PeerSelection.SUPERVISOR and kind and kind != SubjectKind.WORKER:
            raise DRFValidationError({"peer_selection": _(
                "只有外包人员考核可以由上级指定互评人 / Only worker cycles have peers chosen by the supervisor")})
        return attrs


class AdvanceSerializer(serializers.Serializer):
    # Plain strings (a stage code: draft, goal_setting, … archived): the service names what is wrong.
    target = serializers.CharField(required=False, max_length=20,
                                   help_text="The next stage code; defaults to the one after the current stage.")


class MoveBackSerializer(serializers.Serializer):
    target = serializers.CharField(max_length=20, help_text="An earlier stage code (not draft)")
    reason = serializers.CharField(max_length=500)


class ProgressRowSerializer(serializers.Serializer):
    department = serializers.CharField()
    role = serializers.CharField()
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    pending = serializers.IntegerField()


class StateCountSerializer(serializers.Serializer):
    state = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField()


class CycleProgressSerializer(serializers.Serializer):
    state = serializers.CharField()
    total = serializers.IntegerField()
    progress = ProgressRowSerializer(many=True)
    appraisal_states = StateCountSerializer(many=True)
    grades = serializers.DictField(child=serializers.IntegerField(), allow_null=True)


MAX_ID = 2**31 - 1  # ids past an integer column are refused as input, not sent to the database


def _id_list(help_text: str) -> serializers.ListField:
    return serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False,
                                 max_length=100_000, help_text=help_text)


def _code_list(help_text: str) -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField(max_length=30), required=False, max_length=100,
                                 help_text=help_text)


class RuleGroupSerializer(serializers.Serializer):
    """One template and what it applies to in this cycle (every list optional)."""

    template = serializers.IntegerField(min_value=1, max_value=MAX_ID,
                                        help_text="An active template of the cycle's subject kind")
    subjects = _id_list("Ids of named subjects of the cycle's kind (workers, vendors or teams), inside the "
                        "cycle's scope")
    positions = _id_list("Position ids (worker cycles)")
    position_categories = _code_list("Position category codes (worker cycles)")
    vendors = _id_list("Vendor ids: the workers or teams they supply (worker and team cycles)")
    vendor_categories = _code_list("Vendor category codes")
    departments = _id_list("Department ids, sub-departments included; the nearest ruled department wins (worker "
                           "and team cycles)")


class TemplateCountSerializer(serializers.Serializer):
    template = serializers.IntegerField()
    count = serializers.IntegerField(help_text="Subjects it would get if the cycle opened now (草稿), or its "
                                               "appraisals (once opened)")


class TemplateRulesSerializer(serializers.Serializer):
    rules = RuleGroupSerializer(many=True)
    editable = serializers.BooleanField(read_only=True, help_text="Whether the rules may change (草稿 only)")
    counts = TemplateCountSerializer(many=True, read_only=True)


def _template_rules(cycle: Cycle) -> dict[str, Any]:
    if cycle.state == CycleState.DRAFT:
        counts = template_counts(cycle)
    else:
        counts = dict(Appraisal.objects.filter(cycle=cycle).order_by().values_list("cycle_template__template_id")
                      .annotate(n=Count("pk")))
    return {"rules": template_rules_get(cycle), "editable": cycle.state == CycleState.DRAFT,
            "counts": [{"template": t, "count": n} for t, n in sorted(counts.items())]}


class CycleViewSet(ScopedModelViewSet):
    """考核周期: created and edited by HR in 草稿; the stage actions run the services."""

    resource = CycleResource()
    serializer_class = CycleSerializer
    filterset_class = CycleFilterSet
    search_fields = ["name"]
    ordering_fields = ["start_date", "end_date", "name", "state"]

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().prefetch_related(*SCOPE_FIELDS)

    def _save(self, serializer: serializers.BaseSerializer[Any], instance: Any) -> None:
        """As ScopedModelViewSet's, with the scope lists written (checked, audited) by the service."""
        data = dict(serializer.validated_data)
        scope = {k: data.pop(k) for k in SCOPE_FIELDS if k in data}
        before = snapshot(instance) if instance is not None else None
        obj = instance if instance is not None else Cycle()
        for key, value in data.items():
            setattr(obj, key, value)
        try:
            with transaction.atomic():
                self.resource.save(actor=self.request.user, obj=obj, before=before)
                cycle_scope_set(actor=self.request.user, cycle=obj, values=scope)  # type: ignore[arg-type]
        except DjangoValidationError as exc:
            raise DRFValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from None
        serializer.instance = Cycle.objects.prefetch_related(*SCOPE_FIELDS).get(pk=obj.pk)

    def perform_destroy(self, instance: Any) -> None:
        try:
            super().perform_destroy(instance)
        except DjangoValidationError as exc:
            raise DRFValidationError({"non_field_errors": exc.messages}) from None

    def _cycle(self) -> Cycle:
        cycle = self.get_object()
        assert isinstance(cycle, Cycle)
        return cycle

    @extend_schema(request=None, responses={202: JobSerializer})
    @action(detail=True, methods=["post"])
    def open(self, request: Request, pk: str | None = None) -> Response:
        """开启周期: creates the appraisals and rater assignments in a background job."""
        cycle = self._cycle()
        if cycle.state not in queries.OPEN_STATES:
            raise DRFValidationError({"non_field_errors": [_("当前阶段不能开启 / The cycle can't be opened in this stage")]})
        return job_response(start_open(request.user, cycle))  # type: ignore[arg-type]

    @extend_schema(request=None, responses={202: JobSerializer})
    @action(detail=True, methods=["post"])
    def compute(self, request: Request, pk: str | None = None) -> Response:
        """计算结果 in a background job."""
        cycle = self._cycle()
        if cycle.state not in queries.COMPUTE_STATES:
            raise DRFValidationError(
                {"non_field_errors": [_("当前阶段不能计算结果 / Results can't be computed in this stage")]})
        return job_response(start_compute(request.user, cycle))  # type: ignore[arg-type]

    @extend_schema(request=AdvanceSerializer, responses={200: CycleSerializer})
    @action(detail=True, methods=["post"])
    def advance(self, request: Request, pk: str | None = None) -> Response:
        """进入下一阶段; refused with the blocking items as `non_field_errors`."""
        cycle = self._cycle()
        s = AdvanceSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        target = s.validated_data.get("target") or queries.next_state(cycle) or ""
        cycle = call(cycle_advance, actor=request.user, cycle=cycle, target=target)
        return Response(CycleSerializer(cycle, context=self.get_serializer_context()).data)

    @extend_schema(request=MoveBackSerializer, responses={200: CycleSerializer})
    @action(detail=True, methods=["post"], url_path="move-back")
    def move_back(self, request: Request, pk: str | None = None) -> Response:
        """退回 to an earlier stage, with a reason (HR only)."""
        cycle = self._cycle()
        s = MoveBackSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        cycle = call(cycle_move_back, actor=request.user, cycle=cycle, target=s.validated_data["target"],
                     reason=s.validated_data["reason"])
        return Response(CycleSerializer(cycle, context=self.get_serializer_context()).data)

    @extend_schema(methods=["GET"], request=None, responses={200: TemplateRulesSerializer})
    @extend_schema(methods=["PUT"], request=TemplateRulesSerializer, responses={200: TemplateRulesSerializer})
    @action(detail=True, methods=["get", "put"], url_path="template-rules")
    def template_rules(self, request: Request, pk: str | None = None) -> Response:
        """考核方案适用规则 / 例外: GET the cycle's rules, one group per template, with how many subjects
        each template gets; PUT replaces them all (HR, 草稿 only). Precedence: named subject > position >
        position category > vendor > vendor category > department > the templates' own 适用类别 > the
        cycle's default. Admin, HR and the auditor read; others 403."""
        cycle = self._cycle()
        if not scope_for(request.user).whole_view:
            raise PermissionDenied
        if request.method == "PUT":
            s = TemplateRulesSerializer(data=request.data)
            s.is_valid(raise_exception=True)
            call(cycle_template_rules_set, actor=request.user, cycle=cycle, rules=s.validated_data["rules"])
            cycle.refresh_from_db()
        return Response(TemplateRulesSerializer(_template_rules(cycle)).data)

    @extend_schema(responses={200: CycleProgressSerializer})
    @action(detail=True, methods=["get"])
    def progress(self, request: Request, pk: str | None = None) -> Response:
        """Who has not yet rated: submitted / total per department × role, and appraisal states."""
        cycle = self._cycle()
        appraisals = restrict(Appraisal.objects.filter(cycle=cycle), request.user)
        grades = None
        if queries.cycle_results_visible(cycle, request.user):
            from .selectors import grade_distribution

            grades = grade_distribution(appraisals)
        data = {"state": cycle.state, "total": appraisals.count(), "progress": cycle_progress(cycle, request.user),
                "appraisal_states": [{**s, "label": str(s["label"])} for s in queries.state_counts(appraisals)],
                "grades": grades}
        return Response(CycleProgressSerializer(data).data)


# --- appraisals ---------------------------------------------------------------------------------


class AppealSerializer(serializers.ModelSerializer):
    subject_name = serializers.CharField(source="appraisal.subject_name", read_only=True)
    cycle = serializers.IntegerField(source="appraisal.cycle_id", read_only=True)
    attachment_url = serializers.SerializerMethodField()

    class Meta:
        model = Appeal
        fields = ["id", "appraisal", "cycle", "subject_name", "submitted_by", "reason", "attachment_url", "state",
                  "decision", "decided_by", "decided_at", "created_at"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_attachment_url(self, obj: Appeal) -> str | None:
        """The download (scoped like the appeal), not the storage path."""
        return reverse("cycles:appeal_attachment", args=[obj.pk]) if obj.attachment else None


class AppraisalSerializer(serializers.ModelSerializer):
    employee_no = serializers.CharField(source="worker.employee_no", read_only=True, default=None)
    results_visible = serializers.SerializerMethodField()

    class Meta:
        model = Appraisal
        fields = ["id", "cycle", "subject_kind", "worker", "employee_no", "team", "vendor", "department", "position",
                  "subject_name", "group_key", "state", "results_visible", "composite", "grade", "grade_name", "rank",
                  "group_size", "coefficient", "bonus_fen", "calibrated", "computed_at", "published_at",
                  "confirmed_at"]
        read_only_fields = fields

    def _visible(self, obj: Appraisal) -> bool:
        request = self.context.get("request")
        return request is not None and queries.results_visible(obj, request.user)

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_results_visible(self, obj: Appraisal) -> bool:
        return self._visible(obj)

    def to_representation(self, instance: Appraisal) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not self._visible(instance):
            data.update({k: None for k in RESULT_FIELDS})
            data["grade"] = data["grade_name"] = ""
        return data


class CalibrateSerializer(serializers.Serializer):
    composite = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True)
    grade = serializers.CharField(required=False, allow_blank=True, max_length=10)
    reason = serializers.CharField(max_length=500)


class AppealInputSerializer(serializers.Serializer):
    reason = serializers.CharField()
    attachment = serializers.FileField(required=False, allow_null=True, validators=[validate_attachment])


class RoleRowSerializer(serializers.Serializer):
    role = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    mean = serializers.CharField(allow_null=True)
    count = serializers.IntegerField()
    weight = serializers.CharField(allow_null=True)
    effective_weight = serializers.CharField(allow_null=True)


class IndicatorRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    dimension = serializers.CharField()
    kind = serializers.CharField()
    raw_value = serializers.CharField(allow_null=True)
    rule = serializers.CharField()
    score = serializers.CharField(allow_null=True)
    weight = serializers.CharField(allow_null=True)
    effective_weight = serializers.CharField(allow_null=True)
    contribution = serializers.CharField(allow_null=True)
    roles = RoleRowSerializer(many=True)
    roles_withheld = serializers.BooleanField(
        help_text="True when anonymous raters below the minimum rated this indicator: its role rows are "
                  "then withheld from the subject's view (their mean could be worked back)")


class ExplainSerializer(serializers.Serializer):
    indicators = IndicatorRowSerializer(many=True)
    adjustments = serializers.ListField(child=serializers.DictField())
    weighted_score = serializers.CharField(allow_null=True)
    composite = serializers.CharField(allow_null=True)
    grade = serializers.CharField(allow_blank=True)
    grade_name = serializers.CharField(allow_blank=True)
    grade_colour = serializers.CharField(allow_blank=True)
    rank = serializers.IntegerField(allow_null=True)
    group_size = serializers.IntegerField(allow_null=True)
    grade_reason = serializers.CharField(allow_blank=True)
    not_applicable = serializers.ListField(child=serializers.CharField())
    vetoes = serializers.ListField(child=serializers.CharField())
    calibrated = serializers.BooleanField()
    anonymity_min_raters = serializers.IntegerField()
    full_roles = serializers.BooleanField()


class AdjustmentEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AdjustmentEntry
        fields = ["id", "appraisal", "code", "value", "is_veto", "reason", "created_by", "created_at"]
        read_only_fields = fields


class AdjustmentInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    value = serializers.DecimalField(max_digits=6, decimal_places=2,
                                     help_text="May exceed the item's cap (the engine caps it); at most ±100")
    reason = serializers.CharField(max_length=300)


class VetoInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    reason = serializers.CharField(max_length=300)


class RemoveEntrySerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class MetricValueSerializer(serializers.ModelSerializer):
    class Meta:
        model = MetricValue
        fields = ["appraisal", "metric", "value", "source"]
        read_only_fields = fields


class MetricValueInputSerializer(serializers.Serializer):
    value = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True,
                                     help_text="null clears the value")


class PeerSerializer(serializers.Serializer):
    worker = serializers.IntegerField(allow_null=True)
    rater = serializers.IntegerField(help_text="The peer's user id (the rater of the assignment)")
    label = serializers.CharField()  # type: ignore[assignment]
    state = serializers.CharField(help_text="pending, draft, submitted")


class PeerChoiceSerializer(serializers.Serializer):
    appraisal = serializers.IntegerField()
    required = serializers.IntegerField(  # type: ignore[assignment]
        help_text="Exactly this many peers: peer_count, or every eligible colleague when fewer are eligible")
    eligible = serializers.IntegerField(help_text="Eligible colleagues (same department or team, with a log-in)")
    editable = serializers.BooleanField(help_text="Whether the peers may be changed now (before 评价)")
    chosen_at = serializers.DateTimeField(allow_null=True)
    peers = PeerSerializer(many=True)


class PeerChoiceInputSerializer(serializers.Serializer):
    workers = serializers.ListField(child=serializers.IntegerField(min_value=1), max_length=1000, allow_empty=True,
                                    help_text="Worker ids of the chosen colleagues (their log-ins become the peers)")


class SubjectOptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]
    detail = serializers.CharField()


class PeerCandidatesSerializer(serializers.Serializer):
    results = SubjectOptionSerializer(many=True)
    more = serializers.BooleanField(help_text="More colleagues match than the first 20 shown")


class PeerChoiceRowSerializer(serializers.Serializer):
    appraisal = serializers.IntegerField(source="pk")
    subject_name = serializers.CharField()
    employee_no = serializers.CharField(source="worker.employee_no", default=None, allow_null=True)
    department = serializers.CharField(source="department.name", default=None, allow_null=True)
    peers = serializers.IntegerField(source="peer_total")
    chosen_at = serializers.DateTimeField(source="peers_chosen_at", allow_null=True)


class PeerChoiceListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    pending = serializers.IntegerField(help_text="Of these, still waiting for their peers")
    results = PeerChoiceRowSerializer(many=True)


def _peer_choice(a: Appraisal) -> dict[str, Any]:
    eligible = peers.peer_pool(a).count()
    return {"appraisal": a.pk, "required": peers.required_count(a, eligible), "eligible": eligible,
            "editable": peers.choice_open(a), "chosen_at": a.peers_chosen_at,
            "peers": [{"worker": p["worker_id"], "rater": p["assignment"].rater_id, "label": p["label"],
                       "state": p["assignment"].state} for p in peers.chosen_peers(a)]}


class AppraisalViewSet(viewsets.ReadOnlyModelViewSet):
    """考核单: scoped like the pages; results reach non-HR viewers once published."""

    serializer_class = AppraisalSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = ApiAppraisalFilterSet
    search_fields = ["subject_name", "worker__employee_no"]
    ordering_fields = ["subject_name", "composite", "rank", "grade", "bonus_fen", "id"]

    def get_queryset(self) -> QuerySet[Appraisal]:
        qs = Appraisal.objects.select_related("cycle", "worker", "cycle_template") if self.action == "explain" else \
            Appraisal.objects.select_related("cycle", "worker")
        return restrict(qs, self.request.user).order_by("cycle_id", "subject_name", "id")

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        params = self.request.query_params
        ordering = {f.strip().lstrip("-") for f in params.get("ordering", "").split(",") if f.strip()}
        if not scope_for(self.request.user).whole_view and (params.get("grade") or ordering & RESULT_ORDERINGS):
            # Filtering or sorting by results only among the results the caller may see.
            queryset = queryset.filter(
                published_at__isnull=False,
                cycle__state__in=CYCLE_FLOW[CYCLE_FLOW.index(CycleState.PUBLISHED):],
            )
        return super().filter_queryset(queryset)

    def _appraisal(self) -> Appraisal:
        obj = self.get_object()
        assert isinstance(obj, Appraisal)
        return obj

    @extend_schema(responses={200: ExplainSerializer})
    @action(detail=True, methods=["get"])
    def explain(self, request: Request, pk: str | None = None) -> Response:
        """The breakdown: per indicator its raw value, rule, score, weights and contribution, and the
        per-role means (anonymous roles folded for everyone but admin, HR and the auditor)."""
        a = self._appraisal()
        if not queries.results_visible(a, request.user):
            raise PermissionDenied(_("尚未发布 / Not published yet"))
        return Response(ExplainSerializer(queries.explain_for(a, request.user)).data)

    @extend_schema(request=CalibrateSerializer, responses={200: AppraisalSerializer})
    @action(detail=True, methods=["post"])
    def calibrate(self, request: Request, pk: str | None = None) -> Response:
        """绩效校准 (HR, in 校准): a new score and/or grade, with a reason."""
        a = self._appraisal()
        s = CalibrateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        a = call(appraisal_calibrate, actor=request.user, appraisal=a, reason=s.validated_data["reason"],
                 composite=s.validated_data.get("composite"), grade=s.validated_data.get("grade") or None)
        return Response(AppraisalSerializer(a, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses={200: AppraisalSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        """确认结果 (the subject)."""
        a = call(appraisal_confirm, actor=request.user, appraisal=self._appraisal())
        return Response(AppraisalSerializer(a, context=self.get_serializer_context()).data)

    @extend_schema(request={"application/json": AppealInputSerializer, "multipart/form-data": AppealInputSerializer},
                   responses={201: AppealSerializer})
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, MultiPartParser, FormParser])
    def appeal(self, request: Request, pk: str | None = None) -> Response:
        """申诉 (the subject, or a vendor's manager for the vendor's scorecard), within the window."""
        a = self._appraisal()
        s = AppealInputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        appeal = call(appeal_submit, actor=request.user, appraisal=a, reason=s.validated_data["reason"],
                      attachment=s.validated_data.get("attachment"))
        return Response(AppealSerializer(appeal, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)

    def _chooser(self) -> Appraisal:
        a = self._appraisal()
        if not peers.needs_peers(a):
            raise NotFound(_("本考核单不需指定互评人 / This appraisal has no peers to choose"))
        if not peers.may_choose(self.request.user, a):
            raise PermissionDenied(_("只有该考核对象的上级或绩效管理员可以指定互评人 / Only the supervisor or HR"))
        return a

    @extend_schema(methods=["GET"], request=None, responses={200: PeerChoiceSerializer})
    @extend_schema(methods=["PUT"], request=PeerChoiceInputSerializer, responses={200: PeerChoiceSerializer})
    @action(detail=True, methods=["get", "put"])
    def peers(self, request: Request, pk: str | None = None) -> Response:
        """互评人 of a cycle whose peers the supervisor chooses (the supervisor rater or HR): GET the
        choice; PUT exactly `required` worker ids among the eligible colleagues (until 评价)."""
        a = self._chooser()
        if request.method == "PUT":
            s = PeerChoiceInputSerializer(data=request.data)
            s.is_valid(raise_exception=True)
            call(appraisal_peers_set, actor=request.user, appraisal=a, workers=s.validated_data["workers"])
            a.refresh_from_db()
        return Response(PeerChoiceSerializer(_peer_choice(a)).data)

    @extend_schema(responses={200: PeerCandidatesSerializer},
                   parameters=[OpenApiParameter("q", OpenApiTypes.STR, description="Name or 工号 contains")])
    @action(detail=True, methods=["get"], url_path="peer-candidates")
    def peer_candidates(self, request: Request, pk: str | None = None) -> Response:
        """The colleagues the caller may choose as this appraisal's peers (first 20 matches)."""
        a = self._chooser()
        qs = peers.choosable(a, request.user).select_related("department", "vendor").order_by("employee_no", "pk")
        q = request.query_params.get("q", "").strip()
        if q:
            qs = qs.filter(Q(name__icontains=q) | Q(employee_no__icontains=q))
        results, more = search_options(qs)
        return Response(PeerCandidatesSerializer({"results": results, "more": more}).data)

    @extend_schema(responses={200: PeerChoiceListSerializer}, parameters=[
        OpenApiParameter("cycle", OpenApiTypes.INT, required=True),
        OpenApiParameter("pending", OpenApiTypes.BOOL, description="Only those still waiting for their peers"),
        OpenApiParameter("page", OpenApiTypes.INT), OpenApiParameter("per_page", OpenApiTypes.INT)])
    @action(detail=False, methods=["get"], url_path="peer-choices", filterset_class=None)
    def peer_choices(self, request: Request) -> Response:
        """The appraisals of a cycle whose peers the caller chooses (HR: all in scope; a supervisor:
        those they are the supervisor rater of), with how many peers each has."""
        try:
            cycle = restrict(Cycle.objects.all(), request.user).get(pk=int(request.query_params.get("cycle", "")))
        except (ValueError, Cycle.DoesNotExist):
            raise NotFound from None
        pending_only = request.query_params.get("pending", "").lower() in ("1", "true")
        qs = peers.choice_list(cycle, request.user, pending_only=pending_only)
        page, _per_page = paginate(request, qs)
        return Response(PeerChoiceListSerializer({
            "count": page.paginator.count, "pending": qs.filter(peers_chosen_at__isnull=True).count(),
            "results": list(page.object_list)}).data)

    @extend_schema(request=AdjustmentInputSerializer, responses={201: AdjustmentEntrySerializer})
    @action(detail=True, methods=["post"])
    def adjustments(self, request: Request, pk: str | None = None) -> Response:
        """加减分 (HR, until 校准): an adjustment item of the template, a value and a reason."""
        a = self._appraisal()
        s = AdjustmentInputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        entry = call(adjustment_add, actor=request.user, appraisal=a, code=s.validated_data["code"],
                     value=s.validated_data["value"], reason=s.validated_data["reason"])
        return Response(AdjustmentEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=VetoInputSerializer, responses={201: AdjustmentEntrySerializer})
    @action(detail=True, methods=["post"])
    def vetoes(self, request: Request, pk: str | None = None) -> Response:
        """一票否决 (HR, until 校准): a veto item of the template and a reason; gives the lowest grade."""
        a = self._appraisal()
        s = VetoInputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        entry = call(veto_add, actor=request.user, appraisal=a, code=s.validated_data["code"],
                     reason=s.validated_data["reason"])
        return Response(AdjustmentEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RemoveEntrySerializer, responses={204: None},
                   parameters=[OpenApiParameter("entry_id", OpenApiTypes.INT, OpenApiParameter.PATH)])
    @action(detail=True, methods=["delete"], url_path=r"adjustments/(?P<entry_id>[0-9]+)")
    def remove_adjustment(self, request: Request, pk: str | None = None, entry_id: str | None = None) -> Response:
        """Remove a 加减分 or 一票否决 entry (HR, until 校准), with a reason."""
        a = self._appraisal()
        try:
            entry = a.adjustment_entries.get(pk=int(entry_id or 0))
        except AdjustmentEntry.DoesNotExist:
            raise NotFound from None
        s = RemoveEntrySerializer(data=request.data)
        s.is_valid(raise_exception=True)
        call(adjustment_remove, actor=request.user, entry=entry, reason=s.validated_data["reason"])
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=MetricValueInputSerializer, responses={200: MetricValueSerializer},
                   parameters=[OpenApiParameter("metric", OpenApiTypes.STR, OpenApiParameter.PATH)])
    @action(detail=True, methods=["put"], url_path=r"metrics/(?P<metric>[^/]+)")
    def set_metric(self, request: Request, pk: str | None = None, metric: str | None = None) -> Response:
        """数据指标 (HR, until 校准): the actual value of a quantitative indicator's metric; null clears it."""
        a = self._appraisal()
        s = MetricValueInputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        mv = call(metric_value_set, actor=request.user, appraisal=a, metric=metric or "",
                  value=s.validated_data["value"])
        return Response(MetricValueSerializer(mv).data)


# --- assignments and scores ------------------------------------------------------------------------


class AssignmentSerializer(serializers.ModelSerializer):
    subject_name = serializers.CharField(source="appraisal.subject_name", read_only=True)
    cycle_name = serializers.CharField(source="cycle.name", read_only=True)
    cycle_state = serializers.CharField(source="cycle.state", read_only=True)
    overdue = serializers.SerializerMethodField()
    editable = serializers.SerializerMethodField()
    role = serializers.CharField(read_only=True, help_text="self, supervisor, skip_level, peer, client, subordinate")

    class Meta:
        model = RaterAssignment
        fields = ["id", "cycle", "cycle_name", "cycle_state", "appraisal", "subject_name", "rater", "role", "state",
                  "due_date", "submitted_at", "reopened_reason", "overdue", "editable"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_overdue(self, obj: RaterAssignment) -> bool:
        return queries.is_overdue(obj)

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_editable(self, obj: RaterAssignment) -> bool:
        return queries.assignment_open(obj)


class ScoreValueSerializer(serializers.Serializer):
    value = serializers.CharField(allow_null=True, allow_blank=True, required=False,
                                  help_text="0–100, at most two decimals; empty or null clears the score")
    comment = serializers.CharField(allow_blank=True, required=False, default="")


class ScoresInputSerializer(serializers.Serializer):
    values = serializers.DictField(child=ScoreValueSerializer(), help_text="indicator code → {value, comment}")
    submit = serializers.BooleanField(default=False)


class ScoreRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    weight = serializers.CharField()
    levels = serializers.ListField(child=serializers.DictField())
    value = serializers.CharField(allow_null=True)
    comment = serializers.CharField(allow_blank=True)


class ScoresSerializer(serializers.Serializer):
    assignment = AssignmentSerializer()
    indicators = ScoreRowSerializer(many=True)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class MyEvaluationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """我的评价: the caller's evaluations in cycles not yet archived."""

    serializer_class = AssignmentSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = AssignmentFilterSet

    def get_queryset(self) -> QuerySet[RaterAssignment]:
        return my_assignments(self.request.user)


class AssignmentViewSet(viewsets.ReadOnlyModelViewSet):
    """评价任务: a rater reaches their own; admin, HR and the auditor all. Individual scores
    (`scores/`) only reach the rater and HR."""

    serializer_class = AssignmentSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = AssignmentFilterSet
    ordering_fields = ["due_date", "id"]

    def get_queryset(self) -> QuerySet[RaterAssignment]:
        user = self.request.user
        qs = RaterAssignment.objects.select_related("cycle", "appraisal__cycle_template")
        if scope_for(user).whole_view:
            return restrict(qs, user).order_by("id")
        return qs.filter(rater_id=user.pk).order_by("id")

    def _assignment(self) -> RaterAssignment:
        obj = self.get_object()
        assert isinstance(obj, RaterAssignment)
        return obj

    def _scores(self, a: RaterAssignment) -> dict[str, Any]:
        stored = {s.indicator_code: s for s in Score.objects.filter(assignment=a)}
        rows = []
        for item in rated_indicators(a.appraisal.cycle_template.snapshot, a.role):
            s = stored.get(item["code"])
            rows.append({"code": item["code"], "name": item["name"], "weight": item["weight"],
                         "levels": item.get("levels") or [], "value": str(s.value) if s else None,
                         "comment": s.comment if s else ""})
        return {"assignment": a, "indicators": rows}

    @extend_schema(methods=["GET"], request=None, responses={200: ScoresSerializer})
    @extend_schema(methods=["POST"], request=ScoresInputSerializer, responses={200: ScoresSerializer})
    @action(detail=True, methods=["get", "post"])
    def scores(self, request: Request, pk: str | None = None) -> Response:
        """The indicators the role rates with the rater's scores; POST saves a draft or submits
        (`submit: true`), refused per indicator with the service's messages."""
        a = self._assignment()
        if a.rater_id != request.user.pk and not (request.method == "GET" and queries.is_hr(request.user)):
            raise PermissionDenied
        if request.method == "POST":
            s = ScoresInputSerializer(data=request.data)
            s.is_valid(raise_exception=True)
            values = {code: (v.get("value"), v.get("comment") or "") for code, v in s.validated_data["values"].items()}
            call(assignment_save, actor=request.user, assignment=a, values=values, submit=s.validated_data["submit"])
            a.refresh_from_db()
        return Response(ScoresSerializer(self._scores(a), context=self.get_serializer_context()).data)

    @extend_schema(request=ReasonSerializer, responses={200: AssignmentSerializer})
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str | None = None) -> Response:
        """退回 a submitted evaluation to its rater, with a reason (HR)."""
        a = self._assignment()
        s = ReasonSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        a = call(assignment_reopen, actor=request.user, assignment=a, reason=s.validated_data["reason"])
        return Response(AssignmentSerializer(a, context=self.get_serializer_context()).data)


# --- goals ----------------------------------------------------------------------------------------


class GoalSerializer(ScopedModelSerializer):
    change_reason = serializers.CharField(required=False, allow_blank=True, max_length=300,
                                          help_text="Needed to change an agreed goal (other than its completion)")

    class Meta:
        model = Goal
        fields = ["id", "appraisal", "title", "measure", "target", "weight", "due_date", "completion", "status",
                  "agreed_by_subject", "agreed_by_supervisor", "change_reason", "proposed_by", "created_at",
                  "updated_at"]
        read_only_fields = ["status", "agreed_by_subject", "agreed_by_supervisor", "proposed_by", "created_at",
                            "updated_at"]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | QuerySet):
            fields["appraisal"].read_only = True
        return fields


class GoalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """绩效目标: create = propose; PATCH = change (with `change_reason` once agreed); agree."""

    serializer_class = GoalSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = GoalFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Goal]:
        return restrict(Goal.objects.select_related("appraisal__cycle"), self.request.user).order_by("id")

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        data = dict(serializer.validated_data)
        appraisal = data.pop("appraisal")
        data.pop("change_reason", None)
        serializer.instance = call(goal_propose, actor=self.request.user, appraisal=appraisal,
                                   data={k: v for k, v in data.items() if k in GOAL_FIELDS})

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        data = dict(serializer.validated_data)
        reason = data.pop("change_reason", "") or ""
        data.pop("appraisal", None)
        serializer.instance = call(goal_change, actor=self.request.user, goal=serializer.instance,
                                   data={k: v for k, v in data.items() if k in GOAL_FIELDS}, reason=reason)

    @extend_schema(request=None, responses={200: GoalSerializer})
    @action(detail=True, methods=["post"])
    def agree(self, request: Request, pk: str | None = None) -> Response:
        goal = call(goal_agree, actor=request.user, goal=self.get_object())
        return Response(GoalSerializer(goal, context=self.get_serializer_context()).data)


# --- appeals --------------------------------------------------------------------------------------


class AppealDecideSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    decision = serializers.CharField()
    composite = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True)
    grade = serializers.CharField(required=False, allow_blank=True, max_length=10)


class AppealViewSet(viewsets.ReadOnlyModelViewSet):
    """绩效申诉, scoped; HR decides."""

    serializer_class = AppealSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = AppealFilterSet
    ordering_fields = ["created_at", "decided_at"]

    def get_queryset(self) -> QuerySet[Appeal]:
        return restrict(Appeal.objects.select_related("appraisal"), self.request.user).order_by("-created_at", "-id")

    @extend_schema(request=AppealDecideSerializer, responses={200: AppealSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        """Accept (optionally with a new score or grade) or reject, with a written decision."""
        appeal = self.get_object()
        s = AppealDecideSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        appeal = call(appeal_decide, actor=request.user, appeal=appeal, accept=s.validated_data["accept"],
                      decision=s.validated_data["decision"], composite=s.validated_data.get("composite"),
                      grade=s.validated_data.get("grade") or None)
        return Response(AppealSerializer(appeal, context=self.get_serializer_context()).data)


# --- interviews ----------------------------------------------------------------------------------


class InterviewActionSerializer(serializers.Serializer):
    action = serializers.CharField(max_length=300)
    owner = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    due = serializers.DateField(required=False, allow_null=True)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        value = super().to_internal_value(data)
        value["due"] = value["due"].isoformat() if value.get("due") else ""
        return value


class InterviewSerializer(ScopedModelSerializer):
    actions = InterviewActionSerializer(many=True, required=False)

    class Meta:
        model = Interview
        fields = ["id", "appraisal", "held_on", "participants", "strengths", "gaps", "actions", "interviewer",
                  "acknowledged_at", "created_at", "updated_at"]
        read_only_fields = ["interviewer", "acknowledged_at", "created_at", "updated_at"]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | QuerySet):
            fields["appraisal"].read_only = True
        return fields


class InterviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                       mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """绩效面谈: recorded by the supervisor or HR; the subject acknowledges."""

    serializer_class = InterviewSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = InterviewFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Interview]:
        return restrict(Interview.objects.select_related("appraisal__cycle"), self.request.user).order_by("-held_on", "-id")

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        data = dict(serializer.validated_data)
        appraisal = data.pop("appraisal")
        serializer.instance = call(interview_save, actor=self.request.user, appraisal=appraisal, data=data)

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        data = dict(serializer.validated_data)
        data.pop("appraisal", None)
        interview = serializer.instance
        assert isinstance(interview, Interview)
        serializer.instance = call(interview_save, actor=self.request.user, appraisal=interview.appraisal,
                                   data=data, interview=interview)

    @extend_schema(request=None, responses={200: InterviewSerializer})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        interview = call(interview_acknowledge, actor=request.user, interview=self.get_object())
        return Response(InterviewSerializer(interview, context=self.get_serializer_context()).data)


# --- teams ----------------------------------------------------------------------------------------


class TeamSerializer(ScopedModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "code", "name", "department", "project", "vendor", "leader", "members", "created_at",
                  "updated_at"]


class TeamViewSet(ScopedModelViewSet):
    resource = TeamResource()
    serializer_class = TeamSerializer
    filterset_class = TeamFilterSet
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().prefetch_related("members")

