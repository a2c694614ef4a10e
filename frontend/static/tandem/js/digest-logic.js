// The weekly digest's words, as the push says them (reminders/messages.py digest_line):
// "Sam's week: 5 calm days, bedtime kept 6 of 7, box breathing helped 3 of 4".
import { gettext, interpolate, language, ngettext } from "./i18n.js";


/**
 * "Box breathing" → "box breathing" mid-sentence; "TV time" stays; German keeps its
 * capitals (its nouns are written so).
 * @param {string} text
 */
export function lowerFirst(text, lang = language) {
  if (lang === "de") return text;
  if (text.length > 1 && text[0] !== text[0].toLowerCase() && text[1] !== text[1].toUpperCase()) {
    return text[0].toLowerCase() + text.slice(1);
  }
  return text;
}

/**
 * The parts of one child's week (an entry of the insights answer's `summary`), leaving
 * out a part without data.
 * @param {{checkin_days: number, calm_days: number, helped: ?{title: string, helped: number, tried: number}, routine: ?{name: string, kept: number, scheduled: number}}} s
 */
export function digestParts(s) {
  const parts = [];
  if (s.checkin_days) parts.push(interpolate(ngettext("%(n)s calm day", "%(n)s calm days", s.calm_days), { n: s.calm_days }));
  if (s.routine) {
    parts.push(interpolate(gettext("%(routine)s kept %(kept)s of %(scheduled)s"),
      { routine: lowerFirst(s.routine.name), kept: s.routine.kept, scheduled: s.routine.scheduled }));
  }
  if (s.helped) {
    parts.push(interpolate(gettext("%(strategy)s helped %(helped)s of %(tried)s"),
      { strategy: lowerFirst(s.helped.title), helped: s.helped.helped, tried: s.helped.tried }));
  }
  return parts;
}

/** The whole line, e.g. "Sam's week: 5 calm days, bedtime kept 6 of 7". */
export function digestLine(name, summary) {
  const parts = digestParts(summary);
  const week = parts.length ? parts.join(", ") : gettext("nothing recorded");
  return interpolate(gettext("%(child)s's week: %(summary)s"), { child: name, summary: week });
}

/** The Monday of the week holding the ISO date `iso` (the digest's `week=`). */
export function mondayOf(iso) {
  const d = new Date(`${iso}T12:00:00`);
  d.setDate(d.getDate() - ((d.getDay() + 6) % 7));
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}
