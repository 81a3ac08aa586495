"""`manage.py development_daily [--date YYYY-MM-DD]`: evaluate newly published cycles with the
development rules and send improvement-plan reminders (for cron; idempotent)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from outperform.development.services import evaluate_pending_cycles, plan_reminders


class Command(BaseCommand):
    help = "Run the development rules over newly published cycles and send plan reminders (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="act as if today were this date (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options.get("date"):
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date must be YYYY-MM-DD") from None
        cycles = evaluate_pending_cycles(today=today)
        reminders = plan_reminders(today=today)
        self.stdout.write(f"{cycles} cycle(s) evaluated, {reminders} reminder(s) created")
