from celery.schedules import crontab

from config.celery import app, beat_schedule


def test_beat_schedule_runs_the_reminders_daily() -> None:
    entry = beat_schedule()["send-reminders"]
    assert entry["task"] == "outperform.notifications.send_reminders"
    assert entry["schedule"] == crontab(hour=8, minute=0)
    # The task named by the entry is a registered Celery task.
    app.loader.import_default_modules()
    assert "outperform.notifications.send_reminders" in app.tasks
