// Strategies: the ideas to try when a feeling is big, each opening its steps (and the
// guided breathing). A sitter's tab; everyone else reaches them from a check-in.

import { getAll } from "../api.js";
import { fill, h } from "../dom.js";
import { setFamily } from "../state.js";
import { refusedSitter } from "./pass.js";
import { rememberStrategy } from "./strategy.js";
import { gettext } from "../i18n.js";

export const tab = "strategies";

async function mountStrategies(root, { family: familyParam }) {
  const familyId = Number(familyParam);
  setFamily(familyId);
  let strategies;
  try {
    strategies = await getAll(`families/${familyId}/strategies/`);
  } catch (error) {
    if (refusedSitter(root, error)) return;
    throw error;
  }
  const list = Array.isArray(strategies) ? strategies : [];
  list.forEach(rememberStrategy);
  fill(root,
    h("h1", {}, gettext("Strategies")),
    h("p", { class: "muted" }, gettext("Calm first, then talk. Pick one and follow its steps together.")),
    list.length
      ? h("ul", { class: "list-plain strategy-list" }, list.map((s) => h("li", {},
        h("a", { class: "routine-link", href: `#/families/${familyId}/strategies/${s.id}` },
          h("span", { class: "routine-icon", "aria-hidden": "true" }, s.guided ? "🌬️" : "💡"),
          h("span", { class: "routine-text" }, h("strong", {}, s.title), h("br"), h("span", { class: "small muted" }, s.summary || ""))))))
      : h("p", { class: "muted" }, gettext("No strategies yet.")));
}

export const routes = [["families/:family/strategies", mountStrategies]];
