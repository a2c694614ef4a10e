// @ts-check
// Routine editor rules without the DOM: the step list (add, move, remove, the limits)
// and the words for a routine's days.
import { gettext, interpolate } from "./i18n.js";

/**
 * The most steps a routine may have. Mirrors the server's `MAX_STEPS` (in the routines
 * app, routines/validation.py at the time of writing); tests/js/routines-logic.test.mjs
 * reads the Python constant so the two cannot drift apart silently.
 */
export const MAX_STEPS = 50;

/** The longest a step may take, in minutes: the server's `MAX_STEP_MINUTES` (same module). */
export const MAX_STEP_MINUTES = 240;

/** ISO weekdays (Monday = 1) with short and long names. @type {[number, string, string][]} */
export const DAYS = [[1, gettext("Mon"), gettext("Monday")], [2, gettext("Tue"), gettext("Tuesday")], [3, gettext("Wed"), gettext("Wednesday")], [4, gettext("Thu"), gettext("Thursday")],
  [5, gettext("Fri"), gettext("Friday")], [6, gettext("Sat"), gettext("Saturday")], [7, gettext("Sun"), gettext("Sunday")]];

/**
 * A step as the editor holds it: `duration` is the minutes field's text ("" for none).
 * @typedef {object} EditorStep
 * @property {string} key    stable while the step is moved around (focus, input ids)
 * @property {number | null} id  the saved step's id; null for a new one
 * @property {string} title
 * @property {string} icon
 * @property {string} duration
 * @property {boolean} picking  whether its emoji picker is open
 */

/**
 * A step as the API takes it in a routine's `steps` list.
 * @typedef {{id?: number, title: string, icon: string, duration_minutes: number | null}} StepBody
 */

/**
 * "Every day", "Weekdays", "Weekends", else the short day names in the given order.
 * @param {number[]} days ISO weekdays
 */
export function daysSummary(days) {
  const key = [...days].sort((a, b) => a - b).join(",");
  if (key === "1,2,3,4,5,6,7") return gettext("Every day");
  if (key === "1,2,3,4,5") return gettext("Weekdays");
  if (key === "6,7") return gettext("Weekends");
  return days.map((d) => DAYS[d - 1][1]).join(", ");
}

/**
 * An editor step from a saved step (or a blank one).
 * @param {string} key
 * @param {{id?: number, title?: string, icon?: string, duration_minutes?: number | null}} [step]
 * @returns {EditorStep}
 */
export function editorStep(key, step = {}) {
  return {
    key,
    id: step.id || null,
    title: step.title || "",
    icon: step.icon || "⭐",
    duration: step.duration_minutes == null ? "" : String(step.duration_minutes),
    picking: false,
    photo: step.photo ? { id: step.photo, url: step.photo_url, thumbnail_url: step.photo_thumbnail_url } : null,
    voice: step.voice ? { id: step.voice, url: step.voice_url } : null,
  };
}

/** Another step may be added. @param {unknown[]} steps */
export const canAdd = (steps) => steps.length < MAX_STEPS;

/** A step may be removed: a routine keeps at least one. @param {unknown[]} steps */
export const canRemove = (steps) => steps.length > 1;

/**
 * Whether step `index` can move by `delta` (-1 up, 1 down) and stay in the list.
 * @param {unknown[]} steps @param {number} index @param {number} delta
 */
export const canMove = (steps, index, delta) => index + delta >= 0 && index + delta < steps.length;

/**
 * Moves step `index` by `delta` places, in place.
 * @template T
 * @param {T[]} steps @param {number} index @param {number} delta
 */
export function moveStep(steps, index, delta) {
  steps.splice(index + delta, 0, ...steps.splice(index, 1));
}

/**
 * The steps as the API takes them: titles trimmed, an empty minutes field as null.
 * @param {EditorStep[]} steps
 * @returns {StepBody[]}
 */
export function stepsBody(steps) {
  return steps.map((s) => ({
    ...(s.id ? { id: s.id } : {}),
    title: s.title.trim(),
    icon: s.icon,
    duration_minutes: s.duration === "" ? null : Number(s.duration),
    // The media the step shows (null: none); a step without the keys keeps its own.
    ...(s.photo !== undefined ? { photo: s.photo ? s.photo.id : null } : {}),
    ...(s.voice !== undefined ? { voice: s.voice ? s.voice.id : null } : {}),
  }));
}

/**
 * A routine as the editor sends it (the fields `routineErrors` checks).
 * @typedef {object} RoutineBody
 * @property {string} name
 * @property {number[]} children
 * @property {number[]} days_of_week
 * @property {string} start_time  "HH:MM", "" when not chosen
 * @property {StepBody[]} steps
 */

/**
 * What the editor can tell before sending, all at once and worded for a parent, keyed
 * like the API's errors (dotted: `steps.2.title`): the server's own checks of these
 * fields come in two rounds (fields first, then the whole routine) and say "Time has
 * wrong format" for an empty start time. `{}` when nothing is wrong.
 * @param {RoutineBody} body
 * @param {{hasChildren: boolean}} family whether the family has any child to choose
 * @returns {Record<string, string[]>}
 */
export function routineErrors(body, { hasChildren }) {
  /** @type {Record<string, string[]>} */
  const errors = {};
  if (!body.name.trim()) errors.name = [gettext("Give the routine a name.")];
  if (!body.children.length) {
    errors.children = [hasChildren
      ? gettext("Choose at least one child: the routine shows on their Today board.")
      : gettext("Add a child on the Family tab first: a routine shows on a child's Today board.")];
  }
  if (!body.days_of_week.length) errors.days_of_week = [gettext("Choose at least one day of the week.")];
  if (!body.start_time) errors.start_time = [gettext("Choose a start time.")];
  else if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(body.start_time)) errors.start_time = [gettext("Choose a start time, like 19:30.")];
  body.steps.forEach((step, i) => {
    if (!step.title) errors[`steps.${i}.title`] = [gettext("Give the step a title.")];
    const minutes = step.duration_minutes;
    if (minutes !== null && (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_STEP_MINUTES)) {
      errors[`steps.${i}.duration_minutes`] = [interpolate(gettext("Minutes are 1 to %(max)s, or leave it empty."), { max: MAX_STEP_MINUTES })];
    }
  });
  return errors;
}
