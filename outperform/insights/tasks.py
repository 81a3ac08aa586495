"""Background work of the insights app, run by core.jobs (`job_start(target="outperform.insights.tasks.…")`)
or by Celery beat (schedule.py) / cron (management commands)."""

from __future__ import annotations

import secrets
import zipfile
from pathlib import Path
from typing import Any

from celery import shared_task
from django.conf import settings
from django.utils.translation import gettext as _

from outperform.core.jobs import Progress, job_start
from outperform.core.models import Job, User
from outperform.cycles.models import Cycle

BATCH_TARGET = "outperform.insights.tasks.batch_reports_job"
BATCH_CHUNK = 200  # reports read together: bounded memory, a fixed number of queries per chunk


def reports_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "reports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def start_batch_reports(actor: User, cycle: Cycle) -> Job:
    return job_start(actor=actor, kind="batch_reports", label=_("批量生成个人绩效报告：%s") % cycle.name,
                     target=BATCH_TARGET, kwargs={"cycle_id": cycle.pk, "actor_id": actor.pk}, retry_safe=True)


def batch_reports_job(job: Job | None, *, cycle_id: int, actor_id: int) -> dict[str, Any]:
    """Every worker's individual PDF of a cycle that the actor may see, in one zip under
    MEDIA_ROOT/reports/ (a random name: the download goes through the scoped job page)."""
    from .reports import data
    from .reports.pdf import render_pdf
    from .selectors import Filters, department_ids, results

    actor = User.objects.get(pk=actor_id)
    progress = Progress(job)
    appraisals = list(results(actor, [cycle_id], Filters(), department_ids(None))
                      .select_related("cycle", "cycle_template", "department", "vendor", "position", "worker")
                      .order_by("department__path", "subject_name", "id"))
    total = len(appraisals)
    name = f"job-{job.pk if job else 0}-{secrets.token_hex(8)}.zip"
    path = reports_dir() / name
    progress(0, total, _("生成中"))
    done = 0
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        # A chunk's reports are read together (a fixed number of queries per chunk, not per person).
        for start in range(0, total, BATCH_CHUNK):
            chunk = appraisals[start:start + BATCH_CHUNK]
            for appraisal, report in zip(chunk, data.individuals(actor, chunk), strict=True):
                number = appraisal.worker.employee_no if appraisal.worker else str(appraisal.pk)
                zf.writestr(f"{number}-{appraisal.subject_name}.pdf",
                            render_pdf("insights/reports/individual.html", report))
                done += 1
                progress(done, total, appraisal.subject_name)
    cycle = Cycle.objects.get(pk=cycle_id)
    return {"file": f"reports/{name}", "filename": f"{cycle.name}-个人绩效报告.zip", "count": total}


@shared_task(name="outperform.insights.send_scheduled_reports")
def send_scheduled_reports_task() -> dict[str, int]:
    from .services import send_scheduled_reports

    return send_scheduled_reports()


@shared_task(name="outperform.insights.build_summaries")
def build_summaries_task() -> dict[str, int]:
    from .summary import summary_build_all

    return summary_build_all()
