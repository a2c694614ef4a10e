// Tiny DOM helpers: build elements without innerHTML (no injection, CSP-friendly).

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

// A screen's content: replaces what `root` shows and moves focus to its heading.
export function fill(root, ...children) {
  root.replaceChildren(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
  const heading = root.querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  }
  return root;
}

// A short message in the top bar (it covers neither the screen's content nor the tabs),
// for `ms`. A toast belongs to the screen it was shown on: `dismissToast` (on every
// screen change) hides it, unless it was raised just as that screen was left to say
// how the step that left it went ("Routine saved", then the list) and has no action.
const CARRY_MS = 1500;
let toastTimer;
let toastShown = { at: 0, action: false };
export function toast(message, { action, onAction, ms = 4000 } = {}) {
  const box = document.getElementById("toast");
  box.replaceChildren(h("span", { class: "toast-text" }, message));
  if (action) {
    box.append(h("button", { class: "toast-action", type: "button", onclick: () => { hideToast(); onAction(); } }, action));
  }
  box.classList.add("show");
  toastShown = { at: Date.now(), action: Boolean(action) };
  clearTimeout(toastTimer);
  toastTimer = setTimeout(hideToast, ms);
}

function hideToast() {
  const box = document.getElementById("toast");
  clearTimeout(toastTimer);
  if (!box) return;
  box.classList.remove("show");
  box.replaceChildren();
}

export function dismissToast() {
  if (toastShown.action || Date.now() - toastShown.at > CARRY_MS) hideToast();
}

// Shows an API error ({"detail", "code", "errors": {"field": ["msg"]}}) in `form`: each
// field's messages after the input named like the field (aria-invalid, and the message's
// id added to aria-describedby; both go as soon as the field changes), else `message`
// (the detail) in the form's .form-error, which also says the messages of fields that
// have no input in the form.
// `error` null clears them all. Returns the message.
export function showErrors(form, error, message = error ? error.message : "") {
  clearErrors(form);
  const errors = (error && error.errors) || {};
  let shown = false;
  const unplaced = []; // messages about a field with no input here: said form-wide
  for (const [field, messages] of Object.entries(errors)) {
    const input = form.querySelector(`[name="${CSS.escape(field)}"]`);
    if (!input && field !== "non_field_errors") unplaced.push(...messages);
    if (input) {
      const id = `${input.id || field}-error`;
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", [...describedBy(input), id].join(" "));
      input.after(h("p", { class: "field-error", id }, messages.join(" ")));
      // Fixed as soon as it is changed: the mark and the message go (the server has the
      // last word on the next submit).
      const clear = () => clearFieldError(form, input, id);
      input.addEventListener("input", clear, { once: true });
      input.addEventListener("change", clear, { once: true });
      shown = true;
    }
  }
  const general = form.querySelector(".form-error");
  if (general) general.textContent = unplaced.length ? unplaced.join(" ") : shown ? "" : message;
  return message;
}

function clearFieldError(form, input, id) {
  input.removeAttribute("aria-invalid");
  const rest = describedBy(input).filter((other) => other !== id);
  if (rest.length) input.setAttribute("aria-describedby", rest.join(" "));
  else input.removeAttribute("aria-describedby");
  const note = form.querySelector(`#${CSS.escape(id)}`);
  if (note) note.remove();
}

const describedBy = (el) => (el.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);

function clearErrors(form) {
  for (const note of form.querySelectorAll(".field-error")) {
    for (const input of form.querySelectorAll("[aria-describedby]")) {
      const rest = describedBy(input).filter((id) => id !== note.id);
      if (rest.length) input.setAttribute("aria-describedby", rest.join(" "));
      else input.removeAttribute("aria-describedby");
    }
    note.remove();
  }
  form.querySelectorAll("[aria-invalid]").forEach((input) => input.removeAttribute("aria-invalid"));
}

// Every form's submit: no page load, the submit button disabled while `handler(data,
// form)` runs (a second submit meanwhile is ignored), the API's field errors shown on
// failure and cleared on success, the button as it was afterwards. Options:
// `errorMessage(error)` words the form-wide message (default: the error's detail);
// `onError(error, form)` runs after the errors are shown.
export function handleSubmit(form, handler, { errorMessage, onError } = {}) {
  let busy = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (busy) return;
    busy = true;
    const button = form.querySelector("button[type=submit]");
    const wasDisabled = button ? button.disabled : false;
    if (button) button.disabled = true;
    try {
      await handler(formData(form), form);
      showErrors(form, null);
    } catch (error) {
      showErrors(form, error, errorMessage ? errorMessage(error) : undefined);
      if (onError) onError(error, form);
    } finally {
      busy = false;
      if (button) button.disabled = wasDisabled;
    }
  });
  return form;
}

export function field(label, attrs) {
  const id = attrs.id || `f-${attrs.name}`;
  return [h("label", { for: id }, label), h("input", { id, ...attrs })];
}

export function formData(form) {
  return Object.fromEntries(new FormData(form).entries());
}
