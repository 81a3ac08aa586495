"""Django admin for the cycle flow: read-only. Every change goes through the audited services (the
pages and the API), so results, scores and calibrations are never edited around them."""

from __future__ import annotations

from django.contrib import admin

from outperform.core.admin import ReadOnlyAdminMixin

from .models import (
    Appeal,
    Appraisal,
    Calibration,
    Cycle,
    CycleTemplateRule,
    Goal,
    Interview,
    RaterAssignment,
    Score,
    Team,
)


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


@admin.register(Cycle)
class CycleAdmin(ReadOnlyAdmin):
    list_display = ("name", "period_type", "start_date", "end_date", "subject_kind", "state")
    list_filter = ("state", "period_type", "subject_kind")
    search_fields = ("name",)


@admin.register(CycleTemplateRule)
class CycleTemplateRuleAdmin(ReadOnlyAdmin):
    """考核方案适用规则, read-only: written on the cycle's 适用规则 page or the API (checked, audited)."""

    list_display = ("cycle", "target", "category", "position", "vendor", "department", "worker", "team", "template")
    list_filter = ("target",)
    search_fields = ("cycle__name",)
    list_select_related = ("cycle", "template", "position", "vendor", "department", "worker", "team")


@admin.register(Team)
class TeamAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "department", "vendor", "leader")
    search_fields = ("code", "name")


@admin.register(Appraisal)
class AppraisalAdmin(ReadOnlyAdmin):
    list_display = ("subject_name", "cycle", "state", "composite", "grade_name", "rank", "calibrated")
    list_filter = ("state", "subject_kind")
    search_fields = ("subject_name",)
    list_select_related = ("cycle",)


@admin.register(RaterAssignment)
class RaterAssignmentAdmin(ReadOnlyAdmin):
    list_display = ("appraisal", "rater", "role", "state", "due_date", "submitted_at")
    list_filter = ("role", "state")
    list_select_related = ("appraisal__cycle", "rater")


@admin.register(Score)
class ScoreAdmin(ReadOnlyAdmin):
    list_display = ("appraisal", "role", "indicator_code", "value")
    list_select_related = ("appraisal__cycle",)


@admin.register(Goal)
class GoalAdmin(ReadOnlyAdmin):
    list_display = ("title", "appraisal", "status", "weight", "completion")
    list_select_related = ("appraisal__cycle",)


@admin.register(Calibration)
class CalibrationAdmin(ReadOnlyAdmin):
    list_display = ("appraisal", "actor", "at", "grade_before", "grade_after", "reason")
    list_select_related = ("appraisal__cycle", "actor")


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ("appraisal", "submitted_by", "state", "created_at", "decided_at")
    list_filter = ("state",)
    list_select_related = ("appraisal__cycle", "submitted_by")


@admin.register(Interview)
class InterviewAdmin(ReadOnlyAdmin):
    list_display = ("appraisal", "held_on", "interviewer", "acknowledged_at")
    list_select_related = ("appraisal__cycle", "interviewer")
