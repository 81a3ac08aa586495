"""Load: 50 concurrent users against gunicorn + PostgreSQL on the 100,000-worker demo (loopback only).

Not part of CI (it takes minutes). Set-up, not measured: a fresh PostgreSQL database
(BENCH_DATABASE_URL, default the local server's `opbench_load`), `load_demo(100000)`, a running
cycle opened for every worker and moved to 评价 so supervisors have rating forms, collectstatic,
and gunicorn (BENCH_GUNICORN_WORKERS, default 2 × cores) on an ephemeral port.

Measured: BENCH_USERS (50) threads, each logged in as HR, a supervisor, the vendor manager or the
auditor, for BENCH_DURATION seconds (60), each looping over a weighted mix — the dashboard, the
worker list (search, filter, page), a worker's detail page, "my evaluations", and a supervisor's
rating-form save (GET the form, POST draft scores). Every response is timed from request to last
byte; any status other than 200/302, or a network error, counts as an error.

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
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from pathlib import Path

from _setup import ROOT, setup_django

N = int(os.environ.get("BENCH_WORKERS", "100000"))
USERS = int(os.environ.get("BENCH_USERS", "50"))
DURATION = float(os.environ.get("BENCH_DURATION", "60"))
GUNICORN_WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", str(2 * (os.cpu_count() or 1))))
PASSWORD = "Load#2026bench"  # noqa: S105 — a throwaway benchmark database
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            text = response.read().decode("utf-8", "replace")
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


def prepare() -> tuple[dict[str, list[int]], list[int], list[str]]:
    """Demo data, a cycle in 评价 with supervisor rating forms; returns per-supervisor assignment ids,
    some worker ids, and the indicator codes the supervisor rates."""
    from django.core.management import call_command
    from django.db import connection

    from outperform.core.demo.loader import load_demo
    from outperform.core.models import User
    from outperform.cycles.models import Cycle, CycleState, RaterAssignment
    from outperform.cycles.services import cycle_open
    from outperform.testing.templates import make_template
    from outperform.workers.models import Worker

    t0 = time.perf_counter()
    load_demo(workers=N, seed=1, with_cycles=False)
    template = make_template(code="LOAD", indicators=[
        {"code": f"L{i}", "weight": w, "rater_roles": ["supervisor"]} for i, w in enumerate(["30", "30", "20", "20"])])
    cycle = Cycle.objects.create(name="2026年第四季度（压测）", start_date=dt.date(2026, 10, 1),
                                 end_date=dt.date(2026, 12, 31), default_template=template, seed=1)
    hr = User.objects.get(username="hr")
    cycle_open(actor=hr, cycle=cycle)
    Cycle.objects.filter(pk=cycle.pk).update(state=CycleState.REVIEW)
    names = ["hr", "auditor", "vendor", "supervisor", *[f"sup{i:02d}" for i in range(1, 10)]]
    for user in User.objects.filter(username__in=names):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    forms: dict[str, list[int]] = defaultdict(list)
    rows = RaterAssignment.objects.filter(cycle=cycle, role="supervisor").values_list("rater__username", "id")
    for username, pk in rows.iterator(chunk_size=20000):
        forms[username].append(pk)
    workers = list(Worker.objects.order_by("?").values_list("id", flat=True)[:2000])
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    call_command("collectstatic", "--noinput", verbosity=0)
    print(f"set-up: {N} workers, cycle opened, {sum(map(len, forms.values()))} supervisor forms "
          f"({time.perf_counter() - t0:.0f}s)")
    return dict(forms), workers, [f"L{i}" for i in range(4)]


def user_loop(port: int, username: str, forms: list[int], workers: list[int], codes: list[str],
              deadline: float, out: list[tuple[str, int, float]], seed: int) -> None:
    rng = random.Random(seed)
    session = Session(port)
    session.login(username)
    actions = ["dashboard", "list", "detail", "evaluations"] + (["rate"] * 2 if forms else [])
    while time.perf_counter() < deadline:
        action = rng.choice(actions)
        if action == "dashboard":
            status, _, t = session.request("GET", "/")
        elif action == "list":
            query = rng.choice(["", "?q=王", "?status=active", f"?page={rng.randint(1, 50)}", "?ordering=-hire_date"])
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
            token = CSRF_RE.search(page)
            form = {"csrfmiddlewaretoken": token.group(1) if token else ""}
            form.update({f"v_{c}": str(rng.randint(65, 92)) for c in codes})
            status, _, t = session.request("POST", f"/cycles/evaluations/{pk}/", form)
            action = "rate_save"
        out.append((action, status, t))


def main() -> None:
    os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/opbench_load")
    setup_django("load")
    forms, workers, codes = prepare()
    port = free_port()
    env = {**os.environ, "DEBUG": "0", "SECURE_COOKIES": "0", "ALLOWED_HOSTS": "127.0.0.1",
           "DATABASE_URL": os.environ["BENCH_DATABASE_URL"], "DB_CONN_MAX_AGE": "600"}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(GUNICORN_WORKERS), "--timeout", "120", "--log-level", "warning"],
        cwd=ROOT, env=env)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        roles = ["hr", "auditor", "vendor", "supervisor", *[f"sup{i:02d}" for i in range(1, 10)]]
        # Mostly supervisors (they rate), some HR, the vendor manager and the auditor.
        people = [roles[3 + i % 10] if i % 5 else roles[(i // 5) % 3] for i in range(USERS)]
        results: list[list[tuple[str, int, float]]] = [[] for _ in people]
        warm = Session(port)
        warm.login("hr")
        warm.request("GET", "/")
        deadline = time.perf_counter() + DURATION
        threads = [threading.Thread(target=user_loop, args=(port, name, forms.get(name, []), workers, codes,
                                                            deadline, results[i], i)) for i, name in enumerate(people)]
        started = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    rows = [r for per_user in results for r in per_user]
    times = sorted(t * 1000 for _a, _s, t in rows)
    errors = sum(1 for _a, s, _t in rows if s not in (200, 302))
    p95 = times[int(0.95 * (len(times) - 1))]
    print(f"{len(rows)} requests in {wall:.1f}s by {USERS} users on {GUNICORN_WORKERS} gunicorn workers")
    by_action: dict[str, list[float]] = defaultdict(list)
    for action, _s, t in rows:
        by_action[action].append(t * 1000)
    for action, values in sorted(by_action.items()):
        values.sort()
        print(f"  {action:<12} n={len(values):<6} p50={statistics.median(values):7.1f} ms  "
              f"p95={values[int(0.95 * (len(values) - 1))]:7.1f} ms  max={values[-1]:7.1f} ms")
    print("  statuses:", dict(Counter(s for _a, s, _t in rows)))
    print(f"BENCH name=load_50u p95_ms={p95:.1f} rps={len(rows) / wall:.1f} errors={errors}")


if __name__ == "__main__":
    main()
