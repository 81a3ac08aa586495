"""A small, safe Markdown subset for knowledge articles.

Every line is HTML-escaped first and only then given the few tags this module writes itself, so no
raw HTML (scripts, event handlers, javascript: links) can reach the page. Supported: `#`–`###`
headings, `-`/`*` and `1.` lists, `> ` quotes, blank-line paragraphs, `**bold**`, `` `code` ``.
Links are shown as text: articles are internal notes, and a link is one more thing to vet.
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`]+)`")
_BULLET = re.compile(r"^\s*[-*]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d+[.、]\s*(.*)$")
_HEADING = re.compile(r"^(#{1,3})\s+(.*)$")


def _inline(text: str) -> str:
    html: str = escape(text)
    html = _CODE.sub(r"<code>\1</code>", html)
    return _BOLD.sub(r"<strong>\1</strong>", html)


def render_markdown(text: str) -> SafeString:
    out: list[str] = []
    paragraph: list[str] = []
    list_tag: str | None = None

    def flush_paragraph() -> None:
        if paragraph:
            out.append("<p>" + "<br>".join(_inline(line) for line in paragraph) + "</p>")
            paragraph.clear()

    def close_list() -> None:
        nonlocal list_tag
        if list_tag:
            out.append(f"</{list_tag}>")
            list_tag = None

    for raw in (text or "").replace("\r\n", "\n").split("\n"):
        line = raw.rstrip()
        heading = _HEADING.match(line)
        bullet = _BULLET.match(line)
        numbered = _NUMBERED.match(line) if not bullet else None
        if not line.strip():
            flush_paragraph()
            close_list()
        elif heading:
            flush_paragraph()
            close_list()
            level = len(heading.group(1)) + 3  # h4–h6: articles sit under the page's own h1
            out.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
        elif bullet or numbered:
            flush_paragraph()
            tag = "ul" if bullet else "ol"
            if list_tag != tag:
                close_list()
                out.append(f"<{tag}>")
                list_tag = tag
            item = (bullet or numbered).group(1)  # type: ignore[union-attr]
            out.append(f"<li>{_inline(item)}</li>")
        elif line.startswith(">"):
            flush_paragraph()
            close_list()
            out.append(f"<blockquote class=\"border-start ps-3 text-muted\">{_inline(line[1:].strip())}</blockquote>")
        else:
            close_list()
            paragraph.append(line)
    flush_paragraph()
    close_list()
    return mark_safe("\n".join(out))  # noqa: S308 — every piece of user text above went through escape()
