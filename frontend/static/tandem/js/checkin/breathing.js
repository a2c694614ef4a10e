// Guided breathing: a circle that grows and shrinks (CSS animations in app.css) and a
// spoken count in an aria-live region. With prefers-reduced-motion the circle stays
// still and the counts alone guide the breath.

import { h } from "../dom.js";
import { gettext, interpolate } from "../i18n.js";

export const PATTERNS = {
  "box-4-4-4-4": {
    name: gettext("Box breathing"),
    phases: [["in", gettext("Breathe in"), 4], ["hold-full", gettext("Hold"), 4], ["out", gettext("Breathe out"), 4], ["hold-empty", gettext("Hold"), 4]],
  },
  "belly-4-6": {
    name: gettext("Belly breathing"),
    phases: [["in", gettext("Breathe in"), 4], ["out-slow", gettext("Breathe out"), 6]],
  },
};

const ROUNDS = 5;

// The guide's section, and `stop()` to end its count (the screen calls it when left).
// `id` names its heading (several guides on one screen), `level` its heading level.
export function breathingGuide(patternKey, { id = "breathing-h", level = 2 } = {}) {
  const pattern = PATTERNS[patternKey];
  if (!pattern) return null;
  const reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  const circle = h("div", { class: "breath-circle", "aria-hidden": "true" }, h("span", { class: "breath-word" }, ""));
  const live = h("p", { class: "breath-count", role: "status", "aria-live": "polite", "aria-atomic": "true" }, gettext("Ready when you are."));
  const round = h("p", { class: "small muted breath-round" }, "");
  const button = h("button", { type: "button", class: "full" }, gettext("Start breathing"));
  let timer = null;
  let finishing = null;

  function stop(message) {
    clearInterval(timer);
    timer = null;
    circle.className = "breath-circle";
    circle.firstChild.textContent = "";
    button.textContent = gettext("Start breathing");
    if (message) live.textContent = message;
  }

  function start() {
    let phase = 0;
    let count = 0;
    let rounds = 0;
    const tick = () => {
      const [cls, word, seconds] = pattern.phases[phase];
      if (count === 0) {
        circle.className = `breath-circle breath-${cls}-${seconds}`;
        circle.firstChild.textContent = word;
      }
      count += 1;
      live.textContent = `${word}… ${count}`;
      if (count >= seconds) {
        count = 0;
        phase = (phase + 1) % pattern.phases.length;
        if (phase === 0) {
          rounds += 1;
          round.textContent = interpolate(gettext("Round %(n)s of %(total)s"), { n: Math.min(rounds + 1, ROUNDS), total: ROUNDS });
          if (rounds >= ROUNDS) {
            finishing = setTimeout(() => stop(gettext("Well done. Notice how you feel now.")), 1000);
            clearInterval(timer);
            return;
          }
        }
      }
    };
    round.textContent = interpolate(gettext("Round %(n)s of %(total)s"), { n: 1, total: ROUNDS });
    button.textContent = gettext("Stop");
    tick();
    timer = setInterval(tick, 1000);
  }

  button.addEventListener("click", () => (timer ? stop(gettext("Stopped. Start again whenever you like.")) : start()));
  const element = h("section", { class: "card breathing", "aria-labelledby": id },
    h(`h${level}`, { id }, interpolate(gettext("Breathe together: %(pattern)s"), { pattern: pattern.name.toLowerCase() })),
    reduced ? h("p", { class: "small muted" }, gettext("Animation is off (reduced motion): follow the counts.")) : null,
    circle, live, round, button);
  return { element, stop: () => { clearTimeout(finishing); stop(); } };
}
