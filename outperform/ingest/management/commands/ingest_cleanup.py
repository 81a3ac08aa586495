from typing import Any

from django.core.management.base import BaseCommand

from outperform.ingest.services import ingest_cleanup


class Command(BaseCommand):
    help = "Remove uncommitted ingest uploads older than 7 days and idempotency keys older than 30 days."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--upload-days", type=int, default=7)
        parser.add_argument("--key-days", type=int, default=30)

    def handle(self, *args: Any, **options: Any) -> None:
        done = ingest_cleanup(upload_days=options["upload_days"], key_days=options["key_days"])
        self.stdout.write(f"removed {done['files']} uploads, {done['keys']} idempotency keys")
