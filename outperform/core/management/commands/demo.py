import time
from typing import Any

from django.core.management.base import BaseCommand

from outperform.core.demo.loader import load_demo


class Command(BaseCommand):
    help = "Load the demo enterprise (idempotent: does nothing if it is already there)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--workers", type=int, default=300)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--quiet", action="store_true")
        parser.add_argument("--no-cycles", action="store_true", help="skip the two demo appraisal cycles")

    def handle(self, *args: Any, workers: int, seed: int, quiet: bool, no_cycles: bool, **options: Any) -> None:
        started = time.perf_counter()
        summary = load_demo(workers=workers, seed=seed, progress=None if quiet else self.stdout.write,
                            with_cycles=False if no_cycles else None)
        elapsed = time.perf_counter() - started
        if summary.created:
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {summary.workers} workers in {elapsed:.1f} s"))
        else:
            self.stdout.write(f"Demo data already present ({summary.workers} workers); nothing changed.")
        self.stdout.write("\nDemo log-ins (username / password):")
        for username, role, password in summary.logins:
            self.stdout.write(f"  {username:<11} {role:<40} {password}")
