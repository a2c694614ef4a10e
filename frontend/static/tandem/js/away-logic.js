// @ts-check
// Days away and calendar feeds, without the DOM: the Today banner's words ("Sam is at
// Dad's until Sunday"), which ranges a child has from today on, and the feeds' labels.

import { gettext, interpolate } from "./i18n.js";

const DAY_MS = 86400000;

/** @param {string} iso  YYYY-MM-DD */
function utcDay(iso) {
  return Date.parse(`${iso}T00:00:00Z`);
}

/**
 * "until Sunday" within a week of `todayIso`, "until today", else "until 3 February"
 * (with the year when it is another year), in the UI language `lang`.
 * @param {string} untilIso  the last day away, YYYY-MM-DD
 * @param {string} todayIso  the family's today
 * @param {string} [lang]
 */
export function untilPhrase(untilIso, todayIso, lang) {
  const days = Math.round((utcDay(untilIso) - utcDay(todayIso)) / DAY_MS);
  const when = new Date(utcDay(untilIso));
  if (days <= 0) return gettext("until today");
  if (days < 7) {
    const weekday = new Intl.DateTimeFormat(lang, { weekday: "long", timeZone: "UTC" }).format(when);
    return interpolate(gettext("until %(day)s"), { day: weekday });
  }
  const sameYear = untilIso.slice(0, 4) === todayIso.slice(0, 4);
  const date = new Intl.DateTimeFormat(lang, {
    day: "numeric", month: "long", ...(sameYear ? {} : { year: "numeric" }), timeZone: "UTC",
  }).format(when);
  return interpolate(gettext("until %(date)s"), { date });
}

/**
 * The Today banner: "Sam is at Dad's until Sunday", or "Sam is away until Sunday".
 * @param {string} name
 * @param {{until: string, note: string}} away
 * @param {string} todayIso
 * @param {string} [lang]
 */
export function awayText(name, away, todayIso, lang) {
  const until = untilPhrase(away.until, todayIso, lang);
  return away.note
    ? interpolate(gettext("%(name)s is %(note)s %(until)s"), { name, note: away.note, until })
    : interpolate(gettext("%(name)s is away %(until)s"), { name, until });
}

/**
 * A child's ranges that have not ended before `todayIso`, soonest first.
 * @template {{child: number, from: string, to: string}} R
 * @param {R[]} ranges
 * @param {number} childId
 * @param {string} todayIso
 * @returns {R[]}
 */
export function upcomingFor(ranges, childId, todayIso) {
  return ranges
    .filter((r) => r.child === childId && r.to >= todayIso)
    .sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
}

/**
 * A range in words: "15 Jan – 17 Jan · at Dad's".
 * @param {{from: string, to: string, note: string}} range
 * @param {string} [lang]
 */
export function rangeText(range, lang) {
  const format = new Intl.DateTimeFormat(lang, { day: "numeric", month: "short", timeZone: "UTC" });
  const first = format.format(new Date(utcDay(range.from)));
  const days = range.from === range.to ? first
    : interpolate(gettext("%(first)s – %(last)s"), { first, last: format.format(new Date(utcDay(range.to))) });
  return range.note ? interpolate(gettext("%(days)s · %(note)s"), { days, note: range.note }) : days;
}

/**
 * What a calendar feed holds, in words.
 * @param {{scope: string, child: number | null}} feed
 * @param {{id: number, name: string}[]} children
 */
export function feedLabel(feed, children) {
  if (feed.scope === "child") {
    const child = children.find((c) => c.id === feed.child);
    return interpolate(gettext("%(name)s's routines"), { name: child ? child.name : "?" });
  }
  if (feed.scope === "duty") return gettext("The children I'm on duty for");
  return gettext("The whole family");
}
