// Offline after one visit: once the calculator has drawn its first result and the page is
// idle, register the site's service worker (sw.js at the site's root, written by the
// build: calculator/sw.js). Its install keeps the calculator's files and pages; the bytes
// it downloads are reported here, apart from the first download.
//
//   window.guidegen.offline   {state, version, files, bytes, detail}
//     state: "waiting" (no first result yet) | "registering" | "installing" | "ready"
//            | "unsupported" (no service workers: not a secure context) | "failed"
//     bytes: what the install fetched past the HTTP cache, as its resource timing reports it
//            (files the first visit fetched come from the HTTP cache; bench/ counts the wire bytes)

export const offline = { state: "waiting", version: null, files: 0, bytes: null, detail: null };
let started = false;

function whenIdle(fn) {
  if (window.requestIdleCallback) window.requestIdleCallback(fn, { timeout: 5000 });
  else setTimeout(fn, 500);
}

async function register() {
  const container = navigator.serviceWorker;
  container.addEventListener("message", (event) => {
    const m = event.data || {};
    if (m.type === "offline") Object.assign(offline, { state: m.state, version: m.version, files: m.files, bytes: m.bytes });
  });
  offline.state = "registering";
  const registration = await container.register(new URL("../sw.js", import.meta.url), {
    scope: new URL("../", import.meta.url).href, updateViaCache: "none",
  });
  if (offline.state === "registering") offline.state = "installing";
  // An active worker of this build answers at once; a new one reports when it activates.
  const ready = await container.ready;
  if (ready.active && offline.state !== "ready") ready.active.postMessage({ type: "status" });
  return registration;
}

/** Called once the first result is drawn. */
export function startOffline() {
  if (started) return;
  started = true;
  if (window.guidegen) window.guidegen.offline = offline;
  if (!("serviceWorker" in navigator) || !window.isSecureContext) {
    offline.state = "unsupported";
    return;
  }
  whenIdle(() => {
    register().catch((err) => {
      offline.state = "failed";
      offline.detail = String((err && err.message) || err).slice(0, 300);
    });
  });
}
