// Hash router: "#/families/3/today" → the screen registered for "families/:family/today".
//
// A screen is a function `mount(root, params)` that renders into `root` and returns
// (or resolves to) its `unmount()`, or nothing when it has nothing to release. Before
// the next screen is shown, the one on display is unmounted: its timers, document and
// window listeners and subscriptions end when it is left.

const routes = [];
let notFound = () => {};

export function route(pattern, mount, { auth = true } = {}) {
  const keys = [];
  const regex = new RegExp(
    `^${pattern.replace(/:(\w+)/g, (_, key) => { keys.push(key); return "([^/]+)"; })}$`,
  );
  routes.push({ pattern, regex, keys, mount, auth });
}

// The patterns registered, in order (the accessibility gate visits every one of them).
export const patterns = () => routes.map((r) => r.pattern);

export function fallback(mount) { notFound = mount; }

// The screen on display: its visit, and the unmount it returned once its mount is done.
let visit = null;

// Unmounts the screen on display (at once, or when its mount finishes if it still runs).
export function leave() {
  const previous = visit;
  visit = null;
  if (!previous) return;
  previous.left = true;
  if (previous.unmount) previous.unmount();
}

// Leaves the screen on display, then mounts `mount` into `root`. A screen left while its
// mount still awaits is unmounted as soon as that mount returns its unmount.
export async function enter(mount, root, params) {
  leave();
  const current = { left: false, unmount: null };
  visit = current;
  const unmount = await mount(root, params);
  if (typeof unmount !== "function") return;
  if (current.left) unmount();
  else current.unmount = unmount;
}

export function currentPath() {
  return decodeURIComponent(location.hash.replace(/^#\/?/, "").split("?")[0]);
}

export function query() {
  return new URLSearchParams(location.hash.split("?")[1] || "");
}

export function go(path) {
  const target = `#/${path}`;
  if (location.hash === target) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else location.hash = target;
}

export function match(path) {
  for (const r of routes) {
    const m = path.match(r.regex);
    if (m) return { ...r, params: Object.fromEntries(r.keys.map((k, i) => [k, m[i + 1]])) };
  }
  return { mount: notFound, params: {}, auth: false };
}
