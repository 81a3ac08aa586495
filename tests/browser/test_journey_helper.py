"""The Journey helper itself (no browser): a failed step leaves a screenshot and the page's HTML
named after the test and the step, and says which step failed; gaps run their fallback and end the
test as xfail with every reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from outperform.testing import browser
from outperform.testing.browser import Journey


class FakePage:
    def __init__(self) -> None:
        self.shots: list[str] = []

    def screenshot(self, *, path: str, full_page: bool) -> None:
        self.shots.append(path)
        Path(path).write_bytes(b"png")

    def content(self) -> str:
        return "<html>页面</html>"


def test_a_failed_step_is_named_and_leaves_screenshot_and_html(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(browser, "ARTIFACTS", tmp_path)
    page = FakePage()
    j = Journey(page, "http://testserver")
    with j.step("第一步"):
        pass
    with pytest.raises(AssertionError) as info, j.step("HR 开启周期"):
        raise AssertionError("状态不对")
    name = "test_a_failed_step_is_named_and_leaves_screenshot_and_html--02-HR_开启周期"
    assert page.shots == [str(tmp_path / f"{name}.png")]
    assert (tmp_path / f"{name}.html").read_text(encoding="utf-8") == "<html>页面</html>"
    assert any("step 2 “HR 开启周期” failed" in note for note in info.value.__notes__)


def test_gaps_run_their_fallback_and_end_as_xfail() -> None:
    j = Journey(FakePage(), "http://testserver")
    done: list[str] = []
    j.gap("/x/ 缺少“批准”按钮", lambda: done.append("service"))
    j.gap("/y/ 页面不存在")
    assert done == ["service"]
    with pytest.raises(pytest.xfail.Exception, match="/x/ 缺少“批准”按钮; /y/ 页面不存在"):
        j.finish()


def test_no_gap_no_xfail() -> None:
    Journey(FakePage(), "http://testserver").finish()
