"""Benchmark of the scoring engine: one cycle of 100,000 subjects.

Run: ``.venv/bin/python bench/engine_bench.py [--subjects N] [--repeat R] [--profile]``

Inputs are generated in memory with a fixed seed: 12 indicators (8 qualitative rated by
self, supervisor, several peers and a client; 4 quantitative using the linear, bands,
deduction and formula rules, one through a measure formula), groups of about 50, forced
distribution with two quotas, a bonus pool per group, some missing data, adjustments,
vetoes and prorated subjects. Only ``compute_cycle`` is timed (median of the runs). The
last line is machine-readable:

    BENCH name=engine_100k seconds=<s> floor_seconds=5.0 ratio=<s/5.0>
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import random
import statistics
import sys
import time
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from outperform.scoring import (  # noqa: E402 - needs the path set above
    Adjustment,
    BandsRule,
    DeductionRule,
    FormulaRule,
    GradeBand,
    IndicatorSpec,
    LinearRule,
    Quota,
    SubjectInput,
    SubjectResult,
    TemplateSpec,
    ValueBand,
    Veto,
    compute_cycle,
    parse,
)

FLOOR_SECONDS = 5.0
SEED = 20_240_501
D = Decimal


def build_template() -> TemplateSpec:
    qualitative = [
        IndicatorSpec(f"Q{i}", D(w)) for i, w in enumerate((10, 10, 10, 10, 8, 8, 7), start=1)
    ]
    # One indicator rated by supervisor and client only: exercises the per-indicator override.
    qualitative.append(IndicatorSpec("Q8", D(7), role_weights={"supervisor": D(60),
                                                               "client": D(40)}))
    quantitative = [
        IndicatorSpec("K_ON_TIME", D(8), "quantitative", LinearRule(D(60), D(95)),
                      measure=parse("on_time / due * 100")),
        IndicatorSpec("K_SATISFACTION", D(8), "quantitative", BandsRule((
            ValueBand(None, D(60), D(0)), ValueBand(D(60), D(75), D(60)),
            ValueBand(D(75), D(85), D(80)), ValueBand(D(85), D(95), D(90)),
            ValueBand(D(95), None, D(100)))), metric="satisfaction"),
        IndicatorSpec("K_COMPLAINTS", D(7), "quantitative", DeductionRule(D(10)),
                      metric="complaints"),
        IndicatorSpec("K_OUTPUT", D(7), "quantitative", FormulaRule(
            "if(tasks == 0, 100, min(100, done / tasks * 100 + coalesce(extra, 0)))")),
    ]
    return TemplateSpec(
        indicators=tuple(qualitative + quantitative),
        role_weights={"self": D(10), "supervisor": D(50), "peer": D(20), "client": D(20)},
        bands=(
            GradeBand("A", "优秀", D(90), D(100), D("1.5")),
            GradeBand("B", "良好", D(80), D(90), D("1.2")),
            GradeBand("C", "合格", D(60), D(80), D("1.0")),
            GradeBand("D", "不合格", D(0), D(60), D(0)),
        ),
        grading="forced_distribution",
        quotas=(Quota("A", "max", D("0.2")), Quota("D", "min", D("0.05"))),
        adjustment_cap=D(10),
        bonus="pool",
    )


def build_subjects(n: int, rng: random.Random) -> list[SubjectInput]:
    # Scores on a half-point grid, shared instances: realistic values, modest memory.
    grid = [D(v) / 2 for v in range(100, 201)]  # 50.0 .. 100.0
    dec = [D(v) for v in range(0, 1001)]
    groups = max(1, n // 50)
    qual_codes = [f"Q{i}" for i in range(1, 8)]
    subjects: list[SubjectInput] = []
    for i in range(n):
        level = rng.randint(30, 100)  # each subject has a typical level, raters scatter around it
        lo, hi = max(0, level - 25), min(100, level + 10)

        def score(lo: int = lo, hi: int = hi) -> Decimal:
            return grid[rng.randint(lo, hi)]

        # A subject's raters rate every indicator they are asked about; now and then one
        # skips an indicator, and self or client evaluations are sometimes missing.
        peers = rng.randint(2, 4)
        has_self = rng.random() > 0.05
        has_client = rng.random() > 0.10
        ratings: dict[str, dict[str, tuple[Decimal, ...]]] = {}
        for code in qual_codes:
            roles: dict[str, tuple[Decimal, ...]] = {
                "supervisor": (score(),),
                "peer": tuple(score() for _ in range(peers if rng.random() > 0.03 else 1)),
            }
            if has_self:
                roles["self"] = (score(),)
            if has_client and rng.random() > 0.03:
                roles["client"] = (score(),)
            ratings[code] = roles
        ratings["Q8"] = {"supervisor": (score(),), "client": (score(),)}

        due = rng.randint(0, 40)
        metrics: dict[str, Decimal | None] = {
            "due": dec[due],
            "on_time": dec[rng.randint(0, due)],
            "satisfaction": dec[rng.randint(50, 100)] if rng.random() > 0.02 else None,
            "complaints": dec[rng.choice((0, 0, 0, 1, 1, 2, 3))],
            "tasks": dec[rng.randint(0, 30)],
            "done": dec[rng.randint(0, 30)],
            "extra": dec[rng.randint(0, 5)] if rng.random() < 0.3 else None,
        }
        adjustments = (Adjustment("INNOVATION", dec[rng.randint(1, 8)], D(5)),) \
            if rng.random() < 0.1 else ()
        vetoes = (Veto("SEC-01", True),) if rng.random() < 0.005 else ()
        subjects.append(SubjectInput(
            subject_id=f"W{i:06d}",
            group_key=f"G{rng.randrange(groups):04d}",
            ratings=ratings,
            metrics=metrics,
            adjustments=adjustments,
            vetoes=vetoes,
            base_bonus_fen=rng.randint(100, 500) * 100,
            proration=Fraction(20, 30) if rng.random() < 0.1 else Fraction(1),
        ))
    rng.shuffle(subjects)  # arrival order must not matter
    return subjects


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="profile one run instead")
    args = parser.parse_args()

    rng = random.Random(SEED)
    started = time.perf_counter()
    template = build_template()
    subjects = build_subjects(args.subjects, rng)
    groups = sorted({s.group_key for s in subjects})
    pools = {g: 50 * 120_000 + rng.randint(0, 99_999) for g in groups}  # ~1,200 元 per head
    scores = sum(len(v) for s in subjects for by_role in s.ratings.values() for v in by_role.values())
    print(f"generated {len(subjects):,} subjects, {scores:,} rater scores, {len(groups):,} groups "
          f"in {time.perf_counter() - started:.1f} s (not timed)")

    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(compute_cycle, template, subjects, pools_fen=pools)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        return

    timings: list[float] = []
    results: list[SubjectResult] = []
    for run in range(args.repeat):
        # Free the previous run's results first: their deallocation is not this run's work.
        results = []
        gc.collect()
        t0, cpu0 = time.perf_counter(), time.process_time()
        results = compute_cycle(template, subjects, pools_fen=pools)
        timings.append(time.perf_counter() - t0)
        # CPU time next to wall time shows when another process was competing for the core.
        print(f"run {run + 1}: compute_cycle {timings[-1]:.3f} s (cpu {time.process_time() - cpu0:.3f} s)")

    seconds = statistics.median(timings)
    grades: dict[str | None, int] = {}
    for r in results:
        grades[r.grade] = grades.get(r.grade, 0) + 1
    paid = sum(r.bonus_fen for r in results)
    print(f"grades: {dict(sorted(grades.items(), key=lambda kv: str(kv[0])))}")
    print(f"pool paid {paid:,} fen of {sum(pools.values()):,}; "
          f"{len(subjects) / seconds:,.0f} subjects/s; "
          f"{seconds / len(subjects) * 1e6:.1f} µs per subject")
    name = "engine_100k" if args.subjects == 100_000 else f"engine_{args.subjects}"
    print(f"BENCH name={name} seconds={seconds:.3f} floor_seconds={FLOOR_SECONDS} "
          f"ratio={seconds / FLOOR_SECONDS:.3f}")


if __name__ == "__main__":
    main()
