// Nothing runs when a module is imported: no timers, no document or window listeners,
// no outbox subscriptions. Screens start them in their mount and stop them in unmount.

import assert from "node:assert/strict";
import { test } from "node:test";

import { load } from "./support.mjs";

const calls = [];
const record = (what) => (...args) => { calls.push(`${what}(${typeof args[0] === "string" ? args[0] : ""})`); return 0; };
const storage = { getItem: () => null, setItem() {}, removeItem() {}, clear() {} };
Object.assign(globalThis, {
  localStorage: storage,
  sessionStorage: storage,
  location: { hash: "" },
  navigator: { onLine: true },
  window: { addEventListener: record("window.addEventListener"), matchMedia: () => ({ matches: false }) },
  document: {
    addEventListener: record("document.addEventListener"),
    getElementById: record("document.getElementById"),
    createElement: record("document.createElement"),
    querySelector: record("document.querySelector"),
  },
  indexedDB: { open: record("indexedDB.open") },
  fetch: record("fetch"),
});
for (const name of ["setInterval", "setTimeout", "requestAnimationFrame"]) globalThis[name] = record(name);

const SCREENS = ["auth", "checkin", "family", "follow-up", "insights", "join", "routines", "settings", "strategy", "today", "your-data",
  "pass", "handover", "care-log", "strategies", "family-care", "child"];

test("importing the screens and the modules they use starts nothing", async () => {
  const modules = [];
  for (const name of SCREENS) modules.push(await load(`screens/${name}.js`));
  for (const path of ["offline-queue.js", "push.js", "state.js", "router.js", "dom.js", "api.js",
    "checkin/breathing.js", "checkin/charts.js", "checkin/feelings.js"]) await load(path);
  assert.deepEqual(calls, []);
  // Each screen module describes its routes (pattern, mount) for app.js to register.
  const patterns = modules.flatMap((m) => (m.routes || []).map(([pattern, mount]) => {
    assert.equal(typeof mount, "function", pattern);
    return pattern;
  }));
  assert.ok(patterns.includes("families/:family/today"));
  assert.equal(new Set(patterns).size, patterns.length);
});
