"""Demo data for 100,000 workers (the size the other benchmarks use). Target: under 60 s."""

from __future__ import annotations

from _setup import Timer, report, setup_django

N = 100_000


def main() -> None:
    db = setup_django("demo")
    from outperform.core.demo.loader import load_demo
    from outperform.workers.models import Worker

    with Timer() as t:
        load_demo(workers=N, seed=2026)
    assert Worker.objects.count() == N
    print(f"database={db} workers={N}")
    report("demo_100k", t.seconds, 60.0)


if __name__ == "__main__":
    main()
