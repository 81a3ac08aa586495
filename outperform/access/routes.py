"""The scope decision of every route, checked by tests/security/test_route_matrix.py.

Routes built from `core.crud.Resource` and API viewsets built on `ScopedModelViewSet` are scoped
by construction (their querysets go through `restrict`), so they need no entry here. Every other
named route must be declared below, or the route-matrix test fails: adding a view means deciding
who reaches it.

Kinds:
- PUBLIC: no log-in (the log-in page, a survey link, the language switch);
- SCOPED: any signed-in user; the view limits rows with `restrict` / `get_scoped_or_404`, so an
  object outside the caller's scope answers 404. With a model label, the `pk` in the URL is a row
  of that model and the test checks the 404 for every role with a row outside its scope;
- OWN: the caller's own rows only (inbox, my evaluations);
- WHOLE_VIEW: admin, HR and auditor; WHOLE_WRITE: admin and HR (others 403 or 404).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from .scoping import Scope

PUBLIC = "public"
SCOPED = "scoped"
OWN = "own"
WHOLE_VIEW = "whole_view"
WHOLE_WRITE = "whole_write"


class Decision(NamedTuple):
    kind: str
    model: str | None = None  # "app_label.ModelName" of the URL's `pk`, where it names one row
    owner: str | None = None  # for OWN rows: the lookup from the row to its owning user


def scoped(model: str | None = None) -> Decision:
    return Decision(SCOPED, model)


ROUTES: dict[str, Decision] = {
    # log-in, language, API auth and documentation
    "login": Decision(PUBLIC),
    "logout": Decision(PUBLIC),
    "set_language": Decision(PUBLIC),
    "api_token": Decision(PUBLIC),
    "password_change": Decision(OWN),
    "password_change_done": Decision(OWN),
    "schema": Decision(OWN),
    "swagger-ui": Decision(OWN),
    "api-root": Decision(OWN),
    "core:home": scoped(),
    # indicators (templates: reference data, writes need the write role)
    "indicators:indicators_detail": scoped("indicators.Indicator"),
    "indicators:indicators_create": Decision(WHOLE_WRITE),
    "indicators:indicators_edit": Decision(WHOLE_WRITE, "indicators.Indicator"),
    "indicators:templates_list": scoped(),
    "indicators:templates_detail": scoped("indicators.Template"),
    "indicators:templates_create": Decision(WHOLE_WRITE),
    "indicators:templates_edit": Decision(WHOLE_WRITE, "indicators.Template"),
    "indicators:templates_new_version": Decision(WHOLE_WRITE, "indicators.Template"),
    "indicators:templates_activate": Decision(WHOLE_WRITE, "indicators.Template"),
    "indicators:templates_archive": Decision(WHOLE_WRITE, "indicators.Template"),
    "indicators:templates_copy": Decision(WHOLE_WRITE, "indicators.Template"),
    "indicators:templates_preview": scoped("indicators.Template"),
    "indicators:templates_export": scoped("indicators.Template"),
    "indicators:templates_import": Decision(WHOLE_WRITE),
    # cycles
    "cycles:cycles_create": Decision(WHOLE_WRITE),
    "cycles:cycles_edit": Decision(WHOLE_WRITE, "cycles.Cycle"),
    "cycles:cycles_delete": Decision(WHOLE_WRITE, "cycles.Cycle"),
    "cycles:cycles_detail": scoped("cycles.Cycle"),
    "cycles:cycle_open": Decision(WHOLE_WRITE, "cycles.Cycle"),
    "cycles:cycle_advance": Decision(WHOLE_WRITE, "cycles.Cycle"),
    "cycles:cycle_move_back": Decision(WHOLE_WRITE, "cycles.Cycle"),
    "cycles:cycle_compute": Decision(WHOLE_WRITE, "cycles.Cycle"),
    "cycles:appraisal_list": scoped("cycles.Cycle"),
    "cycles:calibration_board": scoped("cycles.Cycle"),
    "cycles:rating_grid": scoped("cycles.Cycle"),
    "cycles:subject_search": Decision(WHOLE_WRITE),
    "cycles:user_search": Decision(WHOLE_WRITE),
    "cycles:cycle_template_rules": Decision(WHOLE_WRITE, "cycles.Cycle"),
    "cycles:peer_choices": scoped("cycles.Cycle"),
    "cycles:peer_choose": scoped("cycles.Appraisal"),
    "cycles:peer_search": scoped("cycles.Appraisal"),
    "cycles:job_detail": scoped("core.Job"),
    "cycles:job_progress": scoped("core.Job"),
    "cycles:appraisal_detail": scoped("cycles.Appraisal"),
    "cycles:appraisal_confirm": scoped("cycles.Appraisal"),
    "cycles:appeal_submit": scoped("cycles.Appraisal"),
    "cycles:goal_propose": scoped("cycles.Appraisal"),
    "cycles:interview_new": scoped("cycles.Appraisal"),
    "cycles:goal_agree": scoped("cycles.Goal"),
    "cycles:goal_edit": scoped("cycles.Goal"),
    "cycles:goal_completion": scoped("cycles.Goal"),
    "cycles:interview_edit": scoped("cycles.Interview"),
    "cycles:interview_acknowledge": scoped("cycles.Interview"),
    "cycles:assignment_reopen": Decision(WHOLE_WRITE, "cycles.RaterAssignment"),
    "cycles:my_appraisals": Decision(OWN),
    "cycles:my_evaluations": Decision(OWN),
    "cycles:evaluation_form": Decision(OWN, "cycles.RaterAssignment", "rater"),
    "cycles:appeals_detail": scoped("cycles.Appeal"),
    "cycles:appeal_attachment": scoped("cycles.Appeal"),
    "cycles:archive_worker": scoped("workers.Worker"),
    "cycles:archive_vendor": scoped("vendors.Vendor"),
    "cycles:archive_team": scoped("cycles.Team"),
    "cycles:adjustment_add": Decision(WHOLE_WRITE, "cycles.Appraisal"),
    "cycles:veto_add": Decision(WHOLE_WRITE, "cycles.Appraisal"),
    "cycles:adjustment_remove": Decision(WHOLE_WRITE, "cycles.Appraisal"),
    "cycles:metric_value_set": Decision(WHOLE_WRITE, "cycles.Appraisal"),
    # notifications: nobody reads another's inbox
    "notifications:inbox": Decision(OWN),
    "notifications:open": Decision(OWN, "notifications.Notification", "user"),
    "notifications:read_all": Decision(OWN),
    "notifications:preferences": Decision(OWN),
    # alerts: reads scoped on department / vendor / owner; the kind catalogue and "evaluate now" are HR's
    "alerts:alert_list": scoped(),
    "alerts:alert_detail": scoped("alerts.Alert"),
    "alerts:alert_acknowledge": scoped("alerts.Alert"),
    "alerts:alert_resolve": scoped("alerts.Alert"),
    "alerts:rule_alerts": scoped("alerts.AlertRule"),
    "alerts:kinds": Decision(WHOLE_VIEW),
    "alerts:evaluate": Decision(WHOLE_WRITE),
    # records
    "records:sla_breaches": scoped(),
    # ingest: the upload page offers the sources the caller may load; batches are scoped
    "ingest:upload": scoped(),
    "ingest:batches_import": scoped(),
    "ingest:template": scoped(),
    "ingest:batch": scoped("ingest.IngestBatch"),
    "ingest:batches_detail": scoped("ingest.IngestBatch"),
    "ingest:mapping": scoped("ingest.IngestBatch"),
    "ingest:run": scoped("ingest.IngestBatch"),
    "ingest:progress": scoped("ingest.IngestBatch"),
    "ingest:errors": scoped("ingest.IngestBatch"),
    # metrics
    "metrics:explore": scoped(),
    "metrics:explore_metric": scoped("metrics.Metric"),
    "metrics:refresh": Decision(WHOLE_WRITE),
    # surveys: the answer link is public (token, rate-limited); questionnaires and sending are HR's
    "surveys:respond": Decision(PUBLIC),
    "surveys:questions": Decision(WHOLE_WRITE, "surveys.Questionnaire"),
    "surveys:questionnaire_copy": Decision(WHOLE_WRITE, "surveys.Questionnaire"),
    "surveys:send": Decision(WHOLE_WRITE, "surveys.Survey"),
    "surveys:results": scoped("surveys.Survey"),
    # rewards: plans are prepared, submitted and approved by whole-organisation writers
    "rewards:plans_create": Decision(WHOLE_WRITE),
    "rewards:plans_detail": scoped("rewards.BonusPlan"),
    "rewards:plans_edit": Decision(WHOLE_WRITE, "rewards.BonusPlan"),
    "rewards:plans_pools": Decision(WHOLE_WRITE, "rewards.BonusPlan"),
    "rewards:plans_prepare": Decision(WHOLE_WRITE, "rewards.BonusPlan"),
    "rewards:plans_submit": Decision(WHOLE_WRITE, "rewards.BonusPlan"),
    "rewards:plans_approve": Decision(WHOLE_WRITE, "rewards.BonusPlan"),
    "rewards:plans_return": Decision(WHOLE_WRITE, "rewards.BonusPlan"),
    "rewards:plans_delete": Decision(WHOLE_WRITE, "rewards.BonusPlan"),
    "rewards:plans_payroll": scoped("rewards.BonusPlan"),
    "rewards:job_detail": scoped("core.Job"),
    "rewards:job_progress": scoped("core.Job"),
    "rewards:my_bonus": Decision(OWN),
    "rewards:suggestions_detail": scoped("rewards.SalarySuggestion"),
    "rewards:suggestions_generate": Decision(WHOLE_WRITE),
    # development
    "development:mine": Decision(OWN),
    "development:wall": scoped(),
    "development:evaluate": Decision(WHOLE_WRITE),
    "development:plan_transition": scoped("development.ImprovementPlan"),
    "development:milestone_add": scoped("development.ImprovementPlan"),
    "development:checkin_add": scoped("development.ImprovementPlan"),
    "development:milestone_done": scoped("development.PlanMilestone"),
    # compliance: notices scoped to their vendor; issuing and vetoes are HR's
    "compliance:notices_create": Decision(WHOLE_WRITE),
    "compliance:notices_detail": scoped("compliance.RectificationNotice"),
    "compliance:notice_action": scoped("compliance.RectificationNotice"),
    "compliance:evidence_download": scoped("compliance.NoticeEvidence"),
    "compliance:notice_from_finding": Decision(WHOLE_WRITE, "compliance.AuditFinding"),
    "compliance:vetoes": Decision(WHOLE_WRITE),
    "compliance:portal": scoped(),
    "compliance:portal_results": scoped(),
    # insights (declared from the code as of 00:50 UTC; its engineer was still at work): dashboards
    # and group reports aggregate what `restrict` lets through, a worker gets only "my" pages
    "insights:dashboard": scoped(),
    "insights:dashboard_data": scoped(),
    "insights:dashboard_xlsx": scoped(),
    "insights:my_dashboard": Decision(OWN),
    "insights:my_data": Decision(OWN),
    "insights:my_xlsx": Decision(OWN),
    "insights:reports": scoped(),
    "insights:report_pick": scoped(),
    "insights:cycle_report": scoped(),
    "insights:department_report": scoped(),
    "insights:vendor_report": scoped(),
    "insights:batch_reports": scoped(),
    "insights:individual_report": scoped("cycles.Appraisal"),
    "insights:schedules": scoped(),
    "insights:schedule_create": scoped(),
    "insights:schedule_edit": scoped("insights.ReportSchedule"),
    "insights:schedule_delete": scoped("insights.ReportSchedule"),
    "insights:jobs": scoped(),
    "insights:job_detail": scoped("core.Job"),
    "insights:job_row": scoped("core.Job"),
    "insights:job_retry": scoped("core.Job"),
    "insights:job_requeue": scoped("core.Job"),
    "insights:job_download": scoped("core.Job"),
    # standings (declared from the code as of 00:50 UTC)
    "standings:index": scoped(),
    "standings:compare": scoped(),
    "standings:termination": scoped(),
    "standings:vendor": scoped("vendors.Vendor"),
    "standings:scorecard": scoped("cycles.Appraisal"),
    "standings:refresh": Decision(WHOLE_WRITE),
    "standings:policy": Decision(WHOLE_WRITE),
    "standings:settlements": scoped(),
    "standings:settlement_compute": Decision(WHOLE_WRITE),
    "standings:settlement_detail": scoped("standings.Settlement"),
    "standings:settlement_approve": Decision(WHOLE_WRITE, "standings.Settlement"),
}

# API viewsets not built on ScopedModelViewSet, by exact router basename: the decision covers every
# route of the viewset ("appraisal-list", "appraisal-detail", "appraisal-confirm", …).
VIEWSETS: dict[str, Decision] = {
    "appraisal": scoped("cycles.Appraisal"),
    "appeal": scoped("cycles.Appeal"),
    "assignment": scoped("cycles.RaterAssignment"),
    "goal": scoped("cycles.Goal"),
    "interview": scoped("cycles.Interview"),
    "job": scoped("core.Job"),
    "my-evaluation": Decision(OWN),
    "notification": Decision(OWN, "notifications.Notification", "user"),
    "notification-preference": Decision(OWN),
    "delivery": scoped("notifications.Delivery"),
    "alert": scoped("alerts.Alert"),
    "alert-kind": scoped(),  # the registry of rule kinds: reference data, no rows
    "bonus-plan": scoped("rewards.BonusPlan"),
    "bonus-line": scoped("rewards.BonusLine"),
    "salary-suggestion": scoped("rewards.SalarySuggestion"),
    "metric-value": scoped("cycles.MetricValue"),
    "survey-response": scoped("surveys.Response"),
    "compliance-notice": scoped("compliance.RectificationNotice"),
    "compliance-veto": Decision(WHOLE_WRITE),
    "ingest-batch": scoped("ingest.IngestBatch"),
    # ingest-<source>: machine pushes; the service refuses a source the caller may not load (404)
    "ingest-*": scoped(),
    # insights and standings (as of 00:50 UTC)
    "dashboard": scoped(),  # chart ids, not rows: the charts aggregate what `restrict` lets through
    "report-schedule": scoped("insights.ReportSchedule"),
    "report": scoped(),
    "vendor-standing": scoped("standings.VendorStanding"),
    "settlement": scoped("standings.Settlement"),
}


def decision_for(name: str, basename: str | None = None) -> Decision | None:
    """The declared decision of a route name or, for an API route, of its viewset's router basename.

    Basenames match exactly (a prefix would let "settlement" capture "settlement-rule-detail"); a key
    ending in "-*" covers a family of generated viewsets ("ingest-*": ingest-complaint, …)."""
    if name in ROUTES:
        return ROUTES[name]
    if basename is None:
        return None
    if basename in VIEWSETS:
        return VIEWSETS[basename]
    for key, decision in VIEWSETS.items():
        if key.endswith("-*") and basename.startswith(key[:-1]):
            return decision
    return None


def may_use(route: str, scope: Scope) -> bool:
    """Whether the caller's role may use a route at all (its declared decision — the role × route
    matrix test holds the views to it); rows are still checked by the view. Pages use it to offer only
    the links that will not answer 403."""
    decision = ROUTES.get(route)
    if decision is None:
        return True
    if decision.kind == WHOLE_WRITE:
        return scope.whole_write
    if decision.kind == WHOLE_VIEW:
        return scope.whole_view
    return True
