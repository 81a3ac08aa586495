"""A small server-side line chart as SVG for the PDF reports (no browser needed)."""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape


def line_chart(labels: Sequence[str], values: Sequence[float | None], *, width: int = 520, height: int = 200,
               low: float = 0, high: float = 100) -> str:
    """Composite scores over cycles: a polyline with a dot and the value at each point; gaps skipped."""
    left, right, top, bottom = 36, 12, 14, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(labels) - 1, 1)

    def y(v: float) -> float:
        return top + plot_h * (1 - (v - low) / (high - low))

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="Noto Sans CJK SC, sans-serif" font-size="10">']
    for tick in range(int(low), int(high) + 1, 20):
        parts.append(f'<line x1="{left}" y1="{y(tick):.1f}" x2="{width - right}" y2="{y(tick):.1f}" stroke="#ddd"/>'
                     f'<text x="{left - 6}" y="{y(tick) + 3:.1f}" text-anchor="end" fill="#666">{tick}</text>')
    points = [(left + i * step, v) for i, v in enumerate(values)]
    coords = " ".join(f"{x:.1f},{y(v):.1f}" for x, v in points if v is not None)
    if coords:
        parts.append(f'<polyline points="{coords}" fill="none" stroke="#1f5fbf" stroke-width="2"/>')
    for (x, v), label in zip(points, labels, strict=True):
        parts.append(f'<text x="{x:.1f}" y="{height - bottom + 16}" text-anchor="middle" fill="#333">'
                     f'{escape(label[:14])}</text>')
        if v is not None:
            parts.append(f'<circle cx="{x:.1f}" cy="{y(v):.1f}" r="3" fill="#1f5fbf"/>'
                         f'<text x="{x:.1f}" y="{y(v) - 6:.1f}" text-anchor="middle" fill="#1f5fbf">{v:.2f}</text>')
    parts.append("</svg>")
    return "".join(parts)
