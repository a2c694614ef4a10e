// @ts-check
// The Today board's rules, without the DOM: progress and now/next from the steps' done
// flags, which routine to show first, queued taps laid over the server's board, the
// step timer, and the outbox keys and API paths of a tap.
import { gettext, interpolate } from "./i18n.js";

/**
 * @typedef {object} BoardStep
 * @property {number} id
 * @property {string} title
 * @property {string} icon
 * @property {number | null} duration_minutes
 * @property {boolean} done
 * @property {number} [planned_seconds]  how long the step is planned to take (finish_by scales it)
 */

/**
 * A routine for one child on one day, as GET families/:id/today/ sends it.
 * @typedef {object} BoardEntry
 * @property {{id: number, name: string, icon: string, start_time: string}} routine
 * @property {BoardStep[]} steps
 * @property {number} done
 * @property {number} total
 * @property {boolean} complete
 * @property {BoardStep | null} now_step
 * @property {BoardStep | null} next_step
 * @property {string | null} now_since  ISO time the current step began (a tick or the timer's start)
 */

/**
 * @typedef {object} BoardChild
 * @property {{id: number, name: string, avatar: string}} child
 * @property {BoardEntry[]} routines
 */

/**
 * @typedef {object} Board
 * @property {string} date  the family-local day, YYYY-MM-DD
 * @property {BoardChild[]} children
 */

/**
 * A step's timer: `total` and `left` in seconds.
 * @typedef {{total: number, left: number, started: boolean}} TimerState
 */

/** @typedef {import("./offline-queue-logic.js").QueuedWrite} QueuedWrite */

/**
 * Progress and now/next from the steps' done flags (after taps and queued writes), in
 * place. Mirrors routines/board.py (`_board_routine`): done/total counts, complete when
 * there are steps and none is open, now = first open step, next = the one after it.
 * @param {BoardEntry} entry
 */
export function derive(entry) {
  const open = entry.steps.filter((s) => !s.done);
  entry.total = entry.steps.length;
  entry.done = entry.total - open.length;
  entry.complete = entry.total > 0 && open.length === 0;
  entry.now_step = open[0] || null;
  entry.next_step = open[1] || null;
}

/**
 * A tap: marks step `stepId` of `entry` done (or not), in place, and derives the entry
 * again; a tick also restarts the step timer (`now_since`). Returns null when nothing
 * changes (no such step, or it is already so), else the step and whether this tap
 * finished the routine (it was not complete before).
 * @param {BoardEntry} entry
 * @param {number} stepId
 * @param {boolean} done
 * @param {string} nowIso
 * @returns {{step: BoardStep, finished: boolean} | null}
 */
export function markStep(entry, stepId, done, nowIso) {
  const step = entry.steps.find((x) => x.id === stepId);
  if (!step || step.done === done) return null;
  const wasComplete = entry.complete;
  step.done = done;
  if (done) entry.now_since = nowIso;
  derive(entry);
  return { step, finished: entry.complete && !wasComplete };
}

/**
 * @param {Board} board
 * @param {number} childId
 * @param {number} routineId
 * @returns {BoardEntry | null | undefined}
 */
export function findEntry(board, childId, routineId) {
  const child = board.children.find((c) => c.child.id === childId);
  return child ? child.routines.find((r) => r.routine.id === routineId) : null;
}

/**
 * The outbox key of a step's tick or undo: both share it, so the newer replaces the older.
 * @param {number} routineId @param {number} childId @param {string} date @param {number} stepId
 */
export const stepKey = (routineId, childId, date, stepId) => `step:${routineId}:${childId}:${date}:${stepId}`;

/**
 * PUT ticks the step, DELETE undoes it.
 * @param {number} familyId @param {number} routineId @param {number} childId @param {string} date @param {number} stepId
 */
export const stepPath = (familyId, routineId, childId, date, stepId) =>
  `families/${familyId}/routines/${routineId}/children/${childId}/days/${date}/steps/${stepId}/completion/`;

/**
 * The outbox key of a routine run's start (the step timer).
 * @param {number} routineId @param {number} childId @param {string} date
 */
export const runKey = (routineId, childId, date) => `run:${routineId}:${childId}:${date}`;

/**
 * @param {string} key
 * @returns {{routineId: number, childId: number, date: string, stepId: number} | null}
 */
export function parseStepKey(key) {
  const m = /^step:(\d+):(\d+):([\d-]+):(\d+)$/.exec(key);
  return m ? { routineId: Number(m[1]), childId: Number(m[2]), date: m[3], stepId: Number(m[4]) } : null;
}

/**
 * Writes still in the outbox are not on the server yet: show them as already made
 * (a queued PUT as done, a queued DELETE as not done), then derive every routine again.
 * Only this family's writes for the board's day count. Changes `board` in place.
 * @param {Board} board
 * @param {number} familyId
 * @param {QueuedWrite[]} items
 */
export function applyPending(board, familyId, items) {
  for (const item of items) {
    const key = parseStepKey(item.key);
    if (!key || key.date !== board.date || !item.path.startsWith(`families/${familyId}/`)) continue;
    const entry = findEntry(board, key.childId, key.routineId);
    const step = entry && entry.steps.find((s) => s.id === key.stepId);
    if (step) step.done = item.method === "PUT";
  }
  board.children.forEach((c) => c.routines.forEach(derive));
}

/**
 * The routine to show first: the latest one already started and not finished, else
 * the next one to come, else the last of the day.
 * @param {BoardEntry[]} entries in start-time order
 * @param {string} now the family's local time, "HH:MM"
 * @returns {BoardEntry | null}
 */
export function pickRoutine(entries, now) {
  const open = entries.filter((e) => !e.complete);
  const started = open.filter((e) => e.routine.start_time <= now);
  return (started.at(-1) || open[0] || entries.at(-1) || null);
}

/**
 * The wall-clock time "HH:MM" in `timeZone` (the device's zone when not given); "00:00"
 * when the zone is unknown to this browser.
 * @param {string | undefined} timeZone
 * @param {Date} date
 */
export function clockIn(timeZone, date) {
  try {
    return new Intl.DateTimeFormat("en-GB", {
      timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    }).format(date);
  } catch { return "00:00"; }
}

/**
 * The current step's timer, or null when the step has no duration.
 * @param {BoardEntry} entry
 * @param {number} nowMs
 * @returns {TimerState | null}
 */
export function timerState(entry, nowMs) {
  const step = entry.now_step;
  if (!step || !step.duration_minutes) return null;
  // The server's plan, scaled to the routine's finish time (routines/pacing.py).
  const total = step.planned_seconds || step.duration_minutes * 60;
  if (!entry.now_since) return { total, left: total, started: false };
  const elapsed = (nowMs - new Date(entry.now_since).getTime()) / 1000;
  return { total, left: Math.max(0, Math.round(total - elapsed)), started: true };
}

/**
 * Words a child's carer can read at a glance: no countdown to the second.
 * @param {TimerState} t
 */
export function timerText(t) {
  if (!t.started) return `⏱ ${interpolate(gettext("%(n)s min"), { n: Math.round(t.total / 60) })}`;
  if (t.left <= 0) return gettext("Take your time");
  if (t.left < 60) return gettext("Less than a minute left");
  return interpolate(gettext("About %(n)s min left"), { n: Math.ceil(t.left / 60) });
}

/** A second tap this soon after the last one is a child's double tap, not a new tick. */
export const DOUBLE_TAP_MS = 700;

/**
 * @param {number | undefined} lastTap ms of the previous accepted tap
 * @param {number} now ms
 */
export function isDoubleTap(lastTap, now) {
  return now - (lastTap || 0) < DOUBLE_TAP_MS;
}

/**
 * How often an open, visible Today board asks the server whether it changed (a 304
 * without a body while nothing did), so another caregiver's tick shows within seconds.
 */
export const POLL_MS = 2000;

/** The longest a board waits between reads after failures (offline, server trouble). */
export const MAX_POLL_BACKOFF_MS = 60000;

/**
 * The wait before the next read after `failures` failed reads in a row: every POLL_MS
 * while reads succeed, doubling after each failure up to MAX_POLL_BACKOFF_MS.
 * @param {number} failures
 */
export function pollDelay(failures) {
  return Math.min(POLL_MS * 2 ** Math.max(0, failures), MAX_POLL_BACKOFF_MS);
}
