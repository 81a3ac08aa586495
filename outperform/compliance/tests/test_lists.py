"""Every compliance list: search, filters, pagination and .xlsx export (no import), scoped like the
page; formulas neutralised; times in Asia/Shanghai as on the page."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from outperform.compliance.models import AuditFinding, RectificationNotice

pytestmark = pytest.mark.django_db

LISTS = {  # route → (first header, the column holding the vendor's name)
    "compliance:notices_list": ("通知编号", 2),
    "compliance:audits_list": ("审查日期", 1),
    "compliance:findings_list": ("严重程度", 2),
    "compliance:contacts_list": ("服务商", 0),
    "compliance:checklists_list": ("编码", None),
}


def sheet(response) -> list[tuple]:
    assert response.status_code == 200
    return list(openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))


@pytest.mark.parametrize("route", list(LISTS))
def test_every_list_exports_and_never_imports(world, cw, client_for, route):
    c = client_for("hr")
    rows = sheet(c.get(reverse(route) + "?export=xlsx"))
    assert rows[0][0] == LISTS[route][0] and len(rows) > 1
    html = c.get(reverse(route)).content.decode()
    assert 'data-testid="export"' in html and "/import/" not in html
    assert c.get(reverse(route).rstrip("/") + "/import/").status_code == 404


@pytest.mark.parametrize("route", [r for r, (_h, col) in LISTS.items() if col is not None])
def test_exports_are_scoped_like_the_page(world, cw, client_for, route):
    col = LISTS[route][1]
    rows = sheet(client_for("vendor_manager").get(reverse(route) + "?export=xlsx"))
    assert {r[col] for r in rows[1:]} == {world.vendor_a.name}


def test_filters_and_search_reach_the_export(world, cw, client_for):
    c = client_for("hr")
    rows = sheet(c.get(reverse("compliance:findings_list") + f"?vendor={world.vendor_b.pk}&export=xlsx"))
    assert [r[1] for r in rows[1:]] == ["权限过大 b"]
    rows = sheet(c.get(reverse("compliance:notices_list") + "?q=B 整改&export=xlsx"))
    assert [r[1] for r in rows[1:]] == ["B 整改"]


def test_formula_text_is_neutralised(world, cw, client_for):
    AuditFinding.objects.filter(pk=cw.finding_a.pk).update(description="=cmd|' /C calc'!A0")
    rows = sheet(client_for("hr").get(reverse("compliance:findings_list") + "?export=xlsx"))
    assert "'=cmd|' /C calc'!A0" in [r[1] for r in rows[1:]]


def test_times_are_exported_in_local_time(world, cw, client_for):
    at = dt.datetime(2026, 11, 20, 16, 30, tzinfo=dt.UTC)  # 2026-11-21 00:30 in Asia/Shanghai
    RectificationNotice.objects.filter(pk=cw.notice_a.pk).update(escalated_at=at)
    rows = sheet(client_for("hr").get(reverse("compliance:notices_list") + "?escalated=true&export=xlsx"))
    assert [r[6] for r in rows[1:]] == [dt.datetime(2026, 11, 21, 0, 30)]
    assert timezone.get_current_timezone_name() == "Asia/Shanghai"


def test_pagination(world, cw, client_for):
    from .conftest import issue

    for i in range(25):
        issue(world, world.vendor_a, f"更多{i}")
    c = client_for("hr")
    first = c.get(reverse("compliance:notices_list") + "?per_page=20")
    second = c.get(reverse("compliance:notices_list") + "?per_page=20&page=2")
    assert len(first.context["rows"]) == 20 and len(second.context["rows"]) == 7  # 2 + 25 = 27 notices


def test_portal_results_search(world, client_for):
    from .test_portal import make_results

    make_results(world)
    name = world.workers["a_tech"].name
    r = client_for("vendor_manager").get(reverse("compliance:portal_results") + f"?q={name}")
    assert [a.subject_name for a in r.context["page"]] == [name]
