// Tandem service worker (served at /sw.js so its scope is the whole app).
// Shell: precached at install, cache-first. API reads: network first, cache when offline.
// Writes are never cached: the page keeps them in its IndexedDB outbox until sent.
const VERSION = "{{ version }}";
const SHELL_CACHE = `tandem-shell-${VERSION}`;
const API_CACHE = "tandem-api";
// A family's photos and recordings: content-hashed URLs, so a cached copy is never stale.
const MEDIA_CACHE = "tandem-media";
const MEDIA_PATH = /^\/api\/v1\/families\/\d+\/media\/\d+\//;
const PRECACHE = {{ precache|safe }};

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith("tandem-shell-") && key !== SHELL_CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

async function networkFirst(request, cacheName) {
  const cache = await caches.open(cacheName);
  try {
    const response = await fetch(request);
    // "no-store" answers (data exports) are never kept on the phone.
    const keep = response.ok && !/no-store/.test(response.headers.get("Cache-Control") || "");
    if (keep) cache.put(request, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(request);
    if (cached) return cached;
    throw error;
  }
}

// Cache-first for media. The whole file is fetched and kept (an <audio> asks for ranges);
// a range is then cut from the cached copy, as Safari's player needs a 206 for audio.
async function mediaFirst(request) {
  const cache = await caches.open(MEDIA_CACHE);
  let whole = await cache.match(request.url);
  if (!whole) {
    const response = await fetch(request.url, { credentials: "same-origin" });
    if (response.status !== 200) return response;
    await cache.put(request.url, response.clone());
    whole = response;
  }
  const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.get("Range") || "");
  if (!range) return whole;
  const blob = await whole.blob();
  const start = range[1] ? Number(range[1]) : Math.max(0, blob.size - Number(range[2]));
  const end = range[1] && range[2] ? Math.min(Number(range[2]), blob.size - 1) : blob.size - 1;
  if (start > end) return new Response(null, { status: 416, headers: { "Content-Range": `bytes */${blob.size}` } });
  return new Response(blob.slice(start, end + 1), {
    status: 206,
    headers: {
      "Content-Type": whole.headers.get("Content-Type") || "application/octet-stream",
      "Content-Range": `bytes ${start}-${end}/${blob.size}`,
      "Content-Length": String(end - start + 1),
    },
  });
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(networkFirst(new Request("/"), SHELL_CACHE).catch(() => caches.match("/")));
    return;
  }
  if (MEDIA_PATH.test(url.pathname)) {
    event.respondWith(mediaFirst(request));
    return;
  }
  if (url.pathname.startsWith("/api/")) {
    event.respondWith(networkFirst(request, API_CACHE));
    return;
  }
  // Static files and the versioned translation catalogs never change under one URL.
  if (url.pathname.startsWith("/static/") || url.pathname.startsWith("/i18n/") || url.pathname === "/manifest.webmanifest") {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  }
});

self.addEventListener("message", (event) => {
  if (event.data === "logout") {
    event.waitUntil(Promise.all([caches.delete(API_CACHE), caches.delete(MEDIA_CACHE)]));
  }
});

// Web Push: show the reminder; a tap opens (or focuses) the app at the payload's url.
// Payload: {title, body, url, tag, id}. One notification per tag (a routine occurrence or
// a check-in): a newer reminder for it replaces the older one and alerts again, while a
// repeat of the same delivery (id) after a server crash replaces it silently.
self.addEventListener("push", (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch { data = { body: event.data ? event.data.text() : "" }; }
  event.waitUntil((async () => {
    const tag = typeof data.tag === "string" && data.tag ? data.tag : undefined;
    let repeat = false;
    if (tag && data.id !== undefined) {
      const shown = await self.registration.getNotifications({ tag });
      repeat = shown.some((n) => n.data && n.data.id === data.id);
    }
    await self.registration.showNotification(data.title || "Tandem", {
      body: data.body || "",
      tag,
      renotify: Boolean(tag) && !repeat,
      icon: "{{ icon }}",
      badge: "{{ badge }}",
      data: { url: sameOriginUrl(data.url), id: data.id },
    });
  })());
});

// Only ever open this app: a payload url pointing elsewhere falls back to the start page.
function sameOriginUrl(url) {
  try {
    const target = new URL(url || "/", self.location.origin);
    return target.origin === self.location.origin ? target.href : new URL("/", self.location.origin).href;
  } catch {
    return new URL("/", self.location.origin).href;
  }
}

async function openApp(url) {
  const target = sameOriginUrl(url);
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const client = windows.find((c) => new URL(c.url).origin === self.location.origin);
  if (!client) return self.clients.openWindow(target);
  let shown = client;
  if (client.url !== target && "navigate" in client) {
    // An uncontrolled window cannot be navigated from here: it is only focused.
    shown = (await client.navigate(target).catch(() => null)) || client;
  }
  return shown.focus().catch(() => shown);
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(openApp(event.notification.data && event.notification.data.url));
});
