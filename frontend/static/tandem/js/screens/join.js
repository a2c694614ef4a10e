// Joining a family from an invite link: which family and who invited, then the choice
// (Join / Not now). Nothing is joined by opening the link. Someone not signed in signs up
// or logs in first and comes back here to be asked.

import { api } from "../api.js";
import { fill, h, toast } from "../dom.js";
import { go } from "../router.js";
import { home, refreshUser, session, setFamily } from "../state.js";
import { formatDate, gettext, interpolate } from "../i18n.js";

function invitedText(preview) {
  const who = preview.invited_by;
  if (preview.role === "owner") return who ? interpolate(gettext("%(who)s invited you as an owner."), { who }) : gettext("Someone invited you as an owner.");
  return who ? interpolate(gettext("%(who)s invited you as a caregiver."), { who }) : gettext("Someone invited you as a caregiver.");
}

function problem(root, error) {
  const message = (error.errors && error.errors.token && error.errors.token.join(" ")) || error.message;
  fill(root,
    h("h1", {}, gettext("This invitation cannot be used")),
    h("p", { class: "error", role: "alert" }, error.status ? message : gettext("You're offline: open the link again with a connection.")),
    h("p", {}, gettext("Ask the person who invited you for a new link.")),
    h("a", { class: "button secondary", href: "#/" }, gettext("Go to Tandem")));
}

async function mountJoin(root, { token }) {
  let preview;
  try {
    preview = await api.get(`invitations/preview/?${new URLSearchParams({ token })}`);
  } catch (error) {
    problem(root, error);
    return;
  }
  const name = preview.family.name;
  const expires = formatDate(preview.expires_at, { day: "numeric", month: "long" });

  if (!session.user) {
    sessionStorage.setItem("afterLogin", `join/${token}`);
    fill(root,
      h("h1", { class: "join-title" }, interpolate(gettext("Join %(family)s?"), { family: name })),
      h("p", {}, invitedText(preview)),
      h("p", {}, gettext("Create your account (or log in), then you choose whether to join.")),
      h("p", { class: "small muted" }, interpolate(gettext("The link works once, until %(date)s."), { date: expires })),
      h("div", { class: "row" },
        h("a", { class: "button", href: "#/signup" }, gettext("Sign up")),
        h("a", { class: "button secondary", href: "#/login" }, gettext("Log in"))));
    return;
  }

  const status = h("p", { class: "error form-error", role: "alert" });
  const join = h("button", { type: "button" }, gettext("Join"));
  join.addEventListener("click", async () => {
    join.disabled = true;
    status.textContent = "";
    try {
      const joined = await api.post("invitations/accept/", { token });
      await refreshUser();
      setFamily(joined.family.id);
      toast(interpolate(gettext("You joined %(family)s"), { family: joined.family.name }));
      go(`families/${joined.family.id}/family`);
    } catch (error) {
      status.textContent = error.status
        ? ((error.errors && error.errors.token && error.errors.token.join(" ")) || error.message)
        : gettext("You're offline: try again with a connection.");
      join.disabled = false;
    }
  });
  fill(root,
    h("h1", { class: "join-title" }, interpolate(gettext("Join %(family)s?"), { family: name })),
    h("p", {}, invitedText(preview)),
    h("p", { class: "small muted" }, interpolate(gettext("You'll see and share its children's routines and check-ins. The link works once, until %(date)s."), { date: expires })),
    status,
    h("div", { class: "row" },
      join,
      h("button", { type: "button", class: "secondary", onclick: () => { sessionStorage.removeItem("afterLogin"); home(); } }, gettext("Not now"))));
}

export const routes = [["join/:token", mountJoin, { auth: false }]];
