"""Celery application. Without CELERY_BROKER_URL, tasks run inline (settings.CELERY_TASK_ALWAYS_EAGER).

The beat schedule (one `celery -A config beat` process in production) is gathered from every app's
`schedule.py`, whose `BEAT` dict holds Celery beat entries; each app keeps its own periodic work.
"""

import os
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("outperform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def beat_schedule() -> dict[str, Any]:
    from django.apps import apps

    schedule: dict[str, Any] = {}
    for config in apps.get_app_configs():
        name = f"{config.name}.schedule"
        if config.name.startswith("outperform.") and find_spec(name) is not None:
            schedule.update(import_module(name).BEAT)
    return schedule


@app.on_after_finalize.connect
def _install_beat_schedule(sender: Celery, **_kwargs: Any) -> None:
    sender.conf.beat_schedule = beat_schedule()
