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

async function boot() {
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
  }
  onChange(showSyncStatus);
  await refreshUser();
  startAutoFlush();
  window.addEventListener("hashchange", render);
  window.addEventListener("online", () => document.body.classList.remove("offline"));
  window.addEventListener("offline", () => document.body.classList.add("offline"));
  if (!currentPath()) home();
  else render();
}

boot();
