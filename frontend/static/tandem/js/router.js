// Hash router: "#/families/3/today" → the screen registered for "families/:family/today".

const routes = [];
let notFound = () => {};

export function route(pattern, render, { auth = true } = {}) {
  const keys = [];
  const regex = new RegExp(
    `^${pattern.replace(/:(\w+)/g, (_, key) => { keys.push(key); return "([^/]+)"; })}$`,
  );
  routes.push({ regex, keys, render, auth });
}

export function fallback(render) { notFound = render; }

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
  return { render: notFound, params: {}, auth: false };
}
