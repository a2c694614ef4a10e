// @ts-check
// The outbox's rules without IndexedDB or the network (offline-queue.js applies them):
// writes of the same key go out one at a time in the order they were made, a newer
// write of a key supersedes an older one still waiting, and which failures are retried.
import { gettext, interpolate, ngettext } from "./i18n.js";

/**
 * A write kept in the outbox until the server has it.
 * @typedef {object} QueuedWrite
 * @property {string} key      what the write is about: a newer write of the same key replaces an older one
 * @property {string} method   PUT, DELETE, PATCH or POST (with a client-chosen id): replaying is harmless
 * @property {string} path     API path below /api/v1/
 * @property {unknown} [body]
 * @property {number} queuedAt ms since the epoch, when the write was made
 * @property {string} stamp    unique per write, to tell two writes of one key apart
 */

/**
 * Runs one task at a time per key, in the order they were handed in; tasks of other
 * keys run alongside. A task that fails does not stop the ones queued after it.
 * @returns {<T>(key: string, task: () => T | Promise<T>) => Promise<T>}
 */
export function keyedSerializer() {
  /** @type {Map<string, Promise<unknown>>} */
  const tails = new Map();
  return (key, task) => {
    const next = (tails.get(key) || Promise.resolve()).catch(() => {}).then(task);
    tails.set(key, next);
    next.catch(() => {}).finally(() => { if (tails.get(key) === next) tails.delete(key); });
    return next;
  };
}

/**
 * Whether `item` is still the newest write of its key (`stored` is what the outbox holds
 * for that key now): only then is it sent, and only then does its success remove it.
 * @param {QueuedWrite | null | undefined} stored
 * @param {QueuedWrite} item
 */
export function isNewest(stored, item) {
  return Boolean(stored) && /** @type {QueuedWrite} */ (stored).stamp === item.stamp;
}

/**
 * Whether the outbox has just emptied: it held writes at the change before (`before`,
 * or what a fresh page found in it at start, since a reload starts counting from zero).
 * @param {number} before writes queued at the last change (or found at start)
 * @param {number} now writes queued now
 */
export function justEmptied(before, now) {
  return before > 0 && now === 0;
}

/**
 * Whether a failed write is kept to try later. `status` is the HTTP status, or
 * undefined when no answer came (network failure): timeouts, throttling, server
 * trouble and no answer are retried; any other refusal is for good.
 * @param {number | undefined} status
 */
export function retriable(status) {
  return status === undefined || status === 408 || status === 429 || status >= 500;
}

/**
 * The order a flush replays the outbox in: oldest write first.
 * @param {QueuedWrite[]} items
 * @returns {QueuedWrite[]}
 */
export function replayOrder(items) {
  return [...items].sort((a, b) => a.queuedAt - b.queuedAt);
}

/**
 * The sync line under the header: "" when nothing waits.
 * @param {number} count writes in the outbox
 */
export function waitingText(count) {
  return count ? interpolate(ngettext("%(n)s change waiting to sync", "%(n)s changes waiting to sync", count), { n: count }) : "";
}

/**
 * The sync line in the top bar (a live region): going offline and coming back are always
 * said, whether or not anything waits to sync.
 * @param {number} count writes in the outbox
 * @param {{online: boolean, back?: boolean}} connection `back`: just came back online
 */
export function syncText(count, { online, back = false }) {
  const waiting = waitingText(count);
  if (!online) {
    return count ? interpolate(gettext("You're offline. %(waiting)s."), { waiting }) : gettext("You're offline. Changes are kept on this phone.");
  }
  if (back) return count ? interpolate(gettext("Back online. %(waiting)s."), { waiting }) : gettext("Back online.");
  return waiting;
}
