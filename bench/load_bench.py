"""Load: 50 users against gunicorn + PostgreSQL on the 100,000-worker demo (loopback only).

Not part of CI (it takes minutes). Set-up, not measured: a fresh PostgreSQL database
(BENCH_DATABASE_URL, default the local server's `opbench_load`), `load_demo(100000)`, a running
cycle opened for every worker and moved to 评价 so supervisors have rating forms, VACUUM ANALYZE (as
autovacuum leaves a production database), collectstatic, and gunicorn on an ephemeral port.
BENCH_REUSE=1 keeps a database an earlier run built (it is migrated, not rebuilt: minutes saved).

Measured: BENCH_USERS (50) sessions, logged in beforehand as HR, a supervisor, the vendor manager or
the auditor, each looping for BENCH_DURATION seconds (60) over a weighted mix — the home page, the
绩效看板 dashboard, the worker list (search, filter, a page, a sort), a worker's detail page,
"my evaluations", and a supervisor's rating (GET the form, POST draft scores). Every response is
timed from request to last byte; any status other than 200/302, or a network error, is an error.

Two runs, one after the other:

1. the issue's figure — people: each user waits BENCH_THINK seconds (default "1-3", uniform, as
   Locust's `between(1, 3)`) between two requests;
2. saturation — the same 50 sessions with no think time (BENCH_SATURATION=0 skips it). 50 closed
   loops without think time measure how many requests the machine serves at most, not 50 people:
   its figures are printed on the line before the BENCH line so nobody takes one for the other.

gunicorn: BENCH_GUNICORN_WORKERS (3) processes × BENCH_GUNICORN_THREADS (2) threads — on 2 cores
shared with PostgreSQL and this client, more processes only queue for the same cores (see
docs/performance.md). The cache (sessions, home figures, dashboards) is Redis on 127.0.0.1:6379 as in
production (BENCH_REDIS_URL; empty: each process's memory).

BENCH_PAGES=1 first prints each page's server time alone (in-process, median of 5, warm) and its
query count, per role.

Last line: `BENCH name=load_50u p95_ms=<p> rps=<r> errors=<n>` (target p95 < 300 ms, 0 errors).
"""

from __future__ import annotations

import datetime as dt
import http.client
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from pathlib import Path

from _setup import ROOT, setup_django

N = int(os.environ.get("BENCH_WORKERS", "100000"))
USERS = int(os.environ.get("BENCH_USERS", "50"))
DURATION = float(os.environ.get("BENCH_DURATION", "60"))
THINK = os.environ.get("BENCH_THINK", "1-3")
SATURATION = os.environ.get("BENCH_SATURATION", "1") != "0"
GUNICORN_WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", "3"))
GUNICORN_THREADS = int(os.environ.get("BENCH_GUNICORN_THREADS", "2"))
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
PASSWORD = "Load#2026bench"  # noqa: S105 — a throwaway benchmark database
CYCLE_NAME = "2026年第四季度（压测）"
LOGINS = ["hr", "auditor", "vendor", "supervisor", *[f"sup{i:02d}" for i in range(1, 10)]]
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

Result = tuple[str, int, float]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def think_range(spec: str) -> tuple[float, float]:
    """BENCH_THINK as seconds: "1-3" is (1.0, 3.0), "0" no think time."""
    low, _, high = spec.partition("-")
    return float(low), float(high or low)


class Session:
    """One browser: a keep-alive connection and its cookies."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str, float]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Host": "127.0.0.1"}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        started = time.perf_counter()
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection: a browser opens a new one and
                # sends the request again; so does this client, once.
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt == 2:
                    return 0, "", time.perf_counter() - started
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                return 0, "", time.perf_counter() - started
        elapsed = time.perf_counter() - started
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, text, elapsed

    def login(self, username: str) -> None:
        status, page, _ = self.request("GET", "/accounts/login/")
        token = CSRF_RE.search(page)
        assert status == 200, f"login page: {status}"
        assert token, "no CSRF token on the login page"
        status, _, _ = self.request("POST", "/accounts/login/", {
            "csrfmiddlewaretoken": token.group(1), "username": username, "password": PASSWORD})
        assert status == 302, f"log-in of {username} answered {status}"


# --- the database -----------------------------------------------------------------------------------


def prepare() -> None:
    """Demo data, a cycle in 评价 with supervisor rating forms, passwords, VACUUM ANALYZE."""
    from django.db import connection

    from outperform.core.demo.loader import load_demo
    from outperform.core.models import User
    from outperform.cycles.models import Cycle, CycleState
    from outperform.cycles.services import cycle_open
    from outperform.testing.templates import make_template

    t0 = time.perf_counter()
    load_demo(workers=N, seed=1, with_cycles=False)
    template = make_template(code="LOAD", indicators=[
        {"code": f"L{i}", "weight": w, "rater_roles": ["supervisor"]} for i, w in enumerate(["30", "30", "20", "20"])])
    cycle = Cycle.objects.create(name=CYCLE_NAME, start_date=dt.date(2026, 10, 1),
                                 end_date=dt.date(2026, 12, 31), default_template=template, seed=1)
    hr = User.objects.get(username="hr")
    cycle_open(actor=hr, cycle=cycle)
    Cycle.objects.filter(pk=cycle.pk).update(state=CycleState.REVIEW)
    for user in User.objects.filter(username__in=LOGINS):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    print(f"set-up: {N} workers, cycle opened ({time.perf_counter() - t0:.0f}s)")


def reuse() -> bool:
    """Django on the existing BENCH_DATABASE_URL database, migrated, when it holds the load cycle."""
    import django
    from django.core.management import call_command
    from django.db import connections
    from django.db.utils import OperationalError

    os.environ["OUTPERFORM_VAR_DIR"] = tempfile.mkdtemp(prefix="outperform-bench-load-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    django.setup()
    from outperform.cycles.models import Cycle

    try:
        call_command("migrate", verbosity=0)
        found = Cycle.objects.filter(name=CYCLE_NAME).exists()
    except OperationalError:
        found = False
    if found:
        with connections["default"].cursor() as cur:
            cur.execute("VACUUM ANALYZE")
    connections.close_all()
    return found


def fixtures() -> tuple[dict[str, list[int]], list[int], list[str]]:
    """Per-supervisor rating forms, 2,000 workers to open, the indicator codes the supervisor rates."""
    from outperform.cycles.models import RaterAssignment
    from outperform.workers.models import Worker

    forms: dict[str, list[int]] = defaultdict(list)
    rows = RaterAssignment.objects.filter(cycle__name=CYCLE_NAME, role="supervisor").values_list("rater__username", "id")
    for username, pk in rows.iterator(chunk_size=20000):
        forms[username].append(pk)
    workers = list(Worker.objects.order_by("?").values_list("id", flat=True)[:2000])
    print(f"{sum(map(len, forms.values()))} supervisor forms; the most for one rater: "
          f"{max(map(len, forms.values()), default=0)}")
    return dict(forms), workers, [f"L{i}" for i in range(4)]


# --- pages alone ------------------------------------------------------------------------------------


PAGES = [
    ("home", "/"),
    ("dashboard", "/insights/"),
    ("list", "/workers/workers/"),
    ("list_search", "/workers/workers/?q=王"),
    ("list_filter", "/workers/workers/?status=active"),
    ("list_page50", "/workers/workers/?page=50"),
    ("list_sort", "/workers/workers/?sort=-hire_date"),
    ("list_vendor", "/workers/workers/?sort=vendor__name"),
    ("detail", "/workers/workers/{worker}/"),
    ("evaluations", "/cycles/evaluations/"),
    ("rate_form", "/cycles/evaluations/{form}/"),
]


def pages_alone(forms: dict[str, list[int]]) -> None:
    """Each page alone, in-process (no HTTP): median of 5 warm requests, its query count, and the
    median with the page cache off (PAGE_CACHE_SECONDS=0: what the first viewer of a minute waits)."""
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from outperform.access.scoping import restrict
    from outperform.core.models import User
    from outperform.workers.models import Worker

    def median_ms(client: Client, url: str) -> tuple[float, int, int]:
        client.get(url)
        times = []
        for _ in range(5):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - started)
            assert response.status_code == 200, (url, response.status_code)
        return statistics.median(times) * 1000, len(ctx.captured_queries), len(response.content)

    print(f"pages alone (in-process server time, median of 5 warm requests; load average {load_average()}):")
    for username in ("hr", "supervisor", "vendor"):
        user = User.objects.get(username=username)
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        worker = restrict(Worker.objects.all(), user).order_by("id").values_list("id", flat=True)[500]
        own = forms.get(username, [])
        for name, url in PAGES:
            if "{form}" in url and len(own) < 101:
                continue
            url = url.format(worker=worker, form=own[100] if len(own) > 100 else 0)
            warm, queries, size = median_ms(client, url)
            with override_settings(PAGE_CACHE_SECONDS=0):
                cold, cold_queries, _size = median_ms(client, url)
            print(f"  {username:<10} {name:<12} {warm:7.1f} ms {queries:3d} queries  "
                  f"(no page cache: {cold:7.1f} ms {cold_queries:3d} queries)  {size // 1024:4d} KiB")


# --- the load ---------------------------------------------------------------------------------------


def user_loop(session: Session, forms: list[int], workers: list[int], codes: list[str], think: tuple[float, float],
              deadline: float, out: list[Result], seed: int) -> None:
    rng = random.Random(seed)
    actions = ["home", "dashboard", "list", "list", "detail", "evaluations"] + (["rate"] * 2 if forms else [])

    def pause() -> None:
        if think[1] > 0:
            time.sleep(rng.uniform(*think))

    if think[1] > 0:
        time.sleep(rng.uniform(0, think[1]))  # people do not all click at the same instant
    while time.perf_counter() < deadline:
        action = rng.choice(actions)
        if action == "home":
            status, _, t = session.request("GET", "/")
        elif action == "dashboard":
            status, _, t = session.request("GET", "/insights/")
        elif action == "list":
            query = rng.choice(["", f"?q={urllib.parse.quote('王')}", "?status=active", f"?page={rng.randint(1, 50)}",
                                "?sort=-hire_date"])
            status, _, t = session.request("GET", f"/workers/workers/{query}")
        elif action == "detail":
            status, _, t = session.request("GET", f"/workers/workers/{rng.choice(workers)}/")
            status = 200 if status == 404 else status  # a worker outside this user's scope: a correct answer
        elif action == "evaluations":
            status, _, t = session.request("GET", "/cycles/evaluations/")
        else:
            pk = rng.choice(forms)
            status, page, t1 = session.request("GET", f"/cycles/evaluations/{pk}/")
            out.append(("rate_form", status, t1))
            pause()
            token = CSRF_RE.search(page)
            form = {"csrfmiddlewaretoken": token.group(1) if token else ""}
            form.update({f"v_{c}": str(rng.randint(65, 92)) for c in codes})
            status, _, t = session.request("POST", f"/cycles/evaluations/{pk}/", form)
            action = "rate_save"
        out.append((action, status, t))
        pause()


def run(port: int, people: list[str], forms: dict[str, list[int]], workers: list[int], codes: list[str],
        think: tuple[float, float], label: str) -> tuple[float, float, int]:
    """One measured run; prints its figures and returns (p95 ms, requests per second, errors)."""
    sessions = [Session(port) for _ in people]
    for session, name in zip(sessions, people, strict=True):
        session.login(name)  # before the clock starts: logging in is not what is measured
    results: list[list[Result]] = [[] for _ in people]
    before = load_average()
    deadline = time.perf_counter() + DURATION
    threads = [threading.Thread(target=user_loop, args=(sessions[i], forms.get(name, []), workers, codes, think,
                                                        deadline, results[i], i)) for i, name in enumerate(people)]
    started = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - started
    rows = [r for per_user in results for r in per_user]
    times = sorted(t * 1000 for _a, _s, t in rows)
    errors = sum(1 for _a, s, _t in rows if s not in (200, 302))
    p95 = times[int(0.95 * (len(times) - 1))]
    print(f"{label}: {len(rows)} requests in {wall:.1f}s by {len(people)} users on {GUNICORN_WORKERS} gunicorn "
          f"workers × {GUNICORN_THREADS} threads; load average {before} before, {load_average()} after")
    by_action: dict[str, list[float]] = defaultdict(list)
    for action, _s, t in rows:
        by_action[action].append(t * 1000)
    for action, values in sorted(by_action.items()):
        values.sort()
        print(f"  {action:<12} n={len(values):<6} p50={statistics.median(values):7.1f} ms  "
              f"p95={values[int(0.95 * (len(values) - 1))]:7.1f} ms  max={values[-1]:7.1f} ms")
    print("  statuses:", dict(Counter(s for _a, s, _t in rows)))
    return p95, len(rows) / wall, errors


def redis_up(url: str) -> bool:
    if not url:
        return False
    parts = urllib.parse.urlsplit(url)
    try:
        socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


def main() -> None:
    os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/opbench_load")
    redis = REDIS_URL if redis_up(REDIS_URL) else ""
    os.environ["REDIS_URL"] = redis  # this process's Django (pages alone) and gunicorn's alike
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1"
    if not (os.environ.get("BENCH_REUSE") == "1" and reuse()):
        setup_django("load")
        prepare()
    from django.core.management import call_command

    call_command("collectstatic", "--noinput", verbosity=0)
    forms, workers, codes = fixtures()
    if os.environ.get("BENCH_PAGES") == "1":
        pages_alone(forms)
    from django.db import connections

    connections.close_all()
    port = free_port()
    env = {**os.environ, "DEBUG": "0", "SECURE_COOKIES": "0", "ALLOWED_HOSTS": "127.0.0.1",
           "DATABASE_URL": os.environ["BENCH_DATABASE_URL"], "DB_CONN_MAX_AGE": "600", "REDIS_URL": redis,
           "LOG_LEVEL": "ERROR"}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(GUNICORN_WORKERS), "--threads", str(GUNICORN_THREADS), "--timeout", "120",
         "--log-level", "warning"],
        cwd=ROOT, env=env)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        # Mostly supervisors (they rate), some HR, the vendor manager and the auditor.
        roles = LOGINS
        people = [roles[3 + i % 10] if i % 5 else roles[(i // 5) % 3] for i in range(USERS)]
        warm = Session(port)
        warm.login("hr")
        for path in ("/", "/insights/", "/workers/workers/", "/cycles/evaluations/"):
            warm.request("GET", path)
        print(f"cache: {'Redis ' + redis if redis else 'per-process memory'}; think time {THINK} s")
        p95, rps, errors = run(port, people, forms, workers, codes, think_range(THINK), f"think time {THINK} s")
        saturation = "saturation not measured (BENCH_SATURATION=0)"
        if SATURATION:
            s_p95, s_rps, s_errors = run(port, people, forms, workers, codes, (0.0, 0.0),
                                         "saturation (no think time)")
            saturation = (f"saturation ({USERS} closed loops, no think time — not {USERS} people): p95_ms={s_p95:.1f} "
                          f"rps={s_rps:.1f} errors={s_errors}")
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(saturation)
    print(f"BENCH name=load_50u p95_ms={p95:.1f} rps={rps:.1f} errors={errors}")


if __name__ == "__main__":
    main()
