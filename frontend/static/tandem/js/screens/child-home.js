// PLACEHOLDER until the child view is merged (another engineer builds the full-screen
// board at this route): a tablet's landing with the big face button to the child's own
// check-in. Drop this module when the real child view arrives.

import { fill, h } from "../dom.js";
import { gettext, interpolate } from "../i18n.js";
import { session } from "../state.js";

function mountChildHome(root, { family, child }) {
  const device = session.user && session.user.device;
  const found = device && (device.children || []).find((c) => String(c.id) === child);
  const name = found ? found.name : "";
  fill(root,
    h("h1", {}, name ? interpolate(gettext("Hello, %(name)s"), { name }) : gettext("Hello")),
    h("a", { class: "button child-feel-link", href: `#/child/${family}/${child}/feel` },
      h("span", { class: "child-pick-face", "aria-hidden": "true" }, "😊"), gettext("How do I feel?")));
  document.getElementById("tabs").hidden = true;
}

export const routes = [["child/:family/:child", mountChildHome]];
