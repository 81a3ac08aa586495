"""`manage.py evaluate_alerts [--date YYYY-MM-DD] [--kind KEY] [--rule ID]`: evaluate alert rules
(for cron when no Celery broker is configured). E-mails and bot messages are sent right away."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from outperform.alerts.models import AlertRule
from outperform.alerts.services import alerts_evaluate


class Command(BaseCommand):
    help = "Evaluate enabled alert rules: open new alerts, refresh open ones, resolve cleared ones."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="act as if today were this date (YYYY-MM-DD)")
        parser.add_argument("--kind", help="only rules of this kind")
        parser.add_argument("--rule", type=int, help="only this rule (id), even if disabled")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options.get("date"):
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date must be YYYY-MM-DD") from None
        rules = None
        if options.get("rule"):
            rules = list(AlertRule.objects.filter(pk=options["rule"]).select_related("department"))
            if not rules:
                raise CommandError(f"no alert rule {options['rule']}")
        elif options.get("kind"):
            rules = list(AlertRule.objects.filter(enabled=True, kind=options["kind"]).select_related("department"))
        summary = alerts_evaluate(today=today, rules=rules, inline=True)
        for r in summary.rules:
            if r.status != "ok":
                self.stderr.write(f"rule {r.rule_id}: {r.status} {r.message}")
        self.stdout.write(f"{len(summary.rules)} rule(s): {summary.created} created, {summary.refreshed} still open, "
                          f"{summary.resolved} resolved")
