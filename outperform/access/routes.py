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

from typing import NamedTuple

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
}

# API viewsets not built on ScopedModelViewSet, by router basename: the decision covers every route
# of the viewset ("appraisal-list", "appraisal-detail", "appraisal-confirm", …).
VIEWSETS: dict[str, Decision] = {
    "appraisal": scoped("cycles.Appraisal"),
    "appeal": scoped("cycles.Appeal"),
    "assignment": scoped("cycles.RaterAssignment"),
    "goal": scoped("cycles.Goal"),
    "interview": scoped("cycles.Interview"),
    "job": scoped("core.Job"),
    "my-evaluation": Decision(OWN),
    "notification": Decision(OWN, "notifications.Notification", "user"),
}


def decision_for(name: str) -> Decision | None:
    """The declared decision of a route name, or of the API viewset it belongs to."""
    if name in ROUTES:
        return ROUTES[name]
    base = name
    while "-" in base:
        base = base.rsplit("-", 1)[0]
        if base in VIEWSETS:
            return VIEWSETS[base]
    return None
