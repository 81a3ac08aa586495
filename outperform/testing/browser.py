"""Browser fixtures for every suite: Playwright (Python) driving Debian's chromium, headless.

`make test` installs chromium when it is missing; without it browser tests are skipped with the
reason. One browser per test process; each test gets a fresh context (zh-CN, Asia/Shanghai) whose
console errors are collected in `page.console_errors` (the CSP reports violations there) and whose
dialogs (data-confirm) are accepted. Screenshots of failures go to test-artifacts/; `Journey` adds one
screenshot (and the HTML) per failed step of a long test."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API keeps an event loop in the test thread; the ORM calls made by the tests
# themselves are plain synchronous ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]
PASSWORD = "Secret#2026pass"  # the test factories' password


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(accept_downloads=True, locale="zh-CN", timezone_id="Asia/Shanghai")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    pg.console_errors = []
    pg.on("console", lambda m: pg.console_errors.append(m.text) if m.type == "error" else None)
    pg.on("dialog", lambda d: d.accept())
    yield pg
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def login(pg: Any, base: str, username: str, password: str = PASSWORD) -> None:
    pg.context.clear_cookies()
    pg.goto(f"{base}/accounts/login/")
    pg.fill("#id_username", username)
    pg.fill("#id_password", password)
    pg.click("button[type=submit]")
    pg.wait_for_url(f"{base}/")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def _slug(text: str) -> str:
    return re.sub(r"[^\w\u4e00-\u9fff-]+", "_", text).strip("_")[:80] or "step"


class Journey:
    """A long browser test told as named steps.

    `with journey.step("HR 开启周期"):` — when the step fails, a full-page screenshot and the page's
    HTML are written to test-artifacts/<test>--<nn>-<step>.png/.html and the error names the step.
    `journey.gap(reason, fallback)` records a step the UI cannot do (a missing page or button), does it
    through `fallback` (a service call) so the rest of the journey still runs, and `journey.finish()`
    then marks the test xfail with every recorded reason."""

    def __init__(self, page: Any, base: str) -> None:
        self.page = page
        self.base = base
        self.gaps: list[str] = []
        self._n = 0

    def url(self, path: str) -> str:
        return self.base + path

    def login(self, username: str, password: str = PASSWORD) -> None:
        login(self.page, self.base, username, password)

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        self._n += 1
        try:
            yield
        except (pytest.skip.Exception, pytest.xfail.Exception):
            raise
        except BaseException as exc:
            shot = self._artifact(f"{self._n:02d}-{name}")
            exc.add_note(f"journey step {self._n} “{name}” failed; screenshot: {shot}")
            raise

    def gap(self, reason: str, fallback: Callable[[], Any] | None = None) -> None:
        self.gaps.append(reason)
        if fallback is not None:
            fallback()

    def finish(self) -> None:
        if self.gaps:
            pytest.xfail("; ".join(self.gaps))

    def _artifact(self, name: str) -> Path | None:
        test = os.environ.get("PYTEST_CURRENT_TEST", "test").split("::")[-1].split(" ")[0]
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{_slug(test)}--{_slug(name)}.png"
        try:
            self.page.screenshot(path=str(path), full_page=True)
            path.with_suffix(".html").write_text(self.page.content(), encoding="utf-8")
        except Exception:  # a crashed page must not hide the step's own error
            return None
        return path
