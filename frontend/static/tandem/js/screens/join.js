// Joining a family from an invite link: sign up or log in first, then accept.

import { api } from "../api.js";
import { h, mount, showErrors } from "../dom.js";
import { go, route } from "../router.js";
import { refreshUser, session, setFamily } from "../state.js";

route("join/:token", async ({ token }) => {
  if (!session.user) {
    sessionStorage.setItem("afterLogin", `join/${token}`);
    mount(
      h("h1", {}, "You're invited to a family on Tandem"),
      h("p", {}, "Create your account (or log in) and you'll join straight away."),
      h("div", { class: "row" },
        h("a", { class: "button", href: "#/signup" }, "Sign up"),
        h("a", { class: "button secondary", href: "#/login" }, "Log in")),
    );
    return;
  }
  const box = h("div", { class: "card" }, h("p", { class: "error form-error", role: "alert" }));
  mount(h("h1", {}, "Joining the family…"), box);
  try {
    const joined = await api.post("invitations/accept/", { token });
    await refreshUser();
    setFamily(joined.family.id);
    go(`families/${joined.family.id}/family`);
  } catch (error) {
    showErrors(box, error);
    box.append(h("a", { class: "button secondary", href: "#/" }, "Go to Tandem"));
  }
}, { auth: false });
