// The lab page of bench/boot_trace.py (copied to SITE/calculator/lab/ with the
// placeholders filled): the calculator's engine worker (a traced copy, worker-*.js) or
// bare loadPyodide() in a module worker (floorw-*.js), WITHOUT the calculator's page:
// no form, no place index, no rendering. For the calculator worker the page fetches the
// bundle parts as the calculator does (bundle.js, same parts) and posts them, then asks
// for one evaluation of the example profile. Steps go to <body data-result> (ms since
// navigation), the worker's trace (resource timing, WebAssembly calls) to data-trace.
import { loadBundle } from "../__BUNDLE_JS__";

const ASSETS = __ASSETS__;
const PROFILE = __PROFILE__;
const params = new URLSearchParams(window.location.search);
const kind = params.get("kind") || "calc"; // calc | floor
const script = params.get("w");
const base = new URL("../", import.meta.url);
const t = {};
const ms = () => Math.round(performance.now());

function done(extra) {
  document.body.dataset.result = JSON.stringify({ ...t, ...extra });
}

const trace = new Promise((resolve) => {
  const ch = new BroadcastChannel("gg-lab-trace");
  ch.onmessage = (e) => resolve(e.data);
});

try {
  const worker = new Worker(new URL(script, base), { type: "module", name: "guidegen-engine" });
  t.worker = ms();
  const pyodide = new URL(params.get("pyodide") || ASSETS.pyodide, base).href;
  if (kind === "floor") {
    const r = await new Promise((resolve, reject) => {
      worker.onmessage = (e) => (e.data.error ? reject(new Error(e.data.error)) : resolve(e.data));
      worker.postMessage({ indexURL: pyodide });
    });
    t.booted = ms();
    done({ phases: r.phases, timeOrigin: r.timeOrigin, trace: await trace });
  } else {
    const wheel = new URL(params.get("wheel") || ASSETS.wheel, base).href;
    const files = params.get("wheel") ? {} : ASSETS.files;
    let resolveReady, resolveResult;
    const ready = new Promise((r) => { resolveReady = r; });
    const result = new Promise((r) => { resolveResult = r; });
    worker.onmessage = (e) => {
      const m = e.data || {};
      if (m.type === "ready") resolveReady(m);
      else if (m.type === "failed") { done({ error: m.detail }); }
      else if (m.type === "result") resolveResult(m);
    };
    worker.postMessage({ type: "init", pyodide, wheel, files, snapshot: false });
    if (params.get("nobundle") !== "1") {
      const { post } = await loadBundle(ASSETS, base.href);
      t.bundle = ms();
      worker.postMessage(post);
    }
    const info = await ready;
    t.ready = ms();
    worker.postMessage({ type: "evaluate", id: 1, profile: PROFILE, schemes: null, today: "2026-12-06" });
    await result;
    t.result = ms();
    done({ phases: info.phases, trace: await trace });
  }
} catch (err) {
  done({ error: String((err && err.message) || err) });
}
