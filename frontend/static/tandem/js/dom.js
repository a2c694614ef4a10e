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

export function mount(...children) {
  const main = document.getElementById("main");
  main.replaceChildren(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
  const heading = main.querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  }
  return main;
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

// Shows a 400's field errors next to the inputs named like the fields; returns the message.
export function showErrors(form, error) {
  form.querySelectorAll(".field-error").forEach((e) => e.remove());
  const errors = (error && error.errors) || {};
  let shown = false;
  for (const [field, messages] of Object.entries(errors)) {
    const input = form.querySelector(`[name="${CSS.escape(field)}"]`);
    if (input) {
      const id = `${input.id || field}-error`;
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", id);
      input.after(h("p", { class: "field-error", id }, messages.join(" ")));
      shown = true;
    }
  }
  const general = form.querySelector(".form-error");
  const message = error ? error.message : "";
  if (general) general.textContent = shown ? "" : message;
  return message;
}

export function field(label, attrs) {
  const id = attrs.id || `f-${attrs.name}`;
  return [h("label", { for: id }, label), h("input", { id, ...attrs })];
}

export function formData(form) {
  return Object.fromEntries(new FormData(form).entries());
}
