from celery import shared_task

from .jobs import job_run


@shared_task(name="outperform.run_job")
def run_job(job_id: int) -> None:
    job_run(job_id)
