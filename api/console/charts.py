"""Server-side SVG charts (no JavaScript, no CDN). Colours come from the console stylesheet through
``c-<category>`` classes; every bar carries a ``<title>`` so screen readers and hover show the value."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

from markupsafe import Markup, escape


def _nice_max(value: int) -> int:
    """A round axis maximum ≥ value (1, 2, 5 × 10^n)."""
    if value <= 5:
        return max(value, 1)
    power = 10 ** int(math.floor(math.log10(value)))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # pragma: no cover


def _ticks(top: int) -> list[int]:
    step = max(1, top // 5) if top > 5 else 1
    return list(range(0, top + 1, step))


def stacked_bars(days: Sequence[date], series: dict[str, dict[date, int]], labels: dict[str, str],
                 *, chart_id: str, title: str, width: int = 760, height: int = 280) -> Markup:
    """One stacked bar per day, one segment per category. ``series``: category → {day: count}."""
    left, right, top, bottom = 44, 12, 16, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(series[c].get(d, 0) for c in series) for d in days]
    ymax = _nice_max(max(totals, default=0))
    parts = [
        f'<svg class="chart" id="{chart_id}" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(_describe(days, totals))}</desc>',
    ]
    for tick in _ticks(ymax):
        y = top + plot_h - plot_h * tick / ymax
        parts.append(f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}"/>'
                     f'<text class="axis" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>')
    slot = plot_w / max(len(days), 1)
    bar_w = max(min(slot * 0.7, 48), 2)
    every = max(1, math.ceil(len(days) / 12))  # at most ~12 date labels
    for i, day in enumerate(days):
        x = left + i * slot + (slot - bar_w) / 2
        y = top + plot_h
        for cat in series:
            count = series[cat].get(day, 0)
            if not count:
                continue
            h = plot_h * count / ymax
            y -= h
            parts.append(
                f'<rect class="c-{escape(cat)}" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}">'
                f'<title>{day.isoformat()} {escape(labels.get(cat, cat))}:{count} 份草稿</title></rect>')
        if (len(days) - 1 - i) % every == 0:  # the latest day always has its label
            parts.append(f'<text class="axis" x="{x + bar_w / 2:.1f}" y="{height - bottom + 16}" '
                         f'text-anchor="middle">{day.strftime("%m-%d")}</text>')
    parts.append(f'<line class="axis-line" x1="{left}" x2="{width - right}" y1="{top + plot_h}" '
                 f'y2="{top + plot_h}"/>')
    if not any(totals):
        parts.append(f'<text class="empty" x="{width / 2}" y="{top + plot_h / 2}" text-anchor="middle">'
                     '所选时间段内没有违规记录</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _describe(days: Sequence[date], totals: list[int]) -> str:
    if not days:
        return "没有数据"
    return (f"{days[0].isoformat()} 至 {days[-1].isoformat()},违规累计 {sum(totals)} 份次,"
            f"单日最多 {max(totals)} 份次")


def rate_bars(rows: Sequence[tuple[str, str, float | None, str]], *, chart_id: str, title: str,
              width: int = 760) -> Markup:
    """Horizontal bars on a 0–100 % scale. ``rows``: (css key, label, rate or None, detail text)."""
    left, right, row_h, top = 110, 70, 36, 10
    height = top * 2 + row_h * max(len(rows), 1)
    plot_w = width - left - right
    parts = [
        f'<svg class="chart" id="{chart_id}" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="{chart_id}-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]
    for pct in (0, 25, 50, 75, 100):
        x = left + plot_w * pct / 100
        parts.append(f'<line class="grid" x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{height - top}"/>')
    for i, (key, name, rate, detail) in enumerate(rows):
        y = top + i * row_h
        parts.append(f'<text class="axis" x="{left - 8}" y="{y + row_h / 2 + 5:.1f}" text-anchor="end">'
                     f'{escape(name)}</text>')
        shown = "暂无" if rate is None else f"{rate * 100:.1f}%"
        w = 0.0 if rate is None else plot_w * max(0.0, min(rate, 1.0))
        parts.append(
            f'<rect class="r-{escape(key)}" x="{left}" y="{y + 7}" width="{w:.1f}" height="{row_h - 14}">'
            f'<title>{escape(name)}:{shown}({escape(detail)})</title></rect>'
            f'<text class="value" x="{left + w + 6:.1f}" y="{y + row_h / 2 + 5:.1f}">{shown}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
