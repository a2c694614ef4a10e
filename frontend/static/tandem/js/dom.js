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

let toastTimer;
export function toast(message, { action, onAction, ms = 4000 } = {}) {
  const box = document.getElementById("toast");
  box.replaceChildren(message);
  if (action) {
    box.append(" ", h("button", { class: "quiet", type: "button", onclick: () => { box.classList.remove("show"); onAction(); } }, action));
  }
  box.classList.add("show");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => box.classList.remove("show"), ms);
}

// Shows an API error ({"detail", "code", "errors": {"field": ["msg"]}}) in `form`: each
// field's messages after the input named like the field (aria-invalid, and the message's
// id added to aria-describedby), else `message` (the detail) in the form's .form-error.
// `error` null clears them all. Returns the message.
export function showErrors(form, error, message = error ? error.message : "") {
  clearErrors(form);
  const errors = (error && error.errors) || {};
  let shown = false;
  for (const [field, messages] of Object.entries(errors)) {
    const input = form.querySelector(`[name="${CSS.escape(field)}"]`);
    if (input) {
      const id = `${input.id || field}-error`;
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", [...describedBy(input), id].join(" "));
      input.after(h("p", { class: "field-error", id }, messages.join(" ")));
      shown = true;
    }
  }
  const general = form.querySelector(".form-error");
  if (general) general.textContent = shown ? "" : message;
  return message;
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
