// Writes that must not be lost: kept in IndexedDB until the server has them.
// Every queued request is idempotent (PUT, DELETE, or POST with a client-chosen UUID),
// so replaying one that did reach the server changes nothing.

import { request, ApiError } from "./api.js";

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
const put = (item) => tx("readwrite", (s) => s.put(item));
const remove = (key) => tx("readwrite", (s) => s.delete(key));

export function onChange(fn) { listeners.add(fn); return () => listeners.delete(fn); }
async function notify() {
  const items = await pending();
  listeners.forEach((fn) => fn(items));
}

function retriable(error) {
  // Network failures (TypeError), timeouts, throttling and server trouble: try later.
  return !(error instanceof ApiError) || error.status === 408 || error.status === 429 || error.status >= 500;
}

// Send now if possible; otherwise keep it for later. `key` identifies the write
// (the same key replaces an older queued write of the same thing, e.g. complete/undo).
export async function send(method, path, body, key = `${method} ${path}`) {
  const item = { key, method, path, body, queuedAt: Date.now() };
  await put(item);
  try {
    const data = await request(method, path, body);
    await remove(key);
    notify();
    return { data, queued: false };
  } catch (error) {
    if (retriable(error)) { notify(); return { data: null, queued: true }; }
    await remove(key);
    notify();
    throw error;
  }
}

let flushing = null;
export function flush() {
  if (!flushing) flushing = doFlush().finally(() => { flushing = null; });
  return flushing;
}

async function doFlush() {
  const items = (await pending()).sort((a, b) => a.queuedAt - b.queuedAt);
  let sent = 0;
  for (const item of items) {
    try {
      await request(item.method, item.path, item.body);
      await remove(item.key);
      sent += 1;
    } catch (error) {
      if (retriable(error)) break; // still offline: keep the rest, in order
      await remove(item.key); // the server refused it for good (e.g. deleted routine)
    }
  }
  await notify();
  return sent;
}

export function startAutoFlush(intervalMs = 15000) {
  window.addEventListener("online", () => flush());
  document.addEventListener("visibilitychange", () => { if (!document.hidden) flush(); });
  setInterval(() => { if (navigator.onLine) flush(); }, intervalMs);
  flush();
}
