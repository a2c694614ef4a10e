// @ts-check
// The child view's rules, without a DOM: which routine and step it shows, the shrinking
// timer, what to say aloud and when, the grown-ups' long press and digit pad, and the
// lock that keeps the back button from leaving it. screens/child.js draws them.

import { pickRoutine } from "./today-logic.js";

/** @typedef {import("./today-logic.js").BoardEntry} BoardEntry */
/** @typedef {import("./today-logic.js").BoardStep} BoardStep */

/** How long the "Grown-ups" button must be held. */
export const HOLD_MS = 1500;

/** A step with neither a planned length nor a duration (an older server): two minutes. */
export const DEFAULT_STEP_SECONDS = 120;

/** The longest PIN the pad takes (the server takes 4 to 8 digits). */
export const PIN_MAX = 8;
export const PIN_MIN = 4;

/** Where this device remembers that the child view is muted. */
export const MUTE_KEY = "tandem-child-muted";

/** Where the tab remembers which child view is locked (a reload stays in it). */
export const LOCK_KEY = "tandem-child-lock";

/**
 * The child's part of the board, or null when this member does not see that child.
 * @param {{children: {child: {id: number, name: string, avatar: string}, routines: BoardEntry[]}[]}} board
 * @param {number} childId
 */
export function childOf(board, childId) {
  return (board && board.children.find((c) => c.child.id === childId)) || null;
}

/**
 * The routine the child view shows: the one asked for if the child has it today, else
 * the one due now (as Today picks it), else null.
 * @param {BoardEntry[]} entries
 * @param {number | null} wanted routine id
 * @param {string} now family-local "HH:MM"
 * @returns {BoardEntry | null}
 */
export function routineFor(entries, wanted, now) {
  if (!entries.length) return null;
  return entries.find((e) => e.routine.id === wanted) || pickRoutine(entries, now) || entries[0];
}

/**
 * The seconds a step is planned to take: the server's `planned_seconds` (scaled to the
 * routine's finish time), else its own duration.
 * @param {BoardStep & {planned_seconds?: number}} step
 */
export function plannedSeconds(step) {
  if (step.planned_seconds && step.planned_seconds > 0) return step.planned_seconds;
  if (step.duration_minutes) return step.duration_minutes * 60;
  return DEFAULT_STEP_SECONDS;
}

/**
 * The now step's timer: `fraction` of its time left (1 → 0, never below 0), `ended`
 * once it is used up. It counts from when the step began (`now_since`), or from when
 * the view opened if the routine has not started yet.
 * @param {BoardEntry} entry
 * @param {number} nowMs
 * @param {number} openedAtMs
 * @returns {{total: number, left: number, fraction: number, ended: boolean} | null}
 */
export function childTimer(entry, nowMs, openedAtMs) {
  const step = entry.now_step;
  if (!step) return null;
  const total = plannedSeconds(step);
  const since = entry.now_since ? new Date(entry.now_since).getTime() : openedAtMs;
  const elapsed = Math.max(0, (nowMs - since) / 1000);
  const left = Math.max(0, total - elapsed);
  return { total, left, fraction: total > 0 ? left / total : 0, ended: left <= 0 };
}

/**
 * Whether the gentle end-of-step chime should sound now: the timer has just ended for
 * this step and has not chimed for it already.
 * @param {{ended: boolean} | null} timer
 * @param {number | null} stepId the now step
 * @param {number | null} chimedFor the step the chime last sounded for
 */
export function shouldChime(timer, stepId, chimedFor) {
  return Boolean(timer && timer.ended && stepId !== null && stepId !== chimedFor);
}

/**
 * What the view says aloud for `entry`, and a key that changes when that changes (a
 * new step, or the end): the view speaks when the key differs from the last spoken.
 * @param {BoardEntry | null} entry
 * @param {string} allDone the translated "All done!"
 * @returns {{key: string, text: string, voiceUrl: string | null} | null}
 */
export function toSay(entry, allDone) {
  if (!entry) return null;
  if (entry.complete) return { key: `done:${entry.routine.id}`, text: allDone, voiceUrl: null };
  const step = /** @type {BoardStep & {voice_url?: string | null}} */ (entry.now_step);
  if (!step) return null;
  return { key: `step:${entry.routine.id}:${step.id}`, text: step.title, voiceUrl: step.voice_url || null };
}

/**
 * The language speech uses: the page's (the family's or the UI's), else English.
 * @param {string | null | undefined} pageLang
 */
export const speechLang = (pageLang) => (pageLang && pageLang.trim()) || "en";

/**
 * The long press: how far along it is (0 → 1) and whether it is complete.
 * @param {number | null} startedAt
 * @param {number} nowMs
 */
export function holdProgress(startedAt, nowMs) {
  if (startedAt === null) return { fraction: 0, complete: false };
  const fraction = Math.min(1, Math.max(0, (nowMs - startedAt) / HOLD_MS));
  return { fraction, complete: fraction >= 1 };
}

/**
 * The digit pad: a key pressed on `pin` ("0"–"9", "back", "clear").
 * @param {string} pin
 * @param {string} key
 */
export function padPress(pin, key) {
  if (key === "back") return pin.slice(0, -1);
  if (key === "clear") return "";
  if (/^[0-9]$/.test(key) && pin.length < PIN_MAX) return pin + key;
  return pin;
}

/** Whether the pad holds a PIN worth checking. @param {string} pin */
export const pinReady = (pin) => pin.length >= PIN_MIN && pin.length <= PIN_MAX;

/**
 * The route of a child view, and of everything that belongs to it (the child's own
 * check-in at `…/feel`).
 * @param {number | string} familyId @param {number | string} childId
 */
export const childPath = (familyId, childId) => `child/${familyId}/${childId}`;

/**
 * Where to send a navigation while a child view is locked: null to let `path` open
 * (it belongs to the locked child view, or nothing is locked), else the child view.
 * @param {string} path the route asked for, without "#/"
 * @param {{familyId: number, childId: number} | null} lock
 */
export function lockedRedirect(path, lock) {
  if (!lock) return null;
  const home = childPath(lock.familyId, lock.childId);
  if (path === home || path.startsWith(`${home}/`)) return null;
  return home;
}

/**
 * A stored lock, or null for anything that is not one.
 * @param {string | null} text
 * @returns {{familyId: number, childId: number} | null}
 */
export function parseLock(text) {
  try {
    const value = JSON.parse(text || "null");
    if (value && Number.isInteger(value.familyId) && Number.isInteger(value.childId)) {
      return { familyId: value.familyId, childId: value.childId };
    }
  } catch { /* not a lock */ }
  return null;
}
