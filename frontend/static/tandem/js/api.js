// The one API client: JSON, session cookie, CSRF header, errors as ApiError.
import { gettext, interpolate } from "./i18n.js";

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.detail) || interpolate(gettext("Request failed (%(status)s)"), { status }));
    this.status = status;
    this.errors = (body && body.errors) || {};
    this.code = body && body.code;
  }
}

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

export async function request(method, path, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
  const response = await fetch(`/api/v1/${path}`, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = { detail: text }; }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

// A file for `families/{id}/media/` (multipart; the browser sets the boundary).
async function upload(path, form) {
  const response = await fetch(`/api/v1/${path}`, {
    method: "POST",
    headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
    credentials: "same-origin",
    body: form,
  });
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = { detail: text }; }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export const api = {
  upload,
  get: (path) => request("GET", path),
  post: (path, body = {}) => request("POST", path, body),
  put: (path, body) => request("PUT", path, body),
  patch: (path, body) => request("PATCH", path, body),
  del: (path, body) => request("DELETE", path, body),
};

// A read that costs the server almost nothing when nothing changed: sends the `etag` of
// the copy on display and answers `{changed: false}` on 304, else `{changed: true, data,
// etag}`. (An If-None-Match set by the page bypasses the HTTP cache, so the 304 reaches us.)
export async function getIfChanged(path, etag) {
  const response = await fetch(`/api/v1/${path}`, {
    headers: { Accept: "application/json", ...(etag ? { "If-None-Match": etag } : {}) },
    credentials: "same-origin",
  });
  if (response.status === 304) return { changed: false, data: null, etag };
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = { detail: text }; }
  if (!response.ok) throw new ApiError(response.status, data);
  return { changed: true, data, etag: response.headers.get("ETag") };
}

// All pages of a paginated list.
export async function getAll(path) {
  let results = [];
  let page = 1;
  for (;;) {
    const sep = path.includes("?") ? "&" : "?";
    const data = await api.get(`${path}${sep}page=${page}&page_size=200`);
    if (!data || !Array.isArray(data.results)) return data;
    results = results.concat(data.results);
    if (!data.next) return results;
    page += 1;
  }
}

// A file the server sends as an attachment (exports): its bytes and suggested name.
export async function download(path) {
  const response = await fetch(`/api/v1/${path}`, { credentials: "same-origin", headers: { Accept: "*/*" } });
  if (!response.ok) {
    let data = null;
    try { data = await response.json(); } catch { data = null; }
    throw new ApiError(response.status, data);
  }
  const match = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
  return { blob: await response.blob(), filename: match ? match[1] : "tandem-export" };
}
