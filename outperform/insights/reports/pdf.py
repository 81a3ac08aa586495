"""HTML → PDF with WeasyPrint. Fonts come from fontconfig: Debian's fonts-noto-cjk provides
"Noto Sans CJK SC", which WeasyPrint subsets and embeds, so the PDF reads the same everywhere."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from outperform.core import excel

from .data import Table

FONT_FAMILY = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif'


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # imported here: pango is loaded once, and only by report work

    html = render_to_string(template, {**context, "font_family": FONT_FAMILY})
    return bytes(HTML(string=html).write_pdf())


def tables_xlsx(tables: list[Table]) -> bytes:
    """Every table of a report in one .xlsx: one sheet per table (first sheet when only one)."""
    if len(tables) == 1:
        t = tables[0]
        return excel.write_rows(t.headers, t.rows, sheet_title=t.title[:31])
    import io

    from openpyxl import Workbook, load_workbook

    book = Workbook(write_only=True)
    used: set[str] = set()
    for t in tables:
        part = load_workbook(io.BytesIO(excel.write_rows(t.headers, t.rows, sheet_title="x")), read_only=True)
        title = t.title[:28] or "Sheet"
        while title in used:
            title += "_"
        used.add(title)
        sheet = book.create_sheet(title)
        source = part.worksheets[0]
        for row in source.iter_rows(values_only=True):
            sheet.append(list(row))
        part.close()
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
