// A strategy's steps, with a guided breathing animation for box and belly breathing.

import { api } from "../api.js";
import { fill, h } from "../dom.js";
import { query } from "../router.js";
import { setFamily } from "../state.js";
import { breathingGuide } from "../checkin/breathing.js";
import { notMedicalAdvice } from "../checkin/feelings.js";
import { gettext, interpolate } from "../i18n.js";

// Strategies already on the phone (from suggestions), so this screen works offline.
const known = new Map();
export function rememberStrategy(strategy) { known.set(String(strategy.id), strategy); }

async function mountStrategy(root, { family: familyParam, id }) {
  const familyId = Number(familyParam);
  setFamily(familyId);
  const strategy = known.get(id) || await api.get(`families/${familyId}/strategies/${id}/`);
  rememberStrategy(strategy);
  const params = query();
  const checkinId = params.get("checkin");
  const who = params.get("who");
  const breathing = strategy.guided ? breathingGuide(strategy.guided) : null;
  fill(root, ...[
    h("h1", {}, strategy.title),
    h("p", {}, strategy.summary),
    breathing ? breathing.element : null,
    h("section", { "aria-labelledby": "steps-h" },
      h("h2", { id: "steps-h" }, gettext("Steps")),
      h("ol", { class: "steps" }, strategy.steps.map((step) => h("li", {}, step)))),
    strategy.age_note ? h("p", { class: "small muted" }, strategy.age_note) : null,
    checkinId ? h("p", { class: "row" },
      h("a", { class: "button secondary", href: `#/families/${familyId}/checkins/${checkinId}/follow-up` },
        who ? interpolate(gettext("How is %(child)s now?"), { child: who }) : gettext("How are you now?"))) : null,
    notMedicalAdvice(strategy.not_medical_advice),
  ].filter(Boolean));
  return breathing ? breathing.stop : undefined; // the guide's count ends with the screen
}

export const routes = [["families/:family/strategies/:id", mountStrategy]];
