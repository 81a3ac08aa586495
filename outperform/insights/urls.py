from django.urls import path, register_converter

from .views import dashboards, jobs, reports, schedules

app_name = "insights"


class FormatConverter:
    regex = "pdf|xlsx"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "fmt")

urlpatterns = [
    path("", dashboards.dashboard_page, name="dashboard"),
    path("data/", dashboards.dashboard_data, name="dashboard_data"),
    path("data/<slug:chart>.xlsx", dashboards.dashboard_xlsx, name="dashboard_xlsx"),
    path("me/", dashboards.my_dashboard, name="my_dashboard"),
    path("me/data/", dashboards.my_data, name="my_data"),
    path("me/<slug:chart>.xlsx", dashboards.my_xlsx, name="my_xlsx"),
    path("reports/", reports.reports_index, name="reports"),
    path("reports/pick/", reports.report_pick, name="report_pick"),
    path("reports/cycle/<int:cycle_id>.<fmt:fmt>", reports.cycle_report, name="cycle_report"),
    path("reports/cycle/<int:cycle_id>/department/<int:department_id>.<fmt:fmt>", reports.department_report,
         name="department_report"),
    path("reports/cycle/<int:cycle_id>/vendor/<int:vendor_id>.<fmt:fmt>", reports.vendor_report, name="vendor_report"),
    path("reports/cycle/<int:cycle_id>/batch/", reports.batch_reports, name="batch_reports"),
    path("reports/appraisal/<int:pk>.<fmt:fmt>", reports.individual_report, name="individual_report"),
    path("reports/schedules/", schedules.schedules_list, name="schedules"),
    path("reports/schedules/new/", schedules.schedule_edit, name="schedule_create"),
    path("reports/schedules/<int:pk>/edit/", schedules.schedule_edit, name="schedule_edit"),
    path("reports/schedules/<int:pk>/delete/", schedules.schedule_delete_view, name="schedule_delete"),
    path("jobs/", jobs.jobs_list, name="jobs"),
    path("jobs/<int:pk>/", jobs.job_detail, name="job_detail"),
    path("jobs/<int:pk>/row/", jobs.job_row_fragment, name="job_row"),
    path("jobs/<int:pk>/retry/", jobs.job_retry_view, name="job_retry"),
    path("jobs/<int:pk>/requeue/", jobs.job_requeue_view, name="job_requeue"),
    path("jobs/<int:pk>/download/", jobs.job_download, name="job_download"),
]
