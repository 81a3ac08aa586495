"""Every list of the standings app: search, filters, pagination and .xlsx export, scoped like the
page, with text a spreadsheet would run as a formula neutralised."""

from __future__ import annotations

import io
from decimal import Decimal as Dec

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outperform.standings.models import SettlementRule, VendorStanding
from outperform.standings.services import settlements_compute, standings_refresh
from outperform.testing.factories import VendorFactory

from .helpers import Q1, vendor_cycle

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://evil.example","点我")'


@pytest.fixture
def data(world):
    evil = VendorFactory(name=EVIL)
    cycle = vendor_cycle("2026Q1", *Q1, {world.vendor_a: "75", world.vendor_b: "92", evil: "60"})
    standings_refresh(actor=world.users["hr"])
    SettlementRule.objects.create(contract=world.contract_a, period_fee_fen=100_050, breach_deduction_fen=30_000,
                                  standing_adjustments={"C": "-5"})
    SettlementRule.objects.create(contract=world.contract_b, period_fee_fen=200_000)
    settlements_compute(actor=world.users["hr"], cycle=cycle)
    world.evil, world.cycle = evil, cycle
    return world


def sheet(response) -> list[tuple]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return list(openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))


EXPORTS = {  # list route → (first header, the column holding the vendor's name)
    "standings:index": ("服务商", 0),
    "standings:termination": ("服务商", 0),
    "standings:compare": ("服务商", 0),
    "standings:history_list": ("服务商", 0),
    "standings:rules_list": ("合同编号", 1),
    "standings:bands_list": ("评级代码", None),
    "standings:settlements": ("合同编号", 1),
}


@pytest.mark.parametrize("route", list(EXPORTS))
def test_every_list_exports_xlsx_with_chinese_headers(data, client_for, route):
    rows = sheet(client_for("hr").get(reverse(route) + "?export=xlsx"))
    header, name_col = EXPORTS[route]
    assert rows[0][0] == header
    assert len(rows) > 1


@pytest.mark.parametrize("route", ["standings:index", "standings:compare", "standings:history_list",
                                   "standings:termination"])
def test_a_vendor_name_that_is_a_formula_stays_text(data, client_for, route):
    rows = sheet(client_for("hr").get(reverse(route) + "?export=xlsx"))
    names = [r[0] for r in rows[1:]]
    assert "'" + EVIL in names  # the shared writer's leading apostrophe: Excel shows it as text
    assert EVIL not in names


@pytest.mark.parametrize(("route", "col"), [("standings:index", 0), ("standings:history_list", 0),
                                            ("standings:compare", 0), ("standings:settlements", 1),
                                            ("standings:rules_list", 1)])
def test_exports_are_scoped_like_the_page(data, client_for, route, col):
    rows = sheet(client_for("vendor_manager").get(reverse(route) + "?export=xlsx"))
    names = {r[col] for r in rows[1:] if r[0] != "合计"}
    assert names == {data.vendor_a.name}


def test_rule_export_in_yuan_exactly(data, client_for):
    rows = sheet(client_for("hr").get(reverse("standings:rules_list") + "?export=xlsx"))
    by_contract = {r[0]: r for r in rows[1:]}
    # 100,050 fen = 1,000.50 元; 30,000 fen = 300.00 元; adjustments shown as "C -5%"
    assert by_contract["HT-A"][2] == Dec("1000.5") and by_contract["HT-A"][4] == 300
    assert by_contract["HT-A"][3] == "C -5%"


def test_overview_search_filter_and_pagination(data, client_for):
    c = client_for("hr")
    url = reverse("standings:index")

    def names(query: str) -> list[str]:
        return [r["vendor"].name for r in c.get(url + query).context["rows"]]

    # worst first: 60 (D), 75 (C), 92 (A)
    assert names("") == [EVIL, data.vendor_a.name, data.vendor_b.name]
    assert names("?code=C") == [data.vendor_a.name]
    assert names(f"?q={data.vendor_b.name[:3]}") == [data.vendor_b.name]
    assert names("?rectification=1") == [EVIL, data.vendor_a.name]  # C and D require rectification
    assert names("?termination=1") == [EVIL]  # D only
    for i in range(20):
        VendorFactory(name=f"无评级服务商{i:02d}")
    # 23 rows: the 3 with a standing, then the 20 without by name; page 1 ends at 无评级服务商16
    assert len(names("?per_page=20")) == 20
    assert names("?per_page=20&page=2") == ["无评级服务商17", "无评级服务商18", "无评级服务商19"]
    assert names("?code=-&q=无评级服务商00") == ["无评级服务商00"]


def test_termination_list_has_only_flagged_vendors(data, client_for):
    r = client_for("hr").get(reverse("standings:termination") + "?export=xlsx")
    assert [row[0] for row in sheet(r)[1:]] == ["'" + EVIL]


def test_history_list_filters(data, client_for):
    VendorStanding.objects.filter(vendor=data.vendor_b).update(is_current=False)
    c = client_for("hr")
    shown = [r["cells"][0][0] for r in c.get(reverse("standings:history_list") + "?is_current=true&q=服务商")
             .context["rows"]]
    assert shown == [data.vendor_a.name]  # EVIL has no 服务商 in its name, B is no longer current
    exported = sheet(c.get(reverse("standings:history_list") + "?code=D&export=xlsx"))
    assert [r[0] for r in exported[1:]] == ["'" + EVIL]


def test_compare_search_and_pagination(data, client_for):
    c = client_for("hr")
    r = c.get(reverse("standings:compare") + f"?q={data.vendor_a.name}")
    assert [row["vendor"].pk for row in r.context["rows"]] == [data.vendor_a.pk]
    assert len(c.get(reverse("standings:compare") + "?per_page=20").context["rows"]) == 3


@pytest.mark.parametrize("query", ["", "?export=xlsx"])
def test_overview_queries_do_not_grow_with_vendors(data, client_for, query):
    c = client_for("hr")
    url = reverse("standings:index") + query

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        return len(ctx.captured_queries)

    count()  # warm: the session, the caller's scope
    few = count()
    more = [VendorFactory() for _ in range(12)]
    vendor_cycle("2026Q2", Q1[0].replace(month=4), Q1[1].replace(month=6, day=30), {v: "85" for v in more})
    standings_refresh(actor=data.users["hr"])
    assert count() == few


def test_band_edits_show_at_once_without_a_new_standing(data, client_for):
    """A band's colour and actions are read from the band as configured now: the refresh writes no
    new row for an unchanged vendor, so a copy on the row would never catch up."""
    from outperform.standings.models import StandingBand

    StandingBand.objects.filter(code="C").update(colour="#ff8800", termination_review=True)
    c = client_for("hr")
    assert 'style="background:#ff8800">C<' in c.get(reverse("standings:index")).content.decode()
    assert 'style="background:#ff8800">C<' in c.get(reverse("standings:vendor", args=[data.vendor_a.pk])).content.decode()
    # vendor A (C, 75) joins EVIL (D, 60) on the termination-review list, worst first
    assert [r["vendor"].pk for r in c.get(reverse("standings:termination")).context["rows"]] == [
        data.evil.pk, data.vendor_a.pk]
