// Boot: service worker, offline queue, session, router.

import { h, mount } from "./dom.js";
import { startAutoFlush, onChange } from "./offline-queue.js";
import { currentPath, go, match } from "./router.js";
import { currentFamily, home, refreshUser, session, tabRegistry } from "./state.js";
import "./screens/auth.js";
import "./screens/checkin.js";
import "./screens/family.js";
import "./screens/insights.js";
import "./screens/join.js";
import "./screens/routines.js";
import "./screens/today.js";
import "./screens/settings.js";
// The modules the screens import, listed here too (after the screens, so nothing runs in
// a new order): the browser then learns of every module from this file and fetches them
// all at once, instead of one import level after another on a slow phone network.
import "./api.js";
import "./checkin/breathing.js";
import "./checkin/charts.js";
import "./checkin/feelings.js";
import "./push.js";
import "./screens/follow-up.js";
import "./screens/strategy.js";
import "./screens/your-data.js";

const TABS = [
  ["today", "☀️", "Today"],
  ["checkin", "💛", "Check-in"],
  ["routines", "🗓️", "Routines"],
  ["insights", "📈", "Insights"],
  ["family", "👪", "Family"],
  ["settings", "⚙️", "Settings"],
];

function renderTabs(path) {
  const nav = document.getElementById("tabs");
  const family = currentFamily();
  if (!session.user || !family) { nav.hidden = true; return; }
  nav.hidden = false;
  nav.replaceChildren(
    ...TABS.filter(([key]) => tabRegistry.has(key)).map(([key, icon, label]) => {
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
    sessionStorage.setItem("afterLogin", path);
    go("login");
    return;
  }
  renderTabs(path);
  try {
    await found.render(found.params);
  } catch (error) {
    mount(h("h1", {}, "Something went wrong"), h("p", {}, error.message || String(error)),
      h("button", { type: "button", onclick: () => render() }, "Try again"));
  }
}

function showSyncStatus(items) {
  const el = document.getElementById("sync-status");
  el.textContent = items.length ? `${items.length} change${items.length > 1 ? "s" : ""} waiting to sync` : "";
}

function afterFirstPaint() {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

async function boot() {
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
  }
  onChange(showSyncStatus);
  // Someone who never signed in on this device sees the sign-in screen at once, while the
  // session check runs (the shell already set the CSRF cookie the form needs); a returning
  // user's first screen waits for it.
  const returning = localStorage.getItem("me") !== null;
  const checked = returning ? refreshUser() : afterFirstPaint().then(refreshUser);
  if (returning) await checked;
  startAutoFlush();
  window.addEventListener("hashchange", render);
  window.addEventListener("online", () => document.body.classList.remove("offline"));
  window.addEventListener("offline", () => document.body.classList.add("offline"));
  if (!currentPath()) home();
  else render();
  if (!returning && (await checked)) home();  // signed in after all (storage was cleared)
}

boot();
