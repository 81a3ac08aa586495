"""In a real browser (headless chromium): the live preview over htmx under the CSP, the formset rows
and the live weight total, the rule editor. Skipped when chromium is not installed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from outperform.testing.browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def in_browser(live_server: Any, page: Any) -> Callable[[Callable[[Any], None]], None]:
    """Run `body(page)` signed in as HR, in the suite's shared headless chromium."""
    from outperform.indicators.builtin import load_builtin_library
    from outperform.testing.world import build_world

    # An earlier transactional test may have flushed the migration's data; the loader puts it back.
    load_builtin_library()
    build_world()

    def run(body: Callable[[Any], None]) -> None:
        login(page, live_server.url, "hr")
        body(page)

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
