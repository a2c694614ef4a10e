// "How is Sam now?": the follow-up after a strategy (the reminder push opens this URL).

import { api, getAll } from "../api.js";
import { fill, h, toast } from "../dom.js";
import { send } from "../offline-queue.js";
import { setFamily } from "../state.js";
import { feelingsGrid, loadVocabulary } from "../checkin/feelings.js";
import { gettext, interpolate } from "../i18n.js";

const OUTCOMES = [
  ["better", "🙂", gettext("Better")],
  ["same", "😐", gettext("About the same")],
  ["worse", "🙁", gettext("Worse")],
];

async function mountFollowUp(root, { family: familyParam, id }) {
  const familyId = Number(familyParam);
  setFamily(familyId);
  const [checkin, vocab, children] = await Promise.all([
    api.get(`families/${familyId}/checkins/${id}/`),
    loadVocabulary(),
    getAll(`families/${familyId}/children/`).catch(() => []),
  ]);
  const child = children.find((c) => c.id === checkin.child);
  const name = child ? child.name : null;
  const answer = { outcome: checkin.outcome, outcome_emotion: checkin.outcome_emotion || "" };
  const status = h("p", { role: "status", class: "small" });
  const before = vocab.byKey[checkin.emotion];

  async function submit() {
    const path = `families/${familyId}/checkins/${id}/`;
    try {
      const { queued } = await send("PATCH", path, answer, `outcome ${id}`);
      status.textContent = queued ? gettext("Saved on this phone: it will sync when you're back online.") : gettext("Thank you, noted.");
      toast(queued ? gettext("Saved on this phone") : gettext("Thank you"));
    } catch (error) {
      status.textContent = error.message;
    }
  }

  const outcomeButtons = OUTCOMES.map(([value, emoji, label]) => h("button", {
    type: "button",
    class: "outcome",
    "aria-pressed": answer.outcome === value ? "true" : "false",
    onclick: (event) => {
      answer.outcome = value;
      event.currentTarget.parentElement.querySelectorAll("button").forEach((b) => b.setAttribute("aria-pressed", b === event.currentTarget ? "true" : "false"));
      submit();
    },
  }, h("span", { class: "feel-emoji", "aria-hidden": "true" }, emoji), label));

  const newFeeling = h("div", { class: "feelings" });
  function renderGrid() {
    newFeeling.replaceChildren(...feelingsGrid(vocab, {
      kid: Boolean(child),
      selected: answer.outcome_emotion,
      onPick: (emotion) => {
        answer.outcome_emotion = emotion.key;
        renderGrid();
        if (answer.outcome) submit();
        else status.textContent = gettext("Now choose better, the same or worse.");
      },
    }));
  }
  renderGrid();

  fill(root, ...[
    h("h1", {}, name ? interpolate(gettext("How is %(child)s now?"), { child: name }) : gettext("How are you now?")),
    before ? h("p", { class: "muted" }, interpolate(gettext("Before: %(emoji)s %(feeling)s, %(intensity)s of 5"), { emoji: before.emoji, feeling: before.label, intensity: checkin.intensity }),
      checkin.strategy_title ? ` · tried “${checkin.strategy_title}”` : "") : null,
    h("div", { class: "outcomes", role: "group", "aria-label": gettext("How it went") }, outcomeButtons),
    status,
    h("details", { class: "card" }, h("summary", {}, name ? interpolate(gettext("How does %(child)s feel now? (optional)"), { child: name }) : gettext("How do you feel now? (optional)")), newFeeling),
    h("p", {}, h("a", { href: `#/families/${familyId}/checkin` }, gettext("New check-in"))),
  ].filter(Boolean));
}

export const routes = [["families/:family/checkins/:id/follow-up", mountFollowUp]];
