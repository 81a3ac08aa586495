from django.urls import path

from outperform.core import crud

from .resources import AppealResource, CycleResource, TeamResource
from .views import (
    adjustments,
    appeals,
    appraisals,
    archive,
    calibration,
    cycles,
    evaluations,
    overrides,
    peers,
    subjects,
)

app_name = "cycles"

CYCLES = CycleResource()
APPEALS = AppealResource()

urlpatterns = [
    # cycles (考核周期) and the cockpit
    path("", crud.ListView.as_view(resource=CYCLES), name="cycles_list"),
    path("new/", cycles.CycleEditView.as_view(resource=CYCLES), name="cycles_create"),
    path("<int:pk>/", cycles.cycle_detail, name="cycles_detail"),
    path("<int:pk>/edit/", cycles.CycleEditView.as_view(resource=CYCLES), name="cycles_edit"),
    path("<int:pk>/delete/", cycles.CycleDeleteView.as_view(resource=CYCLES), name="cycles_delete"),
    path("<int:pk>/open/", cycles.cycle_open_view, name="cycle_open"),
    path("<int:pk>/advance/", cycles.cycle_advance_view, name="cycle_advance"),
    path("<int:pk>/move-back/", cycles.cycle_move_back_view, name="cycle_move_back"),
    path("<int:pk>/compute/", cycles.cycle_compute_view, name="cycle_compute"),
    path("<int:pk>/appraisals/", appraisals.appraisal_list, name="appraisal_list"),
    path("<int:pk>/calibration/", calibration.calibration_board, name="calibration_board"),
    path("<int:pk>/grid/<str:role>/", evaluations.rating_grid, name="rating_grid"),
    path("<int:pk>/peers/", peers.peer_choices, name="peer_choices"),
    path("<int:pk>/template-rules/", overrides.cycle_template_rules, name="cycle_template_rules"),
    path("subjects/search/", subjects.subject_search_view, name="subject_search"),
    path("users/search/", subjects.user_search_view, name="user_search"),
    path("jobs/<int:pk>/", cycles.job_detail, name="job_detail"),
    path("jobs/<int:pk>/progress/", cycles.job_progress, name="job_progress"),
    # appraisals (考核单)
    path("appraisals/<int:pk>/", appraisals.appraisal_detail, name="appraisal_detail"),
    path("appraisals/<int:pk>/confirm/", appraisals.appraisal_confirm_view, name="appraisal_confirm"),
    path("appraisals/<int:pk>/appeal/", appraisals.appeal_submit_view, name="appeal_submit"),
    path("appraisals/<int:pk>/goals/new/", appraisals.goal_propose_view, name="goal_propose"),
    path("appraisals/<int:pk>/interviews/new/", appraisals.interview_new_view, name="interview_new"),
    path("appraisals/<int:pk>/peers/", peers.peer_choose, name="peer_choose"),
    path("appraisals/<int:pk>/peers/search/", peers.peer_search, name="peer_search"),
    path("goals/<int:pk>/agree/", appraisals.goal_agree_view, name="goal_agree"),
    path("goals/<int:pk>/edit/", appraisals.goal_edit_view, name="goal_edit"),
    path("goals/<int:pk>/completion/", appraisals.goal_completion_view, name="goal_completion"),
    path("interviews/<int:pk>/edit/", appraisals.interview_edit_view, name="interview_edit"),
    path("interviews/<int:pk>/acknowledge/", appraisals.interview_acknowledge_view, name="interview_acknowledge"),
    path("assignments/<int:pk>/reopen/", appraisals.assignment_reopen_view, name="assignment_reopen"),
    path("mine/", appraisals.my_appraisals, name="my_appraisals"),
    # 我的评价
    path("evaluations/", evaluations.my_evaluations, name="my_evaluations"),
    path("evaluations/<int:pk>/", evaluations.evaluation_form, name="evaluation_form"),
    # 申诉
    path("appeals/", crud.ListView.as_view(resource=APPEALS), name="appeals_list"),
    path("appeals/<int:pk>/", appeals.appeal_detail, name="appeals_detail"),
    path("appeals/<int:pk>/attachment/", appeals.appeal_attachment, name="appeal_attachment"),
    # 绩效档案
    path("archive/worker/<int:pk>/", archive.archive_worker, name="archive_worker"),
    path("archive/vendor/<int:pk>/", archive.archive_vendor, name="archive_vendor"),
    path("archive/team/<int:pk>/", archive.archive_team, name="archive_team"),
    # 团队
    *TeamResource().urls(),
    # 加减分 / 一票否决 / 数据指标 (HR, on the appraisal page)
    path("appraisals/<int:pk>/adjustments/new/", adjustments.adjustment_add_view, name="adjustment_add"),
    path("appraisals/<int:pk>/vetoes/new/", adjustments.veto_add_view, name="veto_add"),
    path("appraisals/<int:pk>/adjustments/<int:entry_pk>/remove/", adjustments.adjustment_remove_view,
         name="adjustment_remove"),
    path("appraisals/<int:pk>/metrics/", adjustments.metric_value_view, name="metric_value_set"),
]
