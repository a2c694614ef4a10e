// A sitter pass opened: the sitter gives a first name and this browser is signed in as
// a sitter of the pass's children until its window ends (no account, no password).
// A pass used outside its window, or revoked, is answered with a calm full screen saying
// why, in the API's words; so is a sitter's next screen once the pass has ended.

import { api } from "../api.js";
import { field, fill, h, handleSubmit } from "../dom.js";
import { lookingAfterText } from "../care-logic.js";
import { limit } from "../limits.js";
import { go } from "../router.js";
import { currentFamily, refreshUser, session, setFamily } from "../state.js";
import { formatTime, gettext, interpolate } from "../i18n.js";

const KEY = "sitter";

// What the redeem answered, kept on this phone for the sitter's Today: which children,
// until when. Cleared with the rest of localStorage on logout.
export function sitterInfo(familyId) {
  try {
    const info = JSON.parse(localStorage.getItem(KEY) || "null");
    return info && info.family === familyId ? info : null;
  } catch { return null; }
}

// The full screen a sitter sees when the pass lets nobody in (any more).
export function refusal(root, message) {
  fill(root,
    h("div", { class: "refusal" },
      h("div", { class: "refusal-emoji", "aria-hidden": "true" }, "🌙"),
      h("h1", {}, gettext("This pass cannot be used now")),
      h("p", { class: "refusal-text", role: "status" }, message),
      h("p", { class: "muted" }, gettext("Thank you for looking after the children. If you still need Tandem, ask the family for a new link."))));
  document.getElementById("tabs").hidden = true;
}

// Whether `error` is a sitter being turned away (the pass ended or was revoked): then the
// refusal screen is shown instead of the screen that was opened. True when it was. (The
// API says so with a 403 whose words are about the pass; "A sitter can't do that here."
// is another 403, about one action, and leaves the screen as it is.)
export function refusedSitter(root, error) {
  const family = currentFamily();
  if (!error || error.status !== 403 || !family || family.role !== "sitter") return false;
  if (!/\bpass\b/i.test(error.message || "")) return false;
  refusal(root, error.message);
  return true;
}

// A sitter's session ends with the pass (its cookie expires then): their next screen
// says so calmly instead of asking them to log in.
function endedPass() {
  let info = null;
  try { info = JSON.parse(localStorage.getItem(KEY) || "null"); } catch { info = null; }
  return info && info.ends_at && Date.parse(info.ends_at) <= Date.now() ? info : null;
}

export const sitterPassOver = () => Boolean(endedPass());

export function mountEnded(root) {
  const info = endedPass();
  refusal(root, interpolate(gettext("This pass ended at %(time)s."), { time: formatTime(info.ends_at) }));
  root.querySelector(".refusal").append(h("p", { class: "small" },
    h("a", { href: "#/login", onclick: () => localStorage.removeItem(KEY) }, gettext("Have a Tandem account? Log in"))));
}

async function mountPass(root, { token }) {
  const form = h("form", { class: "card stack", novalidate: true, "aria-labelledby": "pass-h" },
    field(gettext("Your first name"), { name: "name", required: true, autocomplete: "given-name", maxlength: limit("sitter.name") }),
    h("p", { class: "small muted" }, gettext("The family sees this name beside what you record tonight.")),
    h("p", { class: "error form-error", role: "alert" }),
    h("button", { type: "submit", class: "full" }, gettext("Start")));
  handleSubmit(form, async (data) => {
    let answer;
    try {
      answer = await api.post("sitter-passes/redeem/", { token, name: data.name.trim() });
    } catch (error) {
      if (error.status === 403) { refusal(root, error.message); return; }
      if (!error.status) error.message = gettext("You're offline: try again with a connection.");
      throw error;
    }
    localStorage.setItem(KEY, JSON.stringify({
      family: answer.family.id, children: answer.children, ends_at: answer.ends_at, name: data.name.trim(),
    }));
    setFamily(answer.family.id);
    await refreshUser();
    setFamily(answer.family.id);
    go(`families/${answer.family.id}/today`);
  });
  fill(root,
    h("div", { class: "pass-welcome" },
      h("div", { class: "refusal-emoji", "aria-hidden": "true" }, "🧸"),
      h("h1", { id: "pass-h" }, gettext("Looking after the children?")),
      h("p", {}, gettext("The family gave you a sitter pass. Tell them your first name and start: you'll see the children's routines and can check in with them until the pass ends.")),
      form));
}

// The sitter's own words on their Today.
export function sitterWelcome(familyId, children, timeZone) {
  const info = sitterInfo(familyId);
  const names = (children && children.length ? children : (info && info.children) || []).map((c) => c.name);
  return lookingAfterText(names, info && info.ends_at, timeZone, Date.now());
}

export const isSitter = () => {
  const family = currentFamily();
  return Boolean(session.user && family && family.role === "sitter");
};

export const routes = [["pass/:token", mountPass, { auth: false }]];
