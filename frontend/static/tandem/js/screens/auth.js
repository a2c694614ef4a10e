// Sign up, log in, forgotten password, reset.

import { api } from "../api.js";
import { field, formData, h, mount, showErrors, toast } from "../dom.js";
import { go, route } from "../router.js";
import { afterLogin, refreshUser, session } from "../state.js";

function form(onsubmit, ...children) {
  const el = h("form", { novalidate: true, class: "card stack" }, ...children,
    h("p", { class: "error form-error", role: "alert" }));
  el.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = el.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await onsubmit(formData(el), el);
    } catch (error) {
      showErrors(el, error);
    } finally {
      button.disabled = false;
    }
  });
  return el;
}

route("login", () => {
  mount(
    h("h1", {}, "Welcome back"),
    form(async (data) => {
      await api.post("auth/login/", { email: data.email, password: data.password });
      await refreshUser();
      afterLogin();
    },
    field("E-mail", { name: "email", type: "email", autocomplete: "email", required: true }),
    field("Password", { name: "password", type: "password", autocomplete: "current-password", required: true }),
    h("button", { type: "submit", class: "full" }, "Log in")),
    h("p", {}, "New here? ", h("a", { href: "#/signup" }, "Create an account")),
    h("p", {}, h("a", { href: "#/forgot" }, "Forgot your password?")),
  );
}, { auth: false });

route("signup", () => {
  mount(
    h("h1", {}, "Create your account"),
    h("p", { class: "muted" }, "One account per caregiver. You can share a family with others."),
    form(async (data) => {
      await api.post("auth/signup/", data);
      await refreshUser();
      afterLogin();
    },
    field("Your name", { name: "display_name", autocomplete: "name", required: true }),
    field("E-mail", { name: "email", type: "email", autocomplete: "email", required: true }),
    field("Password (10+ characters)", { name: "password", type: "password", autocomplete: "new-password", required: true, minlength: 10 }),
    h("button", { type: "submit", class: "full" }, "Sign up")),
    h("p", {}, "Already have an account? ", h("a", { href: "#/login" }, "Log in")),
  );
}, { auth: false });

route("forgot", () => {
  mount(
    h("h1", {}, "Reset your password"),
    form(async (data) => {
      const answer = await api.post("auth/password/reset/", data);
      toast(answer.detail);
      go("login");
    },
    field("E-mail", { name: "email", type: "email", autocomplete: "email", required: true }),
    h("button", { type: "submit", class: "full" }, "Send reset link")),
  );
}, { auth: false });

route("reset/:uid/:token", ({ uid, token }) => {
  mount(
    h("h1", {}, "Choose a new password"),
    form(async (data) => {
      await api.post("auth/password/reset/confirm/", { uid, token, new_password: data.new_password });
      toast("Password set. Please log in.");
      go("login");
    },
    field("New password", { name: "new_password", type: "password", autocomplete: "new-password", required: true }),
    h("input", { type: "hidden", name: "token" }),
    h("button", { type: "submit", class: "full" }, "Save password")),
  );
}, { auth: false });

export async function logout() {
  await api.post("auth/logout/");
  session.user = null;
  localStorage.clear();
  if (navigator.serviceWorker && navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage("logout");
  go("login");
}
