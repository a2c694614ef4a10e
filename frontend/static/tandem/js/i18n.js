// Translations for the PWA: the one way screens turn English source strings into the
// member's language. `gettext("Done")`, `ngettext("%(n)s step", "%(n)s steps", n)`,
// `interpolate("Sam is at %(where)s", { where })` follow Django's JavaScript catalog API,
// so `makemessages -d djangojs` extracts every string.

export function gettext(message) {
  return message;
}

export function ngettext(singular, plural, count) {
  return count === 1 ? singular : plural;
}

export function pgettext(_context, message) {
  return message;
}

// Django's named interpolation: "%(name)s" replaced from `values`.
export function interpolate(format, values) {
  return format.replace(/%\((\w+)\)s/g, (_match, name) => String(values[name]));
}
