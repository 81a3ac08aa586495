"""In a real browser (headless chromium, under the CSP): upload a GBK CSV, confirm the mapping,
see the dry run, commit. Skipped when chromium is not installed."""

from __future__ import annotations

from typing import Any

import pytest

from outperform.testing.browser import login

from .helpers import csv_bytes, task_rows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_map_dry_run_and_commit(live_server: Any, page: Any, settings: Any, tmp_path: Any) -> None:
    from outperform.ingest.models import IngestBatch
    from outperform.records.models import TaskRecord
    from outperform.testing.world import build_world

    settings.MEDIA_ROOT = str(tmp_path)
    world = build_world()
    path = tmp_path / "本周交付.csv"
    path.write_bytes(csv_bytes(task_rows(world, 4), encoding="gbk"))
    login(page, live_server.url, "hr")
    page.goto(f"{live_server.url}/ingest/")
    page.select_option("select[name=source]", "task")
    page.set_input_files("input[name=file]", str(path))
    page.click("[data-testid=ingest-upload] button[type=submit]")
    page.wait_for_selector("[data-testid=ingest-mapping]")
    # pre-filled from the Chinese headers
    assert page.input_value("select[name=col_0]") == "external_id"
    page.click("[data-testid=ingest-mapping] button[type=submit]")
    page.wait_for_selector("[data-testid=commit-batch]")
    assert "4" in page.inner_text("[data-testid=batch-counts]")
    assert TaskRecord.objects.count() == 0
    page.click("[data-testid=commit-batch]")
    page.wait_for_selector("[data-testid=batch-state]:has-text('已提交')")
    assert TaskRecord.objects.count() == 4
    assert IngestBatch.objects.get().created == 4
    assert not [e for e in page.console_errors if "Content Security Policy" in e]
