"""Writes of the cycle flow, one module per stage. Every public function is a transaction and
checks that the cycle is not closed (a closed cycle is read-only for everyone)."""

from .adjustments import adjustment_add, adjustment_remove, metric_value_set, veto_add
from .computing import cycle_compute, cycle_results_preview
from .evaluation import assignment_reopen, assignment_save
from .flow import cycle_advance, cycle_blockers, cycle_move_back
from .goals import goal_agree, goal_change, goal_propose
from .opening import cycle_open
from .peers import appraisal_peers_set
from .results import (
    appeal_decide,
    appeal_submit,
    appraisal_calibrate,
    appraisal_confirm,
    interview_acknowledge,
    interview_save,
)
from .subjects import cycle_scope_set

__all__ = [
    "adjustment_add",
    "adjustment_remove",
    "appeal_decide",
    "appeal_submit",
    "appraisal_calibrate",
    "appraisal_confirm",
    "appraisal_peers_set",
    "assignment_reopen",
    "assignment_save",
    "cycle_advance",
    "cycle_blockers",
    "cycle_compute",
    "cycle_move_back",
    "cycle_open",
    "cycle_results_preview",
    "cycle_scope_set",
    "goal_agree",
    "goal_change",
    "goal_propose",
    "interview_acknowledge",
    "interview_save",
    "metric_value_set",
    "veto_add",
]
