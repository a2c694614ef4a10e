// A child's care log for one family-local day: ticks, check-ins, who came on and off
// duty, handovers and sitter passes opened, in the order they happened. For owners and
// caregivers (a sitter has no log).

import { api } from "../api.js";
import { fill, h } from "../dom.js";
import { familyToday, inOrder, logLine } from "../care-logic.js";
import { go, query } from "../router.js";
import { session, setFamily } from "../state.js";
import { gettext, interpolate } from "../i18n.js";

async function mountCareLog(root, { family: familyParam, child: childParam }) {
  const familyId = Number(familyParam);
  const childId = Number(childParam);
  setFamily(familyId);
  const family = (session.user.families || []).find((f) => f.id === familyId) || {};
  const timeZone = family.timezone;
  const today = familyToday(timeZone, Date.now());
  const date = /^\d{4}-\d{2}-\d{2}$/.test(query().get("date") || "") ? query().get("date") : today;
  const child = await api.get(`families/${familyId}/children/${childId}/`);
  const list = h("div", { id: "care-log", "aria-live": "polite" }, h("p", { class: "loading" }, gettext("Loading…")));

  const picker = h("input", { type: "date", id: "log-date", name: "date", value: date, max: today });
  picker.addEventListener("change", () => {
    if (/^\d{4}-\d{2}-\d{2}$/.test(picker.value)) go(`families/${familyId}/children/${childId}/log?date=${picker.value}`);
  });

  fill(root,
    h("h1", {}, interpolate(gettext("%(child)s's care log"), { child: child.name })),
    h("p", { class: "muted small" }, timeZone ? interpolate(gettext("Times in %(zone)s."), { zone: timeZone }) : gettext("Times in the family's time zone.")),
    h("label", { for: "log-date" }, gettext("Day")),
    picker,
    list);

  let entries;
  try {
    entries = await api.get(`families/${familyId}/children/${childId}/log/?date=${date}`);
  } catch (error) {
    list.replaceChildren(h("p", { class: "error" }, error.status ? error.message : gettext("You're offline: the log needs a connection.")));
    return;
  }
  const rows = inOrder(Array.isArray(entries) ? entries : (entries && entries.results) || []);
  list.replaceChildren(rows.length
    ? h("ol", { class: "care-log" }, rows.map((entry) => {
      const line = logLine(entry, timeZone);
      return h("li", { class: `log-${entry.kind}` },
        h("span", { class: "log-time" }, line.time),
        h("span", { class: "log-icon", "aria-hidden": "true" }, line.icon),
        h("span", { class: "log-text" }, line.actor ? h("strong", {}, `${line.actor}: `) : null, line.text));
    }))
    : h("p", { class: "muted" }, interpolate(date === today ? gettext("Nothing recorded for %(child)s yet today.") : gettext("Nothing was recorded for %(child)s that day."), { child: child.name })));
}

export const routes = [["families/:family/children/:child/log", mountCareLog]];
