"""In a real browser (headless chromium): the live preview over htmx under the CSP, the formset rows
and the live weight total, the rule editor. Skipped when chromium is not installed."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-sync"]


@pytest.fixture
def in_browser(live_server: Any) -> Callable[[Callable[[Any], None]], None]:
    """Run `body(page)` signed in as HR. Playwright runs in a thread of its own: the sync API refuses
    to start where another suite's session-wide browser already runs an event loop."""
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    from outperform.indicators.builtin import load_builtin_library
    from outperform.testing.world import build_world

    # An earlier transactional test may have flushed the migration's data; the loader puts it back.
    load_builtin_library()
    build_world()

    def run(body: Callable[[Any], None]) -> None:
        failures: list[BaseException] = []

        def target() -> None:
            from playwright.sync_api import sync_playwright

            try:
                with sync_playwright() as p:
                    browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
                    page = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
                    page.set_default_timeout(15000)
                    page.console_errors = []
                    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
                    page.goto(f"{live_server.url}/accounts/login/")
                    page.fill("#id_username", "hr")
                    page.fill("#id_password", "Secret#2026pass")
                    page.click("button[type=submit]")
                    page.wait_for_url(f"{live_server.url}/")
                    body(page)
                    browser.close()
            except BaseException as exc:  # handed to the test's thread below
                failures.append(exc)

        thread = threading.Thread(target=target)
        thread.start()
        thread.join(180)
        if failures:
            raise failures[0]
        assert not thread.is_alive(), "the browser did not finish in time"

    return run


def test_live_preview_updates_as_the_user_types(in_browser, live_server):  # type: ignore[no-untyped-def]
    from outperform.indicators.models import Template

    url = f"{live_server.url}/indicators/templates/{Template.objects.get(code='TPL-WORKER').pk}/"

    def body(page: Any) -> None:
        page.goto(url)
        page.fill("input[name='m:goal_completion']", "90")
        page.fill("input[name='r:w_quality:supervisor']", "80")
        page.fill("input[name='base_bonus']", "2000")
        # Goal 90 (weight 30) and quality 80 (weight 15) are the only applicable indicators:
        # effective weights 66.67 / 33.33 -> 90 × 0.6667 + 80 × 0.3333 = 60.003 + 26.664 = 86.667 -> 86.67, 良好
        page.wait_for_selector("[data-testid=preview-composite]:has-text('86.67')")
        assert "良好" in page.inner_text("[data-testid=preview-grade]")
        assert page.inner_text("[data-testid=preview-bonus]") == "¥2400.00"
        assert not [e for e in page.console_errors if "Content Security Policy" in e]

    in_browser(body)


def test_weight_total_and_rows_in_the_editor(in_browser, live_server):  # type: ignore[no-untyped-def]
    from outperform.indicators.models import Template

    url = f"{live_server.url}/indicators/templates/{Template.objects.get(code='TPL-WORKER').pk}/edit/"

    def body(page: Any) -> None:
        page.goto(url)
        total = page.locator("[data-testid=form-weight-total]")
        assert total.inner_text() == "100"
        page.fill("input[name='items-0-weight']", "20")  # 30 -> 20
        assert total.inner_text() == "90"
        rows = page.locator("[data-formset=items] [data-formset-row]")
        before = rows.count()
        page.click("[data-formset=items] [data-formset-add]")
        assert rows.count() == before + 1
        page.click("button[type=submit]:has-text('保存')")
        page.wait_for_selector("[data-testid=weight-problem]")
        assert "指标权重合计为 90" in page.inner_text("[data-testid=weight-problem]")

    in_browser(body)


def test_rule_editor_shows_what_applies(in_browser, live_server):  # type: ignore[no-untyped-def]
    def body(page: Any) -> None:
        page.goto(f"{live_server.url}/indicators/indicators/new/")
        assert page.is_visible("[data-kind-section=qualitative]")
        assert not page.is_visible("[data-kind-section=quantitative]")
        page.select_option("select[name=kind]", "quantitative")
        page.select_option("select[name=rule_type]", "formula")
        assert page.is_visible("[data-rule-section=formula]") and not page.is_visible("[data-rule-section=linear]")
        assert not page.is_visible("[data-kind-section=qualitative]")

    in_browser(body)
