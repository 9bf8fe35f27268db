// The site's service worker: offline after one visit. The build writes it to the site's
// root as sw.js (scope: the whole site, same origin), with VERSION (a hash of this build's
// calculator files and pages) and PRECACHE (what the calculator needs, relative to this
// file) filled in. The calculator page registers it after its first result, when idle
// (calculator/offline.js); guide pages never register it and request no runtime file.
//
// - install: every PRECACHE file into the cache "guidegen-offline-VERSION" (hashed files
//   come from the HTTP cache the first visit filled; what is not there is downloaded now,
//   and counted apart from the first download: the install reports the bytes).
// - activate: every other "guidegen-offline-*" cache is deleted, so a new build replaces
//   the old one whole and versions never mix; the open pages are taken over.
// - fetch (same origin, GET, inside the scope):
//     content-hashed files (immutable): from this build's cache, never revalidated; a
//       miss is fetched and kept;
//     everything else (pages, search index): the network first (the server says
//       no-cache), kept in the cache; offline, the cached copy.
//   Requests that ask to bypass caches (the worker's diagnosis of a damaged runtime file;
//   not a page reload) and range requests go to the network untouched.
// - message {type: "status"}: answers {type: "offline", state, version, files, bytes}
//   (also sent to every open page when this build's worker takes over).

const VERSION = "dev"; // @version
const PRECACHE = []; // @precache
const PREFIX = "guidegen-offline-";
const CACHE = PREFIX + VERSION;
// Content-hashed names, as deploy/nginx/guidegen.conf marks them immutable.
const IMMUTABLE = [
  /\/calculator\/[^/]+\.[0-9a-f]{10}\.[a-z]+$/,
  /\/calculator\/pyodide-[^/]+\.[0-9a-f]{10}\//,
  /\/assets\/.+\.[0-9a-f]{8}\.min\.(js|css)$/,
  /\/pagefind\/(fragment|index)\//,
];
const SCOPE = new URL("./", self.location.href).href;

// The install's report survives this worker being stopped and started again (browsers do
// that when it is idle): it is kept in its own small cache, one entry per build.
const REPORT = "guidegen-sw-report";
const REPORT_URL = new URL(`sw-report/${VERSION}`, self.location.href).href;

const immutable = (url) => IMMUTABLE.some((re) => re.test(url.pathname));

async function precache() {
  const cache = await caches.open(CACHE);
  const urls = PRECACHE.map((p) => new URL(p, self.location.href).href);
  await cache.addAll(urls);
  // What the install downloaded (0 for a file the HTTP cache already held).
  let bytes = 0;
  const wanted = new Set(urls);
  for (const entry of performance.getEntriesByType("resource")) {
    if (wanted.has(entry.name)) bytes += entry.transferSize || 0;
  }
  const report = await caches.open(REPORT);
  await report.put(REPORT_URL, new Response(JSON.stringify({ files: urls.length, bytes })));
}

async function status() {
  const active = self.registration.active === self.serviceWorker && await caches.has(CACHE);
  const report = await (await caches.open(REPORT)).match(REPORT_URL);
  const { files = PRECACHE.length, bytes = null } = report ? await report.json() : {};
  return { type: "offline", state: active ? "ready" : "installing", version: VERSION, files, bytes };
}

// The calculator's own files (content-hashed: everything under calculator/ with a dot in its
// name; the page itself is calculator/) are served straight from this build's cache by the
// browser, without waking this worker or queueing behind its other fetches (the Service Worker
// static routing API; a miss goes to the network). Measured on a return visit, the engine's
// worker script otherwise waited about 60 ms behind the page's module scripts here. Browsers
// without it use the fetch handler below, which serves these files the same way.
function addRoutes(event) {
  if (typeof event.addRoutes !== "function" || typeof URLPattern !== "function") return;
  try {
    event.addRoutes({
      // (A `not` beside other conditions makes the rule match nothing: Chromium 156, measured.)
      condition: { urlPattern: new URLPattern({ pathname: `${new URL(SCOPE).pathname}calculator/*.*` }), requestMethod: "get" },
      source: { cacheName: CACHE },
    });
  } catch {
    // (an older form of the API: the fetch handler serves them)
  }
}

self.addEventListener("install", (event) => {
  addRoutes(event);
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
    }
    const report = await caches.open(REPORT);
    for (const request of await report.keys()) {
      if (request.url !== REPORT_URL) await report.delete(request);
    }
    // Navigations: the page's request starts while this worker boots (navigation preload).
    if (self.registration.navigationPreload) await self.registration.navigationPreload.enable();
    await self.clients.claim();
    const message = await status();
    for (const client of await self.clients.matchAll({ includeUncontrolled: true })) client.postMessage(message);
  })());
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "status" && event.source) {
    event.waitUntil(status().then((message) => event.source.postMessage(message)));
  }
});

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok && response.type === "basic") await cache.put(request, response.clone());
  return response;
}

async function networkFirst(request, preload) {
  const cache = await caches.open(CACHE);
  try {
    const response = (preload && await preload) || await fetch(request);
    if (response.ok && response.type === "basic") await cache.put(request, response.clone());
    return response;
  } catch (err) {
    const hit = await cache.match(request, { ignoreSearch: request.mode === "navigate" });
    if (hit) return hit;
    throw err;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || request.headers.has("range")) return;
  // A page reload (even offline) is served like any navigation; another request that asks to
  // bypass caches (the worker's diagnosis of a damaged runtime file) goes to the network.
  if (request.mode !== "navigate" && ["no-store", "no-cache", "reload"].includes(request.cache)) return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || !url.href.startsWith(SCOPE)) return;
  const preload = request.mode === "navigate" ? event.preloadResponse : null;
  if (preload) preload.catch(() => {});
  event.respondWith(immutable(url) ? cacheFirst(request) : networkFirst(request, preload));
});
