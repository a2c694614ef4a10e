// Boot: service worker, offline queue, session, router.

import { dismissToast, fill, h } from "./dom.js";
import { syncText } from "./offline-queue-logic.js";
import { startAutoFlush, onChange } from "./offline-queue.js";
import { currentPath, enter, go, match, route } from "./router.js";
import { currentFamily, home, refreshUser, session, tabRegistry } from "./state.js";
import * as auth from "./screens/auth.js";
import * as careLog from "./screens/care-log.js";
import * as handover from "./screens/handover.js";
import * as pass from "./screens/pass.js";
import * as pairDevice from "./screens/pair-device.js";
import * as childCheckin from "./screens/child-checkin.js";
import * as strategies from "./screens/strategies.js";
import { sitterMayOpen, tabsFor } from "./care-logic.js";
import { deviceMayOpen } from "./device-logic.js";
import * as checkin from "./screens/checkin.js";
import * as child from "./screens/child.js";
import * as digest from "./screens/digest.js";
import * as family from "./screens/family.js";
import * as followUp from "./screens/follow-up.js";
import * as insights from "./screens/insights.js";
import * as reports from "./screens/reports.js";
import * as join from "./screens/join.js";
import * as routines from "./screens/routines.js";
import * as settings from "./screens/settings.js";
import * as strategy from "./screens/strategy.js";
import * as today from "./screens/today.js";
// The modules the screens use, listed here too: the browser then learns of every module
// from this file and fetches them all at once, instead of one level after another on a
// slow phone network.
import "./api.js";
import "./away-logic.js";
import "./i18n.js";
import "./media.js";
import "./checkin-logic.js";
import "./child-logic.js";
import "./checkin/breathing.js";
import "./checkin/charts.js";
import "./checkin/insight-charts.js";
import "./checkin/feelings.js";
import "./digest-logic.js";
import "./family-logic.js";
import "./limits.js";
import "./push.js";
import "./routines-logic.js";
import "./screens/away.js";
import "./screens/calendar-feeds.js";
import "./screens/family-care.js";
import "./screens/family-devices.js";
import "./screens/your-data.js";
import "./today-logic.js";
import { gettext } from "./i18n.js";

// Each screen module exports its `routes` ([pattern, mount(root, params), options]) and
// the `tab` it provides, if any; nothing in them runs until a route is shown.
for (const screen of [auth, strategy, followUp, checkin, family, insights, reports, join, routines, today, settings,
  pass, handover, careLog, strategies, digest, pairDevice, childCheckin, child]) {
  if (screen.tab) tabRegistry.add(screen.tab);
  for (const [pattern, mount, options] of screen.routes) route(pattern, mount, options);
}

const TABS = [
  ["today", "☀️", gettext("Today")],
  ["checkin", "💛", gettext("Check-in")],
  ["routines", "🗓️", gettext("Routines")],
  ["insights", "📈", gettext("Insights")],
  ["family", "👪", gettext("Family")],
  ["settings", "⚙️", gettext("Settings")],
  ["strategies", "🧰", gettext("Strategies")], // a sitter's tabs: Today, Check-in, Strategies, Hand over
  ["handover", "🤝", gettext("Hand over")],
];

function renderTabs(path) {
  const nav = document.getElementById("tabs");
  const family = currentFamily();
  if (!session.user || !family || session.user.device || path.startsWith("child/")) { nav.hidden = true; return; } // a tablet or the child view: no tabs
  nav.hidden = false;
  nav.replaceChildren(
    ...TABS.filter(([key]) => tabRegistry.has(key) && tabsFor(family.role, [key]).length).map(([key, icon, label]) => {
      const href = `families/${family.id}/${key}`;
      return h("a", { href: `#/${href}`, "aria-current": path.startsWith(href) ? "page" : false },
        h("span", { class: "icon", "aria-hidden": "true" }, icon), label);
    }),
  );
}

async function render() {
  const path = currentPath();
  const found = match(path);
  if (found.auth && !session.user) {
    if (pass.sitterPassOver()) { enter(pass.mountEnded, document.getElementById("main"), {}); return; }
    if (pairDevice.isChildTablet()) { go("pair-device"); return; } // removed, or never paired

    sessionStorage.setItem("afterLogin", path);
    go("login");
    return;
  }
  const device = pairDevice.deviceOf(session.user);
  // A tablet's grown-up, once past the PIN, gets its children's chooser, not Today.
  if (device) child.setLeaveTo((familyId) => `child/${familyId}`);
  if (device && !deviceMayOpen(path)) { // the child view only
    go(pairDevice.deviceHome(device));
    return;
  }
  // A locked child view comes back whatever the back button or a link asks for, until a
  // grown-up unlocks it (screens/child.js).
  const back = session.user ? child.lockedRoute(path) : null;
  if (back) { go(back); return; }
  document.body.classList.toggle("child-mode", path.startsWith("child/"));
  const open = session.user && currentFamily();
  if (open && open.role === "sitter" && !sitterMayOpen(path, open.id)) { // a sitter's screens only
    go(`families/${open.id}/today`);
    return;
  }
  renderTabs(path);
  dismissToast(); // a toast (an Undo above all) belongs to the screen it was shown on
  const main = document.getElementById("main");
  try {
    await enter(found.mount, main, found.params); // unmounts the screen shown before
  } catch (error) {
    if (pass.refusedSitter(main, error)) return; // the sitter's pass ended or was revoked
    if (device && error && error.status === 403) { await refreshUser(); go("pair-device"); return; } // removed
    fill(main, h("h1", {}, gettext("Something went wrong")), h("p", {}, error.message || String(error)),
      h("button", { type: "button", onclick: () => render() }, gettext("Try again")));
  }
}

// The top bar's live region: what waits to sync, and always whether the phone is offline.
const sync = { count: 0, back: false };
let backTimer;
function showSyncStatus() {
  document.getElementById("sync-status").textContent = syncText(sync.count, { online: navigator.onLine, back: sync.back });
}
function onConnection() {
  document.body.classList.toggle("offline", !navigator.onLine);
  sync.back = navigator.onLine;
  clearTimeout(backTimer);
  if (sync.back) backTimer = setTimeout(() => { sync.back = false; showSyncStatus(); }, 5000);
  showSyncStatus();
}

function afterFirstPaint() {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

async function boot() {
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
  }
  onChange((items) => { sync.count = items.length; showSyncStatus(); });
  // Someone who never signed in on this device sees the sign-in screen at once, while the
  // session check runs (the shell already set the CSRF cookie the form needs); a returning
  // user's first screen waits for it.
  const returning = localStorage.getItem("me") !== null;
  const checked = returning ? refreshUser() : afterFirstPaint().then(refreshUser);
  if (returning) await checked;
  startAutoFlush();
  window.addEventListener("hashchange", render);
  window.addEventListener("online", onConnection);
  window.addEventListener("offline", onConnection);
  if (!navigator.onLine) onConnection();
  if (!currentPath()) home();
  else render();
  if (!returning && (await checked)) home();  // signed in after all (storage was cleared)
}

boot();
