"""后台任务 (/insights/jobs/): every long task — imports, cycle opening and compute, batch reports,
notification runs — with its state, progress, who started it, timings and errors; retry where the
task is safe to run again. Scoped by Job.scope_paths: one's own jobs; admin, HR and auditor all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from outperform.access.scoping import get_scoped_or_404, restrict, scope_for
from outperform.core.crud import PAGE_SIZES, paginate
from outperform.core.jobs import job_can_requeue, job_can_retry, job_live_progress, job_requeue, job_retry
from outperform.core.models import Job, JobState

KIND_LABELS = {
    "cycle_open": gettext_lazy("开启考核周期"),
    "cycle_compute": gettext_lazy("计算考核结果"),
    "batch_reports": gettext_lazy("批量生成报告"),
    "scheduled_reports": gettext_lazy("定时报告发送"),
    "import": gettext_lazy("数据导入"),
    "ingest": gettext_lazy("数据导入"),
    "notifications": gettext_lazy("通知发送"),
    "metrics_refresh": gettext_lazy("刷新数据指标"),
    "bonus_prepare": gettext_lazy("计算奖金"),
    "development_evaluate": gettext_lazy("发展规则评估"),
    "alerts_evaluate": gettext_lazy("评估预警规则"),
}


def job_row(job: Job, user: Any) -> dict[str, Any]:
    done, total, message = job_live_progress(job)
    finished = job.state in (JobState.SUCCEEDED, JobState.FAILED)
    percent = 100 if job.state == JobState.SUCCEEDED else (int(done * 100 / total) if total else 0)
    duration = None
    if job.started_at and job.finished_at:
        duration = (job.finished_at - job.started_at).total_seconds()
    may_act = scope_for(user).whole_write or job.started_by_id == user.pk
    return {"job": job, "done": done, "total": total, "message": message, "finished": finished, "percent": percent,
            "duration": duration, "kind_label": KIND_LABELS.get(job.kind, job.kind),
            "error": job.error.split("\n\n", 1)[0] if job.error else "",
            "can_retry": may_act and job_can_retry(job), "can_requeue": may_act and job_can_requeue(job),
            "download": bool((job.result or {}).get("file")) and job.state == JobState.SUCCEEDED}


def jobs_queryset(request: HttpRequest) -> QuerySet[Job]:
    qs = restrict(Job.objects.select_related("started_by"), request.user).order_by("-created_at", "-id")
    if request.GET.get("state") in JobState.values:
        qs = qs.filter(state=request.GET["state"])
    if request.GET.get("kind"):
        qs = qs.filter(kind=request.GET["kind"])
    if request.GET.get("q"):
        q = request.GET["q"].strip()
        qs = qs.filter(Q(label__icontains=q) | Q(started_by__username__icontains=q) | Q(started_by__full_name__icontains=q))
    return qs


@login_required
def jobs_list(request: HttpRequest) -> HttpResponse:
    qs = jobs_queryset(request)
    page, per_page = paginate(request, qs)
    params = request.GET.copy()
    params.pop("page", None)
    kinds = sorted(set(restrict(Job.objects.all(), request.user).order_by().values_list("kind", flat=True).distinct()))
    return render(request, "insights/jobs.html", {
        "page": page, "per_page": per_page, "page_sizes": PAGE_SIZES, "querystring": params.urlencode(),
        "rows": [job_row(j, request.user) for j in page.object_list],
        "states": JobState.choices, "kinds": [(k, KIND_LABELS.get(k, k)) for k in kinds],
    })


@login_required
def job_row_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    """The htmx fragment an unfinished row polls every 2 s; a finished row has no trigger."""
    job = get_scoped_or_404(Job.objects.select_related("started_by"), request.user, pk=pk)
    return render(request, "insights/_job_row.html", {"r": job_row(job, request.user)})


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_scoped_or_404(Job.objects.select_related("started_by"), request.user, pk=pk)
    return render(request, "insights/job_detail.html", {
        "r": job_row(job, request.user), "job": job,
        # The traceback is for those who run the system; everyone else reads the first line.
        "traceback": job.error if scope_for(request.user).whole_view else "",
    })


def _actionable(request: HttpRequest, pk: int) -> Job:
    job = get_scoped_or_404(Job.objects.all(), request.user, pk=pk)
    if not (scope_for(request.user).whole_write or job.started_by_id == request.user.pk):
        raise PermissionDenied
    return job


@login_required
@require_POST
def job_retry_view(request: HttpRequest, pk: int) -> HttpResponse:
    job = _actionable(request, pk)
    if not job_can_retry(job):
        messages.error(request, _("该任务不能重试 / This job cannot be retried"))
        return HttpResponseRedirect(reverse("insights:jobs"))
    new = job_retry(actor=request.user, job=job)  # type: ignore[arg-type]
    messages.success(request, _("已重新发起任务 / The job was started again"))
    return HttpResponseRedirect(reverse("insights:job_detail", args=[new.pk]))


@login_required
@require_POST
def job_requeue_view(request: HttpRequest, pk: int) -> HttpResponse:
    job = _actionable(request, pk)
    if not job_can_requeue(job):
        messages.error(request, _("该任务不在等待队列 / This job is not waiting for the task service"))
    elif job_requeue(job=job):
        messages.success(request, _("已重新排队 / The job was queued again"))
    else:
        messages.error(request, _("任务服务仍不可用 / The task service is still unavailable"))
    return HttpResponseRedirect(reverse("insights:job_detail", args=[job.pk]))


def job_file(job: Job) -> Path:
    """The job's result file under MEDIA_ROOT/reports/ (never outside it)."""
    name = str((job.result or {}).get("file") or "")
    root = (Path(settings.MEDIA_ROOT) / "reports").resolve()
    path = (Path(settings.MEDIA_ROOT) / name).resolve()
    if not name or root not in path.parents or not path.is_file():
        raise Http404
    return path


@login_required
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    job = get_scoped_or_404(Job.objects.all(), request.user, pk=pk)
    if job.state != JobState.SUCCEEDED:
        raise Http404
    path = job_file(job)
    return FileResponse(path.open("rb"), as_attachment=True, filename=(job.result or {}).get("filename") or path.name)
