// The one client of the engine's worker (worker.js), used by the calculator (app.js)
// and the bureau desk (desk.js): start the worker, follow its progress, send requests
// and match the answers, and name the file at fault when the runtime cannot load.
//
//   const engine = startEngine({assets, base, name, extraWheels, on, early})
//                                     early: boot.js's worker ({worker, take()} or {error}), created
//                                     before this module arrived; without it a worker is made here
//   engine.listen(on)                 the handlers, when the caller needs the engine before they can
//                                     run (on: null): what the worker said meanwhile is handed to
//                                     them in order
//   engine.ready                      Promise of the worker's "ready" message
//   engine.request(message[, transfer])  Promise of the worker's "result" message (sent at once:
//                                     the worker answers once it has started)
//   engine.post(message)              a message without an answer (the bundle)
//   engine.fail(error)                give up: reject ready and every request, stop the worker
//   engine.state                      "loading" | "ready" | "failed"
//
// on: {progress(step), ready(message), snapshot(state), restarting(), failed(info) -> Error}
// info = {detail, file?, problem?}: problem is missing | damaged | unavailable | type.

export function startEngine({ assets, base, name = "guidegen-engine", extraWheels = [], on: handlers = {}, early = null }) {
  let worker = null;
  let on = handlers;
  const waiting = []; // what happened before listen(): replayed in order
  const later = (fn) => (...args) => (on ? fn(...args) : waiting.push(() => fn(...args)));
  let nextId = 1;
  const pending = new Map();
  let resolveReady;
  let rejectReady;
  const ready = new Promise((resolve, reject) => { resolveReady = resolve; rejectReady = reject; });
  ready.catch(() => {}); // the pages report failures themselves
  const engine = { ready, state: "loading", request, post, fail, listen };

  function listen(handlers) {
    on = handlers || {};
    for (const fn of waiting.splice(0)) fn();
  }

  function stop() {
    if (worker) {
      worker.terminate();
      worker = null;
    }
  }

  function fail(err) {
    if (engine.state === "failed") return;
    engine.state = "failed";
    rejectReady(err);
    for (const p of pending.values()) p.reject(err);
    pending.clear();
    stop();
  }

  function failed(info) {
    if (engine.state === "failed") return;
    const err = (on.failed && on.failed(info)) || new Error(info.detail);
    fail(err);
  }

  const onMessage = later((event) => {
    const m = event.data || {};
    if (m.type === "progress") {
      if (engine.state !== "failed" && on.progress) on.progress(m.step);
    } else if (m.type === "ready") {
      engine.state = "ready";
      if (on.ready) on.ready(m);
      resolveReady(m);
    } else if (m.type === "snapshot") {
      if (on.snapshot) on.snapshot(m.state); // the background store of the return-visit snapshot ended
    } else if (m.type === "restarting") {
      if (on.restarting) on.restarting();
    } else if (m.type === "failed") {
      failed({ detail: m.detail, file: m.file, problem: m.problem });
    } else if (m.type === "result") {
      const p = pending.get(m.id);
      if (p) {
        pending.delete(m.id);
        p.resolve(m);
      }
    }
  });

  // Sent at once, also while the engine loads: the worker answers each request once its start
  // is done (a request made early is answered without waiting for the page to hear "ready").
  function request(message, transfer = []) {
    return new Promise((resolve, reject) => {
      if (!worker || engine.state === "failed") {
        reject(new Error("engine not available"));
        return;
      }
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...message, id }, transfer);
    });
  }

  function post(message) {
    if (worker) worker.postMessage(message);
  }

  const url = new URL(assets.worker, base);
  try {
    if (early && early.error) throw early.error;
    worker = early ? early.worker : new Worker(url, { type: "module", name });
    if (!early) performance.mark(`${name}:worker`); // for bench/: when the page created the worker
  } catch (err) {
    // (after the caller got the engine: its handlers are in place)
    queueMicrotask(later(() => failed({ detail: describe(err) })));
    return engine;
  }
  worker.addEventListener("message", onMessage);
  const onError = later((detail) => {
    // The worker script itself: ask the server whether it is there.
    fetch(url, { method: "HEAD", cache: "no-store" }).then(
      (r) => failed(r.ok ? { detail, file: assets.worker, problem: "damaged" }
        : { detail: `HTTP ${r.status}`, file: assets.worker, problem: r.status === 404 || r.status === 410 ? "missing" : "unavailable" }),
      () => failed({ detail, file: assets.worker, problem: "unavailable" }));
  });
  worker.addEventListener("error", (event) => {
    event.preventDefault();
    onError(event.message || "could not be loaded");
  });
  const onMessageError = later(() => failed({ detail: "message error" }));
  worker.addEventListener("messageerror", onMessageError);
  // What boot.js's worker said before these listeners were added, in order.
  for (const event of early ? early.take() : []) {
    if (event.type === "message") onMessage(event);
    else if (event.type === "error") onError(event.message || "could not be loaded");
    else onMessageError();
  }
  worker.postMessage({
    type: "init",
    pyodide: new URL(assets.pyodide, base).href,
    wheel: new URL(assets.wheel, base).href,
    files: assets.files || {},
    // The bundle's content-hashed names: the return-visit snapshot holds the parsed bundle.
    bundleKey: (Array.isArray(assets.bundleParts) && assets.bundleParts.length ? assets.bundleParts : [assets.bundle]).filter(Boolean),
    ...(extraWheels.length ? { extraWheels: extraWheels.map((n) => new URL(n, base).href) } : {}),
  });
  return engine;
}

/** An error in one line of at most 300 characters. */
export function describe(err) {
  if (!err) return "unknown error";
  const text = err.message || String(err);
  return text.length > 300 ? text.slice(0, 300) + "…" : text;
}
