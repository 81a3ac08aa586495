"""Open and compute a cycle of 100,000 workers on PostgreSQL (BENCH_DATABASE_URL, default the local
server). Targets: open under 60 s; compute (12 indicators × 4 roles ≈ 4.8 million scores) under 30 s
and within 3× of a plain SQL weighted-sum GROUP BY over the same score table.

Prints two BENCH lines (cycle_open_100k, then cycle_compute_100k last), each figure with the load
average beside it, and the compute's phases. BENCH_WORKERS runs a smaller size (iteration).
The floor query may use PostgreSQL's parallel workers (it is a plain GROUP BY); so does the compute's
read of the scores, and the compute scores about half of the groups in a forked process while a
thread saves the chunks already scored (docs/cycles.md, "Compute").

BENCH_REUSE=1 keeps the database of an earlier run when it holds the benchmark's cycle (else builds
it as usual): the appraisals' results are cleared and the table rewritten (`VACUUM FULL`, so it is
back to fresh pages at its fill factor, as after opening), then the floor and the compute run as
usual. Every run prints `results md5=…`, a hash of every stored result field of every appraisal
(all but the time of computing), to compare two versions of the compute on the same data.
BENCH_COMPUTING=<file> runs the compute of that file instead (say, `git show HEAD:…/computing.py`
saved aside), for before/after runs back to back on the same database."""

from __future__ import annotations

import datetime as dt
import os
import time
from typing import Any

from _setup import Timer, report, setup_django

N = int(os.environ.get("BENCH_WORKERS", "100000"))
INDICATORS = 12
ROLES = ("self", "supervisor", "peer", "client")
ROLE_WEIGHTS = {"self": "10", "supervisor": "50", "peer": "25", "client": "15"}


def main() -> None:
    os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/outperform_bench")
    if os.environ.get("BENCH_REUSE") == "1" and _reusable(os.environ["BENCH_DATABASE_URL"]):
        cycle, hr = _reuse()
        measure(cycle, hr)
        return
    setup_django("cycle")
    from django.db import connection

    from outperform.core.demo.loader import load_demo
    from outperform.core.models import User
    from outperform.cycles.models import Cycle, CycleState
    from outperform.cycles.services import cycle_open
    from outperform.testing.templates import make_template
    from outperform.workers.models import Worker

    t0 = time.perf_counter()
    load_demo(workers=N, seed=1)
    # Every worker gets a log-in, so self and peer raters exist as in a real roll-out.
    users = [User(username=f"u{wid}", full_name=name) for wid, name in Worker.objects.values_list("id", "name")]
    for u in users:
        u.set_unusable_password()
    User.objects.bulk_create(users, batch_size=10000)
    with connection.cursor() as cur:
        cur.execute("UPDATE workers_worker w SET user_id = u.id FROM core_user u WHERE u.username = 'u' || w.id")
    share = "8.34"
    weights = [share] * 11 + [str(100 - 11 * 8.34)]  # 11 × 8.34 + 8.26 = 100
    template = make_template(
        code="BENCH",
        indicators=[{"code": f"I{i:02d}", "weight": w, "rater_roles": list(ROLES)} for i, w in enumerate(weights)],
        role_weights=ROLE_WEIGHTS, grading="forced_distribution",
        quotas=[("A", "max", 20), ("D", "min", 5)], min_group_size=5,
    )
    cycle = Cycle.objects.create(name="bench", start_date=dt.date(2026, 10, 1), end_date=dt.date(2026, 12, 31),
                                 default_template=template, peer_count=2, seed=1)
    hr = User.objects.get(username="hr")
    print(f"setup (demo {N} workers + log-ins + template) {time.perf_counter() - t0:.1f}s")

    with Timer() as t_open:
        summary = cycle_open(actor=hr, cycle=cycle)
    print(f"opened: {summary.appraisals_created} appraisals, {summary.assignments_created} rater assignments "
          f"in {t_open.seconds:.1f}s {_load()}")
    report("cycle_open_100k", t_open.seconds, 60.0)

    # 4 roles × 12 indicators per appraisal: one submitted evaluation per role (the client role added
    # here as a direct row since the demo has no project clients). Written with SQL: this is data
    # set-up, not what is measured.
    with connection.cursor() as cur:
        cur.execute("""
            INSERT INTO cycles_raterassignment (cycle_id, appraisal_id, rater_id, role, state, reopened_reason)
            SELECT a.cycle_id, a.id, %s, 'client', 'pending', '' FROM cycles_appraisal a WHERE a.cycle_id = %s
            ON CONFLICT DO NOTHING""", [hr.pk, cycle.pk])
        cur.execute("DELETE FROM cycles_raterassignment WHERE cycle_id = %s AND role = 'skip_level'", [cycle.pk])
        cur.execute("""
            DELETE FROM cycles_raterassignment r USING cycles_raterassignment r2
            WHERE r.cycle_id = %s AND r.role = 'peer' AND r2.appraisal_id = r.appraisal_id AND r2.role = 'peer'
              AND r2.id < r.id""", [cycle.pk])
        cur.execute("UPDATE cycles_raterassignment SET state = 'submitted', submitted_at = now() WHERE cycle_id = %s",
                    [cycle.pk])
        # Each score with its slot number, as the evaluation service stores it (cycles/slots.py).
        pairs = Cycle.objects.values_list("score_slots", flat=True).get(pk=cycle.pk)
        cur.execute("""
            INSERT INTO cycles_score (cycle_id, appraisal_id, assignment_id, role, indicator_code, value, comment,
                                      slot)
            SELECT r.cycle_id, r.appraisal_id, r.id, r.role, 'I' || lpad(i::text, 2, '0'),
                   (60 + ((r.appraisal_id * 7 + i * 13 + length(r.role) * 5) %% 40))::numeric(5,2)
                     + ((r.id + i) %% 100) / 100.0, '',
                   array_position(%s::text[], 'I' || lpad(i::text, 2, '0') || ':' || r.role) - 1
            FROM cycles_raterassignment r CROSS JOIN generate_series(0, %s) i
            WHERE r.cycle_id = %s""", [[f"{code}:{role}" for code, role in pairs], INDICATORS - 1, cycle.pk])
        cur.execute("ANALYZE")
    Cycle.objects.filter(pk=cycle.pk).update(state=CycleState.REVIEW)
    measure(cycle, hr)


def measure(cycle: Any, hr: Any) -> None:
    from django.db import connection

    if os.environ.get("BENCH_COMPUTING"):
        _swap_compute(os.environ["BENCH_COMPUTING"])

    from outperform.cycles.models import Appraisal, Score
    from outperform.cycles.services import cycle_compute

    scores = Score.objects.filter(cycle=cycle).count()
    print(f"scores: {scores}")

    # Floor: the plain weighted sum in SQL over the same table (role weight × indicator weight),
    # run before and after the compute; the faster run counts (the stricter floor).
    def floor() -> float:
        with Timer() as t, connection.cursor() as cur:
            cur.execute("""
                SELECT s.appraisal_id, SUM(s.value * CASE s.role WHEN 'self' THEN 10 WHEN 'supervisor' THEN 50
                       WHEN 'peer' THEN 25 ELSE 15 END * 8.34) / 10000
                FROM cycles_score s WHERE s.cycle_id = %s GROUP BY s.appraisal_id""", [cycle.pk])
            rows = cur.fetchall()
        print(f"floor: SQL GROUP BY over {scores} scores → {len(rows)} sums in {t.seconds:.2f}s {_load()}")
        return t.seconds

    first_floor = floor()
    cycle.refresh_from_db()
    phases = _time_phases()
    with Timer() as t_compute:
        result = cycle_compute(actor=hr, cycle=cycle)
    print(f"compute {t_compute.seconds:.2f}s (target under 30 s and within 3× of the SQL floor) {_load()}")
    print("  phases: " + ", ".join(f"{name} {seconds:.2f}s" for name, seconds in phases.items()))
    floor_seconds = min(first_floor, floor())
    graded = Appraisal.objects.filter(cycle=cycle).exclude(grade="").count()
    print(f"computed {result.computed}, graded {graded}")
    print(f"results md5={_results_hash(cycle.pk)}")
    # The line: floor = the SQL GROUP BY, ratio = compute / floor (target ≤ 3).
    print(f"BENCH name=cycle_compute_100k seconds={t_compute.seconds:.3f} floor_seconds={floor_seconds:.3f} "
          f"ratio={t_compute.seconds / floor_seconds:.3f}")


def _reusable(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(url) as conn:
            return conn.execute("SELECT 1 FROM cycles_cycle WHERE name = 'bench'").fetchone() is not None
    except psycopg.Error:
        return False


def _reuse() -> tuple[Any, Any]:
    """Django on the kept database; the bench cycle's appraisals back to 'opened, not computed'."""
    import tempfile

    import django

    os.environ["OUTPERFORM_VAR_DIR"] = tempfile.mkdtemp(prefix="outperform-bench-cycle-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    django.setup()
    from django.db import connection

    from outperform.core.models import User
    from outperform.cycles.models import Cycle

    cycle = Cycle.objects.get(name="bench")
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("""
            UPDATE cycles_appraisal SET composite = NULL, grade = '', grade_name = '', rank = NULL,
                   group_size = NULL, coefficient = NULL, bonus_fen = NULL, breakdown = NULL,
                   computed_at = NULL, state = 'open'
            WHERE cycle_id = %s""", [cycle.pk])
        cur.execute("VACUUM FULL cycles_appraisal")
        cur.execute("ANALYZE")
    print(f"reused the database: results cleared, appraisals rewritten in {time.perf_counter() - t0:.1f}s")
    return cycle, User.objects.get(username="hr")


def _swap_compute(path: str) -> None:
    """The compute of another version of computing.py, run in the module's own namespace."""
    from outperform.cycles import services
    from outperform.cycles.services import computing

    with open(path, encoding="utf-8") as source:
        exec(compile(source.read(), path, "exec"), computing.__dict__)  # noqa: S102  # a file of this repository
    services.cycle_compute = computing.cycle_compute
    print(f"compute of {path}")


def _results_hash(cycle_id: int) -> str:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("""
            SELECT md5(string_agg(concat_ws('|', id, composite, grade, grade_name, rank, group_size,
                                            coefficient, bonus_fen, breakdown::text, state, calibrated),
                                  E'\\n' ORDER BY id))
            FROM cycles_appraisal WHERE cycle_id = %s""", [cycle_id])
        return str(cur.fetchone()[0])


def _load() -> str:
    """The machine is shared: every figure is printed with the load average beside it."""
    return "(load average {:.2f}, {:.2f}, {:.2f})".format(*os.getloadavg())


def _time_phases() -> dict[str, float]:
    """Time the phases of the compute by wrapping its steps (seconds, summed over calls):
    read = scores from the database into the engine's form; inputs = appraisals, metrics, goals,
    adjustments and the subjects built from them (the read included); score = engine and COPY
    lines of the parent's chunks; save = COPY + UPDATE of every chunk, in the saving thread, so it
    overlaps scoring (its sum is how long the database wrote); drain = what the parent still waited
    for the saves once its own chunks were scored. Compute ≈ inputs + drain + the parent's score."""
    import functools

    from outperform.cycles.services import computing

    phases: dict[str, float] = {}

    def timed(name: str, fn: Any) -> Any:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                phases[name] = phases.get(name, 0.0) + time.perf_counter() - start
        return wrapper

    computing._submitted_ratings = timed("read", computing._submitted_ratings)
    computing._load_inputs = timed("inputs", computing._load_inputs)
    setattr(computing._Render, "__call__", timed("score", computing._Render.__call__))  # noqa: B010
    setattr(computing._Background, "__exit__", timed("drain", computing._Background.__exit__))  # noqa: B010
    setattr(computing._Saver, "__call__", timed("save", computing._Saver.__call__))  # noqa: B010
    return phases


if __name__ == "__main__":
    main()
