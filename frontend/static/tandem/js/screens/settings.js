// Settings: notifications on this device, reminders in this family (on/off, quiet
// hours, per-routine, the weekly digest), a test notification, recent deliveries,
// calendar links; a pointer to Family → You.

import { api, getAll } from "../api.js";
import { fill, h, handleSubmit, toast } from "../dom.js";
import { disable, enable, needsHomeScreen, permission, pushSupported, resync } from "../push.js";
import { session, setFamily } from "../state.js";
import { formatDate, gettext, interpolate, interpolateParts, language, LANGUAGES, switchLanguage } from "../i18n.js";
import { calendarSection } from "./calendar-feeds.js";

export const tab = "settings";

const STATES = {
  pending: gettext("Waiting"),
  sending: gettext("Sending"),
  sent: gettext("Sent"),
  failed: gettext("Failed"),
  skipped: gettext("Skipped"),
  missed: gettext("Missed"),
};

function when(iso) {
  return formatDate(iso, { weekday: "short", hour: "2-digit", minute: "2-digit" });
}

// The member's language, for every screen, push and e-mail; each written in itself. The
// change applies at once: the page starts again in the new language.
function languageSection() {
  const select = h("select", { id: "language", name: "language" },
    LANGUAGES.map(([code, name]) => h("option", { value: code, lang: code, selected: code === language }, name)));
  const form = h("form", { class: "card stack", novalidate: true, id: "language-form" },
    h("label", { for: "language" }, gettext("Language")), select,
    h("p", { class: "error form-error", role: "alert" }),
    h("button", { type: "submit" }, gettext("Use this language")));
  return handleSubmit(form, async (data) => {
    const me = await api.patch("auth/me/", { language: data.language });
    session.user = me;
    localStorage.setItem("me", JSON.stringify(me));
    switchLanguage(me.language);
  });
}

function deviceSection(familyId, rerender) {
  const box = h("div", { class: "stack", id: "device-push" });
  const status = h("p", { id: "push-status", role: "status" });
  box.append(status);

  if (needsHomeScreen()) {
    box.append(h("p", { class: "hint", id: "ios-hint" },
      gettext("On iPhone and iPad, notifications only work once Tandem is on your Home Screen: tap the Share button, choose “Add to Home Screen”, then open Tandem from there.")));
  }
  if (!pushSupported()) {
    status.textContent = needsHomeScreen()
      ? gettext("Notifications are not available here yet.")
      : gettext("This browser cannot show notifications from Tandem.");
    return box;
  }
  const state = permission();
  if (state === "denied") {
    status.textContent = gettext("Notifications are blocked for Tandem on this device.");
    box.append(h("p", { class: "hint", id: "push-denied" },
      gettext("You (or the browser) said no earlier, so Tandem cannot ask again. To get reminders, allow notifications for this site in the browser's site settings (the icon beside the address, or Settings → Notifications), then come back here.")));
    return box;
  }

  const turnOn = h("button", { type: "button", id: "push-on" }, gettext("Turn on notifications"));
  turnOn.addEventListener("click", async () => {
    turnOn.disabled = true;
    try {
      const result = await enable();
      if (result === "denied") toast(gettext("Notifications were blocked."));
      else if (result === "dismissed") toast(gettext("No notifications for now. You can turn them on any time."));
      else toast(gettext("Notifications are on for this device"));
      rerender();
    } catch (error) {
      toast(error.message || gettext("Could not turn notifications on."));
      turnOn.disabled = false;
    }
  });
  const test = h("button", { type: "button", class: "secondary", id: "push-test" }, gettext("Send a test notification"));
  test.addEventListener("click", async () => {
    test.disabled = true;
    try {
      const { devices } = await api.post("push/test/", { family: familyId });
      toast(devices > 1 ? interpolate(gettext("Test sent to your %(n)s devices"), { n: devices }) : gettext("Test sent"));
    } catch (error) {
      toast(error.message);
    } finally {
      test.disabled = false;
    }
  });
  const turnOff = h("button", { type: "button", class: "quiet", id: "push-off" }, gettext("Turn off on this device"));
  turnOff.addEventListener("click", async () => {
    try { await disable(); toast(gettext("Notifications are off for this device")); } catch (error) { toast(error.message); }
    rerender();
  });

  status.textContent = gettext("Checking…");
  resync().then((subscription) => {
    if (subscription) {
      status.textContent = gettext("Notifications are on for this device.");
      box.append(h("div", { class: "row" }, test, turnOff));
    } else {
      status.textContent = gettext("Get a reminder before routines start, and a gentle “how are they now?” after a check-in. Tandem will ask your permission when you tap the button.");
      box.append(turnOn);
    }
  }).catch((error) => { status.textContent = error.message; });
  return box;
}

function settingsForm(familyId, settings, routines) {
  const form = h("form", { class: "card stack", novalidate: true, id: "reminder-settings" },
    h("label", { class: "switch" },
      h("input", { type: "checkbox", name: "enabled", checked: settings.enabled }),
      " ", gettext("Send me this family's reminders")),
    h("fieldset", {},
      h("legend", {}, gettext("Quiet hours")),
      h("p", { class: "small muted" }, interpolate(gettext("No notifications between these times (%(zone)s). Leave both empty for none."), { zone: settings.timezone })),
      h("div", { class: "quiet-hours" },
        h("div", {},
          h("label", { for: "quiet_start" }, gettext("From")),
          h("input", { type: "time", id: "quiet_start", name: "quiet_start", value: settings.quiet_start || "" })),
        h("div", {},
          h("label", { for: "quiet_end" }, gettext("Until")),
          h("input", { type: "time", id: "quiet_end", name: "quiet_end", value: settings.quiet_end || "" })))),
    routines.length && Array.isArray(settings.opted_out_routines)
      ? h("fieldset", { id: "routine-toggles" },
        h("legend", {}, gettext("Remind me about")),
        routines.map((r) => h("label", { class: "switch" },
          h("input", { type: "checkbox", name: "routine", value: String(r.id), checked: !settings.opted_out_routines.includes(r.id) }),
          ` ${r.icon || ""} ${r.name}`)))
      : null,
    h("p", { class: "error form-error", role: "alert" }),
    h("button", { type: "submit" }, gettext("Save reminder settings")));
  return handleSubmit(form, async () => {
    const body = {
      enabled: form.elements.enabled.checked,
      quiet_start: form.elements.quiet_start.value || null,
      quiet_end: form.elements.quiet_end.value || null,
    };
    const toggles = [...form.querySelectorAll("input[name=routine]")];
    if (toggles.length) body.opted_out_routines = toggles.filter((t) => !t.checked).map((t) => Number(t.value));
    await api.patch(`families/${familyId}/reminder-settings/me/`, body);
    toast(gettext("Reminder settings saved"));
  });
}

function digestToggle(familyId, settings) {
  const box = h("input", { type: "checkbox", name: "weekly_digest", id: "weekly-digest", checked: Boolean(settings.weekly_digest) });
  box.addEventListener("change", async () => {
    box.disabled = true;
    try {
      const saved = await api.patch(`families/${familyId}/reminder-settings/me/`, { weekly_digest: box.checked });
      box.checked = Boolean(saved.weekly_digest);
      toast(saved.weekly_digest ? gettext("Weekly digest on: see you Sunday evening") : gettext("Weekly digest off"));
    } catch (error) {
      box.checked = !box.checked;
      toast(error.message);
    } finally {
      box.disabled = false;
    }
  });
  return h("div", { class: "card stack", id: "digest-settings" },
    h("label", { class: "switch" }, box, " ", gettext("Weekly digest on Sunday evening")),
    h("p", { class: "small muted" },
      gettext("A notification each Sunday evening with each child's week: calm days, routines kept, what helped."), " ",
      h("a", { href: `#/families/${familyId}/digest` }, gettext("See this week's digest"))));
}

function deliveryList(deliveries) {
  if (!deliveries.length) return h("p", { class: "muted", id: "deliveries-empty" }, gettext("No reminders sent yet."));
  return h("ul", { class: "list deliveries", id: "deliveries" }, deliveries.map((d) => h("li", {},
    h("span", {},
      h("strong", {}, d.title || gettext("Reminder")), h("br"),
      h("span", { class: "small muted" }, `${d.recipient} · ${d.device || gettext("removed device")} · ${when(d.fire_at)}`),
      d.error ? h("span", { class: "small muted" }, h("br"), d.error) : null),
    h("span", { class: `badge state-${d.state}` }, STATES[d.state] || d.state))));
}

async function render(root, familyId) {
  setFamily(familyId);
  const rerender = () => render(root, familyId);
  const [settings, routines, deliveries, calendar] = await Promise.all([
    api.get(`families/${familyId}/reminder-settings/me/`),
    getAll(`families/${familyId}/routines/`).catch(() => []),
    api.get(`families/${familyId}/deliveries/?page_size=10`),
    calendarSection(familyId).catch(() => null), // sitters have no calendar links
  ]);
  fill(root,
    h("h1", {}, gettext("Settings")),
    h("section", { "aria-labelledby": "language-h" },
      h("h2", { id: "language-h" }, gettext("Language")),
      languageSection()),
    h("section", { "aria-labelledby": "notify-h", class: "card" },
      h("h2", { id: "notify-h" }, gettext("Notifications on this device")),
      deviceSection(familyId, rerender)),
    h("section", { "aria-labelledby": "reminders-h" },
      h("h2", { id: "reminders-h" }, gettext("Reminders in this family")),
      settingsForm(familyId, settings, Array.isArray(routines) ? routines : []),
      digestToggle(familyId, settings)),
    h("section", { "aria-labelledby": "deliveries-h" },
      h("h2", { id: "deliveries-h" }, gettext("Recent reminders")),
      deliveryList(deliveries.results || [])),
    calendar,
    h("section", { "aria-labelledby": "account-h" },
      h("h2", { id: "account-h" }, gettext("Your data and account")),
      h("p", {}, interpolateParts(gettext("Export the family's data, delete your account or log out under %(link)s."),
        { link: h("a", { href: `#/families/${familyId}/family` }, gettext("Family → You")) }))),
  );
}

export const routes = [["families/:family/settings", (root, { family }) => render(root, Number(family))]];
