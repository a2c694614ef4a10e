// Create a family; the Family screen: members and roles (and which children each sees),
// children (their care logs and days away), invite links, sitter passes.

import { api, getAll } from "../api.js";
import { field, fill, h, handleSubmit, toast } from "../dom.js";
import { awayPanel } from "./away.js";
import { go } from "../router.js";
import { childrenDataGo, leaveMode, listOf } from "../family-logic.js";
import { limit } from "../limits.js";
import { photoPicker } from "../media.js";
import { home, refreshUser, session, setFamily } from "../state.js";
import { logout } from "./auth.js";
import { yourDataSection } from "./your-data.js";
import { accessLine, passesSection } from "./family-care.js";
import { devicesSection } from "./family-devices.js";
import { formatDate, gettext, interpolate, language, LANGUAGES, ngettext } from "../i18n.js";

const AVATARS = ["🙂", "🦊", "🐻", "🐼", "🦁", "🐸", "🐰", "🦄", "🐯", "🐨", "🐙", "🚀"];

const ROLE_LABELS = { owner: gettext("Owner"), caregiver: gettext("Caregiver"), sitter: gettext("Sitter") };

// The family's language: what a child's device and the spoken step titles use (a child
// has no account of their own). Each language is written in itself.
function familyLanguageForm(familyId, family) {
  const select = h("select", { id: "family-language", name: "language" },
    LANGUAGES.map(([code, name]) => h("option", { value: code, lang: code, selected: (family.language || "en") === code }, name)));
  const form = h("form", { class: "row", novalidate: true },
    h("label", { for: "family-language" }, gettext("Language for the children's screens")), select,
    h("button", { type: "submit", class: "secondary" }, gettext("Save")),
    h("p", { class: "error form-error", role: "alert" }));
  return handleSubmit(form, async (data) => {
    await api.patch(`families/${familyId}/`, { language: data.language });
    toast(gettext("Saved"));
  });
}

function guessTimezone() {
  try { return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC"; } catch { return "UTC"; }
}

function zoneOptions(selected) {
  const zones = (Intl.supportedValuesOf && Intl.supportedValuesOf("timeZone")) || [selected];
  if (!zones.includes(selected)) zones.unshift(selected);
  return zones.map((z) => h("option", { value: z, selected: z === selected }, z));
}

function mountNewFamily(root) {
  const form = h("form", { class: "card stack", novalidate: true },
    field(gettext("Family name"), { name: "name", required: true, placeholder: gettext("The Riveras"), autocomplete: "off", maxlength: limit("family.name") }),
    h("label", { for: "f-timezone" }, gettext("Time zone")),
    h("select", { id: "f-timezone", name: "timezone" }, zoneOptions(guessTimezone())),
    h("p", { class: "small muted" }, gettext("Routines and reminders follow this time zone.")),
    h("p", { class: "error form-error", role: "alert" }),
    h("button", { type: "submit", class: "full" }, gettext("Create family")));
  handleSubmit(form, async (data) => {
    const family = await api.post("families/", data);
    await refreshUser();
    setFamily(family.id);
    go(`families/${family.id}/family`);
  });
  fill(root, h("h1", {}, gettext("Create your family")),
    h("p", { class: "muted" }, gettext("Add your children next, then invite the other grown-ups.")), form);
}

function childForm(familyId, child, onDone) {
  let photo = child && child.photo ? { id: child.photo, url: child.photo_url, thumbnail_url: child.photo_thumbnail_url } : null;
  const form = h("form", { class: "card stack", novalidate: true, "aria-label": child ? interpolate(gettext("Edit %(child)s"), { child: child.name }) : gettext("Add a child") },
    field(gettext("Child's name"), { name: "name", required: true, value: child ? child.name : "", autocomplete: "off", maxlength: limit("child.name") }),
    field(gettext("Birth year (optional)"), { name: "birth_year", type: "number", inputmode: "numeric", min: 1990, max: 2100, value: child && child.birth_year ? child.birth_year : "" }),
    h("fieldset", { class: "chips", role: "radiogroup", "aria-label": gettext("Avatar") },
      AVATARS.map((a, i) => h("label", { class: "chip" },
        h("input", { type: "radio", name: "avatar", value: a, checked: child ? child.avatar === a : i === 0, class: "sr-radio" }), a))),
    photoPicker({ familyId, id: `child-${child ? child.id : "new"}-photo`, label: child ? child.name : gettext("the new child"),
      current: photo, onChange: (media) => { photo = media; } }),
    h("p", { class: "error form-error", role: "alert" }),
    h("div", { class: "row" },
      h("button", { type: "submit" }, child ? gettext("Save") : gettext("Add child")),
      child ? h("button", { type: "button", class: "danger", onclick: async () => {
        if (!confirm(interpolate(gettext("Remove %(child)s? %(what)s"), { child: child.name, what: childrenDataGo([child.name]) }))) return;
        await api.del(`families/${familyId}/children/${child.id}/`);
        onDone();
      } }, gettext("Remove")) : null));
  return handleSubmit(form, async (data) => {
    const body = { name: data.name, avatar: data.avatar || "🙂", birth_year: data.birth_year ? Number(data.birth_year) : null,
      photo: photo ? photo.id : null };
    if (child) await api.patch(`families/${familyId}/children/${child.id}/`, body);
    else await api.post(`families/${familyId}/children/`, body);
    toast(child ? gettext("Saved") : interpolate(gettext("%(child)s added"), { child: body.name }));
    onDone();
  });
}

async function shareInvite(familyId, role, out) {
  const invite = await api.post(`families/${familyId}/invitations/`, { role });
  const input = h("input", { readonly: true, value: invite.url, "aria-label": gettext("Invite link"), id: "invite-url" });
  out.replaceChildren(
    h("p", {}, interpolate(gettext("Send this link to the person you're inviting. It works once and expires %(date)s."), { date: formatDate(invite.expires_at, { day: "numeric", month: "long", year: "numeric" }) })),
    input,
    h("div", { class: "row" },
      h("button", { type: "button", onclick: async () => {
        try { await navigator.clipboard.writeText(invite.url); toast(gettext("Link copied")); } catch { input.select(); toast(gettext("Select the link and copy it")); }
      } }, gettext("Copy link")),
      navigator.share ? h("button", { type: "button", class: "secondary", onclick: () =>
        navigator.share({ title: gettext("Join our family on Tandem"), url: invite.url }).catch(() => {}) }, gettext("Share…")) : null));
}

// A panel opened by `opener` (aria-expanded) in `area`; Cancel closes it.
function openPanel(area, opener, form) {
  for (const other of area.parentElement.querySelectorAll("[aria-expanded=true]")) other.setAttribute("aria-expanded", "false");
  opener.setAttribute("aria-expanded", "true");
  const close = () => { area.replaceChildren(); opener.setAttribute("aria-expanded", "false"); opener.focus(); };
  form.querySelector(".row").append(h("button", { type: "button", class: "secondary", onclick: close }, gettext("Cancel")));
  area.replaceChildren(form);
  const first = form.querySelector("input, select");
  if (first) first.focus();
}

async function afterLeaving(message) {
  await refreshUser(); // the family left is no longer among mine: another one, or none
  toast(message);
  home();
}

// Leaving never deletes a family: its only member deletes it (Delete family, owners),
// and its only owner makes someone else owner first while others stay.
function leaveAndDelete({ family, familyId, members, children, me, isOwner }) {
  const area = h("div");
  const mode = leaveMode(members, session.user.id);
  const others = members.filter((m) => m.user_id !== session.user.id);
  const childNames = children.map((c) => c.name);

  const leaveForm = () => {
    if (mode === "hand-over") {
      const form = h("form", { class: "card stack danger-zone", novalidate: true, "aria-labelledby": "handover-h" },
        h("h3", { id: "handover-h" }, gettext("Hand over and leave")),
        h("p", {}, interpolate(gettext("You are the only owner of %(family)s. Choose who becomes its owner, then you leave."), { family: family.name })),
        h("label", { for: "handover-member" }, gettext("New owner")),
        h("select", { id: "handover-member", name: "member" }, others.map((m) => h("option", { value: m.id }, m.display_name))),
        h("p", { class: "small muted" }, interpolate(gettext("You lose access to %(family)s. What you recorded stays with the family, without your name."), { family: family.name })),
        h("p", { class: "error form-error", role: "alert" }),
        h("div", { class: "row" }, h("button", { type: "submit", class: "danger" }, gettext("Make owner and leave"))));
      return handleSubmit(form, async (data) => {
        const heir = others.find((m) => String(m.id) === data.member);
        await api.patch(`families/${familyId}/members/${heir.id}/`, { role: "owner" });
        await api.del(`families/${familyId}/members/${me.id}/`);
        await afterLeaving(interpolate(gettext("You left %(family)s. %(heir)s is its owner now."), { family: family.name, heir: heir.display_name }));
      });
    }
    const form = h("form", { class: "card stack danger-zone", novalidate: true, "aria-labelledby": "leave-h" },
      h("h3", { id: "leave-h" }, interpolate(gettext("Leave %(family)s?"), { family: family.name })),
      h("p", {}, interpolate(ngettext(
        "You lose access to %(family)s: its children, routines and check-ins. What you recorded stays with the family, without your name. %(others)s keeps everything.",
        "You lose access to %(family)s: its children, routines and check-ins. What you recorded stays with the family, without your name. %(others)s keep everything.",
        others.length), { family: family.name, others: listOf(others.map((m) => m.display_name)) })),
      h("p", { class: "error form-error", role: "alert" }),
      h("div", { class: "row" }, h("button", { type: "submit", class: "danger" }, gettext("Leave for good"))));
    return handleSubmit(form, async () => {
      await api.del(`families/${familyId}/members/${me.id}/`);
      await afterLeaving(interpolate(gettext("You left %(family)s."), { family: family.name }));
    });
  };

  const deleteForm = () => {
    const nameInput = h("input", { id: "delete-family-name", name: "confirm", autocomplete: "off", "aria-describedby": "delete-family-help" });
    const submit = h("button", { type: "submit", class: "danger", disabled: true }, gettext("Delete the family for good"));
    const whoLoses = others.length
      ? interpolate(ngettext("%(others)s loses access too.", "%(others)s lose access too.", others.length), { others: listOf(others.map((m) => m.display_name)) })
      : "";
    const form = h("form", { class: "card stack danger-zone", novalidate: true, "aria-labelledby": "delete-family-h" },
      h("h3", { id: "delete-family-h" }, gettext("Delete this family?")),
      h("p", {}, interpolate(gettext("This cannot be undone. %(family)s is deleted for everyone: its children and their history."), { family: family.name }), " ",
        childrenDataGo(childNames) || gettext("Its routines, runs and check-ins go too."), whoLoses ? " " : "", whoLoses),
      h("p", { class: "small muted" }, gettext("Want a copy? Export the family's data first.")),
      h("label", { for: "delete-family-name" }, gettext("Type the family's name to confirm")),
      h("p", { id: "delete-family-help", class: "small muted name-to-type" }, family.name),
      nameInput,
      h("label", { for: "delete-family-password" }, gettext("Your password")),
      h("input", { id: "delete-family-password", name: "password", type: "password", autocomplete: "current-password", maxlength: limit("auth.password") }),
      h("p", { class: "error form-error", role: "alert" }),
      h("div", { class: "row" }, submit));
    nameInput.addEventListener("input", () => { submit.disabled = nameInput.value.trim() !== family.name.trim(); });
    return handleSubmit(form, async (data) => {
      if (nameInput.value.trim() !== family.name.trim()) return;
      await api.del(`families/${familyId}/`, { password: data.password });
      await afterLeaving(interpolate(gettext("%(family)s was deleted."), { family: family.name }));
    }, { errorMessage: (error) => (error.status ? error.message : gettext("You're offline: try again with a connection.")) });
  };

  const buttons = [];
  if (mode !== "only-member") {
    buttons.push(h("button", { type: "button", class: "danger", "aria-expanded": "false",
      onclick: (e) => openPanel(area, e.currentTarget, leaveForm()) }, gettext("Leave family…")));
  }
  if (isOwner) {
    buttons.push(h("button", { type: "button", class: "danger", "aria-expanded": "false",
      onclick: (e) => openPanel(area, e.currentTarget, deleteForm()) }, gettext("Delete family…")));
  }
  return h("div", { class: "stack leave-family" },
    mode === "only-member"
      ? h("p", { class: "small muted" }, interpolate(isOwner ? gettext("You are the only member of %(family)s, so you cannot leave it: to remove it, use Delete family.") : gettext("You are the only member of %(family)s, so you cannot leave it."), { family: family.name }))
      : null,
    buttons.length ? h("div", { class: "row" }, buttons) : null,
    area);
}

// The family PIN that gets a grown-up out of the child view (owners set and remove it).
function pinSection(familyId, family) {
  const status = h("p", { class: "small muted", id: "pin-status", role: "status" });
  const remove = h("button", { type: "button", class: "danger" }, gettext("Remove the PIN"));
  const show = (hasPin) => {
    status.textContent = hasPin
      ? gettext("A PIN is set: the child view asks for it before a grown-up leaves.")
      : gettext("No PIN yet: holding “Grown-ups” alone leaves the child view.");
    remove.hidden = !hasPin;
  };
  const form = h("form", { class: "card stack", novalidate: true, "aria-labelledby": "pin-h" },
    field(gettext("New PIN (4 to 8 digits)"), {
      name: "pin", type: "password", inputmode: "numeric", autocomplete: "off", maxlength: 8, pattern: "[0-9]*", required: true,
    }),
    h("p", { class: "error form-error", role: "alert" }),
    h("div", { class: "row" }, h("button", { type: "submit" }, gettext("Save the PIN")), remove));
  handleSubmit(form, async (data) => {
    await api.put(`families/${familyId}/pin/`, { pin: data.pin });
    form.reset();
    show(true);
    toast(gettext("PIN saved"));
  });
  remove.addEventListener("click", async () => {
    try { await api.del(`families/${familyId}/pin/`); show(false); toast(gettext("PIN removed")); }
    catch (error) { toast(error.message); }
  });
  show(Boolean(family.has_pin));
  return h("section", { "aria-labelledby": "pin-h" },
    h("h2", { id: "pin-h" }, gettext("Child view PIN")), status, form);
}

async function mountFamily(root, { family: familyParam }) {
  const familyId = Number(familyParam);
  setFamily(familyId);
  const [family, members, children, away] = await Promise.all([
    api.get(`families/${familyId}/`),
    getAll(`families/${familyId}/members/`),
    getAll(`families/${familyId}/children/`),
    getAll(`families/${familyId}/away/`).catch(() => []),
  ]);
  const isOwner = family.role === "owner";
  const me = members.find((m) => m.user_id === session.user.id);
  const reload = () => go(`families/${familyId}/family`);
  const inviteOut = h("div", { class: "stack", "aria-live": "polite" });
  const childArea = h("div");

  const memberItems = members.map((m) => h("li", {},
    h("span", {}, h("strong", {}, m.display_name), m.user_id === session.user.id ? ` ${gettext("(you)")}` : "", h("br"),
      m.role === "sitter" ? null : h("span", { class: "small muted" }, m.email),
      m.role === "owner" ? null : accessLine(familyId, m, children, isOwner)),
    isOwner && m.user_id !== session.user.id && m.role !== "sitter"
      ? h("span", { class: "row" },
        h("select", { "aria-label": interpolate(gettext("Role of %(member)s"), { member: m.display_name }), onchange: async (e) => {
          try { await api.patch(`families/${familyId}/members/${m.id}/`, { role: e.target.value }); toast(gettext("Role changed")); }
          catch (error) { toast(error.message); reload(); }
        } }, ["owner", "caregiver"].map((r) => h("option", { value: r, selected: m.role === r }, ROLE_LABELS[r]))),
        h("button", { type: "button", class: "danger", onclick: async () => {
          if (!confirm(interpolate(gettext("Remove %(member)s from %(family)s?"), { member: m.display_name, family: family.name }))) return;
          try { await api.del(`families/${familyId}/members/${m.id}/`); reload(); } catch (error) { toast(error.message); }
        } }, gettext("Remove")))
      : h("span", { class: "badge" }, ROLE_LABELS[m.role] || m.role)));

  const familyChoices = session.user.families.length > 1
    ? h("div", {}, h("label", { for: "family-switch" }, gettext("Switch family")),
      h("select", { id: "family-switch", onchange: (e) => go(`families/${e.target.value}/family`) },
        session.user.families.map((f) => h("option", { value: f.id, selected: f.id === familyId }, f.name))))
    : null;

  const renameForm = isOwner ? h("form", { class: "row", novalidate: true },
    h("input", { name: "name", value: family.name, "aria-label": gettext("Family name"), maxlength: limit("family.name") }),
    h("button", { type: "submit", class: "secondary" }, gettext("Rename")),
    h("p", { class: "error form-error", role: "alert" })) : null;
  if (renameForm) handleSubmit(renameForm, async (data) => { await api.patch(`families/${familyId}/`, data); await refreshUser(); toast(gettext("Renamed")); });
  const languageForm = isOwner ? familyLanguageForm(familyId, family) : null;

  const devices = isOwner ? devicesSection(familyId, children) : null;
  fill(root,
    h("h1", {}, family.name),
    h("p", { class: "muted small" }, interpolate(gettext("Time zone: %(zone)s"), { zone: family.timezone })),
    familyChoices, renameForm, languageForm,
    h("section", { "aria-labelledby": "children-h" },
      h("h2", { id: "children-h" }, gettext("Children")),
      children.length ? h("ul", { class: "list", id: "children-list" }, children.map((c) => h("li", {},
        h("span", { class: "row" },
          c.photo_thumbnail_url
            ? h("img", { class: "avatar avatar-photo", src: c.photo_thumbnail_url, alt: "", width: 40, height: 40 })
            : h("span", { class: "avatar", "aria-hidden": "true" }, c.avatar),
          h("span", { class: "child-name" }, c.name)),
        h("span", { class: "row child-actions" },
          h("a", { class: "button quiet", href: `#/families/${familyId}/children/${c.id}/log`, "aria-label": interpolate(gettext("Care log for %(child)s"), { child: c.name }) }, gettext("Care log")),
          h("button", { type: "button", class: "quiet", id: `away-${c.id}`, "aria-expanded": "false",
            "aria-label": interpolate(gettext("Days away for %(name)s"), { name: c.name }),
            onclick: (e) => openPanel(childArea, e.currentTarget, awayPanel(familyId, c, away)) }, gettext("Away")),
          h("button", { type: "button", class: "quiet", "aria-label": interpolate(gettext("Edit %(child)s"), { child: c.name }), onclick: () => childArea.replaceChildren(childForm(familyId, c, reload)) }, gettext("Edit"))))))
        : h("p", { class: "muted" }, gettext("No children yet — add the first one.")),
      h("button", { type: "button", class: "secondary", onclick: () => childArea.replaceChildren(childForm(familyId, null, reload)) }, gettext("Add a child")),
      childArea),
    h("section", { "aria-labelledby": "members-h" },
      h("h2", { id: "members-h" }, gettext("Grown-ups")),
      h("ul", { class: "list" }, memberItems),
      h("div", { class: "row" },
        h("button", { type: "button", onclick: () => shareInvite(familyId, "caregiver", inviteOut).catch((e) => toast(e.message)) }, gettext("Invite a caregiver")),
        isOwner ? h("button", { type: "button", class: "secondary", onclick: () => shareInvite(familyId, "owner", inviteOut).catch((e) => toast(e.message)) }, gettext("Invite an owner")) : null),
      inviteOut),
    isOwner ? passesSection(familyId, family, children) : null,
    devices,
    isOwner ? pinSection(familyId, family) : null,
    h("section", { "aria-labelledby": "you-h" },
      h("h2", { id: "you-h" }, gettext("You")),
      h("div", { class: "row" },
        h("a", { class: "button secondary", href: "#/families/new" }, gettext("Create another family")),
        h("button", { type: "button", class: "secondary", onclick: logout }, gettext("Log out"))),
      me ? leaveAndDelete({ family, familyId, members, children, me, isOwner }) : null,
      yourDataSection(familyId)),
  );
  return () => { if (devices) devices.stop(); }; // the pairing code's countdown
}

export const routes = [
  ["families/new", mountNewFamily],
  ["families/:family/family", mountFamily],
  ["", () => home()], // Today when a screen provides it, else this Family screen
];

