// Writes that must not be lost: kept in IndexedDB until the server has them.
// Every queued request is idempotent (PUT, DELETE, or POST with a client-chosen UUID, or
// one whose repeat the server refuses: a day away again is an overlap), so replaying one
// that did reach the server changes nothing.

import { request, ApiError } from "./api.js";
import { isNewest, justEmptied, keyedSerializer, replayOrder, retriable } from "./offline-queue-logic.js";

const DB = "tandem";
const STORE = "outbox";
const listeners = new Set();

function open() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: "key" });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function tx(mode, fn) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const t = db.transaction(STORE, mode);
    const result = fn(t.objectStore(STORE));
    t.oncomplete = () => { db.close(); resolve(result && "result" in result ? result.result : undefined); };
    t.onerror = () => { db.close(); reject(t.error); };
  });
}

export const pending = () => tx("readonly", (s) => s.getAll());
const get = (key) => tx("readonly", (s) => s.get(key));
const put = (item) => tx("readwrite", (s) => s.put(item));

// Removes the queued write only if it is still this one: a newer write of the same thing
// (an undo queued while the tick was on its way) must survive the older one's success.
function removeIf(item) {
  return tx("readwrite", (s) => {
    const req = s.get(item.key);
    req.onsuccess = () => { if (isNewest(req.result, item)) s.delete(item.key); };
  });
}

// Forget every queued write (the account they belong to was deleted).
export async function clearAll() {
  await tx("readwrite", (s) => s.clear());
  await notify();
}

// `fn(items, { emptied })` after every change: the writes still queued, and whether the
// outbox has just emptied (it held writes at the change before). Returns the unsubscribe.
export function onChange(fn) { listeners.add(fn); return () => listeners.delete(fn); }
let waiting = 0; // writes queued at the last change
async function notify() {
  const items = await pending();
  const emptied = justEmptied(waiting, items.length);
  waiting = items.length;
  listeners.forEach((fn) => fn(items, { emptied }));
}

// A failure worth trying again later: no answer (network), timeouts, throttling, server trouble.
const worthRetrying = (error) => retriable(error instanceof ApiError ? error.status : undefined);

// One write per key on the wire at a time (a `send` and a flush alike), so the server
// sees "done" and "undone" of a step in the order they were made; with the newest
// write of a key always on disk first, an older one still waiting is superseded by it
// (latest intent wins) and an older one already on its way cannot remove it.
const withKey = keyedSerializer();

let counter = 0;
const stamp = () => `${Date.now()}-${(counter += 1)}-${Math.random().toString(36).slice(2)}`;

// Sends `item` if it is still the newest write of its key: "sent", "kept" (try later),
// "refused" (the server said no for good; `error` set) or "superseded".
function attempt(item) {
  return withKey(item.key, async () => {
    const current = await get(item.key);
    if (!isNewest(current, item)) return { outcome: "superseded" };
    try {
      const data = await request(item.method, item.path, item.body);
      await removeIf(item);
      return { outcome: "sent", data };
    } catch (error) {
      if (worthRetrying(error)) return { outcome: "kept" };
      await removeIf(item);
      return { outcome: "refused", error };
    }
  });
}

// Send now if possible; otherwise keep it for later. `key` identifies the write
// (the same key replaces an older queued write of the same thing, e.g. complete/undo):
// writes of one key reach the server in the order they were made, and one superseded
// before it was sent is never sent (callers need no ordering of their own).
// The write is on disk before it is tried, so closing the app never loses it.
export async function send(method, path, body, key = `${method} ${path}`) {
  const item = { key, method, path, body, queuedAt: Date.now(), stamp: stamp() };
  await put(item);
  const result = await attempt(item);
  notify();
  if (result.outcome === "refused") throw result.error;
  return { data: result.data || null, queued: result.outcome === "kept" };
}

let flushing = null;
export function flush() {
  if (!flushing) flushing = doFlush().finally(() => { flushing = null; });
  return flushing;
}

async function doFlush() {
  const items = replayOrder(await pending());
  // A reload starts with writes left by the page before: their sending empties the
  // outbox too, and screens that drew the board meanwhile must hear of it.
  waiting = Math.max(waiting, items.length);
  let sent = 0;
  for (const item of items) {
    const { outcome } = await attempt(item);
    if (outcome === "kept") break; // still offline: keep the rest, in order
    if (outcome === "sent") sent += 1;
  }
  await notify();
  return sent;
}

// Replays the outbox when the phone comes back online or the app to the foreground, and
// every `intervalMs` while online. Returns the function that stops it.
export function startAutoFlush(intervalMs = 15000) {
  const onOnline = () => flush();
  const onVisible = () => { if (!document.hidden) flush(); };
  window.addEventListener("online", onOnline);
  document.addEventListener("visibilitychange", onVisible);
  const timer = setInterval(() => { if (navigator.onLine) flush(); }, intervalMs);
  flush();
  return () => {
    window.removeEventListener("online", onOnline);
    document.removeEventListener("visibilitychange", onVisible);
    clearInterval(timer);
  };
}
