// The feelings vocabulary from GET emotions/ (kept for offline starts), and small helpers
// the check-in, follow-up and insights screens share.

import { api } from "../api.js";
import { h } from "../dom.js";
import { gettext, interpolate } from "../i18n.js";

const STORE_KEY = "tandem-vocabulary";
let vocabulary = null;

// Each quadrant has a symbol and a fill pattern as well as a colour, so colour is never
// the only way to tell them apart.
export const QUADRANT_SYMBOLS = {
  high_unpleasant: "▲",
  high_pleasant: "★",
  low_unpleasant: "▼",
  low_pleasant: "●",
};

export const INTENSITY_WORDS = ["", gettext("a little"), gettext("some"), gettext("quite a lot"), gettext("a lot"), gettext("huge")];

export async function loadVocabulary() {
  if (vocabulary) return vocabulary;
  try {
    vocabulary = await api.get("emotions/");
    localStorage.setItem(STORE_KEY, JSON.stringify(vocabulary));
  } catch (error) {
    vocabulary = JSON.parse(localStorage.getItem(STORE_KEY) || "null");
    if (!vocabulary) throw error;
  }
  vocabulary.byKey = Object.fromEntries(vocabulary.emotions.map((e) => [e.key, e]));
  return vocabulary;
}

export function emotionLabel(vocab, key, { kid = false } = {}) {
  const emotion = vocab.byKey[key];
  if (!emotion) return key;
  return kid ? emotion.kid_label : emotion.label;
}

// A random UUID v4 for client-chosen ids (crypto.randomUUID needs a secure context).
export function newId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = [...b].map((n) => n.toString(16).padStart(2, "0")).join("");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

// The feelings grid: one labelled group per quadrant, emoji + words on every button.
export function feelingsGrid(vocab, { kid, onPick, selected }) {
  return vocab.quadrants.map((q) => h("section", { class: `feel-group q-${q.key}`, "aria-labelledby": `fg-${q.key}` },
    h("h3", { id: `fg-${q.key}`, class: "feel-group-title" },
      h("span", { "aria-hidden": "true", class: "q-symbol" }, QUADRANT_SYMBOLS[q.key]), " ", q.label),
    h("div", { class: "feel-grid" }, vocab.emotions.filter((e) => e.quadrant === q.key).map((e) => h("button", {
      type: "button",
      class: "feel",
      "aria-pressed": selected === e.key ? "true" : "false",
      // Translators: names a button that shows only the kid word; where it has several
      // words, put %(kidWord)s first, so the name starts with what the button shows.
      "aria-label": kid && e.kid_label !== e.label.toLowerCase() ? interpolate(gettext("%(feeling)s (%(kidWord)s)"), { feeling: e.label, kidWord: e.kid_label }) : e.label,
      onclick: () => onPick(e),
    }, h("span", { class: "feel-emoji", "aria-hidden": "true" }, e.emoji),
    h("span", { class: "feel-word", "aria-hidden": "true" }, kid ? e.kid_label : e.label))))));
}

export function notMedicalAdvice(text) {
  return h("p", { class: "small muted not-medical" },
    text || gettext("Everyday calming ideas for families, not medical advice. If you are worried about your child, talk to a health professional."));
}
