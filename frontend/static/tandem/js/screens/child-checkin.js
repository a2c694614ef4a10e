// The child's own check-in on their tablet: tap a face (it says its word aloud), tap a
// size (small, medium or big circle), hear "Thank you. A grown-up is coming." and go back
// to the child view. No typing anywhere. Saved through the offline outbox with a
// client-chosen id, so a retry is the same check-in and the grown-ups hear once.

import { fill, h } from "../dom.js";
import { gettext, interpolate } from "../i18n.js";
import { send } from "../offline-queue.js";
import { go } from "../router.js";
import { session } from "../state.js";
import { loadVocabulary, newId } from "../checkin/feelings.js";
import { SIZES } from "../device-logic.js";

// Faces a young child tells apart, from the vocabulary (its keys never change).
export const CHILD_FACES = ["happy", "sad", "angry", "scared", "worried", "calm", "tired", "excited"];
const SIZE_WORDS = { small: () => gettext("small"), medium: () => gettext("medium"), big: () => gettext("big") };
const sizeWord = (size) => SIZE_WORDS[size.key]();
const BACK_AFTER_MS = 4000;

// Says `text` aloud in the page's language (the family's, once the app is translated);
// silent where the browser cannot speak.
export function say(text) {
  if (!("speechSynthesis" in window)) return;
  const utterance = new SpeechSynthesisUtterance(text);
  utterance.lang = document.documentElement.lang || navigator.language || "en";
  window.speechSynthesis.cancel();
  window.speechSynthesis.speak(utterance);
}

async function mountChildCheckin(root, { family, child }) {
  const device = session.user && session.user.device;
  const kid = device && (device.children || []).find((c) => String(c.id) === child);
  if (!kid) { go("pair-device"); return undefined; }
  const home = `child/${family}/${child}`;
  const vocab = await loadVocabulary();
  const state = { id: newId(), emotion: null };
  let timer = null;
  const stage = h("div", { class: "child-stage" });
  document.getElementById("tabs").hidden = true;

  function show(...children) {
    stage.replaceChildren(...children);
    const heading = stage.querySelector("h1");
    if (heading) heading.focus();
  }

  function faces() {
    const choices = CHILD_FACES.map((key) => vocab.byKey[key]).filter(Boolean);
    show(
      h("h1", { tabindex: "-1" }, gettext("How do you feel?")),
      h("div", { class: "child-faces" }, choices.map((emotion) => h("button", {
        type: "button", class: "child-face", "aria-label": emotion.kid_label,
        onclick: () => { say(emotion.kid_label); state.emotion = emotion; sizes(); },
      }, h("span", { "aria-hidden": "true" }, emotion.emoji)))),
      h("a", { class: "button secondary child-back", href: `#/${home}`, "aria-label": gettext("Back") },
        h("span", { "aria-hidden": "true" }, "⬅️")));
  }

  function sizes() {
    show(
      h("h1", { tabindex: "-1" },
        h("span", { "aria-hidden": "true" }, state.emotion.emoji), " ",
        interpolate(gettext("How big is %(feeling)s?"), { feeling: state.emotion.kid_label })),
      h("div", { class: "child-sizes" }, SIZES.map((size) => h("button", {
        type: "button", class: `child-size size-${size.key}`, "aria-label": sizeWord(size),
        onclick: () => { say(sizeWord(size)); save(size); },
      }, h("span", { class: "circle", "aria-hidden": "true" })))),
      h("button", { type: "button", class: "secondary child-back", "aria-label": gettext("Back"), onclick: faces },
        h("span", { "aria-hidden": "true" }, "⬅️")));
  }

  async function save(size) {
    const body = { id: state.id, child: kid.id, emotion: state.emotion.key, intensity: size.intensity, by_child: true };
    try {
      await send("POST", `families/${family}/checkins/`, body, `child check-in ${state.id}`);
    } catch (error) {
      if (error.status === 403) { go("pair-device"); return; } // the tablet was removed
    }
    const thanks = gettext("Thank you. A grown-up is coming.");
    say(thanks);
    show(
      h("h1", { tabindex: "-1", class: "child-thanks" }, h("span", { "aria-hidden": "true" }, "🤗 "), thanks),
      h("a", { class: "button child-back", href: `#/${home}`, "aria-label": gettext("Back") },
        h("span", { "aria-hidden": "true" }, "🏠")));
    timer = setTimeout(() => go(home), BACK_AFTER_MS);
  }

  fill(root, stage);
  faces();
  return () => { clearTimeout(timer); if ("speechSynthesis" in window) window.speechSynthesis.cancel(); };
}

export const routes = [["child/:family/:child/feel", mountChildCheckin]];
