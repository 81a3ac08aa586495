"""A person logs in, opens the worker list, filters it and downloads the export."""

from __future__ import annotations

import openpyxl
import pytest

from outperform.testing.browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_filter_and_export_workers(live_server, page, tmp_path):
    from outperform.testing.world import build_world

    world = build_world()
    login(page, live_server.url, "hr")

    page.click("text=外包人员")
    page.wait_for_selector("[data-testid=object-table]")
    for worker in world.workers.values():
        assert page.locator(f"text={worker.employee_no}").count() == 1

    page.select_option("#id_vendor", str(world.vendor_b.pk))
    page.click("button:has-text('筛选')")
    page.wait_for_url("**vendor=*")
    table = page.locator("[data-testid=object-table]").inner_text()
    assert world.workers["b_ops"].employee_no in table
    assert world.workers["a_ops_cs"].employee_no not in table

    with page.expect_download() as info:
        page.click("[data-testid=export]")
    path = tmp_path / "workers.xlsx"
    info.value.save_as(path)
    rows = list(openpyxl.load_workbook(path).active.iter_rows(min_row=2, values_only=True))
    assert {r[0] for r in rows} == {world.workers["b_ops"].employee_no, world.workers["b_tech"].employee_no}
