""".xlsx of the standings pages that are not declared resources: the overview (and the
termination-review list) and the comparison. Written by the shared writer, which neutralises text
that a spreadsheet would take for a formula (a vendor named "=HYPERLINK(…)" stays text)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from outperform.core import excel

from .models import VendorStanding

OVERVIEW_HEADERS = ("服务商", "评级", "综合评分", "本期得分", "期间", "要求整改", "终止合作评审", "评定时间")


def overview_xlsx(rows: list[dict[str, Any]], title: str) -> bytes:
    """rows: {"vendor", "standing" (VendorStanding or None), "rectification", "termination"}, in
    the page's order; the consequences as the page shows them."""

    def line(r: dict[str, Any]) -> list[Any]:
        s: VendorStanding | None = r["standing"]
        if s is None:
            return [r["vendor"].name, "", None, None, "", None, None, None]
        return [r["vendor"].name, s.code, s.score, s.period_score, s.period_label, r["rectification"],
                r["termination"], s.created_at]

    return excel.write_rows(list(OVERVIEW_HEADERS), (line(r) for r in rows), title,
                            tz=timezone.get_current_timezone())


def compare_xlsx(dims: list[dict[str, str]], rows: list[dict[str, Any]], title: str) -> bytes:
    """One row per vendor: standing, composite, each dimension, cost and benchmark in 元 (exact),
    cost ÷ benchmark in %."""
    headers = ["服务商", "评级", "综合得分", *(d["name"] for d in dims), "外包成本（元）", "内部基准成本（元）",
               "成本/基准（%）"]

    def line(r: dict[str, Any]) -> list[Any]:
        cost = r["cost"]
        return [r["vendor"].name, r["standing"].code if r["standing"] else "", r["composite"], *r["dims"],
                Decimal(cost["cost"]) / 100 if cost else None, Decimal(cost["benchmark"]) / 100 if cost else None,
                r["ratio"]]

    return excel.write_rows(headers, (line(r) for r in rows), title)
