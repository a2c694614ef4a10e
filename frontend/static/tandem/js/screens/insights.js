// Insights: per child and week/month, feelings per family-local day by quadrant, the
// most frequent feelings, strategies by how often they helped, and routine completion.

import { api, getAll } from "../api.js";
import { fill, h } from "../dom.js";
import { go, query } from "../router.js";
import { setFamily } from "../state.js";
import { chartLegend, feelingsPerDayChart, helpedRateChart } from "../checkin/charts.js";
import { QUADRANT_SYMBOLS } from "../checkin/feelings.js";
import { coregulationChart, hardMomentsChart, moodMeterChart, routinesFeelingsChart, whatHelpsCharts } from "../checkin/insight-charts.js";
import { formatDate, formatNumber, gettext, interpolate, pgettext } from "../i18n.js";

export const tab = "insights";

function shift(iso, period, step) {
  const d = new Date(`${iso}T12:00:00`);
  if (period === "month") d.setMonth(d.getMonth() + step, 1);
  else d.setDate(d.getDate() + 7 * step);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

// The chart's numbers for screen readers. The table sits in a visually hidden box: a
// table itself ignores the 1 px width and clipping of .sr-only and would widen the page.
function dataTable(data) {
  return h("div", { class: "sr-only" }, h("table", {},
    h("caption", {}, gettext("Check-ins per day")),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, gettext("Day")), data.quadrants.map((q) => h("th", { scope: "col" }, q.label)))),
    h("tbody", {}, data.days.map((d) => h("tr", {}, h("th", { scope: "row" }, d.date),
      data.quadrants.map((q) => h("td", {}, d.quadrants[q.key])))))));
}

async function mountInsights(root, { family: familyParam }) {
  const familyId = Number(familyParam);
  setFamily(familyId);
  const params = query();
  const children = await getAll(`families/${familyId}/children/`);
  const childId = params.get("child") || (children[0] ? String(children[0].id) : "");
  const custom = Boolean(params.get("from") && params.get("to"));
  const period = custom ? "custom" : params.get("period") === "month" ? "month" : "week";
  const search = new URLSearchParams(custom ? { from: params.get("from"), to: params.get("to") } : { period });
  if (childId) search.set("child", childId);
  if (!custom && params.get("date")) search.set("date", params.get("date"));
  if (params.get("routine")) search.set("routine", params.get("routine"));
  const data = await api.get(`families/${familyId}/insights/?${search}`);

  const open = (changes) => {
    const base = custom ? { from: data.start, to: data.end } : { period, date: data.start };
    if (changes.period || changes.date) { delete base.from; delete base.to; }
    const next = new URLSearchParams({ ...base, ...(childId ? { child: childId } : {}), ...(params.get("routine") ? { routine: params.get("routine") } : {}), ...changes });
    if (!next.get("period") && !next.get("from")) next.set("period", "week");
    go(`families/${familyId}/insights?${next}`);
  };
  const rf = data.routines_and_feelings;
  const name = data.child ? data.child.name : gettext("All children");
  const range = `${formatDate(new Date(`${data.start}T12:00:00`), { day: "numeric", month: "short" })} – ${formatDate(new Date(`${data.end}T12:00:00`), { day: "numeric", month: "short", year: "numeric" })}`;
  const routinesDone = data.routines.filter((r) => r.runs);

  fill(root, ...[
    h("h1", {}, interpolate(gettext("Insights: %(name)s"), { name })),
    h("div", { class: "row insights-controls" },
      h("label", { for: "insights-child", class: "sr-only" }, gettext("Child")),
      h("select", { id: "insights-child", onchange: (e) => open({ child: e.target.value }) },
        children.map((c) => h("option", { value: c.id, selected: String(c.id) === childId }, c.name)),
        h("option", { value: "", selected: !childId }, gettext("All children"))),
      h("div", { class: "row", role: "group", "aria-label": gettext("Period") },
        ["week", "month"].map((p) => h("button", { type: "button", class: "chip", "aria-pressed": p === period ? "true" : "false", onclick: () => open({ period: p, date: data.start }) }, p === "week" ? gettext("Week") : gettext("Month"))))),
    custom ? h("p", { class: "range" }, range) : h("div", { class: "row insights-range" },
      h("button", { type: "button", class: "quiet", "aria-label": period === "week" ? gettext("Previous week") : gettext("Previous month"), onclick: () => open({ date: shift(data.start, period, -1) }) }, "‹"),
      h("p", { class: "range" }, range),
      h("button", { type: "button", class: "quiet", "aria-label": period === "week" ? gettext("Next week") : gettext("Next month"), onclick: () => open({ date: shift(data.start, period, 1) }) }, "›")),
    h("details", { class: "custom-range", open: custom },
      h("summary", {}, gettext("Choose dates")),
      h("form", { class: "row", onsubmit: (e) => { e.preventDefault(); const f = new FormData(e.target); open({ from: f.get("from"), to: f.get("to") }); } },
        h("label", {}, gettext("From"), " ", h("input", { type: "date", name: "from", required: true, value: data.start })),
        h("label", {}, pgettext("end of a date range", "To"), " ", h("input", { type: "date", name: "to", required: true, value: data.end })),
        h("button", { type: "submit" }, gettext("Show")))),
    h("p", { class: "row" },
      h("a", { href: `#/families/${familyId}/reports` }, gettext("PDF report")), " · ",
      h("a", { href: `#/families/${familyId}/shares` }, gettext("Share with a professional"))),
    h("section", { class: "card", "aria-labelledby": "per-day-h" },
      h("h2", { id: "per-day-h" }, interpolate(gettext("Feelings per day (%(n)s)"), { n: formatNumber(data.total) })),
      data.total ? [feelingsPerDayChart(data.days, data.quadrants), chartLegend(data.quadrants, QUADRANT_SYMBOLS), dataTable(data)]
        : h("p", { class: "muted" }, gettext("No check-ins in this period yet."))),
    data.feelings.length ? h("section", { class: "card", "aria-labelledby": "top-h" },
      h("h2", { id: "top-h" }, gettext("Most frequent feelings")),
      h("ol", { class: "top-feelings" }, data.feelings.map((f) => h("li", {},
        h("span", { class: "feel-emoji", "aria-hidden": "true" }, f.emoji), " ", interpolate(gettext("%(feeling)s: %(n)s"), { feeling: f.label, n: f.count }))))) : null,
    h("section", { class: "card", "aria-labelledby": "meter-h" },
      h("h2", { id: "meter-h" }, gettext("Mood meter")),
      data.mood_meter.total ? moodMeterChart(data.mood_meter) : h("p", { class: "muted" }, gettext("No check-ins in this period yet."))),
    h("section", { class: "card", "aria-labelledby": "hard-h" },
      h("h2", { id: "hard-h" }, interpolate(gettext("Hard moments (%(n)s)"), { n: formatNumber(data.hard_moments.total) })),
      h("p", { class: "muted" }, gettext("Big unpleasant feelings by weekday and time of day, on the family's clock.")),
      data.hard_moments.total ? hardMomentsChart(data.hard_moments) : h("p", { class: "muted" }, gettext("None in this period."))),
    h("section", { class: "card", "aria-labelledby": "helps-h" },
      h("h2", { id: "helps-h" }, gettext("What helps with what")),
      h("p", { class: "muted" }, interpolate(gettext("Shares of “better” follow-ups; under %(n)s tries it is too few to tell."), { n: data.min_tries })),
      data.what_helps.some((q) => q.strategies.length) ? whatHelpsCharts(data.what_helps) : h("p", { class: "muted" }, gettext("Try a strategy during a check-in, then answer the follow-up."))),
    h("section", { class: "card", "aria-labelledby": "rf-h" },
      h("h2", { id: "rf-h" }, gettext("Routines and feelings")),
      rf.routines.length > 1 ? h("div", {},
        h("label", { for: "rf-routine" }, gettext("Routine")),
        h("select", { id: "rf-routine", onchange: (e) => open({ routine: e.target.value }) },
          rf.routines.map((r) => h("option", { value: r.id, selected: rf.routine && r.id === rf.routine.id }, r.name)))) : null,
      rf.routine ? routinesFeelingsChart(rf) : h("p", { class: "muted" }, gettext("No routine for this child yet."))),
    h("section", { class: "card", "aria-labelledby": "co-h" },
      h("h2", { id: "co-h" }, gettext("Coregulation")),
      h("p", { class: "muted" }, gettext("In check-ins together: how the child's follow-up went when you checked in calm, or not.")),
      data.coregulation.calm.checkins + data.coregulation.not_calm.checkins ? coregulationChart(data.coregulation) : h("p", { class: "muted" }, gettext("No check-ins together in this period."))),
    h("section", { class: "card", "aria-labelledby": "helped-h" },
      h("h2", { id: "helped-h" }, gettext("What helped")),
      data.strategies.length ? helpedRateChart(data.strategies) : h("p", { class: "muted" }, gettext("Try a strategy during a check-in, then answer the follow-up."))),
    routinesDone.length ? h("section", { class: "card", "aria-labelledby": "routines-h" },
      h("h2", { id: "routines-h" }, gettext("Routines completed")),
      h("ul", { class: "list" }, routinesDone.map((r) => h("li", {},
        h("span", {}, formatDate(new Date(`${r.date}T12:00:00`), { weekday: "short", day: "numeric" })),
        h("span", {}, `${r.completed === r.runs ? "✓ " : ""}${interpolate(gettext("%(done)s of %(runs)s"), { done: r.completed, runs: r.runs })}`))))) : null,
  ].filter(Boolean));
}

export const routes = [["families/:family/insights", mountInsights]];
