"""`manage.py send_reminders [--date YYYY-MM-DD]`: create today's in-app reminders (for cron)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from outperform.notifications.services import send_reminders


class Command(BaseCommand):
    help = "Create in-app reminders for evaluations due soon or overdue (idempotent per day)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="act as if today were this date (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options.get("date"):
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date must be YYYY-MM-DD") from None
        count = send_reminders(today=today)
        self.stdout.write(f"{count} notification(s) created")
