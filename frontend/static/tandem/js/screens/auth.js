// Sign up, log in, forgotten password, reset.

import { api } from "../api.js";
import { field, fill, h, handleSubmit, toast } from "../dom.js";
import { gettext } from "../i18n.js";
import { limit } from "../limits.js";
import { go } from "../router.js";
import { afterLogin, refreshUser, session } from "../state.js";

function form(onsubmit, ...children) {
  return handleSubmit(h("form", { novalidate: true, class: "card stack" }, ...children,
    h("p", { class: "error form-error", role: "alert" })), onsubmit);
}

function mountLogin(root) {
  fill(root,
    h("h1", {}, gettext("Welcome back")),
    form(async (data) => {
      await api.post("auth/login/", { email: data.email, password: data.password });
      await refreshUser();
      afterLogin();
    },
    field(gettext("E-mail"), { name: "email", type: "email", autocomplete: "email", required: true, maxlength: limit("auth.email") }),
    field(gettext("Password"), { name: "password", type: "password", autocomplete: "current-password", required: true, maxlength: limit("auth.password") }),
    h("button", { type: "submit", class: "full" }, gettext("Log in"))),
    h("p", {}, gettext("New here?"), " ", h("a", { href: "#/signup" }, gettext("Create an account"))),
    h("p", {}, h("a", { href: "#/forgot" }, gettext("Forgot your password?"))),
    h("p", {}, h("a", { href: "#/pair-device", class: "pair-link" }, gettext("This is a child's tablet"))),
  );
}

function mountSignup(root) {
  fill(root,
    h("h1", {}, gettext("Create your account")),
    h("p", { class: "muted" }, gettext("One account per caregiver. You can share a family with others.")),
    form(async (data) => {
      await api.post("auth/signup/", data);
      await refreshUser();
      afterLogin();
    },
    field(gettext("Your name"), { name: "display_name", autocomplete: "name", required: true, maxlength: limit("user.display_name") }),
    field(gettext("E-mail"), { name: "email", type: "email", autocomplete: "email", required: true, maxlength: limit("auth.email") }),
    field(gettext("Password (10+ characters)"), { name: "password", type: "password", autocomplete: "new-password", required: true, minlength: 10, maxlength: limit("auth.password") }),
    h("button", { type: "submit", class: "full" }, gettext("Sign up"))),
    h("p", {}, gettext("Already have an account?"), " ", h("a", { href: "#/login" }, gettext("Log in"))),
  );
}

function mountForgot(root) {
  fill(root,
    h("h1", {}, gettext("Reset your password")),
    form(async (data) => {
      const answer = await api.post("auth/password/reset/", data);
      toast(answer.detail);
      go("login");
    },
    field(gettext("E-mail"), { name: "email", type: "email", autocomplete: "email", required: true, maxlength: limit("auth.email") }),
    h("button", { type: "submit", class: "full" }, gettext("Send reset link"))),
  );
}

function mountReset(root, { uid, token }) {
  fill(root,
    h("h1", {}, gettext("Choose a new password")),
    form(async (data) => {
      await api.post("auth/password/reset/confirm/", { uid, token, new_password: data.new_password });
      toast(gettext("Password set. Please log in."));
      go("login");
    },
    field(gettext("New password"), { name: "new_password", type: "password", autocomplete: "new-password", required: true, maxlength: limit("auth.password") }),
    h("input", { type: "hidden", name: "token" }),
    h("button", { type: "submit", class: "full" }, gettext("Save password"))),
  );
}

export const routes = [
  ["login", mountLogin, { auth: false }],
  ["signup", mountSignup, { auth: false }],
  ["forgot", mountForgot, { auth: false }],
  ["reset/:uid/:token", mountReset, { auth: false }],
];

export async function logout() {
  await api.post("auth/logout/");
  session.user = null;
  localStorage.clear();
  if (navigator.serviceWorker && navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage("logout");
  go("login");
}
