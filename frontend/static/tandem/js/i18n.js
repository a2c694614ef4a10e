// Translations for the PWA: the one way screens turn English source strings into the
// member's language. `gettext("Done")`, `ngettext("%(n)s step", "%(n)s steps", n)`,
// `interpolate("Sam is at %(where)s", { where })` follow Django's JavaScript catalog API,
// so `makemessages -d djangojs` extracts every string. Dates, times, numbers and lists go
// through `formatDate`, `formatTime`, `formatNumber` and `formatList` (Intl, in the same
// language).
//
// The shell page names the catalog of each language (`data-catalogs`, versioned URLs the
// service worker keeps for offline use); the language is the member's choice remembered
// on this device, else the one the server rendered the shell in (`<html lang>`). The
// catalog is loaded once, before any screen renders (top-level await).

export const LANGUAGES = [
  ["en", "English"],
  ["es", "Español"],
  ["fr", "Français"],
  ["de", "Deutsch"],
];
const CODES = LANGUAGES.map(([code]) => code);
const STORED = "language";

const root = typeof document === "undefined" ? null : document.documentElement;

function storedLanguage() {
  try { return typeof localStorage === "undefined" ? null : localStorage.getItem(STORED); } catch { return null; }
}

function pick() {
  const chosen = storedLanguage();
  if (chosen && CODES.includes(chosen)) return chosen;
  const shell = root && root.lang;
  return shell && CODES.includes(shell) ? shell : "en";
}

/** The UI language: "en", "es", "fr" or "de". */
export const language = pick();

let catalog = {};
let pluralIndex = (n) => (n === 1 ? 0 : 1);

// A C plural expression from the catalog ("n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2")
// read by a small parser: the page's CSP rightly forbids eval and new Function.
export function compilePlural(expression) {
  const tokens = expression.match(/\d+|n|==|!=|<=|>=|&&|\|\||[()?:<>%!]/g) || [];
  if (tokens.join("") !== expression.replace(/[\s;]/g, "")) throw new Error(`plural: cannot read ${expression}`);
  let at = 0;
  const peek = () => tokens[at];
  const take = (token) => { if (token && tokens[at] !== token) throw new Error(`plural: expected ${token}`); return tokens[at++]; };
  const binary = (next, ops) => {
    let node = next();
    while (ops[peek()]) { const fn = ops[take()]; const left = node; const right = next(); node = (n) => fn(left(n), right(n)); }
    return node;
  };
  const primary = () => {
    const token = take();
    if (token === "(") { const node = ternary(); take(")"); return node; }
    if (token === "!") { const inner = primary(); return (n) => Number(!inner(n)); }
    if (token === "n") return (n) => n;
    if (/^\d+$/.test(token)) { const value = Number(token); return () => value; }
    throw new Error(`plural: unexpected ${token}`);
  };
  const mul = () => binary(primary, { "%": (a, b) => a % b });
  const rel = () => binary(mul, { "<": (a, b) => Number(a < b), ">": (a, b) => Number(a > b), "<=": (a, b) => Number(a <= b), ">=": (a, b) => Number(a >= b) });
  const eq = () => binary(rel, { "==": (a, b) => Number(a === b), "!=": (a, b) => Number(a !== b) });
  const and = () => binary(eq, { "&&": (a, b) => Number(a && b) });
  const or = () => binary(and, { "||": (a, b) => Number(a || b) });
  function ternary() {
    const test = or();
    if (peek() !== "?") return test;
    take("?");
    const yes = ternary();
    take(":");
    const no = ternary();
    return (n) => (test(n) ? yes(n) : no(n));
  }
  const node = ternary();
  return (n) => Number(node(n));
}

/** Use `data` (Django's JSONCatalog answer) as the catalog; the tests call it too. */
export function useCatalog(data) {
  catalog = (data && data.catalog) || {};
  pluralIndex = data && data.plural ? compilePlural(data.plural) : (n) => (n === 1 ? 0 : 1);
}

async function load() {
  if (!root) return;
  root.lang = language;
  if (language === "en") return; // the source strings are English
  let urls = {};
  try { urls = JSON.parse(root.dataset.catalogs || "{}"); } catch { urls = {}; }
  if (!urls[language]) return;
  try {
    const response = await fetch(urls[language], { credentials: "same-origin" });
    if (response.ok) useCatalog(await response.json());
  } catch {
    // Offline before the service worker had it: English until the next start.
  }
}

await load();

export function gettext(message) {
  const found = catalog[message];
  if (found === undefined || found === "") return message;
  return typeof found === "string" ? found : found[0];
}

export function ngettext(singular, plural, count) {
  const found = catalog[singular];
  const index = pluralIndex(count);
  if (Array.isArray(found) && found[index]) return found[index];
  return count === 1 ? singular : plural;
}

export function pgettext(context, message) {
  const found = catalog[`${context}\x04${message}`];
  if (found === undefined || found === "") return message;
  return typeof found === "string" ? found : found[0];
}

// Django's named interpolation: "%(name)s" replaced from `values`.
export function interpolate(format, values) {
  return format.replace(/%\((\w+)\)s/g, (_match, name) => String(values[name]));
}

/**
 * Remember `code` as this device's language and start again in it (every screen and
 * the catalog follow; a reload is the simplest way to switch all at once).
 */
export function switchLanguage(code, { reload = true } = {}) {
  if (!CODES.includes(code)) return;
  try { localStorage.setItem(STORED, code); } catch { /* private mode: the server's choice still applies */ }
  if (reload && code !== language && typeof location !== "undefined") location.reload();
}

// English in the Intl helpers is British usage (24-hour clock, "Sam, Mia and Lu").
const locale = language === "en" ? "en-GB" : language;

/** A date (a Date or an ISO string) in the UI language; `options` as Intl.DateTimeFormat. */
export function formatDate(value, options = { day: "numeric", month: "short" }) {
  const date = value instanceof Date ? value : new Date(value);
  return new Intl.DateTimeFormat(locale, options).format(date);
}

/** A time of day, "19:30", in the UI language (`timeZone` optional). */
export function formatTime(value, options = {}) {
  const date = value instanceof Date ? value : new Date(value);
  return new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit", ...options }).format(date);
}

/** A number in the UI language ("1,5" in German and Spanish). */
export function formatNumber(value, options = {}) {
  return new Intl.NumberFormat(locale, options).format(value);
}

/** "Sam", "Sam and Mia", "Sam, Mia and Lu" in the UI language. */
export function formatList(items) {
  const list = items.filter((item) => item);
  if (list.length < 2) return list.join("");
  return new Intl.ListFormat(locale, { style: "long", type: "conjunction" }).format(list);
}

/**
 * Like `interpolate`, but values may be elements (a link inside a sentence): returns the
 * pieces, strings and values in order, for `h()` to append. The whole sentence stays one
 * msgid, so a translation can move the link where its language needs it.
 */
export function interpolateParts(format, values) {
  return format.split(/(%\(\w+\)s)/).filter((piece) => piece !== "").map((piece) => {
    const name = /^%\((\w+)\)s$/.exec(piece);
    return name ? values[name[1]] : piece;
  });
}
