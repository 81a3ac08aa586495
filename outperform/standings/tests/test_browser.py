"""The chart pages in a real browser: ECharts draws, and the CSP reports nothing."""

from typing import Any

import pytest

from outperform.testing.browser import login

from .helpers import Q1, Q2, vendor_cycle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_vendor_and_comparison_charts_draw(live_server: Any, page: Any) -> None:
    from outperform.indicators.builtin import load_builtin_library
    from outperform.standings.services import standings_refresh
    from outperform.testing.world import build_world

    load_builtin_library()
    world = build_world()
    vendor_cycle("Q1", *Q1, {world.vendor_a: "88", world.vendor_b: "95"})
    vendor_cycle("Q2", *Q2, {world.vendor_a: "76", world.vendor_b: "94"})
    standings_refresh(actor=world.users["hr"])
    login(page, live_server.url, "hr")
    page.goto(f"{live_server.url}/standings/vendors/{world.vendor_a.pk}/")
    page.wait_for_selector("#trend-chart canvas")
    assert page.locator("[data-testid=standing-score]").inner_text() == "80.50"
    page.goto(f"{live_server.url}/standings/compare/")
    page.wait_for_selector("#compare-trend-chart canvas")
    page.wait_for_selector("#cost-chart canvas")
    assert page.console_errors == []
