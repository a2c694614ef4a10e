// "You" on the Family screen: download the family's data, delete my account.
// Exports are fetched (not navigated to) so the service worker cannot answer with the
// app shell; the server marks them no-store, so no copy stays in the API cache.

import { api, download, getAll } from "../api.js";
import { h, handleSubmit, toast } from "../dom.js";
import { childrenDataGo, listOf } from "../family-logic.js";
import { limit } from "../limits.js";
import { clearAll } from "../offline-queue.js";
import { go } from "../router.js";
import { session } from "../state.js";
import { gettext, interpolate } from "../i18n.js";

function saveFile({ blob, filename }) {
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30000);
}

function exportButton(label, path) {
  return h("button", { type: "button", class: "secondary", onclick: async (event) => {
    const button = event.currentTarget;
    button.disabled = true;
    try {
      saveFile(await download(path));
      toast(gettext("Downloaded"));
    } catch (error) {
      toast(error.status ? error.message : gettext("You're offline: export needs a connection."));
    } finally {
      button.disabled = false;
    }
  } }, label);
}

// What deleting my account does to each of my families, in words, and whether a family
// stops it: the server refuses while I am the only owner of a family others belong to.
async function consequences() {
  const families = session.user.families || [];
  return Promise.all(families.map(async (f) => {
    if (f.role !== "owner") {
      return { item: h("li", {}, interpolate(gettext("You leave %(family)s. Check-ins and steps you recorded for the children stay with the family, without your name."), { family: f.name })) };
    }
    const [members, children] = await Promise.all([getAll(`families/${f.id}/members/`), getAll(`families/${f.id}/children/`)]);
    const others = members.filter((m) => m.user_id !== session.user.id);
    if (others.some((m) => m.role === "owner")) {
      return { item: h("li", {}, interpolate(gettext("You leave %(family)s; its other owners keep it. Check-ins and steps you recorded stay with the family, without your name."), { family: f.name })) };
    }
    if (others.length) {
      return {
        blocks: true,
        item: h("li", { class: "sole-owner" }, h("strong", {}, interpolate(gettext("You are the only owner of %(family)s."), { family: f.name })), " ",
          interpolate(gettext("Make %(names)s or someone else its owner first (Family → Grown-ups), or leave it."), { names: listOf(others.map((m) => m.display_name)) })),
      };
    }
    return {
      item: h("li", { class: "sole-owner" }, h("strong", {}, interpolate(gettext("%(family)s will be deleted"), { family: f.name })), " ",
        interpolate(gettext("— you are its only member. %(what)s"), { what: childrenDataGo(children.map((c) => c.name)) || gettext("Its routines, runs and check-ins go too.") })),
    };
  }));
}

async function openDeletePanel(area, opener) {
  const password = h("input", { id: "delete-password", name: "password", type: "password", autocomplete: "current-password",
    maxlength: limit("auth.password") });
  const submit = h("button", { type: "submit", class: "danger", disabled: true }, gettext("Delete my account for good"));
  const outcomes = await consequences();
  const blocked = outcomes.some((o) => o.blocks);
  const form = h("form", { class: "card stack danger-zone", novalidate: true, "aria-labelledby": "delete-h" },
    h("h3", { id: "delete-h" }, gettext("Delete your account?")),
    h("p", {}, gettext("This cannot be undone. Your account, your own check-ins and your devices' reminders are deleted.")),
    h("ul", { class: "consequences" }, outcomes.map((o) => o.item)),
    blocked ? h("p", { class: "error", id: "delete-blocked" }, gettext("Your account can be deleted once every family you own alone has another owner.")) : null,
    h("p", { class: "small muted" }, gettext("Want a copy? Export the family's data first.")),
    h("label", { for: "delete-password" }, gettext("Your password, to confirm")),
    password,
    h("p", { class: "error form-error", role: "alert" }),
    h("div", { class: "row" }, submit,
      h("button", { type: "button", class: "secondary", onclick: () => {
        area.replaceChildren();
        opener.setAttribute("aria-expanded", "false");
        opener.focus();
      } }, gettext("Cancel"))));
  password.addEventListener("input", () => { submit.disabled = blocked || !password.value; });
  handleSubmit(form, async (data) => {
    if (blocked || !data.password) return;
    await api.del("auth/me/", { password: data.password });
    // Nothing of the account stays on this phone: session, cached answers, queued writes.
    session.user = null;
    localStorage.clear();
    sessionStorage.clear();
    await clearAll().catch(() => {});
    if (navigator.serviceWorker && navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage("logout");
    go("login");
    toast(gettext("Your account has been deleted."));
  }, { errorMessage: (error) => (error.status ? error.message : gettext("You're offline: try again with a connection.")) });
  area.replaceChildren(form);
  password.focus();
}

export function yourDataSection(familyId) {
  const deleteArea = h("div");
  return h("div", { class: "stack your-data" },
    h("h3", {}, gettext("Your family's data")),
    h("p", { class: "small muted" }, gettext("Everything Tandem keeps about this family, to keep or to take elsewhere.")),
    h("div", { class: "row" },
      exportButton(gettext("Export family data"), `families/${familyId}/export/`),
      exportButton(gettext("Check-ins as CSV"), `families/${familyId}/export/checkins.csv`),
      h("a", { href: "#/import" }, gettext("New family from an export file"))),
    h("div", { class: "row" },
      h("button", { type: "button", class: "danger", "aria-expanded": "false", onclick: (event) => {
        const opener = event.currentTarget;
        opener.setAttribute("aria-expanded", "true");
        openDeletePanel(deleteArea, opener).catch((error) => toast(error.message));
      } }, gettext("Delete my account…"))),
    deleteArea);
}
