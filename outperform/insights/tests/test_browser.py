"""The dashboard in a real browser: every chart is drawn by static/insights/dashboard.js with the
ECharts toolbox's PNG export, and the page raises no Content-Security-Policy violation; the jobs
page polls a running job until it is done. Skipped when chromium is not installed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from outperform.testing.browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dashboard_charts_png_and_job_polling(live_server, page, world, results):
    from outperform.core.models import Job, JobState

    login(page, live_server.url, "hr")
    page.goto(live_server.url + reverse("insights:dashboard"))
    page.wait_for_selector("[data-insights-chart='distribution'][data-rendered='1']")
    drawn = page.evaluate("Array.from(document.querySelectorAll('[data-insights-chart]'))"
                          ".filter(e => e.dataset.rendered === '1').map(e => e.dataset.insightsChart)")
    assert set(drawn) >= {"distribution", "trend", "departments", "vendors", "progress"}
    png = page.evaluate("""(() => { const el = document.querySelector("[data-insights-chart='distribution']");
        const chart = echarts.getInstanceByDom(el);
        return [!!chart.getOption().toolbox[0].feature.saveAsImage, chart.getDataURL({type: 'png'}).slice(0, 22)]; })()""")
    assert png == [True, "data:image/png;base64,"]
    with page.expect_download() as download:
        page.click("[data-testid='xlsx-departments']")
    assert download.value.suggested_filename.startswith("departments-")
    # filtering by vendor reloads the page with the filter
    page.select_option("#f-vendor", str(world.vendor_b.pk))
    page.wait_for_url("**vendor=*")
    assert page.console_errors == []

    job = Job.objects.create(kind="import", label="导入外包人员", target="x", started_by=world.users["hr"],
                             state=JobState.RUNNING, done=1, total=4)
    page.goto(live_server.url + reverse("insights:jobs"))
    row = page.locator(f"#job-{job.pk}")
    assert row.get_attribute("data-state") == "running"
    Job.objects.filter(pk=job.pk).update(state=JobState.SUCCEEDED, done=4)
    page.wait_for_selector(f"#job-{job.pk}[data-state='succeeded']", timeout=10000)
    assert page.console_errors == []
