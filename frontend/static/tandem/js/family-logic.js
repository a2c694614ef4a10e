// @ts-check
// The words the Family screen's dialogs use for what goes and who is affected, and who
// may leave a family how (the server's rules: a family keeps an owner, and its only
// member deletes it rather than leaving it).
import { formatList, gettext, interpolate, pgettext } from "./i18n.js";

/**
 * "Sam", "Sam and Mia", "Sam, Mia and Lu".
 * @param {string[]} names
 */
export function listOf(names) {
  return formatList(names);
}

/** "Sam's"; a name ending in s takes 's too ("James's"). @param {string} name */
// Translators: a child's name as the owner of things, e.g. "Sam's" (Spanish "de Sam").
export const possessive = (name) => interpolate(pgettext("whose", "%(name)s's"), { name });

/**
 * What goes with a child or with a whole family: "Sam's routines, runs and check-ins go
 * too." With no children: "" (there is nothing of theirs to lose).
 * @param {string[]} childNames
 */
export function childrenDataGo(childNames) {
  if (!childNames.length) return "";
  // Translators: %(whose)s is a list of "Sam's"-style names, e.g. "Sam's and Mia's".
  return interpolate(gettext("%(whose)s routines, runs and check-ins go too."), { whose: listOf(childNames.map(possessive)) });
}

/**
 * How I may leave a family, from its members (`{id, user_id, role}`) and my user id:
 * "only-member" (I cannot leave; I may delete it if I own it), "hand-over" (I am its
 * only owner and others stay: someone else becomes owner first) or "leave".
 * @param {{id: number, user_id: number, role: string}[]} members
 * @param {number} myUserId
 * @returns {"only-member" | "hand-over" | "leave"}
 */
export function leaveMode(members, myUserId) {
  const others = members.filter((m) => m.user_id !== myUserId);
  if (!others.length) return "only-member";
  const me = members.find((m) => m.user_id === myUserId);
  if (me && me.role === "owner" && !others.some((m) => m.role === "owner")) return "hand-over";
  return "leave";
}
