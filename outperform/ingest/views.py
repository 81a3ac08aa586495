"""数据接入 pages: choose a source and upload → map columns → dry run → commit, and the batch page
with counts, errors by row and column, the red-marked error report and a progress bar."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from outperform.access.scoping import get_scoped_or_404, restrict, scope_for
from outperform.core import excel
from outperform.core.crud import xlsx_response
from outperform.core.jobs import job_live_progress
from outperform.core.models import JobState

from . import services
from .forms import MappingForm, UploadForm
from .models import BatchState, IngestBatch
from .reading import mapping_from_json
from .sources import sources_for


def _sources(request: HttpRequest) -> list[Any]:
    available = sources_for(scope_for(request.user))
    if not available:
        raise PermissionDenied
    return available


def _batch(request: HttpRequest, pk: int) -> IngestBatch:
    return get_scoped_or_404(IngestBatch.objects.select_related("job", "created_by"), request.user, "view", pk=pk)


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    available = _sources(request)
    form = UploadForm(request.POST or None, request.FILES or None, sources=available,
                      initial={"source": request.GET.get("source", "")})
    if request.method == "POST" and form.is_valid():
        fileobj = form.cleaned_data["file"]
    if request.method == "POST" and form.is_valid() and fileobj.size > settings.OUTPERFORM_MAX_UPLOAD_BYTES:
        limit = settings.OUTPERFORM_MAX_UPLOAD_BYTES // (1024 * 1024)
        form.add_error("file", _("文件过大（上限 %(mb)d MB）/ The file is too large (limit %(mb)d MB)") % {"mb": limit})
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.batch_upload(actor=request.user, source_key=form.cleaned_data["source"],  # type: ignore[arg-type]
                                          fileobj=fileobj, filename=fileobj.name or "upload.csv")
        except excel.SpreadsheetError as exc:
            form.add_error("file", str(exc))
        else:
            return HttpResponseRedirect(reverse("ingest:mapping", args=[batch.pk]))
    recent = restrict(IngestBatch.objects.all(), request.user, "view").filter(created_by_id=request.user.pk)[:10]
    status = 400 if request.method == "POST" else 200
    return render(request, "ingest/upload.html", {"form": form, "sources": available, "recent": recent}, status=status)


@login_required
def mapping(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    if batch.state in (BatchState.COMMITTED, BatchState.RUNNING):
        return HttpResponseRedirect(reverse("ingest:batch", args=[batch.pk]))
    source = services.source_for(request.user, batch.source)  # type: ignore[arg-type]
    form = MappingForm(request.POST or None, source=source, headers=batch.headers,
                       initial_mapping=mapping_from_json(batch.mapping))
    if request.method == "POST" and form.is_valid():
        try:
            services.batch_set_mapping(actor=request.user, batch=batch, mapping=form.mapping())  # type: ignore[arg-type]
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            services.batch_run(actor=request.user, batch=batch, dry_run=True)  # type: ignore[arg-type]
            return HttpResponseRedirect(reverse("ingest:batch", args=[batch.pk]))
    status = 400 if request.method == "POST" else 200
    return render(request, "ingest/mapping.html", {"batch": batch, "source": source, "form": form}, status=status)


def _progress_context(batch: IngestBatch) -> dict[str, Any]:
    job = batch.job
    done, total, message = job_live_progress(job) if job is not None else (0, 0, "")
    running = batch.state == BatchState.RUNNING and job is not None and job.state not in (
        JobState.SUCCEEDED, JobState.FAILED)
    percent = min(int(done * 100 / total), 99) if total else 0
    return {"batch": batch, "job": job, "done": done, "total": total, "message": message, "running": running,
            "percent": percent, "job_error": (job.error.split("\n\n", 1)[0] if job is not None and job.error else "")}


@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    try:
        source = services.get_source(batch.source)
    except KeyError:
        raise Http404 from None
    context = _progress_context(batch)
    context.update({
        "source": source,
        "can_run": batch.created_by_id == request.user.pk and source.may_ingest(scope_for(request.user)),
        "errors": batch.errors[:500],
    })
    return render(request, "ingest/batch.html", context)


@login_required
def batch_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The fragment the batch page polls every second while its job runs."""
    batch = _batch(request, pk)
    context = _progress_context(batch)
    if not context["running"]:
        response = HttpResponse("")
        response["HX-Refresh"] = "true"  # finished: htmx reloads the batch page with the results
        return response
    return render(request, "ingest/_progress.html", context)


@login_required
@require_POST
def batch_run(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    if batch.created_by_id != request.user.pk:
        raise Http404
    dry_run = request.POST.get("action") != "commit"
    try:
        batch = services.batch_run(actor=request.user, batch=batch, dry_run=dry_run)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        if batch.state == BatchState.COMMITTED:
            messages.success(request, _("已提交：新增 %(c)d 条，变更 %(u)d 条，未变 %(n)d 条") % {
                "c": batch.created, "u": batch.updated, "n": batch.unchanged})
    return HttpResponseRedirect(reverse("ingest:batch", args=[batch.pk]))


@login_required
def error_report(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    if not batch.errors or not services.batch_path(batch).exists():
        raise Http404
    return xlsx_response(services.batch_error_report(batch), f"ingest-{batch.pk}-errors.xlsx")


@login_required
def template(request: HttpRequest, source: str) -> HttpResponse:
    for s in _sources(request):
        if s.key == source:
            return xlsx_response(s.importer.template(), f"{s.key}-template.xlsx")
    raise Http404
