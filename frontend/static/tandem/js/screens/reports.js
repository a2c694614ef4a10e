// PDF reports (progress while the worker renders, then a download), read-only links for a
// professional (the link shown once, the list with visits, revoke), and a new family made
// from a downloaded file of the family's data (upload progress, then what came back).

import { ApiError, api, download, getAll } from "../api.js";
import { fill, h, toast } from "../dom.js";
import { go } from "../router.js";
import { setFamily } from "../state.js";
import { formatDate, formatNumber, gettext, interpolate, ngettext, pgettext } from "../i18n.js";

const SECTIONS = [
  ["feelings", gettext("Feelings per day")], ["mood_meter", gettext("Mood meter")], ["hard_moments", gettext("Hard moments")],
  ["what_helps", gettext("What helps with what")], ["routines_and_feelings", gettext("Routines and feelings")],
  ["coregulation", gettext("Coregulation")],
];

const iso = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;

const SHARE_STATUS = { active: gettext("active"), expired: gettext("expired"), revoked: gettext("revoked") };

function choiceForm(children, { submit, extra = [] }) {
  const today = new Date();
  const monthAgo = new Date(today.getTime() - 30 * 86400000);
  return h("form", { class: "stack", onsubmit: async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const body = {
      children: form.getAll("child").map(Number),
      from: form.get("from"), to: form.get("to"),
      sections: form.getAll("section"),
      include_notes: form.get("include_notes") === "on",
    };
    const button = event.target.querySelector("button[type=submit]");
    button.disabled = true;
    try { await submit(body, form); } catch (error) {
      toast(error instanceof ApiError ? error.message : gettext("You're offline: this needs a connection."));
    } finally { button.disabled = false; }
  } },
  h("fieldset", {}, h("legend", {}, gettext("Children")),
    children.map((c, i) => h("label", { class: "check" }, h("input", { type: "checkbox", name: "child", value: c.id, checked: i === 0 }), ` ${c.name}`))),
  h("div", { class: "row" },
    h("label", {}, gettext("From"), " ", h("input", { type: "date", name: "from", required: true, value: iso(monthAgo) })),
    h("label", {}, pgettext("end of a date range", "To"), " ", h("input", { type: "date", name: "to", required: true, value: iso(today) }))),
  h("fieldset", {}, h("legend", {}, gettext("Sections")),
    SECTIONS.map(([key, label]) => h("label", { class: "check" }, h("input", { type: "checkbox", name: "section", value: key, checked: true }), ` ${label}`))),
  h("label", { class: "check" }, h("input", { type: "checkbox", name: "include_notes" }), " ", gettext("Include notes")),
  extra,
  h("button", { type: "submit" }, gettext("Create")));
}

async function mountReports(root, { family: familyParam }) {
  const familyId = Number(familyParam);
  setFamily(familyId);
  const children = await getAll(`families/${familyId}/children/`);
  const status = h("p", { role: "status", "aria-live": "polite" });
  let timer;
  const watch = async (id) => {
    const report = await api.get(`families/${familyId}/reports/${id}/`);
    status.replaceChildren(
      report.status === "done" ? h("button", { type: "button", onclick: async () => {
        const file = await download(report.pdf_url.replace("/api/v1/", ""));
        const link = h("a", { href: URL.createObjectURL(file.blob), download: file.filename, hidden: true });
        document.body.append(link); link.click(); link.remove();
      } }, gettext("Download the PDF"))
        : report.status === "failed" ? gettext("The report could not be made. Try again.")
          : [h("progress", { max: 100, value: report.progress, "aria-label": gettext("Report progress") }), ` ${report.progress}%`]);
    if (report.status === "pending" || report.status === "running") timer = setTimeout(() => watch(id), 1000);
  };
  fill(root,
    h("h1", {}, gettext("PDF report")),
    h("p", { class: "muted" }, gettext("For a professional: the children, dates and sections you choose, nothing else.")),
    choiceForm(children, { submit: async (body) => {
      const report = await api.post(`families/${familyId}/reports/`, body);
      clearTimeout(timer);
      watch(report.id);
    } }),
    status);
  return () => clearTimeout(timer);
}

async function mountShares(root, { family: familyParam }) {
  const familyId = Number(familyParam);
  setFamily(familyId);
  const children = await getAll(`families/${familyId}/children/`);
  const shares = await getAll(`families/${familyId}/shares/`);
  const made = h("div", { role: "status", "aria-live": "polite" });
  const inMonth = new Date(Date.now() + 30 * 86400000);
  const names = Object.fromEntries(children.map((c) => [c.id, c.name]));
  const refresh = () => go(`families/${familyId}/shares?t=${Date.now()}`);
  fill(root,
    h("h1", {}, gettext("Share with a professional")),
    h("p", { class: "muted" }, gettext("A read-only link: no account needed, no notes unless you tick them, no e-mail addresses. It stops working when it expires or when you revoke it.")),
    choiceForm(children, {
      extra: [
        h("label", {}, gettext("Label"), " ", h("input", { name: "label", maxlength: 80, placeholder: gettext("e.g. Dr. Chen") })),
        h("label", {}, gettext("Expires on"), " ", h("input", { type: "date", name: "expires", required: true, value: iso(inMonth) })),
      ],
      submit: async (body, form) => {
        const share = await api.post(`families/${familyId}/shares/`, {
          ...body, label: form.get("label") || "", expires_at: new Date(`${form.get("expires")}T23:59:00`).toISOString(),
        });
        made.replaceChildren(h("p", {}, gettext("Copy this link now; it is shown only once:")),
          h("input", { readonly: true, value: share.url, "aria-label": gettext("Share link"), class: "share-link", onfocus: (e) => e.target.select() }));
      },
    }),
    made,
    h("h2", {}, gettext("Links")),
    shares.length ? h("ul", { class: "list" }, shares.map((s) => h("li", { class: "share" },
      h("span", {}, interpolate(ngettext("%(label)s — %(children)s, %(from)s to %(to)s: %(status)s, %(n)s visit", "%(label)s — %(children)s, %(from)s to %(to)s: %(status)s, %(n)s visits", s.visits),
        { label: s.label || gettext("Link"), children: s.children.map((id) => names[id] || "?").join(", "), from: formatDate(`${s.from}T12:00:00`, { day: "numeric", month: "short", year: "numeric" }), to: formatDate(`${s.to}T12:00:00`, { day: "numeric", month: "short", year: "numeric" }), status: SHARE_STATUS[s.status] || s.status, n: s.visits })),
      h("button", { type: "button", class: "quiet", onclick: async (e) => {
        const visits = await api.get(`families/${familyId}/shares/${s.id}/visits/`);
        e.target.replaceWith(h("ul", {}, visits.length ? visits.map((v) => h("li", {}, `${formatDate(v.at, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" })} (${v.what})`)) : h("li", {}, gettext("No visits yet."))));
      } }, gettext("Visits")),
      s.status === "active" ? h("button", { type: "button", class: "secondary", onclick: async () => {
        await api.del(`families/${familyId}/shares/${s.id}/`);
        toast(gettext("Link revoked"));
        refresh();
      } }, gettext("Revoke")) : null))) : h("p", { class: "muted" }, gettext("No links yet.")));
}

function upload(file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/v1/families/import/");
    const token = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    xhr.setRequestHeader("X-CSRFToken", token ? decodeURIComponent(token[1]) : "");
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(Math.round((100 * e.loaded) / e.total)); };
    xhr.onload = () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch { body = null; }
      if (xhr.status === 201) resolve(body); else reject(new ApiError(xhr.status, body));
    };
    xhr.onerror = () => reject(new Error(gettext("You're offline: importing needs a connection.")));
    const form = new FormData();
    form.append("file", file);
    xhr.send(form);
  });
}

async function mountImport(root) {
  const status = h("div", { role: "status", "aria-live": "polite" });
  fill(root,
    h("h1", {}, gettext("New family from an export")),
    h("p", { class: "muted" }, gettext("Choose a Tandem export file. Everything in it comes back in a new family that you own; other members are listed by name.")),
    h("form", { class: "stack", onsubmit: async (event) => {
      event.preventDefault();
      const file = event.target.elements.file.files[0];
      if (!file) return;
      const bar = h("progress", { max: 100, value: 0, "aria-label": gettext("Upload progress") });
      status.replaceChildren(bar);
      try {
        const result = await upload(file, (n) => { bar.value = n; if (n === 100) status.append(" ", gettext("Importing…")); });
        status.replaceChildren(h("p", {}, interpolate(gettext("%(family)s is ready: %(counts)s."), { family: result.family.name, counts: Object.entries(result.counts).map(([k, n]) => `${formatNumber(n)} ${k}`).join(", ") })),
          result.members.length ? h("p", {}, interpolate(gettext("Other members (names only): %(names)s."), { names: result.members.map((m) => m.name).join(", ") })) : null,
          h("a", { href: `#/families/${result.family.id}/today` }, gettext("Open it")));
      } catch (error) {
        const where = error.errors ? Object.keys(error.errors)[0] : "";
        status.replaceChildren(h("p", { class: "error" }, `${error.message}${where && !error.message.includes(where) ? ` (${where})` : ""}`));
      }
    } },
    h("label", {}, gettext("Export file"), " ", h("input", { type: "file", name: "file", accept: "application/json,.json", required: true })),
    h("button", { type: "submit" }, gettext("Import"))),
    status);
}

export const routes = [
  ["families/:family/reports", mountReports],
  ["families/:family/shares", mountShares],
  ["import", mountImport],
];
