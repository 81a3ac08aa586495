"""`manage.py development_evaluate CYCLE_ID`: run the development rules over one published cycle
(idempotent: suggestions and plans already made are not made again)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from outperform.cycles.models import Cycle
from outperform.development.services import development_evaluate


class Command(BaseCommand):
    help = "Run the development rules over one published cycle."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("cycle_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        cycle = Cycle.objects.filter(pk=options["cycle_id"]).first()
        if cycle is None:
            raise CommandError("no such cycle")
        try:
            summary = development_evaluate(actor=None, cycle=cycle)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(", ".join(f"{k}={v}" for k, v in summary.items()))
