// @ts-check
// The care team's rules, without the DOM: family-local times and the default "tonight"
// window of a sitter pass (ISO instants with the family's offset), the words for a pass's
// status and window, who sees which children, who is on duty, the lines of a handover's
// automatic summary, which handovers Today shows first, the care log's lines, and which
// tabs and screens a role gets (a sitter: Today, Check-in, Strategies, Hand over).

import { listOf } from "./family-logic.js";
import { formatDate, gettext, interpolate, ngettext } from "./i18n.js";

/** @typedef {{id: number, name: string}} Named */

// --- family-local time ---------------------------------------------------------------

/**
 * The wall clock in `timeZone` at `ms`: date "YYYY-MM-DD", time "HH:MM", and the zone's
 * offset from UTC in minutes (Europe/Madrid in summer: 120).
 * @param {string | undefined} timeZone
 * @param {number} ms
 * @returns {{date: string, time: string, offset: number}}
 */
export function wallClock(timeZone, ms) {
  let parts;
  try {
    parts = new Intl.DateTimeFormat("en-US", {
      timeZone: timeZone || "UTC", hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit",
    }).formatToParts(new Date(ms));
  } catch {
    return wallClock("UTC", ms);
  }
  /** @param {string} type */
  const get = (type) => (parts.find((p) => p.type === type) || { value: "0" }).value;
  const [y, mo, d, hh, mi, ss] = ["year", "month", "day", "hour", "minute", "second"].map((t) => Number(get(t)));
  const asUtc = Date.UTC(y, mo - 1, d, hh % 24, mi, ss);
  const offset = Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60000);
  const pad = (/** @type {number} */ n) => String(n).padStart(2, "0");
  return { date: `${y}-${pad(mo)}-${pad(d)}`, time: `${pad(hh % 24)}:${pad(mi)}`, offset };
}

/** "+02:00", "-05:00", "+00:00". @param {number} minutes */
function offsetText(minutes) {
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

/**
 * The instant a family-local date and time name, in ms (a time skipped by a DST change
 * lands just after the gap).
 * @param {string} date "YYYY-MM-DD"
 * @param {string} time "HH:MM"
 * @param {string | undefined} timeZone
 */
export function zonedMs(date, time, timeZone) {
  const [y, mo, d] = date.split("-").map(Number);
  const [hh, mi] = time.split(":").map(Number);
  const guess = Date.UTC(y, mo - 1, d, hh, mi);
  const first = guess - wallClock(timeZone, guess).offset * 60000;
  const second = guess - wallClock(timeZone, first).offset * 60000;
  return second;
}

/**
 * ISO 8601 with the family's offset for a family-local date and time, as the API takes
 * instants: ("2026-03-29", "18:00", "Europe/Madrid") → "2026-03-29T18:00:00+02:00".
 * @param {string} date @param {string} time @param {string | undefined} timeZone
 */
export function zonedIso(date, time, timeZone) {
  const ms = zonedMs(date, time, timeZone);
  const local = wallClock(timeZone, ms);
  return `${local.date}T${local.time}:00${offsetText(local.offset)}`;
}

/**
 * A datetime-local input's value ("YYYY-MM-DDTHH:MM"), read in the family's zone, as an
 * ISO instant with its offset; "" for an empty or malformed value.
 * @param {string} value @param {string | undefined} timeZone
 */
export function localInputToIso(value, timeZone) {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(value || "");
  return m ? zonedIso(m[1], m[2], timeZone) : "";
}

/**
 * An instant as a datetime-local input's value in the family's zone.
 * @param {string} iso @param {string | undefined} timeZone
 */
export function isoToLocalInput(iso, timeZone) {
  const local = wallClock(timeZone, new Date(iso).getTime());
  return `${local.date}T${local.time}`;
}

/** The next calendar day of "YYYY-MM-DD". @param {string} date */
export function nextDay(date) {
  const [y, mo, d] = date.split("-").map(Number);
  return new Date(Date.UTC(y, mo - 1, d + 1)).toISOString().slice(0, 10);
}

export const TONIGHT = { start: "18:00", end: "23:30" };

/**
 * A new pass's default window: tonight 18:00–23:30 in the family's zone, or tomorrow's
 * once tonight's has ended. `start`/`end` are datetime-local values, `starts_at`/`ends_at`
 * the ISO instants the API takes.
 * @param {string | undefined} timeZone
 * @param {number} nowMs
 */
export function tonightWindow(timeZone, nowMs) {
  let { date } = wallClock(timeZone, nowMs);
  if (zonedMs(date, TONIGHT.end, timeZone) <= nowMs) date = nextDay(date);
  return {
    start: `${date}T${TONIGHT.start}`,
    end: `${date}T${TONIGHT.end}`,
    starts_at: zonedIso(date, TONIGHT.start, timeZone),
    ends_at: zonedIso(date, TONIGHT.end, timeZone),
  };
}

/** The family's today, "YYYY-MM-DD". @param {string | undefined} timeZone @param {number} nowMs */
export const familyToday = (timeZone, nowMs) => wallClock(timeZone, nowMs).date;

/**
 * "16:05" for an instant of the family's today, "Fri 3 Apr 16:05" for another day.
 * @param {string} iso @param {string | undefined} timeZone @param {number} nowMs
 */
export function clockText(iso, timeZone, nowMs) {
  const ms = new Date(iso).getTime();
  const local = wallClock(timeZone, ms);
  if (local.date === wallClock(timeZone, nowMs).date) return local.time;
  return interpolate(gettext("%(day)s %(time)s"), { day: dayText(local.date), time: local.time });
}

/** "Fri 3 Apr" for "2026-04-03". @param {string} date */
export function dayText(date) {
  const [y, mo, d] = date.split("-").map(Number);
  const day = new Date(Date.UTC(y, mo - 1, d));
  return formatDate(day, { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" });
}

// --- sitter passes -------------------------------------------------------------------

export const PASS_STATUS = { upcoming: gettext("Upcoming"), active: gettext("Active now"), ended: gettext("Ended"), revoked: gettext("Revoked") };

/** @param {string} status */
export const passStatusLabel = (status) => PASS_STATUS[/** @type {keyof typeof PASS_STATUS} */ (status)] || status;

/**
 * A pass's window in words: "18:00–23:30 today", "Fri 3 Apr 18:00–23:30",
 * "Fri 3 Apr 20:00 – Sat 4 Apr 01:00".
 * @param {{starts_at: string, ends_at: string}} pass
 * @param {string | undefined} timeZone @param {number} nowMs
 */
export function passWindowText(pass, timeZone, nowMs) {
  const start = wallClock(timeZone, new Date(pass.starts_at).getTime());
  const end = wallClock(timeZone, new Date(pass.ends_at).getTime());
  const today = wallClock(timeZone, nowMs).date;
  if (start.date === end.date) {
    return start.date === today
      ? interpolate(gettext("%(start)s–%(end)s today"), { start: start.time, end: end.time })
      : interpolate(gettext("%(day)s %(start)s–%(end)s"), { day: dayText(start.date), start: start.time, end: end.time });
  }
  return interpolate(gettext("%(startDay)s %(start)s – %(endDay)s %(end)s"),
    { startDay: dayText(start.date), start: start.time, endDay: dayText(end.date), end: end.time });
}

/**
 * When a pass was last opened and how often: "Opened 2 times, last at 18:05",
 * "Not opened yet".
 * @param {{uses?: number, last_used_at?: string | null}} pass
 * @param {string | undefined} timeZone @param {number} nowMs
 */
export function passUseText(pass, timeZone, nowMs) {
  const uses = pass.uses || 0;
  if (!uses || !pass.last_used_at) return gettext("Not opened yet");
  const last = clockText(pass.last_used_at, timeZone, nowMs);
  return interpolate(ngettext("Opened once, last at %(last)s", "Opened %(n)s times, last at %(last)s", uses), { n: uses, last });
}

/**
 * The names of the children `ids` refers to, in the family's order (ids may be ids or
 * {id, name} objects).
 * @param {(number | Named)[]} ids
 * @param {Named[]} children
 */
export function childNames(ids, children) {
  const wanted = new Set((ids || []).map(idOf));
  const known = children.filter((c) => wanted.has(c.id)).map((c) => c.name);
  // Objects name children this member may not see in the list: keep their names too.
  const extra = (ids || []).filter((x) => typeof x === "object" && x && !children.some((c) => c.id === x.id))
    .map((x) => /** @type {Named} */ (x).name);
  return [...known, ...extra];
}

/** @param {number | Named | null | undefined} x */
export const idOf = (x) => (x && typeof x === "object" ? x.id : Number(x));

/**
 * "You're looking after Sam and Lu until 23:30."
 * @param {string[]} names @param {string | null | undefined} endsAt
 * @param {string | undefined} timeZone @param {number} nowMs
 */
export function lookingAfterText(names, endsAt, timeZone, nowMs) {
  const who = names.length ? listOf(names) : gettext("the children");
  return endsAt
    ? interpolate(gettext("You're looking after %(who)s until %(until)s."), { who, until: clockText(endsAt, timeZone, nowMs) })
    : interpolate(gettext("You're looking after %(who)s."), { who });
}

// --- who sees which children -----------------------------------------------------------

/**
 * "all children" for [] (a member who sees every child), else their names.
 * @param {(number | Named)[]} ids @param {Named[]} children
 */
export function seesText(ids, children) {
  if (!ids || !ids.length) return gettext("all children");
  const names = childNames(ids, children);
  return names.length ? listOf(names) : gettext("no children");
}

/**
 * What a PATCH members/{mid}/ sends for the ticked children: [] (all) when every child
 * is ticked; null when none is (nobody sees nothing: refuse before sending).
 * @param {number[]} ticked @param {Named[]} children
 * @returns {number[] | null}
 */
export function accessBody(ticked, children) {
  if (!ticked.length) return null;
  if (children.every((c) => ticked.includes(c.id))) return [];
  return children.filter((c) => ticked.includes(c.id)).map((c) => c.id);
}

// --- duty ----------------------------------------------------------------------------

/**
 * @typedef {object} DutyEntry
 * @property {number | Named} child
 * @property {{id: number, name: string, since: string}[]} members
 */

/**
 * The duty of one child from GET duty/ (an empty one when it is not listed).
 * @param {DutyEntry[]} duty @param {number} childId
 * @returns {{id: number, name: string, since: string}[]}
 */
export function dutyOf(duty, childId) {
  const entry = (duty || []).find((d) => idOf(d.child) === childId);
  return entry ? entry.members || [] : [];
}

/**
 * "On duty: Grandma since 16:00", "On duty: you since 17:00 and Grandma since 16:00",
 * "Nobody on duty".
 * @param {{id: number, name: string, since: string}[]} members
 * @param {number | null} myMemberId
 * @param {string | undefined} timeZone @param {number} nowMs
 */
export function dutyText(members, myMemberId, timeZone, nowMs) {
  if (!members.length) return gettext("Nobody on duty");
  const sorted = [...members].sort((a, b) => Number(b.id === myMemberId) - Number(a.id === myMemberId));
  const who = sorted.map((m) => interpolate(m.id === myMemberId ? gettext("you since %(since)s") : gettext("%(name)s since %(since)s"),
    { name: m.name, since: clockText(m.since, timeZone, nowMs) }));
  return interpolate(gettext("On duty: %(who)s"), { who: listOf(who) });
}

/**
 * Whether I am on duty for the child. @param {{id: number}[]} members @param {number | null} myMemberId
 */
export const onDuty = (members, myMemberId) => myMemberId !== null && members.some((m) => m.id === myMemberId);

/**
 * A sitter cannot read the members list, so their member id is found on the duty list by
 * their name (they are put on duty when they open the pass); null when it is not there.
 * @param {DutyEntry[]} duty @param {string} myName
 * @returns {number | null}
 */
export function memberIdByName(duty, myName) {
  for (const entry of duty || []) {
    const found = (entry.members || []).find((m) => m.name === myName);
    if (found) return found.id;
  }
  return null;
}

/**
 * The children a new handover covers by default: those I am on duty for, else every
 * child I see.
 * @param {DutyEntry[]} duty @param {number | null} myMemberId @param {Named[]} children
 * @returns {number[]}
 */
export function defaultHandoverChildren(duty, myMemberId, children) {
  const mine = children.filter((c) => onDuty(dutyOf(duty, c.id), myMemberId)).map((c) => c.id);
  return mine.length ? mine : children.map((c) => c.id);
}

// --- handovers -----------------------------------------------------------------------

/**
 * @typedef {object} SummaryCheckin
 * @property {string} emotion
 * @property {string} [label]
 * @property {number} [intensity]
 * @property {string | {title?: string, name?: string} | null} [strategy]
 * @property {string | null} [outcome]
 * @property {string} [at]
 */

/**
 * @typedef {object} SummaryChild
 * @property {number | Named} child
 * @property {string} [name]
 * @property {(string | {title?: string, name?: string, icon?: string})[]} [steps_done]
 * @property {(string | {title?: string, name?: string, icon?: string})[]} [routines_done]
 * @property {SummaryCheckin[]} [checkins]
 * @property {boolean} [open_follow_up]
 */

/**
 * @typedef {object} Handover
 * @property {number} id
 * @property {(number | Named)[]} children
 * @property {Named | null} from
 * @property {Named | null} to
 * @property {string} [note]
 * @property {{children: SummaryChild[]} | null} [summary]
 * @property {string} created_at
 */

/** @param {string | {title?: string, name?: string, icon?: string} | null | undefined} x */
const titleOf = (x) => (x && typeof x === "object" ? x.title || x.name || "" : x || "");

const OUTCOMES = { better: gettext("better after"), same: gettext("the same after"), worse: gettext("worse after") };

/**
 * A check-in in a line: "Worried (3 of 5), tried Box breathing: better after".
 * @param {SummaryCheckin} c
 */
export function checkinLine(c) {
  const feeling = c.label || (c.emotion ? c.emotion[0].toUpperCase() + c.emotion.slice(1) : gettext("A feeling"));
  const strategy = titleOf(c.strategy);
  const outcome = c.outcome && OUTCOMES[/** @type {keyof typeof OUTCOMES} */ (c.outcome)];
  const values = { feeling, intensity: c.intensity, strategy, outcome };
  const sized = c.intensity ? interpolate(gettext("%(feeling)s (%(intensity)s of 5)"), values) : feeling;
  if (strategy && outcome) return interpolate(gettext("Check-in: %(feeling)s, tried %(strategy)s: %(outcome)s"), { ...values, feeling: sized });
  if (strategy) return interpolate(gettext("Check-in: %(feeling)s, tried %(strategy)s"), { ...values, feeling: sized });
  return interpolate(gettext("Check-in: %(feeling)s"), { feeling: sized });
}

export const SUMMARY_CHECKINS = 3;

/**
 * The automatic summary as lines per child: routines done, other steps done, check-ins
 * (the last `maxCheckins`, then how many more), an open follow-up; "Nothing recorded"
 * when there is nothing.
 * @param {{children: SummaryChild[]} | null | undefined} summary
 * @param {{maxCheckins?: number}} [options]
 * @returns {{child: number, name: string, lines: string[]}[]}
 */
export function summaryLines(summary, { maxCheckins = SUMMARY_CHECKINS } = {}) {
  if (!summary || !Array.isArray(summary.children)) return [];
  return summary.children.map((s) => {
    const lines = [];
    const routines = (s.routines_done || []).map(titleOf).filter(Boolean);
    const steps = (s.steps_done || []).map(titleOf).filter(Boolean);
    if (routines.length) lines.push(interpolate(gettext("%(routines)s done"), { routines: listOf(routines) }));
    if (steps.length) lines.push(interpolate(gettext("Steps done: %(steps)s"), { steps: steps.join(", ") }));
    const checkins = s.checkins || [];
    for (const c of checkins.slice(-maxCheckins)) lines.push(checkinLine(c));
    const more = checkins.length - maxCheckins;
    if (more > 0) lines.push(interpolate(ngettext("and %(n)s earlier check-in", "and %(n)s earlier check-ins", more), { n: more }));
    if (s.open_follow_up) lines.push(gettext("A follow-up is still open: how are they now?"));
    if (!lines.length) lines.push(gettext("Nothing recorded"));
    const child = s.child;
    const name = s.name || (child && typeof child === "object" ? child.name : "");
    return { child: idOf(child), name, lines };
  });
}

/** "Handover from Grandma", "Handover from Grandma to you". @param {Handover} h @param {number | null} myMemberId */
export function handoverTitle(h, myMemberId) {
  const mine = Boolean(h.from) && h.from.id === myMemberId;
  const from = h.from ? h.from.name : gettext("a former member");
  const toMe = Boolean(h.to) && h.to.id === myMemberId;
  if (mine) return h.to ? interpolate(gettext("Handover from you to %(to)s"), { to: h.to.name }) : gettext("Handover from you");
  if (!h.to) return interpolate(gettext("Handover from %(from)s"), { from });
  if (toMe) return interpolate(gettext("Handover from %(from)s to you"), { from });
  return interpolate(gettext("Handover from %(from)s to %(to)s"), { from, to: h.to.name });
}

export const HANDOVER_HOURS = 24;

/**
 * The handovers Today shows first: for each visible child, the newest of the last 24 h
 * (a handover of two children shows once), newest first; none I made myself and none
 * dismissed on this phone.
 * @param {Handover[]} handovers newest first, as the API lists them
 * @param {number[]} visibleChildIds
 * @param {number} nowMs
 * @param {{myMemberId?: number | null, dismissed?: number[]}} [options]
 */
export function latestHandovers(handovers, visibleChildIds, nowMs, { myMemberId = null, dismissed = [] } = {}) {
  const since = nowMs - HANDOVER_HOURS * 3600 * 1000;
  const sorted = [...(handovers || [])].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
  const covered = new Set();
  /** @type {Handover[]} */
  const shown = [];
  for (const h of sorted) {
    if (Date.parse(h.created_at) < since) break;
    const ids = (h.children || []).map(idOf).filter((id) => visibleChildIds.includes(id));
    const fresh = ids.filter((id) => !covered.has(id));
    ids.forEach((id) => covered.add(id));
    if (!fresh.length) continue;
    if (myMemberId !== null && h.from && h.from.id === myMemberId) continue;
    if (dismissed.includes(h.id)) continue;
    shown.push(h);
  }
  return shown;
}

// --- care log ------------------------------------------------------------------------

export const LOG_ICONS = {
  tick: "✅", checkin: "💛", duty_start: "🙋", duty_end: "👋", handover: "🤝", pass_use: "🔑",
};

/**
 * A care log entry as the screen shows it: family-local time, an icon for its kind,
 * who and what.
 * @param {{at: string, kind: string, actor?: string | Named | null, text: string}} entry
 * @param {string | undefined} timeZone
 */
export function logLine(entry, timeZone) {
  const actor = entry.actor && typeof entry.actor === "object" ? entry.actor.name : entry.actor || "";
  return {
    time: wallClock(timeZone, new Date(entry.at).getTime()).time,
    icon: LOG_ICONS[/** @type {keyof typeof LOG_ICONS} */ (entry.kind)] || "•",
    actor,
    text: entry.text,
  };
}

/** Oldest first, as a day is read. @template {{at: string}} T @param {T[]} entries @returns {T[]} */
export const inOrder = (entries) => [...(entries || [])].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));

// --- roles: tabs and screens ---------------------------------------------------------

export const SITTER_TABS = ["today", "checkin", "strategies", "handover"];
// Tabs only a sitter has in the bar (the others reach these from Today).
const SITTER_ONLY_TABS = ["strategies", "handover"];

/**
 * The tabs a role sees, in the bar's order.
 * @param {string | undefined} role @param {string[]} keys
 */
export function tabsFor(role, keys) {
  if (role === "sitter") return keys.filter((k) => SITTER_TABS.includes(k));
  return keys.filter((k) => !SITTER_ONLY_TABS.includes(k));
}

/**
 * Whether a sitter may open `path` (a hash path without "#/"): their family's Today,
 * Check-in (and its follow-up), Strategies and Hand over, and pass links.
 * @param {string} path @param {number} familyId
 */
export function sitterMayOpen(path, familyId) {
  if (/^pass\//.test(path)) return true;
  const childView = /^child\/(\d+)\/\d+(\/feel)?$/.exec(path);
  if (childView) return Number(childView[1]) === familyId;
  const m = /^families\/(\d+)\/(.*)$/.exec(path);
  if (!m || Number(m[1]) !== familyId) return false;
  return /^(today|checkin|strategies(\/\d+)?|handover|checkins\/[\w-]+\/follow-up)$/.test(m[2]);
}

/** Whether a member of this role keeps a care log (owners and caregivers, not sitters). @param {string | undefined} role */
export const seesCareLog = (role) => role === "owner" || role === "caregiver";
