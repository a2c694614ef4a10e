// Days away on the Family screen: per child, "Away" opens a form (from, to, a short
// note) and the child's ranges from today on, each with Delete. Writes go through the
// outbox: a range marked offline is sent when the phone is back (a repeat of one that
// did arrive is refused as an overlap, so it is never stored twice).

import { h, handleSubmit, toast } from "../dom.js";
import { gettext, interpolate } from "../i18n.js";
import { limit } from "../limits.js";
import { send } from "../offline-queue.js";
import { rangeText, upcomingFor } from "../away-logic.js";

const lang = () => document.documentElement.lang || navigator.language;

function rangeList(familyId, child, ranges) {
  const list = h("ul", { class: "list", id: `away-list-${child.id}`, "aria-label": interpolate(gettext("Days %(name)s is away"), { name: child.name }) });
  const draw = () => {
    const mine = upcomingFor(ranges, child.id, "");
    list.replaceChildren(...(mine.length ? mine.map((range) => h("li", {},
      h("span", {}, rangeText(range, lang())),
      h("button", {
        type: "button", class: "quiet",
        "aria-label": interpolate(gettext("Delete %(days)s"), { days: rangeText(range, lang()) }),
        onclick: async () => {
          try {
            await send("DELETE", `families/${familyId}/away/${range.id}/`, undefined, `away-${range.id}`);
            ranges.splice(ranges.indexOf(range), 1);
            draw();
            toast(gettext("Days away deleted"));
          } catch (error) { toast(error.message); }
        },
      }, gettext("Delete"))))
      : [h("li", { class: "muted" }, interpolate(gettext("%(name)s has no days away planned."), { name: child.name }))]));
  };
  draw();
  return { list, draw };
}

// The form and list for `child`; `ranges` (the family's, from today on) is updated in place.
export function awayPanel(familyId, child, ranges) {
  const { list, draw } = rangeList(familyId, child, ranges);
  const id = (name) => `away-${name}-${child.id}`;
  const form = h("form", { class: "card stack", id: `away-form-${child.id}`, novalidate: true },
    h("h3", {}, interpolate(gettext("%(name)s away"), { name: child.name })),
    h("p", { class: "small muted" }, gettext("On these days the routines leave Today, reminders are not sent and streaks wait.")),
    h("div", { class: "quiet-hours" },
      h("div", {}, h("label", { for: id("from") }, gettext("From")),
        h("input", { type: "date", id: id("from"), name: "from", required: true })),
      h("div", {}, h("label", { for: id("to") }, gettext("Until (included)")),
        h("input", { type: "date", id: id("to"), name: "to", required: true }))),
    h("label", { for: id("note") }, gettext("Note (optional)")),
    h("input", { id: id("note"), name: "note", maxlength: limit("away.note"), placeholder: gettext("at Dad's, with Grandma…") }),
    h("p", { class: "error form-error", role: "alert" }),
    h("div", { class: "row" }, h("button", { type: "submit" }, gettext("Mark away"))),
    list);
  return handleSubmit(form, async (data) => {
    const body = { from: data.from, to: data.to, note: data.note || "" };
    const sent = await send("POST", `families/${familyId}/children/${child.id}/away/`, body,
      `away-new-${child.id}-${data.from}`);
    if (sent.data) ranges.push(sent.data);
    draw();
    form.reset();
    toast(sent.queued ? gettext("Saved on this phone: it is sent when you are back online.")
      : interpolate(gettext("%(name)s is marked away"), { name: child.name }));
  });
}
