"""The insight charts as SVG markup, for the PDF and the share page (the PWA draws the
same charts with the DOM: frontend/static/tandem/js/checkin/insight-charts.js).

Colours are presentation attributes (the share page's CSP allows no inline styles); every
chart carries its numbers in text and a ``<title>``, and the page puts a table beside it.
"""

from __future__ import annotations

import math
from typing import Any

from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

W = 340
COLOURS = {
    "high_unpleasant": "#d9795b",
    "high_pleasant": "#e6b84a",
    "low_unpleasant": "#6f8fbf",
    "low_pleasant": "#6fb08f",
}
SIDES = {
    "high_unpleasant": (-1, -1),
    "high_pleasant": (1, -1),
    "low_unpleasant": (-1, 1),
    "low_pleasant": (1, 1),
}


def _svg(height: float, label: str, body: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height:.0f}" '
        f'width="{W}" height="{height:.0f}" role="img" aria-label="{escape(label)}" '
        f'class="chart"><title>{escape(label)}</title>{body}</svg>'
    )


def _text(x: float, y: float, content: Any, *, anchor: str = "start", size: int = 11) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
        f'fill="#1f2a33">{escape(str(content))}</text>'
    )


def mood_meter(meter: dict[str, Any]) -> str:
    height = 260.0
    cx, cy = W / 2, height / 2
    reach = min(cx, cy) - 14
    top = max([1, *(p["count"] for p in meter["points"])])
    parts = [
        f'<line x1="{cx}" y1="18" x2="{cx}" y2="{height - 18}" stroke="#d6d2ca"/>',
        f'<line x1="0" y1="{cy}" x2="{W}" y2="{cy}" stroke="#d6d2ca"/>',
        _text(cx + 4, 28, _("more energy"), size=10),
        _text(W - 4, cy - 4, _("pleasant"), anchor="end", size=10),
        _text(4, cy - 4, _("unpleasant"), size=10),
    ]
    for quadrant in meter["quadrants"]:
        sx, sy = SIDES[quadrant["key"]]
        parts.append(
            _text(
                4 if sx < 0 else W - 4,
                14 if sy < 0 else height - 6,
                f"{quadrant['label']}: {quadrant['count']}",
                anchor="start" if sx < 0 else "end",
                size=10,
            )
        )
        points = [p for p in meter["points"] if p["quadrant"] == quadrant["key"]]
        for i, p in enumerate(points):
            angle = math.radians(12 + 66 * (i + 0.5) / len(points))
            distance = 22 + (p["intensity"] - 1) / 4 * (reach - 22)
            x = cx + sx * distance * math.cos(angle) * (cx / cy)
            y = cy + sy * distance * math.sin(angle)
            r = 5 + 9 * math.sqrt(p["count"] / top)
            parts.append(
                "<g><title>"
                + escape(
                    _("%(feeling)s, intensity %(intensity)s: %(n)s")
                    % {"feeling": p["label"], "intensity": p["intensity"], "n": p["count"]}
                )
                + f'</title><circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" '
                f'fill="{COLOURS[quadrant["key"]]}" stroke="#ffffff"/>'
                f"{_text(x, y + 3, p['count'], anchor='middle', size=9)}</g>"
            )
    title = ngettext(
        "Mood meter: %(n)s check-in", "Mood meter: %(n)s check-ins", meter["total"]
    ) % {"n": meter["total"]}
    return _svg(height, title, "".join(parts))


def hard_moments(hard: dict[str, Any]) -> str:
    left, top, row_h = 40.0, 20.0, 28.0
    col_w = (W - left) / len(hard["times"])
    height = top + row_h * len(hard["weekdays"]) + 4
    counts = {(c["weekday"], c["time"]): c["count"] for c in hard["cells"]}
    peak = max(1, hard["max"])
    parts = [
        _text(
            left + col * col_w + col_w / 2, 12, t["label"].split(" ")[0], anchor="middle", size=10
        )
        for col, t in enumerate(hard["times"])
    ]
    for row, weekday in enumerate(hard["weekdays"]):
        y = top + row * row_h
        parts.append(_text(0, y + 18, weekday["label"], size=10))
        for col, t in enumerate(hard["times"]):
            n = counts.get((weekday["key"], t["key"]), 0)
            x = left + col * col_w
            opacity = 0.25 + 0.75 * n / peak if n else 1
            fill = COLOURS["high_unpleasant"] if n else "#e6eef4"
            parts.append(
                f'<rect x="{x + 1:.1f}" y="{y + 1:.1f}" width="{col_w - 2:.1f}" '
                f'height="{row_h - 2:.1f}" rx="4" fill="{fill}" fill-opacity="{opacity:.2f}"/>'
                + _text(x + col_w / 2, y + 18, n or "·", anchor="middle")
            )
    title = ngettext(
        "Hard moments: %(n)s big unpleasant feeling",
        "Hard moments: %(n)s big unpleasant feelings",
        hard["total"],
    ) % {"n": hard["total"]}
    return _svg(height, title, "".join(parts))


def bars(label: str, rows: list[tuple[str, str, float | None]]) -> str:
    """One bar per row: (label, the figure in words, share 0-1 or None: no bar)."""
    row_h = 44.0
    parts = []
    for i, (name, words, share) in enumerate(rows):
        y = i * row_h
        parts.append(_text(0, y + 14, f"{name}: {words}", size=12))
        parts.append(
            f'<rect x="0" y="{y + 20:.0f}" width="{W}" height="14" rx="4" fill="#e6eef4"/>'
        )
        if share is not None:
            parts.append(
                f'<rect x="0" y="{y + 20:.0f}" width="{max(share * W, 2):.1f}" height="14" '
                f'rx="4" fill="#2f7d5b"/>'
            )
    return _svg(max(1, len(rows)) * row_h, label, "".join(parts))


def feelings_per_day(days: list[dict[str, Any]], quadrants: list[dict[str, Any]]) -> str:
    height, left, bottom, top = 160.0, 24.0, 22.0, 8.0
    peak = max([1, *(d["total"] for d in days)])
    slot = (W - left) / max(1, len(days))
    bar_w = max(3.0, min(28.0, slot * 0.7))
    scale = (height - bottom - top) / peak
    parts = [
        f'<line x1="{left}" y1="{height - bottom}" x2="{W}" y2="{height - bottom}" '
        f'stroke="#d6d2ca"/>',
        _text(left - 4, top + 8, peak, anchor="end", size=10),
    ]
    every = 5 if len(days) > 10 else 1
    for i, d in enumerate(days):
        x = left + i * slot + (slot - bar_w) / 2
        y = height - bottom
        for q in quadrants:
            n = d["quadrants"].get(q["key"], 0)
            if not n:
                continue
            y -= n * scale
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{n * scale:.1f}" '
                f'fill="{COLOURS[q["key"]]}"/>'
            )
        if i % every == 0 or i == len(days) - 1:
            parts.append(_text(x + bar_w / 2, height - 6, str(d["date"])[8:10], anchor="middle"))
    return _svg(height, _("Feelings per day"), "".join(parts))
