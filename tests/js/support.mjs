// Shared by the JS unit tests: where the PWA's modules are, and the server's Python
// source, read as text so a rule the PWA copies from the server cannot drift silently.

import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const JS = join(ROOT, "frontend/static/tandem/js/");

/** Imports a PWA module by its path below frontend/static/tandem/js/. */
export const load = (path) => import(join(JS, path));

function pythonFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return ["migrations", "__pycache__"].includes(entry.name) ? [] : pythonFiles(path);
    return entry.name.endsWith(".py") ? [path] : [];
  });
}

/** Every .py file of a Django app (migrations left out), as {file, text}. */
export function pythonSources(app) {
  return pythonFiles(join(ROOT, app)).map((path) => ({ file: relative(ROOT, path), text: readFileSync(path, "utf8") }));
}

/**
 * The integer a module-level `NAME = 123` assigns in `app` (whichever module of the app
 * holds it, so moving it between modules does not matter). Throws when no module, or
 * modules disagreeing, define it.
 */
export function pythonInteger(app, name) {
  const pattern = new RegExp(`^${name}\\s*(?::[^=\\n]+)?=\\s*(\\d+)\\s*(?:#.*)?$`, "m");
  const found = pythonSources(app).flatMap(({ file, text }) => {
    const m = pattern.exec(text);
    return m ? [{ file, value: Number(m[1]) }] : [];
  });
  if (!found.length) throw new Error(`no module of ${app}/ assigns ${name}: find where the server keeps it now`);
  const values = new Set(found.map((f) => f.value));
  if (values.size > 1) throw new Error(`${name} differs between ${found.map((f) => f.file).join(", ")}`);
  return found[0].value;
}

/**
 * The source of the top-level `def name(` or `class name` in `app`, up to the next
 * top-level statement. Throws when it is not found.
 */
export function pythonDefinition(app, name) {
  const start = new RegExp(`^(?:def|class) ${name}\\b`, "m");
  for (const { file, text } of pythonSources(app)) {
    const m = start.exec(text);
    if (!m) continue;
    const rest = text.slice(m.index);
    const end = /\n(?=\S)/g;
    end.lastIndex = 1;
    let stop = rest.length;
    for (let next = end.exec(rest); next; next = end.exec(rest)) {
      // A decorator or a comment right after still belongs to what follows, not to this.
      if (!/^\)/.test(rest.slice(next.index + 1))) { stop = next.index; break; }
    }
    return { file, text: rest.slice(0, stop) };
  }
  throw new Error(`no module of ${app}/ defines ${name}: find where the server keeps it now`);
}
