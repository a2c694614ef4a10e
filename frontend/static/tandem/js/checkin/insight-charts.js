// The insights that answer a parent's questions, drawn as SVG with the DOM (no library):
// the mood meter, the hard-moments heatmap, what helps with what, routines and feelings,
// coregulation. Every chart is role="img" with a short label, shows its numbers in text
// (colour is never the only signal), and comes with its figures as a table in a visually
// hidden box: the text alternative, which never widens the page. The PDF and the share
// page draw the same charts on the server (reports/charts.py).

import { h } from "../dom.js";
import { formatNumber, gettext, interpolate, ngettext } from "../i18n.js";

const NS = "http://www.w3.org/2000/svg";
const W = 340;

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function chart(height, label, ...children) {
  return svg("svg", { viewBox: `0 0 ${W} ${height}`, class: "chart", role: "img", "aria-label": label }, ...children);
}

// The text alternative: a table in a visually hidden box (a table ignores .sr-only's
// 1 px width itself, so it sits in a div that has it).
export function textTable(caption, head, rows) {
  return h("div", { class: "sr-only" }, h("table", {},
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, head.map((cell) => h("th", { scope: "col" }, cell)))),
    h("tbody", {}, rows.map((row) => h("tr", {}, h("th", { scope: "row" }, row[0]), row.slice(1).map((cell) => h("td", {}, cell)))))));
}

const QUAD_SIDE = {
  high_unpleasant: [-1, -1], high_pleasant: [1, -1], low_unpleasant: [-1, 1], low_pleasant: [1, 1],
};

// meter: {total, quadrants: [{key, label, count}], points: [{key, label, emoji, quadrant, intensity, count}]}
export function moodMeterChart(meter) {
  const height = 260;
  const cx = W / 2;
  const cy = height / 2;
  const reach = Math.min(cx, cy) - 14;
  const max = Math.max(1, ...meter.points.map((p) => p.count));
  const group = svg("g", {});
  for (const q of meter.quadrants) {
    const points = meter.points.filter((p) => p.quadrant === q.key);
    const [sx, sy] = QUAD_SIDE[q.key];
    points.forEach((p, i) => {
      const angle = ((12 + (66 * (i + 0.5)) / points.length) * Math.PI) / 180;
      const distance = 22 + ((p.intensity - 1) / 4) * (reach - 22);
      const x = cx + sx * distance * Math.cos(angle) * (cx / cy);
      const y = cy + sy * distance * Math.sin(angle);
      const r = 5 + 9 * Math.sqrt(p.count / max);
      group.append(svg("g", { class: "point" },
        svg("title", {}, interpolate(gettext("%(feeling)s, intensity %(intensity)s: %(n)s"), { feeling: p.label, intensity: p.intensity, n: p.count })),
        svg("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r: r.toFixed(1), class: `q-fill-${q.key} seg` }),
        svg("text", { x: x.toFixed(1), y: (y + 4).toFixed(1), "text-anchor": "middle", "aria-hidden": "true" }, p.emoji)));
    });
  }
  const corner = (q) => {
    const [sx, sy] = QUAD_SIDE[q.key];
    return svg("text", { x: sx < 0 ? 4 : W - 4, y: sy < 0 ? 14 : height - 6, "text-anchor": sx < 0 ? "start" : "end", class: "tick" }, interpolate(gettext("%(quadrant)s: %(n)s"), { quadrant: q.label, n: q.count }));
  };
  return [
    chart(height, interpolate(ngettext("Mood meter: %(n)s check-in; %(quadrants)s", "Mood meter: %(n)s check-ins; %(quadrants)s", meter.total),
      { n: meter.total, quadrants: meter.quadrants.map((q) => interpolate(gettext("%(quadrant)s %(n)s"), { quadrant: q.label.toLowerCase(), n: q.count })).join(", ") }),
      svg("g", { class: "axis" },
        svg("line", { x1: cx, y1: 18, x2: cx, y2: height - 18 }), svg("line", { x1: 0, y1: cy, x2: W, y2: cy })),
      svg("text", { x: cx + 4, y: 28, class: "tick" }, gettext("more energy")),
      svg("text", { x: W - 4, y: cy - 4, "text-anchor": "end", class: "tick" }, gettext("pleasant")),
      svg("text", { x: 4, y: cy - 4, class: "tick" }, gettext("unpleasant")),
      meter.quadrants.map(corner), group),
    textTable(gettext("Mood meter: check-ins by feeling and intensity"), [gettext("Feeling"), gettext("Intensity"), gettext("Check-ins")],
      meter.points.map((p) => [p.label, p.intensity, p.count])),
  ];
}

// hard: {total, max, weekdays: [{key, label}], times: [{key, label}], cells: [{weekday, time, count}]}
export function hardMomentsChart(hard) {
  const left = 40;
  const top = 20;
  const rowH = 28;
  const colW = (W - left) / hard.times.length;
  const height = top + rowH * hard.weekdays.length + 4;
  const count = (weekday, time) => hard.cells.find((c) => c.weekday === weekday && c.time === time)?.count || 0;
  const cells = [];
  hard.weekdays.forEach((day, row) => {
    cells.push(svg("text", { x: 0, y: top + row * rowH + 18, class: "tick" }, day.label));
    hard.times.forEach((time, col) => {
      const n = count(day.key, time.key);
      const x = left + col * colW;
      const y = top + row * rowH;
      cells.push(svg("g", {},
        svg("title", {}, interpolate(gettext("%(day)s %(time)s: %(n)s"), { day: day.label, time: time.label, n })),
        svg("rect", { x: x + 1, y: y + 1, width: colW - 2, height: rowH - 2, rx: 4, class: n ? "heat q-fill-high_unpleasant" : "heat-empty", "fill-opacity": n ? (0.25 + 0.75 * (n / Math.max(1, hard.max))).toFixed(2) : 1 }),
        svg("text", { x: x + colW / 2, y: y + 18, "text-anchor": "middle" }, n || "·")));
    });
  });
  return [
    chart(height, interpolate(ngettext("Hard moments: %(n)s big unpleasant feeling by weekday and time of day", "Hard moments: %(n)s big unpleasant feelings by weekday and time of day", hard.total), { n: hard.total }),
      hard.times.map((time, col) => svg("text", { x: left + col * colW + colW / 2, y: 12, "text-anchor": "middle", class: "tick" }, time.label.split(" ")[0])),
      cells),
    textTable(gettext("Big unpleasant feelings by weekday and time of day"), [gettext("Day"), ...hard.times.map((t) => t.label)],
      hard.weekdays.map((day) => [day.label, ...hard.times.map((t) => count(day.key, t.key))])),
  ];
}

function shareText(helped, tried, share) {
  if (share === null || share === undefined) return interpolate(ngettext("%(n)s try: too few to tell", "%(n)s tries: too few to tell", tried), { n: tried });
  return interpolate(gettext("better %(helped)s of %(tried)s (%(share)s)"), { helped, tried, share: formatNumber(share, { style: "percent" }) });
}

// bars: [{label, text, share (0-1) or null}]
function barChart(label, bars) {
  const rowH = 44;
  return chart(Math.max(1, bars.length) * rowH, label,
    bars.map((bar, i) => {
      const y = i * rowH;
      return svg("g", { class: "rate" },
        svg("title", {}, interpolate(gettext("%(label)s: %(text)s"), bar)),
        svg("text", { x: 0, y: y + 14, class: "rate-label" }, interpolate(gettext("%(label)s: %(text)s"), bar)),
        svg("rect", { x: 0, y: y + 20, width: W, height: 14, rx: 4, class: "rate-track" }),
        bar.share === null ? null : svg("rect", { x: 0, y: y + 20, width: Math.max(bar.share * W, 2), height: 14, rx: 4, class: "rate-bar" }));
    }));
}

// helps: [{quadrant, label, strategies: [{title, tried, helped, helped_share}]}]
export function whatHelpsCharts(helps) {
  const withData = helps.filter((q) => q.strategies.length);
  return withData.map((q) => h("div", { class: "helps-quadrant" },
    h("h3", {}, q.label),
    barChart(interpolate(gettext("What helps with %(quadrant)s"), { quadrant: q.label.toLowerCase() }), q.strategies.map((s) => ({
      label: s.title, text: shareText(s.helped, s.tried, s.helped_share), share: s.helped_share,
    }))),
    textTable(interpolate(gettext("What helps with %(quadrant)s"), { quadrant: q.label.toLowerCase() }), [gettext("Strategy"), gettext("Tries"), gettext("Better"), gettext("Share")],
      q.strategies.map((s) => [s.title, s.tried, s.helped, s.helped_share === null ? gettext("too few to tell") : formatNumber(s.helped_share, { style: "percent" })]))));
}

const perDayText = (b) => {
  const feelings = interpolate(ngettext("%(n)s big feeling", "%(n)s big feelings", b.checkins), { n: b.checkins });
  const days = interpolate(ngettext("%(n)s day", "%(n)s days", b.days), { n: b.days });
  return b.per_day === null
    ? interpolate(gettext("%(feelings)s on %(days)s: too few to tell"), { feelings, days })
    : interpolate(gettext("%(feelings)s on %(days)s (%(perDay)s a day)"), { feelings, days, perDay: formatNumber(b.per_day) });
};

// rf: {routine: {name}, after_completed: {days, checkins, per_day}, after_not_completed: {...}}
export function routinesFeelingsChart(rf) {
  const name = rf.routine.name;
  const buckets = [[interpolate(gettext("After %(routine)s done"), { routine: name }), rf.after_completed],
    [interpolate(gettext("After %(routine)s not done"), { routine: name }), rf.after_not_completed]];
  const max = Math.max(0.01, ...buckets.map(([, b]) => b.per_day || 0));
  return [
    barChart(interpolate(gettext("Big unpleasant feelings a day after %(routine)s was done or not"), { routine: name }), buckets.map(([label, b]) => ({
      label, text: perDayText(b), share: b.per_day === null ? null : b.per_day / max,
    }))),
    textTable(interpolate(gettext("Big unpleasant feelings after %(routine)s"), { routine: name }), [gettext("Days after"), gettext("Days"), gettext("Big feelings"), gettext("A day")],
      buckets.map(([label, b]) => [label, b.days, b.checkins, b.per_day === null ? gettext("too few to tell") : formatNumber(b.per_day)])),
  ];
}

// co: {calm: {answered, better, same, worse, better_share}, not_calm: {...}}
export function coregulationChart(co) {
  const groups = [[gettext("Caregiver calm"), co.calm], [gettext("Caregiver not calm"), co.not_calm]];
  return [
    barChart(gettext("The child's follow-up when the caregiver checked in calm or not"), groups.map(([label, g]) => ({
      label, text: shareText(g.better, g.answered, g.better_share), share: g.better_share,
    }))),
    textTable(gettext("The child's follow-up by the caregiver's calm"), [gettext("Caregiver"), gettext("Answered"), gettext("Better"), gettext("Same"), gettext("Worse")],
      groups.map(([label, g]) => [label, g.answered, g.better, g.same, g.worse])),
  ];
}
