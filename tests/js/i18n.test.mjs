// i18n.js: Django's JSON catalog read without eval (plural rules parsed), English when a
// string has no translation, and named placeholders for whole sentences.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { load } from "./support.mjs";

const i18n = await load("i18n.js");

describe("compilePlural", () => {
  test("reads the plural rules of the shipped languages", () => {
    const spanish = i18n.compilePlural("n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2");
    assert.deepEqual([0, 1, 2, 5, 1000000].map(spanish), [2, 0, 2, 2, 1]);
    const french = i18n.compilePlural("(n > 1)");
    assert.deepEqual([0, 1, 2].map(french), [0, 0, 1]);
    const german = i18n.compilePlural("(n != 1)");
    assert.deepEqual([0, 1, 2].map(german), [1, 0, 1]);
    const polish = i18n.compilePlural("(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)");
    assert.deepEqual([1, 3, 12, 22, 25].map(polish), [0, 1, 2, 1, 2]);
  });

  test("refuses what is not a plural expression", () => {
    assert.throws(() => i18n.compilePlural("alert(1)"));
  });
});

describe("a catalog", () => {
  test("translates, picks plural forms and falls back to English", () => {
    assert.equal(i18n.gettext("Welcome back"), "Welcome back"); // no catalog yet: English
    i18n.useCatalog({
      catalog: {
        "Welcome back": "Hola de nuevo",
        "%(n)s step": ["%(n)s paso", "%(n)s pasos", "%(n)s pasos"],
        "whose\u0004%(name)s's": "de %(name)s",
        Empty: "",
      },
      plural: "n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2",
    });
    assert.equal(i18n.gettext("Welcome back"), "Hola de nuevo");
    assert.equal(i18n.gettext("Not in the catalog"), "Not in the catalog");
    assert.equal(i18n.gettext("Empty"), "Empty");
    assert.equal(i18n.ngettext("%(n)s step", "%(n)s steps", 1), "%(n)s paso");
    assert.equal(i18n.ngettext("%(n)s step", "%(n)s steps", 4), "%(n)s pasos");
    assert.equal(i18n.ngettext("%(n)s day", "%(n)s days", 4), "%(n)s days");
    assert.equal(i18n.pgettext("whose", "%(name)s's"), "de %(name)s");
  });
});

test("interpolate and interpolateParts fill named placeholders", () => {
  assert.equal(i18n.interpolate("%(a)s and %(b)s", { a: "Sam", b: "Mia" }), "Sam and Mia");
  const link = { tag: "a" };
  assert.deepEqual(i18n.interpolateParts("Turn it off in %(link)s.", { link }), ["Turn it off in ", link, "."]);
  assert.deepEqual(i18n.interpolateParts("%(link)s first", { link }), [link, " first"]);
});

test("Intl formats dates and lists in the UI language (English here: en-GB)", () => {
  assert.equal(i18n.language, "en");
  assert.equal(i18n.formatDate(new Date(Date.UTC(2026, 3, 3)), { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" }), "Fri 3 Apr");
  assert.equal(i18n.formatList(["Sam", "Mia", "Lu"]), "Sam, Mia and Lu");
  assert.equal(i18n.formatNumber(0.5, { style: "percent" }), "50%");
});
