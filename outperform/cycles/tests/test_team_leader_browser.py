"""The team form's 负责人 picker in a real browser (headless Debian chromium via Playwright): search,
pick, pick another (one chip stays), save — no CSP violation on the way. Skipped without chromium."""

from __future__ import annotations

import os
from typing import Any

import pytest

from outperform.testing.browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_leader_is_searched_and_chosen_once(live_server, page):
    from django.urls import reverse

    from outperform.cycles.models import Team
    from outperform.testing.factories import UserFactory
    from outperform.testing.world import build_world

    world = build_world()
    first: Any = UserFactory(username="lead1", full_name="钱组长")
    second: Any = UserFactory(username="lead2", full_name="孙组长")
    base = live_server.url
    login(page, base, "hr")
    page.goto(base + reverse("cycles:teams_create"))
    page.fill("#id_code", "TM7")
    page.fill("#id_name", "热线七组")
    page.select_option("#id_department", str(world.ops.pk))
    search = page.locator('[data-picker-single] [data-picker-search]')
    search.fill("组长")
    page.locator('[data-picker-single] [data-picker-add][data-label="钱组长（lead1）"]').click()
    page.locator('[data-picker-single] [data-picker-add][data-label="孙组长（lead2）"]').click()
    chips = page.locator('[data-picker-single] [data-picker-chip]')
    assert chips.count() == 1 and "孙组长" in chips.first.inner_text()
    if os.environ.get("OUTPERFORM_SCREENSHOTS"):
        page.screenshot(path=os.environ["OUTPERFORM_SCREENSHOTS"] + "/team_leader.png", full_page=True)
    page.locator('form button[type="submit"]').first.click()
    page.wait_for_url("**/teams/**")
    team = Team.objects.get(code="TM7")
    assert team.leader_id == second.pk and team.leader_id != first.pk
    assert not [e for e in page.console_errors if "Content Security Policy" in e or "Refused" in e]
