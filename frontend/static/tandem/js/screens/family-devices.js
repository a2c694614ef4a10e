// The Family screen's child devices (owners): set up a tablet for some children (a
// pairing code, its QR code and a countdown), list the tablets, remove one (it is signed
// out at its next request and shows the pairing screen again).

import { api } from "../api.js";
import { h, handleSubmit, toast } from "../dom.js";
import { gettext, interpolate } from "../i18n.js";
import { childNames } from "../care-logic.js";
import { countdownText } from "../device-logic.js";
import { listOf } from "../family-logic.js";
import { limit } from "../limits.js";


function when(iso) {
  return iso ? new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" }) : gettext("never");
}

function qrImage(svg, label) {
  const data = new TextEncoder().encode(svg);
  let binary = "";
  for (const byte of data) binary += String.fromCharCode(byte);
  return h("img", { class: "qr", src: `data:image/svg+xml;base64,${btoa(binary)}`, alt: label, width: 200, height: 200 });
}

export function devicesSection(familyId, children) {
  const list = h("div", { id: "child-devices", "aria-live": "polite" }, h("p", { class: "loading small" }, gettext("Loading tablets…")));
  const area = h("div");
  const opener = h("button", { type: "button", class: "secondary", "aria-expanded": "false" }, gettext("Set up a child device"));
  let timer = null;

  async function refresh() {
    let devices;
    try {
      devices = await api.get(`families/${familyId}/child-devices/`);
    } catch (error) {
      list.replaceChildren(h("p", { class: "muted" }, interpolate(gettext("Tablets could not be loaded: %(why)s"), { why: error.message })));
      return;
    }
    const paired = (devices || []).filter((d) => d.status === "paired");
    list.replaceChildren(paired.length
      ? h("ul", { class: "list devices" }, paired.map(deviceItem))
      : h("p", { class: "muted" }, gettext("No child devices yet.")));
  }

  function deviceItem(device) {
    const names = listOf(childNames(device.children || [], children));
    return h("li", { class: "device" },
      h("span", {},
        h("strong", {}, device.name), h("br"),
        h("span", { class: "small" }, names), h("br"),
        h("span", { class: "small muted" }, interpolate(gettext("Paired %(paired)s · last seen %(seen)s"),
          { paired: when(device.paired_at), seen: when(device.last_seen_at) }))),
      h("button", { type: "button", class: "danger", "aria-label": interpolate(gettext("Remove %(name)s"), { name: device.name }), onclick: async () => {
        if (!confirm(gettext("Remove this tablet? It is signed out at once and needs a new code to be used again."))) return;
        try { await api.del(`families/${familyId}/child-devices/${device.id}/`); toast(gettext("Tablet removed")); } catch (error) { toast(error.message); }
        refresh();
      } }, gettext("Remove")));
  }

  function codeSheet(issued) {
    const names = listOf(childNames(issued.children || [], children));
    const clock = h("span", { class: "countdown", id: "pair-countdown" }, countdownText(issued.expires_at, Date.now()));
    const done = h("button", { type: "button", class: "secondary", onclick: () => { clearInterval(timer); area.replaceChildren(); refresh(); opener.focus(); } }, gettext("Done"));
    clearInterval(timer);
    timer = setInterval(() => {
      clock.textContent = countdownText(issued.expires_at, Date.now());
      if (Date.parse(issued.expires_at) <= Date.now()) { clearInterval(timer); clock.textContent = gettext("expired"); }
    }, 1000);
    return h("div", { class: "card stack share-sheet" },
      h("h3", { tabindex: "-1" }, gettext("Pair the tablet")),
      h("p", {}, interpolate(gettext("On the tablet, open Tandem and tap “This is a child's tablet”, then enter this code, or scan the QR code. It shows only %(names)s."), { names })),
      h("p", { class: "small", id: "pairing-code-label" }, gettext("Pairing code:")),
      h("div", { class: "pairing-code", id: "pairing-code" }, issued.pairing_code),
      h("p", { class: "small" }, gettext("Valid for "), clock, gettext(", once.")),
      issued.qr_svg ? qrImage(issued.qr_svg, interpolate(gettext("QR code to pair a tablet for %(names)s"), { names })) : null,
      h("div", { class: "row" }, done));
  }

  function deviceForm() {
    const form = h("form", { class: "card stack", novalidate: true, "aria-labelledby": "new-device-h" },
      h("h3", { id: "new-device-h" }, gettext("Set up a child device")),
      h("label", { for: "device-name" }, gettext("Tablet name")),
      h("input", { id: "device-name", name: "name", required: true, autocomplete: "off", maxlength: limit("device.name"), placeholder: gettext("Sam's tablet") }),
      h("fieldset", { class: "stack" },
        h("legend", {}, gettext("Children on this tablet")),
        children.map((c) => h("label", { class: "check" },
          h("input", { type: "checkbox", name: "child", value: String(c.id), checked: children.length === 1 }), ` ${c.name}`))),
      h("p", { class: "error form-error", role: "alert" }),
      h("div", { class: "row" },
        h("button", { type: "submit" }, gettext("Show the code")),
        h("button", { type: "button", class: "secondary", onclick: () => { area.replaceChildren(); opener.setAttribute("aria-expanded", "false"); opener.focus(); } }, gettext("Cancel"))));
    return handleSubmit(form, async (data) => {
      const ids = [...form.querySelectorAll("input[name=child]:checked")].map((i) => Number(i.value));
      const issued = await api.post(`families/${familyId}/child-devices/`, { name: (data.name || "").trim(), children: ids });
      opener.setAttribute("aria-expanded", "false");
      area.replaceChildren(codeSheet(issued));
      area.querySelector("h3").focus();
    }, { errorMessage: (error) => (error.status ? error.message : gettext("You're offline: try again with a connection.")) });
  }

  opener.addEventListener("click", () => {
    if (opener.getAttribute("aria-expanded") === "true") { area.replaceChildren(); opener.setAttribute("aria-expanded", "false"); return; }
    opener.setAttribute("aria-expanded", "true");
    area.replaceChildren(deviceForm());
    area.querySelector("input").focus();
  });

  refresh();
  const section = h("section", { "aria-labelledby": "devices-h" },
    h("h2", { id: "devices-h" }, gettext("Child devices")),
    h("p", { class: "small muted" }, gettext("A tablet for the children, without your account: it shows only their board and their own check-in.")),
    list,
    children.length ? opener : h("p", { class: "small muted" }, gettext("Add a child first.")),
    area);
  section.stop = () => clearInterval(timer);
  return section;
}
