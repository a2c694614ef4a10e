// Hand over: which children (by default the ones I am on duty for), a note, and to whom
// (a member, or nobody in particular; a sitter's handover goes to the owners). The server
// adds the automatic summary (routines and steps done, check-ins, an open follow-up),
// shown here once it is made, and pushes it to the next adult.

import { api, getAll } from "../api.js";
import { fill, h, handleSubmit, toast } from "../dom.js";
import { defaultHandoverChildren, handoverTitle, memberIdByName, summaryLines } from "../care-logic.js";
import { limit } from "../limits.js";
import { session, setFamily } from "../state.js";
import { refusedSitter } from "./pass.js";
import { gettext, pgettext } from "../i18n.js";

export const tab = "handover";

// Everything a care screen needs to know about me in this family: my role, my member id
// (from the members list; a sitter may not read it), the family's zone.
export async function careContext(familyId) {
  const family = (session.user.families || []).find((f) => f.id === familyId) || {};
  // A sitter may not read the members list (sitters are not listed among them either).
  const members = family.role === "sitter" ? [] : await getAll(`families/${familyId}/members/`).catch(() => []);
  const list = Array.isArray(members) ? members : [];
  const me = list.find((m) => m.user_id === session.user.id) || null;
  return { role: family.role, timeZone: family.timezone, members: list, me, myMemberId: me ? me.id : null };
}

const SHORT_NOTE = 240;

// A long note reads in full on a tap.
function noteView(note) {
  if (!note) return null;
  if (note.length <= SHORT_NOTE) return h("p", { class: "handover-note" }, note);
  const text = h("p", { class: "handover-note" }, `${note.slice(0, SHORT_NOTE).trimEnd()}…`);
  const more = h("button", { type: "button", class: "quiet", "aria-expanded": "false" }, gettext("Read all"));
  more.addEventListener("click", () => {
    const open = more.getAttribute("aria-expanded") !== "true";
    text.textContent = open ? note : `${note.slice(0, SHORT_NOTE).trimEnd()}…`;
    more.setAttribute("aria-expanded", String(open));
    more.textContent = open ? gettext("Show less") : gettext("Read all");
  });
  return [text, more];
}

export function summaryView(handover, myMemberId) {
  const lines = summaryLines(handover.summary);
  return h("article", { class: "card handover-card", "aria-labelledby": `handover-${handover.id}-h` },
    h("h2", { id: `handover-${handover.id}-h`, class: "handover-title" }, handoverTitle(handover, myMemberId)),
    noteView(handover.note),
    lines.map((child) => h("div", { class: "handover-child" },
      h("h3", {}, child.name),
      h("ul", { class: "summary-lines" }, child.lines.map((line) => h("li", {}, line))))));
}

async function mountHandover(root, { family: familyParam }) {
  const familyId = Number(familyParam);
  setFamily(familyId);
  let ctx;
  let children;
  let duty;
  try {
    [ctx, children, duty] = await Promise.all([
      careContext(familyId),
      getAll(`families/${familyId}/children/`),
      api.get(`families/${familyId}/duty/`).catch(() => []),
    ]);
  } catch (error) {
    if (refusedSitter(root, error)) return;
    throw error;
  }
  const sitter = ctx.role === "sitter";
  if (sitter && ctx.myMemberId === null) ctx.myMemberId = memberIdByName(Array.isArray(duty) ? duty : [], session.user.display_name);
  const chosen = defaultHandoverChildren(Array.isArray(duty) ? duty : [], ctx.myMemberId, children);
  const others = ctx.members.filter((m) => m.id !== ctx.myMemberId && m.role !== "sitter");
  const result = h("div", { id: "handover-result", "aria-live": "polite" });

  const form = h("form", { class: "card stack", novalidate: true, "aria-labelledby": "handover-form-h" },
    h("h2", { id: "handover-form-h", class: "sr-only" }, gettext("Your handover")),
    h("fieldset", { class: "stack" },
      h("legend", {}, gettext("Children")),
      children.map((c) => h("label", { class: "check" },
        h("input", { type: "checkbox", name: "child", value: String(c.id), checked: chosen.includes(c.id) }),
        h("span", { "aria-hidden": "true" }, c.avatar || ""), ` ${c.name}`))),
    h("label", { for: "handover-note" }, gettext("Note (optional)")),
    h("textarea", { id: "handover-note", name: "note", rows: 4, maxlength: limit("handover.note"),
      placeholder: gettext("How did it go? Anything the next grown-up should know?") }),
    sitter
      ? h("p", { class: "small muted" }, gettext("It goes to the family's owners, with what the app recorded tonight."))
      : [h("label", { for: "handover-to" }, pgettext("the person handed over to", "To")),
        h("select", { id: "handover-to", name: "to" },
          h("option", { value: "" }, gettext("Everyone in the family")),
          others.map((m) => h("option", { value: String(m.id) }, m.display_name))),
        h("p", { class: "small muted" }, gettext("The summary of what was recorded is added for you."))],
    h("p", { class: "error form-error", role: "alert" }),
    h("div", { class: "row" }, h("button", { type: "submit" }, gettext("Hand over"))));
  handleSubmit(form, async (data) => {
    const ids = [...form.querySelectorAll("input[name=child]:checked")].map((i) => Number(i.value));
    if (!ids.length) throw Object.assign(new Error(gettext("Choose the children you hand over.")), { errors: {} });
    const body = { children: ids };
    if (data.note && data.note.trim()) body.note = data.note.trim();
    if (!sitter && data.to) body.to = Number(data.to);
    let handover;
    try {
      handover = await api.post(`families/${familyId}/handovers/`, body);
    } catch (error) {
      if (refusedSitter(root, error)) return;
      if (!error.status) error.message = gettext("You're offline: hand over again with a connection.");
      throw error;
    }
    toast(gettext("Handed over"));
    form.remove();
    result.replaceChildren(
      h("p", { class: "done-note" }, gettext("Handed over. This is what they get:")),
      summaryView(handover, ctx.myMemberId),
      h("a", { class: "button secondary", href: `#/families/${familyId}/today` }, gettext("Back to Today")));
    result.querySelector("h2").setAttribute("tabindex", "-1");
    result.querySelector("h2").focus();
  });

  fill(root,
    h("h1", {}, gettext("Hand over")),
    h("p", { class: "muted" }, gettext("Tell the next grown-up how it went. Tandem adds what was done and how the children felt.")),
    children.length ? form : h("p", {}, gettext("There are no children to hand over.")),
    result);
}

export const routes = [["families/:family/handover", mountHandover]];
