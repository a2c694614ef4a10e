// Joining a family from an invite link: sign up or log in first, then accept.

import { api } from "../api.js";
import { fill, h, showErrors } from "../dom.js";
import { go } from "../router.js";
import { refreshUser, session, setFamily } from "../state.js";

async function mountJoin(root, { token }) {
  if (!session.user) {
    sessionStorage.setItem("afterLogin", `join/${token}`);
    fill(root,
      h("h1", {}, "You're invited to a family on Tandem"),
      h("p", {}, "Create your account (or log in) and you'll join straight away."),
      h("div", { class: "row" },
        h("a", { class: "button", href: "#/signup" }, "Sign up"),
        h("a", { class: "button secondary", href: "#/login" }, "Log in")),
    );
    return;
  }
  const box = h("div", { class: "card" }, h("p", { class: "error form-error", role: "alert" }));
  fill(root, h("h1", {}, "Joining the family…"), box);
  try {
    const joined = await api.post("invitations/accept/", { token });
    await refreshUser();
    setFamily(joined.family.id);
    go(`families/${joined.family.id}/family`);
  } catch (error) {
    showErrors(box, error);
    box.append(h("a", { class: "button secondary", href: "#/" }, "Go to Tandem"));
  }
}

export const routes = [["join/:token", mountJoin, { auth: false }]];
