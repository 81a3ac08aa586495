"""The cycle pages' scripts in a real browser (headless Debian chromium via Playwright): the rating
grid's keyboard entry, the calibration board's live quota check, the job page's htmx polling — and
no Content-Security-Policy violation on the way. Skipped when chromium is not installed."""

from __future__ import annotations

import pytest

from outperform.testing.browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tab(page):  # type: ignore[no-untyped-def]
    return page


def _login(page, base, username):  # type: ignore[no-untyped-def]
    login(page, base, username)


def _active(page):  # type: ignore[no-untyped-def]
    return page.evaluate("[document.activeElement.dataset.row, document.activeElement.dataset.col]")


def test_grid_keyboard_calibration_and_job_polling(live_server, tab):
    from django.urls import reverse

    from outperform.core.models import Job, JobState
    from outperform.cycles.models import Appraisal, CycleState, RaterAssignment
    from outperform.testing.templates import make_template
    from outperform.testing.world import build_world

    from .helpers_web import advance, make_cycle, to_review

    world = build_world()
    template = make_template(code="T-B", grading="forced_distribution", distribution_group="cycle",
                             quotas=[("A", "max", 20)])
    cycle = to_review(world, make_cycle(world, template), {"Q1": ("80", ""), "Q2": ("80", "")})
    base = live_server.url

    # --- the supervisor fills the grid with the keyboard -------------------------------------------
    _login(tab, base, "supervisor")
    tab.goto(base + reverse("cycles:rating_grid", args=[cycle.pk, "supervisor"]))
    tab.focus('[data-grid-cell][data-row="0"][data-col="0"]')
    tab.keyboard.type("91")
    tab.keyboard.press("Enter")
    assert _active(tab) == ["0", "1"]
    tab.keyboard.type("92")
    tab.keyboard.press("Tab")
    assert _active(tab) == ["1", "0"]
    tab.keyboard.press("ArrowUp")
    assert _active(tab) == ["0", "0"]
    tab.keyboard.press("ArrowRight")
    assert _active(tab) == ["0", "1"]
    tab.keyboard.press("ArrowDown")
    assert _active(tab) == ["1", "1"]
    # the rest of the rows, all 85 / 85 … then submit them all
    rows = tab.locator("[data-row-id]").count()
    tab.focus('[data-grid-cell][data-row="1"][data-col="0"]')
    for _ in range((rows - 1) * 2):
        tab.keyboard.type("85")
        tab.keyboard.press("Enter")
    tab.check("[data-grid-select-all]")
    tab.click("button[name=submit]")
    tab.wait_for_selector(".alert-success")
    assert RaterAssignment.objects.filter(cycle=cycle, role="supervisor", state="submitted").count() == rows

    # --- HR: the calibration board recomputes the quota check as grades are picked -------------------
    advance(cycle, world.users["hr"], CycleState.CALIBRATION)
    excellent = Appraisal.objects.filter(cycle=cycle, grade="A").count()
    assert excellent <= 1  # of 5: one place at most
    _login(tab, base, "hr")
    tab.goto(base + reverse("cycles:calibration_board", args=[cycle.pk]) + "?group=ALL")
    tab.wait_for_selector('[data-chart="quota"] canvas')
    assert "符合强制分布比例" in tab.inner_text("[data-violations]")
    for other in Appraisal.objects.filter(cycle=cycle).exclude(grade="A")[:2 - excellent]:
        tab.select_option(f'[data-calibrate-grade="{other.pk}"]', "A")
    assert "超出上限：2 人 > 1 人" in tab.inner_text("[data-violations]")
    assert tab.inner_text('[data-grade="A"] [data-count]') == "2"

    # --- a job page polls until the job is done ---------------------------------------------------
    job = Job.objects.create(kind="cycle_compute", label="计算考核结果", target="x", state=JobState.RUNNING,
                             kwargs={"cycle_id": cycle.pk}, started_by=world.users["hr"], total=10, done=3)
    tab.goto(base + reverse("cycles:job_detail", args=[job.pk]))
    assert tab.get_attribute("#job-progress", "data-state") == "running"
    Job.objects.filter(pk=job.pk).update(state=JobState.SUCCEEDED, done=10)
    tab.wait_for_selector('#job-progress[data-state="succeeded"]', timeout=5000)
    assert tab.locator("text=返回周期").count() == 1

    # --- and the scripts never ran into the CSP ---------------------------------------------------
    assert not [e for e in tab.console_errors if "Content Security Policy" in e or "Refused" in e], tab.console_errors
