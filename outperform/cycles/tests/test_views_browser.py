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


def test_pickers_search_add_remove_and_save(live_server, tab):
    """The subject picker in a real browser: the cycle form shows only the pickers of the chosen
    kind, a search lists matches, a click adds a chip, × removes it; the peer page saves a choice."""
    import datetime as dt

    from django.urls import reverse

    from outperform.cycles.models import Appraisal, Cycle, RaterAssignment
    from outperform.cycles.services import cycle_open
    from outperform.testing.factories import UserFactory, WorkerFactory
    from outperform.testing.templates import make_template
    from outperform.testing.world import build_world
    from outperform.workers.models import Worker

    world = build_world()
    roles = ["self", "supervisor", "peer"]
    template = make_template(code="T-PK", role_weights={"self": "20", "supervisor": "50", "peer": "30"},
                             indicators=[{"code": "P1", "weight": 100, "rater_roles": roles}])
    one, two = (WorkerFactory(vendor=world.vendor_a, department=world.ops, position=world.position,
                              user=UserFactory(username=u), name=n) for u, n in (("c1", "同事一"), ("c2", "同事二")))
    Worker.objects.update(supervisor=world.users["supervisor"])
    base = live_server.url

    # --- HR: the cycle form's pickers --------------------------------------------------------------
    _login(tab, base, "hr")
    tab.goto(base + reverse("cycles:cycles_create"))
    assert tab.is_visible("#id_include_workers") and not tab.is_visible("#id_include_vendors")
    tab.select_option("select[name=subject_kind]", "vendor")
    assert tab.is_visible("#id_include_vendors") and not tab.is_visible("#id_include_workers")
    tab.select_option("select[name=subject_kind]", "worker")
    a_tech = world.workers["a_tech"]
    tab.fill("#id_include_workers", a_tech.employee_no)
    tab.click(f'[data-picker-add][data-value="{a_tech.pk}"]')
    tab.fill("#id_exclude_workers", two.employee_no)
    tab.click(f'[data-picker-add][data-value="{two.pk}"]')
    chips = '[data-name="exclude_workers"] [data-picker-chip]'
    assert tab.locator(chips).count() == 1
    tab.click(f"{chips} [data-picker-remove]")
    assert tab.locator(chips).count() == 0
    tab.press("#id_exclude_workers", "Enter")  # searches, does not submit the form
    assert tab.url.endswith(reverse("cycles:cycles_create"))
    tab.fill("#id_name", "2026年第四季度")
    tab.fill("#id_start_date", "2026-10-01")
    tab.fill("#id_end_date", "2026-12-31")
    tab.select_option("#id_default_template", str(template.pk))
    tab.select_option("#id_departments", str(world.ops.pk))
    tab.select_option("#id_peer_selection", "supervisor")
    tab.click("button[type=submit]")
    tab.wait_for_selector('[data-testid="cycle-state"]')
    cycle = Cycle.objects.get(name="2026年第四季度")
    assert list(cycle.include_workers.all()) == [a_tech] and not cycle.exclude_workers.exists()

    # --- the supervisor chooses a_self's peers ------------------------------------------------------
    Cycle.objects.filter(pk=cycle.pk).update(review_due=dt.date(2026, 12, 31))
    cycle_open(actor=world.users["hr"], cycle=cycle)
    mine = Appraisal.objects.get(cycle=cycle, worker=world.workers["a_self"])
    _login(tab, base, "supervisor")
    tab.goto(base + reverse("cycles:peer_choose", args=[mine.pk]))
    tab.click("#id_workers")  # focus: the first colleagues are offered at once
    tab.click(f'[data-picker-add][data-value="{one.pk}"]')
    tab.fill("#id_workers", "同事二")
    tab.click(f'[data-picker-add][data-value="{two.pk}"]')
    assert tab.inner_text('[data-picker-count="workers"]') == "2"
    tab.click("button[type=submit]")
    tab.wait_for_selector(".alert-success")
    assert set(RaterAssignment.objects.filter(appraisal=mine, role="peer").values_list("rater__username", flat=True)
               ) == {"c1", "c2"}
    assert not [e for e in tab.console_errors if "Content Security Policy" in e or "Refused" in e], tab.console_errors
