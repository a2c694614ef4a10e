// SVG charts built with the DOM (no library): feelings per day stacked by quadrant, and
// strategies' helped-rate bars. Each quadrant has a fill pattern as well as a colour,
// and every bar carries its numbers in text, so colour is never the only signal.
import { formatDate, formatNumber, gettext, interpolate, ngettext } from "../i18n.js";

const NS = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  for (const child of children) {
    if (child === null || child === undefined) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function patterns() {
  return svg("defs", {},
    svg("pattern", { id: "p-high_unpleasant", width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" },
      svg("rect", { width: 6, height: 6, class: "q-fill-high_unpleasant" }),
      svg("rect", { width: 2, height: 6, class: "q-mark" })),
    svg("pattern", { id: "p-high_pleasant", width: 6, height: 6, patternUnits: "userSpaceOnUse" },
      svg("rect", { width: 6, height: 6, class: "q-fill-high_pleasant" }),
      svg("circle", { cx: 3, cy: 3, r: 1.2, class: "q-mark" })),
    svg("pattern", { id: "p-low_unpleasant", width: 6, height: 6, patternUnits: "userSpaceOnUse" },
      svg("rect", { width: 6, height: 6, class: "q-fill-low_unpleasant" }),
      svg("rect", { width: 6, height: 1.5, class: "q-mark" })),
    svg("pattern", { id: "p-low_pleasant", width: 6, height: 6, patternUnits: "userSpaceOnUse" },
      svg("rect", { width: 6, height: 6, class: "q-fill-low_pleasant" })));
}

const dayLabel = (iso, long) => {
  const d = new Date(`${iso}T12:00:00`);
  return long ? formatDate(d, { weekday: "short", day: "numeric", month: "short" }) : formatDate(d, { day: "numeric" });
};

// days: [{date, total, quadrants: {key: n}}]; quadrants: [{key, label}] bottom to top.
export function feelingsPerDayChart(days, quadrants) {
  const width = 340;
  const height = 180;
  const left = 24;
  const bottom = 22;
  const top = 8;
  const max = Math.max(1, ...days.map((d) => d.total));
  const slot = (width - left) / days.length;
  const barWidth = Math.max(3, Math.min(28, slot * 0.7));
  const scale = (height - bottom - top) / max;
  const total = days.reduce((n, d) => n + d.total, 0);
  const chart = svg("svg", {
    viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img",
    "aria-label": interpolate(ngettext("Feelings per day: %(n)s check-in from %(from)s to %(to)s", "Feelings per day: %(n)s check-ins from %(from)s to %(to)s", total),
      { n: total, from: dayLabel(days[0].date, true), to: dayLabel(days[days.length - 1].date, true) }),
  }, patterns());
  const axis = svg("g", { class: "axis" },
    svg("line", { x1: left, y1: height - bottom, x2: width, y2: height - bottom }),
    svg("text", { x: left - 4, y: top + 8, "text-anchor": "end" }, max),
    svg("text", { x: left - 4, y: height - bottom, "text-anchor": "end" }, 0));
  chart.append(axis);
  const labelEvery = days.length > 10 ? 5 : 1;
  days.forEach((day, i) => {
    const x = left + i * slot + (slot - barWidth) / 2;
    let y = height - bottom;
    const group = svg("g", { class: "bar" });
    const parts = [];
    for (const q of quadrants) {
      const n = day.quadrants[q.key] || 0;
      if (!n) continue;
      const h = n * scale;
      y -= h;
      group.append(svg("rect", { x, y, width: barWidth, height: h, fill: `url(#p-${q.key})`, class: `seg q-${q.key}` }));
      parts.push(interpolate(gettext("%(n)s %(quadrant)s"), { n, quadrant: q.label.toLowerCase() }));
    }
    group.prepend(svg("title", {}, `${dayLabel(day.date, true)}: ${day.total ? parts.join(", ") : gettext("no check-ins")}`));
    chart.append(group);
    if (i % labelEvery === 0 || i === days.length - 1) {
      chart.append(svg("text", { x: x + barWidth / 2, y: height - 6, "text-anchor": "middle", class: "tick" }, dayLabel(day.date, false)));
    }
  });
  return chart;
}

export function chartLegend(quadrants, symbols) {
  const legend = svg("svg", { viewBox: `0 0 340 ${Math.ceil(quadrants.length / 2) * 22}`, class: "legend", "aria-hidden": "true" }, patterns());
  quadrants.forEach((q, i) => {
    const x = (i % 2) * 170;
    const y = Math.floor(i / 2) * 22;
    legend.append(svg("rect", { x, y: y + 3, width: 16, height: 16, fill: `url(#p-${q.key})`, class: "seg" }),
      svg("text", { x: x + 22, y: y + 16 }, `${symbols[q.key] || ""} ${q.label}`));
  });
  return legend;
}

// strategies: [{title, used, tried, helped, helped_rate}]
export function helpedRateChart(strategies) {
  const rowHeight = 44;
  const width = 340;
  const height = Math.max(1, strategies.length) * rowHeight;
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img", "aria-label": gettext("How often each strategy helped") });
  strategies.forEach((s, i) => {
    const y = i * rowHeight;
    const rate = s.helped_rate ?? 0;
    const text = s.tried
      ? interpolate(gettext("%(strategy)s: helped %(helped)s of %(tried)s (%(share)s)"), { strategy: s.title, helped: s.helped, tried: s.tried, share: formatNumber(rate, { style: "percent" }) })
      : interpolate(gettext("%(strategy)s: used %(used)s, no follow-up yet"), { strategy: s.title, used: s.used });
    chart.append(svg("g", { class: "rate" },
      svg("title", {}, text),
      svg("text", { x: 0, y: y + 14, class: "rate-label" }, text),
      svg("rect", { x: 0, y: y + 20, width: width, height: 14, rx: 4, class: "rate-track" }),
      svg("rect", { x: 0, y: y + 20, width: Math.max(rate * width, s.tried ? 2 : 0), height: 14, rx: 4, class: "rate-bar" })));
  });
  return chart;
}
