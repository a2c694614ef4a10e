// A child's tablet: pair it with the 8-character code an owner's phone shows (typed, or
// opened from the QR code's link), then land on the child view: one child straight away,
// several as a picture chooser. A tablet whose device was removed comes back here.

import { api } from "../api.js";
import { deviceHome } from "../device-logic.js";
import { fill, h, handleSubmit } from "../dom.js";
import { gettext, interpolate } from "../i18n.js";
import { go } from "../router.js";
import { refreshUser, session, setFamily } from "../state.js";

// Remembered on the tablet (and kept through sign-outs) so that a removed tablet shows
// this screen again rather than a grown-up's sign-in.
const FLAG = "tandem.childDevice";

export const isChildTablet = () => localStorage.getItem(FLAG) === "1";

export function deviceOf(user) {
  return (user && user.device) || null;
}

export { deviceHome };

async function mountPair(root, { code = "" } = {}) {
  const input = h("input", {
    id: "pair-code", name: "code", required: true, value: code.toUpperCase(), maxlength: 9,
    autocomplete: "off", autocapitalize: "characters", spellcheck: "false", inputmode: "text",
    class: "pair-code", "aria-describedby": "pair-help",
  });
  const form = h("form", { class: "card stack", novalidate: true, "aria-labelledby": "pair-h" },
    h("label", { for: "pair-code" }, gettext("Pairing code")),
    input,
    h("p", { id: "pair-help", class: "small muted" },
      gettext("On a grown-up's phone: Family → Child devices → Set up a child device. The code has 8 letters and numbers.")),
    h("p", { class: "error form-error", role: "alert" }),
    h("button", { type: "submit", class: "full" }, gettext("Pair this tablet")));
  handleSubmit(form, async (data) => {
    const answer = await api.post("child-devices/pair/", { code: data.code.trim() });
    localStorage.setItem(FLAG, "1");
    setFamily(answer.family.id);
    await refreshUser();
    const device = deviceOf(session.user);
    go(device ? deviceHome(device) : `child/${answer.family.id}`);
  }, { errorMessage: (error) => (error.status ? error.message : gettext("You're offline: try again with a connection.")) });
  fill(root,
    h("div", { class: "pass-welcome" },
      h("div", { class: "refusal-emoji", "aria-hidden": "true" }, "🧸"),
      h("h1", { id: "pair-h" }, gettext("This is a child's tablet")),
      h("p", {}, gettext("Pair it once with a code from a grown-up's phone. It will show only the children chosen there.")),
      form,
      h("p", { class: "small" }, h("a", { href: "#/login", onclick: () => localStorage.removeItem(FLAG) }, gettext("A grown-up's phone? Log in")))));
  document.getElementById("tabs").hidden = true;
  if (code) form.requestSubmit();
  else input.focus();
}

// Several children on one tablet: each child taps their own picture.
async function mountChooser(root, { family }) {
  const device = deviceOf(session.user);
  if (!device || String(device.family.id) !== family) { go("pair-device"); return; }
  fill(root,
    h("h1", {}, gettext("Who are you?")),
    h("div", { class: "child-chooser" }, (device.children || []).map((child) => h("a", {
      class: "child-pick button", href: `#/child/${device.family.id}/${child.id}`,
      style: `--child-colour: ${child.colour || "#6c8ebf"}`,
      "aria-label": interpolate(gettext("I am %(name)s"), { name: child.name }),
    }, h("span", { class: "child-pick-face", "aria-hidden": "true" }, child.avatar || "🙂"), h("span", {}, child.name)))));
  document.getElementById("tabs").hidden = true;
}

export const routes = [
  ["pair-device", mountPair, { auth: false }],
  ["pair-device/:code", mountPair, { auth: false }],
  ["child/:family", mountChooser],
];
