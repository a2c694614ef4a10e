// The weekly digest (the Sunday push opens it): per child, the week's calm days, the
// routine kept and what helped, from the insights API; links to the full insights.

import { api, getAll } from "../api.js";
import { fill, h } from "../dom.js";
import { digestLine, mondayOf } from "../digest-logic.js";
import { query } from "../router.js";
import { setFamily } from "../state.js";
import { formatDate, gettext, interpolate, interpolateParts } from "../i18n.js";

function shortDate(iso, options = {}) {
  return formatDate(new Date(`${iso}T12:00:00`), { day: "numeric", month: "short", ...options });
}

function addDays(iso, days) {
  const d = new Date(`${iso}T12:00:00`);
  d.setDate(d.getDate() + days);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

const weekShift = (iso, step) => mondayOf(addDays(iso, 7 * step));

async function mountDigest(root, { family: familyParam }) {
  const familyId = Number(familyParam);
  setFamily(familyId);
  const requested = query().get("week");
  const children = await getAll(`families/${familyId}/children/`);
  // One insights call per child (a member limited to some children sees only those).
  const answers = await Promise.all(children.map((child) => {
    const search = new URLSearchParams({ child: String(child.id), period: "week" });
    if (requested) search.set("date", requested);
    return api.get(`families/${familyId}/insights/?${search}`);
  }));
  const start = answers[0] ? answers[0].start : mondayOf(requested || new Date().toISOString().slice(0, 10));
  const end = answers[0] ? answers[0].end : addDays(start, 6);
  const lines = answers.flatMap((data) => data.summary.map((s) => ({ data, s })));
  fill(root,
    h("h1", {}, gettext("Your week")),
    h("p", { class: "muted", id: "digest-range" }, `${shortDate(start)} – ${shortDate(end, { year: "numeric" })}`),
    h("div", { class: "row" },
      h("a", { class: "button secondary", id: "digest-prev", href: `#/families/${familyId}/digest?week=${weekShift(start, -1)}` }, gettext("← Week before")),
      h("a", { class: "button secondary", id: "digest-next", href: `#/families/${familyId}/digest?week=${weekShift(start, 1)}` }, gettext("Week after →"))),
    lines.length
      ? h("ul", { class: "list digest", id: "digest-lines" }, lines.map(({ s }) => h("li", { "data-child": String(s.child.id) },
        h("span", {},
          h("strong", {}, digestLine(s.child.name, s)), h("br"),
          h("a", { class: "small", href: `#/families/${familyId}/insights?child=${s.child.id}&period=week&date=${start}` }, interpolate(gettext("See %(child)s's insights"), { child: s.child.name }))))))
      : h("p", { class: "muted", id: "digest-empty" }, gettext("No children to sum up yet.")),
    h("p", { class: "small muted" },
      interpolateParts(gettext("Calm days: days with check-ins and no big unpleasant feeling. Turn the Sunday digest on or off in %(settings)s."),
        { settings: h("a", { href: `#/families/${familyId}/settings` }, gettext("Settings")) })),
  );
}

export const routes = [["families/:family/digest", mountDigest]];
