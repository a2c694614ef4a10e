// Check-in: who → feeling → how big → (body, note) and suggestions → a strategy.
// One-handed in a few taps: each choice moves on by itself. Saved through the offline
// outbox with a client-chosen id, so a check-in made offline syncs exactly once.

import { api, getAll } from "../api.js";
import { fill, h, toast } from "../dom.js";
import { offlineSuggestions } from "../checkin-logic.js";
import { limit } from "../limits.js";
import { send } from "../offline-queue.js";
import { go, query } from "../router.js";
import { gettext, interpolate } from "../i18n.js";
import { session, setFamily } from "../state.js";
import { breathingGuide } from "../checkin/breathing.js";
import { feelingsGrid, INTENSITY_WORDS, loadVocabulary, newId, notMedicalAdvice } from "../checkin/feelings.js";
import { rememberStrategy } from "./strategy.js";

export const tab = "checkin";

// A level's visible words are its name too ("3 quite a lot"): what is read is what is seen.
const levelLabel = (n) => [h("span", { class: "level-num" }, String(n)), " ", h("span", { class: "level-word small" }, INTENSITY_WORDS[n])];

async function mountCheckin(root, { family: familyParam }) {
  const familyId = Number(familyParam);
  setFamily(familyId);
  const [vocab, children, members] = await Promise.all([
    loadVocabulary(),
    getAll(`families/${familyId}/children/`),
    getAll(`families/${familyId}/members/`).catch(() => []),
  ]);
  // Warm the cache for offline suggestions; a failure here changes nothing now.
  const strategiesPromise = getAll(`families/${familyId}/strategies/`).catch(() => []);
  const me = members.find((m) => m.user_id === session.user.id);

  const guides = []; // breathing guides on display, stopped when the screen is left
  const state = { id: newId(), caregiverId: newId(), child: null, both: false, mine: null, theirs: null, bodyAreas: new Set() };
  const stage = h("div", { class: "checkin-stage" });
  const stepHeading = (text) => h("h2", { class: "step-title", tabindex: "-1" }, text);

  function show(...children) {
    guides.splice(0).forEach((guide) => guide.stop());
    stage.replaceChildren(...children.filter((child) => child !== null && child !== undefined));
    const heading = stage.querySelector(".step-title");
    if (heading) heading.focus({ preventScroll: false });
  }

  function back(to) {
    return h("button", { type: "button", class: "quiet back", onclick: to }, gettext("← Back"));
  }

  // 1. Who
  function whoStep() {
    const options = [];
    for (const child of children) {
      options.push(h("button", { type: "button", class: "who", onclick: () => { state.child = child; state.both = false; feelingStep("child"); } },
        h("span", { class: "avatar", "aria-hidden": "true" }, child.avatar), child.name));
      options.push(h("button", { type: "button", class: "who secondary", onclick: () => { state.child = child; state.both = true; feelingStep("me"); } },
        h("span", { class: "avatar", "aria-hidden": "true" }, child.avatar), interpolate(gettext("%(child)s + me"), { child: child.name })));
    }
    options.push(h("button", { type: "button", class: "who secondary", onclick: () => { state.child = null; state.both = false; feelingStep("me"); } },
      h("span", { class: "avatar", "aria-hidden": "true" }, "🙋"), gettext("Just me")));
    show(stepHeading(gettext("Who is checking in?")),
      h("div", { class: "who-list" }, options),
      children.length ? h("p", { class: "small muted" }, gettext("With “+ me”, you check in first: your calm is what your child borrows."))
        : h("p", { class: "muted" }, gettext("No children yet."), " ", h("a", { href: `#/families/${familyId}/family` }, gettext("Add a child"))));
  }

  // 2. Feeling (for "me" or for the child). In a coregulation check-in the caregiver's
  // own intensity sits above their feelings grid (preset to 3), so the whole check-in
  // stays within five taps: who, my feeling, child's feeling, how big, a strategy.
  function feelingStep(subject) {
    const kid = subject === "child";
    const inline = !kid && state.both;
    const title = kid ? interpolate(gettext("How is %(child)s feeling?"), { child: state.child.name }) : gettext("How are you feeling?");
    if (inline && !state.mineIntensity) state.mineIntensity = 3;
    const inlineIntensity = inline ? h("div", { class: "intensity compact", role: "group", "aria-label": gettext("How big is your feeling, 1 to 5") },
      [1, 2, 3, 4, 5].map((n) => h("button", {
        type: "button",
        class: "level",
        "aria-pressed": String(n === state.mineIntensity),
        onclick: (event) => {
          state.mineIntensity = n;
          event.currentTarget.parentElement.querySelectorAll("button").forEach((b) => b.setAttribute("aria-pressed", String(b === event.currentTarget)));
        },
      }, levelLabel(n)))) : null;
    const said = !kid && state.said ? h("p", { class: "chosen child-said", role: "status" }, state.said) : null;
    show(back(() => (kid && state.both ? feelingStep("me") : whoStep())),
      stepHeading(title),
      said,
      inline ? h("p", { class: "small muted" }, gettext("How big is it? Then tap your feeling.")) : null,
      inlineIntensity,
      h("div", { class: "feelings" }, feelingsGrid(vocab, {
        kid,
        selected: kid ? state.theirs && state.theirs.emotion : state.mine && state.mine.emotion,
        onPick: (emotion) => {
          if (kid) {
            state.theirs = { emotion: emotion.key, intensity: null };
            intensityStep(subject);
          } else if (inline) {
            state.mine = { emotion: emotion.key, intensity: state.mineIntensity };
            if (state.theirs && state.theirs.intensity) detailsStep(); // the child already said
            else feelingStep("child");
          } else {
            state.mine = { emotion: emotion.key, intensity: null };
            intensityStep(subject);
          }
        },
      })));
  }

  // 3. How big
  function intensityStep(subject) {
    const kid = subject === "child";
    const pick = kid ? state.theirs : state.mine;
    const emotion = vocab.byKey[pick.emotion];
    show(back(() => feelingStep(subject)),
      stepHeading(kid ? interpolate(gettext("How big is %(child)s's feeling?"), { child: state.child.name }) : gettext("How big is your feeling?")),
      h("p", { class: "chosen" }, h("span", { class: "feel-emoji", "aria-hidden": "true" }, emotion.emoji), " ", kid ? emotion.kid_label : emotion.label),
      h("div", { class: "intensity", role: "group", "aria-label": gettext("Intensity from 1 to 5") },
        [1, 2, 3, 4, 5].map((n) => h("button", {
          type: "button",
          class: "level",
          onclick: () => {
            pick.intensity = n;
            detailsStep();
          },
        }, h("span", { class: "level-dots", "aria-hidden": "true" }, "●".repeat(n) + "○".repeat(5 - n)), levelLabel(n)))));
  }

  // 4. Body, note, suggestions; picking a strategy saves the check-in.
  async function detailsStep() {
    const forChild = Boolean(state.child);
    const subject = forChild ? state.theirs : state.mine;
    const emotion = vocab.byKey[subject.emotion];
    const note = h("textarea", { id: "checkin-note", name: "note", maxlength: limit("checkin.note"), rows: 2, placeholder: gettext("What happened? (optional)") });
    const bodyMap = h("div", { class: "body-map", role: "group", "aria-labelledby": "body-h" },
      vocab.body_areas.map((area) => h("button", {
        type: "button",
        class: `body-area area-${area.key}`,
        "aria-pressed": state.bodyAreas.has(area.key) ? "true" : "false",
        onclick: (event) => {
          const button = event.currentTarget;
          if (state.bodyAreas.has(area.key)) state.bodyAreas.delete(area.key);
          else state.bodyAreas.add(area.key);
          button.setAttribute("aria-pressed", state.bodyAreas.has(area.key) ? "true" : "false");
        },
      }, area.label)));
    const list = h("div", { class: "suggestions", "aria-live": "polite", "aria-busy": "true" }, h("p", { class: "loading" }, gettext("Finding ideas…")));
    const advice = h("div");

    show(back(() => intensityStep(forChild ? "child" : "me")),
      stepHeading(interpolate(gettext("%(who)s: %(emoji)s %(feeling)s, %(intensity)s of 5"),
        { who: forChild ? state.child.name : gettext("You"), emoji: emotion.emoji, feeling: forChild ? emotion.kid_label : emotion.label, intensity: subject.intensity })),
      h("details", { class: "card details" },
        h("summary", {}, gettext("Where in the body? Add a note (optional)")),
        h("h3", { id: "body-h", class: "small" }, forChild ? interpolate(gettext("Where does %(child)s feel it?"), { child: state.child.name }) : gettext("Where do you feel it?")),
        bodyMap,
        h("label", { for: "checkin-note" }, gettext("Note")), note),
      h("h3", {}, forChild ? interpolate(gettext("Ideas for %(child)s"), { child: state.child.name }) : gettext("Ideas for you")),
      list,
      advice,
      h("button", { type: "button", class: "secondary full", onclick: () => save(null, note.value) }, gettext("Save without a strategy")));

    const params = new URLSearchParams({ emotion: subject.emotion, intensity: subject.intensity });
    if (forChild) params.set("child", state.child.id);
    if (state.mine) {
      params.set("caregiver_emotion", state.mine.emotion);
      params.set("caregiver_intensity", state.mine.intensity);
    }
    let suggestions;
    let adviceText;
    try {
      const answer = await api.get(`families/${familyId}/suggestions/?${params}`);
      suggestions = answer.suggestions;
      adviceText = answer.not_medical_advice;
    } catch {
      suggestions = offlineSuggestions(await strategiesPromise, emotion);
    }
    list.removeAttribute("aria-busy");
    list.replaceChildren(...suggestions.map((s) => suggestionCard(s, note)));
    if (!suggestions.length) list.replaceChildren(h("p", { class: "muted" }, gettext("No ideas to show right now.")));
    advice.replaceChildren(notMedicalAdvice(adviceText));
  }

  function suggestionCard(suggestion, note) {
    const s = suggestion.strategy;
    if (suggestion.pinned) {
      // The grown-up's own calm first: its guided breathing starts right here, without
      // leaving the check-in (the guide stops when the screen is left).
      const guide = s.guided ? breathingGuide(s.guided, { id: `pinned-${s.id}`, level: 4 }) : null;
      if (guide) guides.push(guide);
      return h("details", { class: "card suggestion pinned", open: true },
        h("summary", {}, h("span", { class: "badge" }, gettext("You first")), " ", s.title),
        h("p", { class: "reason small" }, suggestion.reason),
        h("ol", {}, s.steps.map((step) => h("li", {}, step))),
        guide ? guide.element : null);
    }
    return h("article", { class: "card suggestion" },
      h("h4", {}, s.title),
      h("p", { class: "small" }, s.summary),
      h("p", { class: "reason small muted" }, interpolate(gettext("Why: %(reason)s"), { reason: suggestion.reason })),
      h("button", { type: "button", class: "full", "aria-label": interpolate(gettext("Try this: %(strategy)s"), { strategy: s.title }), onclick: () => save(s, note.value) }, gettext("Try this")));
  }

  async function save(strategy, noteText) {
    const occurredAt = state.occurredAt || new Date().toISOString();
    state.occurredAt = occurredAt; // a second tap repeats the same request
    const subject = state.child ? state.theirs : state.mine;
    const body = {
      id: state.id,
      emotion: subject.emotion,
      intensity: subject.intensity,
      body_areas: [...state.bodyAreas],
      note: (noteText || "").trim(),
      occurred_at: occurredAt,
      strategy: strategy ? strategy.id : null,
    };
    if (state.child) body.child = state.child.id;
    else body.member = me ? me.id : null;
    if (state.child && state.both) {
      body.caregiver = { id: state.caregiverId, emotion: state.mine.emotion, intensity: state.mine.intensity };
    }
    let queued = false;
    try {
      ({ queued } = await send("POST", `families/${familyId}/checkins/`, body, `checkin ${state.id}`));
    } catch (error) {
      toast(error.message || gettext("Could not save the check-in"));
      return;
    }
    toast(queued ? gettext("Saved on this phone: it will sync when you're back online.") : gettext("Check-in saved"));
    if (strategy) {
      rememberStrategy(strategy);
      const who = state.child ? state.child.name : "";
      go(`families/${familyId}/strategies/${strategy.id}?checkin=${state.id}&who=${encodeURIComponent(who)}`);
    } else {
      savedStep(queued);
    }
  }

  function savedStep(queued) {
    show(stepHeading(queued ? gettext("Saved on this phone") : gettext("Check-in saved")),
      h("p", {}, queued ? gettext("It will sync by itself when you're back online.") : gettext("Thank you for checking in.")),
      h("div", { class: "row" },
        h("button", { type: "button", onclick: () => go(`families/${familyId}/checkin?again=${Date.now()}`) }, gettext("Another check-in")),
        h("a", { class: "button secondary", href: `#/families/${familyId}/insights` }, gettext("See insights"))));
  }

  fill(root, h("h1", {}, gettext("Check-in")), stage);
  // Opened from "Sam says: mad, big" (the child's own check-in on their tablet): a
  // coregulation check-in for that child with their feeling and size already chosen.
  const asked = query();
  const askedChild = children.find((c) => String(c.id) === asked.get("child"));
  const askedFeeling = vocab.byKey[asked.get("emotion") || ""];
  const askedSize = Number(asked.get("intensity"));
  if (askedChild && askedFeeling && askedSize >= 1 && askedSize <= 5) {
    Object.assign(state, { child: askedChild, both: true, theirs: { emotion: askedFeeling.key, intensity: askedSize } });
    state.said = interpolate(gettext("%(child)s said: %(emoji)s %(feeling)s, %(size)s of 5"),
      { child: askedChild.name, emoji: askedFeeling.emoji, feeling: askedFeeling.kid_label, size: askedSize });
    feelingStep("me");
  } else {
    whoStep();
  }
  return () => guides.forEach((guide) => guide.stop());
}

export const routes = [["families/:family/checkin", mountCheckin]];
