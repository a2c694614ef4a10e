// The Family screen's care-team parts (owners): which children each caregiver sees, and
// sitter passes (create for some children and a window, share as link or QR code, see
// their status and uses, revoke).

import { api, getAll } from "../api.js";
import { h, handleSubmit, toast } from "../dom.js";
import {
  accessBody, childNames, localInputToIso, passStatusLabel, passUseText, passWindowText, seesText, tonightWindow,
} from "../care-logic.js";
import { listOf } from "../family-logic.js";
import { limit } from "../limits.js";
import { gettext, interpolate } from "../i18n.js";

// --- who sees which children -------------------------------------------------------------

// "Sees: all children" under a caregiver, and for owners a Change… that opens the ticks.
export function accessLine(familyId, member, children, isOwner) {
  const line = h("span", { class: "small muted sees", id: `sees-${member.id}` }, interpolate(gettext("Sees: %(children)s"), { children: seesText(member.children || [], children) }));
  if (!isOwner || member.role !== "caregiver" || !children.length) return h("div", { class: "access" }, line);
  const area = h("div");
  const opener = h("button", { type: "button", class: "quiet", "aria-expanded": "false",
    "aria-label": interpolate(gettext("Change which children %(member)s sees"), { member: member.display_name }) }, gettext("Change"));
  opener.addEventListener("click", () => {
    if (opener.getAttribute("aria-expanded") === "true") { area.replaceChildren(); opener.setAttribute("aria-expanded", "false"); return; }
    opener.setAttribute("aria-expanded", "true");
    area.replaceChildren(accessForm(familyId, member, children, (updated) => {
      member.children = updated.children || [];
      line.textContent = interpolate(gettext("Sees: %(children)s"), { children: seesText(member.children, children) });
      area.replaceChildren();
      opener.setAttribute("aria-expanded", "false");
      opener.focus();
    }));
    area.querySelector("input").focus();
  });
  return h("div", { class: "access" }, h("span", { class: "row" }, line, opener), area);
}

function accessForm(familyId, member, children, onDone) {
  const all = !(member.children || []).length;
  const chosen = new Set((member.children || []).map((c) => (typeof c === "object" ? c.id : c)));
  const form = h("form", { class: "card stack", novalidate: true, "aria-label": interpolate(gettext("Children %(member)s sees"), { member: member.display_name }) },
    h("fieldset", {},
      h("legend", {}, interpolate(gettext("Which children does %(member)s see?"), { member: member.display_name })),
      children.map((c) => h("label", { class: "check" },
        h("input", { type: "checkbox", name: "child", value: String(c.id), checked: all || chosen.has(c.id) }), ` ${c.name}`))),
    h("p", { class: "small muted" }, gettext("They see only these children's routines, check-ins and reminders. Tick them all for every child, also those added later.")),
    h("p", { class: "error form-error", role: "alert" }),
    h("div", { class: "row" }, h("button", { type: "submit" }, gettext("Save"))));
  return handleSubmit(form, async () => {
    const ticked = [...form.querySelectorAll("input[name=child]:checked")].map((i) => Number(i.value));
    const body = accessBody(ticked, children);
    if (body === null) throw Object.assign(new Error(gettext("Choose at least one child.")), { errors: {} });
    const updated = await api.patch(`families/${familyId}/members/${member.id}/`, { children: body });
    toast(interpolate(gettext("%(member)s sees %(children)s"), { member: member.display_name, children: seesText(updated.children || body, children) }));
    onDone(updated);
  });
}

// --- sitter passes ---------------------------------------------------------------------

export function passesSection(familyId, family, children) {
  const timeZone = family.timezone;
  const list = h("div", { id: "passes", "aria-live": "polite" }, h("p", { class: "loading small" }, gettext("Loading passes…")));
  const area = h("div");
  const opener = h("button", { type: "button", class: "secondary", "aria-expanded": "false" }, gettext("New sitter pass"));

  async function refresh() {
    let passes;
    try {
      passes = await getAll(`families/${familyId}/sitter-passes/`);
    } catch (error) {
      list.replaceChildren(h("p", { class: "muted" }, interpolate(gettext("Passes could not be loaded: %(error)s"), { error: error.message })));
      return;
    }
    passes = Array.isArray(passes) ? passes : [];
    list.replaceChildren(passes.length
      ? h("ul", { class: "list passes" }, passes.map((p) => passItem(p)))
      : h("p", { class: "muted" }, gettext("No passes yet.")));
  }

  function passItem(p) {
    const now = Date.now();
    const names = childNames(p.children || [], children);
    const label = p.name || gettext("Sitter pass");
    return h("li", { class: "pass" },
      h("span", {},
        h("strong", {}, label), " ", h("span", { class: `badge pass-${p.status}` }, passStatusLabel(p.status)), h("br"),
        h("span", { class: "small" }, `${listOf(names) || gettext("No children")} · ${passWindowText(p, timeZone, now)}`), h("br"),
        h("span", { class: "small muted" }, passUseText(p, timeZone, now))),
      p.status === "upcoming" || p.status === "active"
        ? h("button", { type: "button", class: "danger", "aria-label": interpolate(gettext("Revoke %(pass)s (%(children)s)"), { pass: label, children: listOf(names) }), onclick: async () => {
          if (!confirm(gettext("Revoke this pass? Whoever has the link can no longer use it, and a sitter signed in with it is signed out."))) return;
          try { await api.del(`families/${familyId}/sitter-passes/${p.id}/`); toast(gettext("Pass revoked")); } catch (error) { toast(error.message); }
          refresh();
        } }, gettext("Revoke"))
        : null);
  }

  opener.addEventListener("click", () => {
    if (opener.getAttribute("aria-expanded") === "true") { area.replaceChildren(); opener.setAttribute("aria-expanded", "false"); return; }
    opener.setAttribute("aria-expanded", "true");
    area.replaceChildren(passForm(familyId, family, children, (issued) => {
      opener.setAttribute("aria-expanded", "false");
      area.replaceChildren(shareSheet(issued, family, children));
      area.querySelector("h3").focus();
      refresh();
    }, () => { area.replaceChildren(); opener.setAttribute("aria-expanded", "false"); opener.focus(); }));
    area.querySelector("input").focus();
  });

  refresh();
  return h("section", { "aria-labelledby": "passes-h" },
    h("h2", { id: "passes-h" }, gettext("Sitter passes")),
    h("p", { class: "small muted" }, gettext("A babysitter or a grandparent without an account: a link that works for some children, for one evening.")),
    list,
    children.length ? opener : h("p", { class: "small muted" }, gettext("Add a child first.")),
    area);
}

function passForm(familyId, family, children, onIssued, onCancel) {
  const timeZone = family.timezone;
  const tonight = tonightWindow(timeZone, Date.now());
  const form = h("form", { class: "card stack", novalidate: true, "aria-labelledby": "new-pass-h" },
    h("h3", { id: "new-pass-h" }, gettext("New sitter pass")),
    h("label", { for: "pass-name" }, gettext("Who is it for? (optional)")),
    h("input", { id: "pass-name", name: "name", autocomplete: "off", maxlength: limit("pass.name"), placeholder: gettext("Grandma") }),
    h("fieldset", { class: "stack" },
      h("legend", {}, gettext("Children")),
      children.map((c) => h("label", { class: "check" },
        h("input", { type: "checkbox", name: "child", value: String(c.id), checked: true }), ` ${c.name}`))),
    h("div", { class: "window" },
      h("div", {},
        h("label", { for: "pass-start" }, gettext("From")),
        h("input", { id: "pass-start", name: "starts_at", type: "datetime-local", value: tonight.start, required: true })),
      h("div", {},
        h("label", { for: "pass-end" }, gettext("Until")),
        h("input", { id: "pass-end", name: "ends_at", type: "datetime-local", value: tonight.end, required: true }))),
    h("p", { class: "small muted" }, interpolate(gettext("Times in %(zone)s. The link works only in this window."), { zone: timeZone })),
    h("p", { class: "error form-error", role: "alert" }),
    h("div", { class: "row" },
      h("button", { type: "submit" }, gettext("Create pass")),
      h("button", { type: "button", class: "secondary", onclick: onCancel }, gettext("Cancel"))));
  return handleSubmit(form, async (data) => {
    const ids = [...form.querySelectorAll("input[name=child]:checked")].map((i) => Number(i.value));
    const body = {
      children: ids,
      starts_at: localInputToIso(data.starts_at, timeZone),
      ends_at: localInputToIso(data.ends_at, timeZone),
    };
    if (data.name && data.name.trim()) body.name = data.name.trim();
    const issued = await api.post(`families/${familyId}/sitter-passes/`, body);
    onIssued(issued);
  }, { errorMessage: (error) => (error.status ? error.message : gettext("You're offline: try again with a connection.")) });
}

// The QR code the server drew (an SVG document) as an image: no markup of its own in the
// page, nothing for the CSP to object to.
function qrImage(svg, label) {
  const data = new TextEncoder().encode(svg);
  let binary = "";
  for (const byte of data) binary += String.fromCharCode(byte);
  return h("img", { class: "qr", src: `data:image/svg+xml;base64,${btoa(binary)}`, alt: label, width: 200, height: 200 });
}

function shareSheet(issued, family, children) {
  const names = listOf(childNames(issued.children || [], children));
  const window = passWindowText(issued, family.timezone, Date.now());
  const input = h("input", { readonly: true, value: issued.url, "aria-label": gettext("Pass link"), id: "pass-url" });
  const text = interpolate(gettext("A Tandem pass to look after %(children)s, %(window)s."), { children: names, window });
  return h("div", { class: "card stack share-sheet" },
    h("h3", { tabindex: "-1" }, gettext("Send the pass")),
    h("p", {}, text, " ", gettext("Send the link, or let them scan the code. It is shown only now.")),
    input,
    h("div", { class: "row" },
      navigator.share ? h("button", { type: "button", onclick: () =>
        navigator.share({ title: gettext("Tandem sitter pass"), text, url: issued.url }).catch(() => {}) }, gettext("Share…")) : null,
      h("button", { type: "button", class: navigator.share ? "secondary" : "", onclick: async () => {
        try { await navigator.clipboard.writeText(issued.url); toast(gettext("Link copied")); } catch { input.select(); toast(gettext("Select the link and copy it")); }
      } }, gettext("Copy link"))),
    issued.qr_svg ? qrImage(issued.qr_svg, interpolate(gettext("QR code of the pass link for %(children)s"), { children: names })) : null);
}
