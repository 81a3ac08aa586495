from django.contrib import admin

from outperform.core.admin import AuditedAdmin, ReadOnlyAdminMixin

from .models import (
    Article,
    Commendation,
    DevelopmentRule,
    ImprovementPlan,
    PlanCheckIn,
    PlanMilestone,
    Suggestion,
    TrainingRecord,
    TrainingTopic,
)


@admin.register(DevelopmentRule)
class DevelopmentRuleAdmin(AuditedAdmin):
    list_display = ["code", "name", "kind", "active"]
    list_filter = ["kind", "active"]


@admin.register(TrainingTopic)
class TrainingTopicAdmin(AuditedAdmin):
    list_display = ["topic", "indicator", "dimension"]


@admin.register(Suggestion)
class SuggestionAdmin(AuditedAdmin):
    list_display = ["worker", "kind", "cycle", "state"]
    list_filter = ["kind", "state"]
    raw_id_fields = ["worker"]


@admin.register(TrainingRecord)
class TrainingRecordAdmin(AuditedAdmin):
    list_display = ["external_id", "worker", "course", "date", "hours", "completed"]
    search_fields = ["external_id", "course"]
    raw_id_fields = ["worker"]


class MilestoneInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PlanMilestone
    extra = 0


class CheckInInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PlanCheckIn
    extra = 0


@admin.register(ImprovementPlan)
class ImprovementPlanAdmin(AuditedAdmin):
    list_display = ["title", "kind", "worker", "vendor", "state", "deadline"]
    list_filter = ["kind", "state"]
    raw_id_fields = ["worker"]
    inlines = [MilestoneInline, CheckInInline]


@admin.register(Commendation)
class CommendationAdmin(AuditedAdmin):
    list_display = ["title", "worker", "visibility", "date"]
    raw_id_fields = ["worker"]


@admin.register(Article)
class ArticleAdmin(AuditedAdmin):
    list_display = ["title", "kind", "published", "updated_at"]
    search_fields = ["title", "tags"]
