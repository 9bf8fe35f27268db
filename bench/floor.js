// The Pyodide floor (bench/floor.html): import pyodide.mjs and call loadPyodide()
// from the calculator's own runtime folder, nothing else; on the page's main thread,
// or with ?worker=1 in a module worker (floor-worker.js), as the calculator does.
// When it resolves, the milliseconds since navigation start go to <body data-ready>
// (and a performance mark "floor:ready"); a failure goes to <body data-error>. The
// steps (ms since navigation: worker created, pyodide.mjs imported, loadPyodide
// resolved) go to <body data-phases> as JSON, for the bench's side-by-side trace.
const status = document.getElementById("floor-status");
const params = new URLSearchParams(window.location.search);
const folder = params.get("pyodide");

const phases = {};

function loadInWorker(indexURL) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("floor-worker.js", import.meta.url), { type: "module" });
    phases.worker = Math.round(performance.now());
    worker.onmessage = (event) => (event.data.error ? reject(new Error(event.data.error)) : resolve(event.data));
    worker.onerror = (event) => reject(new Error(event.message || "floor-worker.js failed"));
    worker.postMessage({ indexURL });
  });
}

try {
  if (!folder) throw new Error("no ?pyodide= folder given");
  const indexURL = new URL(folder, window.location.href).href;
  let version;
  if (params.get("worker") === "1") {
    let inWorker, origin;
    ({ version, phases: inWorker, timeOrigin: origin } = await loadInWorker(indexURL));
    // The worker's clock starts with the worker: shift its steps onto the page's.
    const shift = origin - performance.timeOrigin;
    for (const [k, v] of Object.entries(inWorker || {})) phases[k] = Math.round(v + shift);
  } else {
    const { loadPyodide } = await import(new URL("pyodide.mjs", indexURL).href);
    phases["pyodide.mjs"] = Math.round(performance.now());
    ({ version } = await loadPyodide({ indexURL, stdout: () => {}, stderr: () => {} }));
    phases.booted = Math.round(performance.now());
  }
  performance.mark("floor:ready");
  const ms = performance.now();
  document.body.dataset.version = version;
  document.body.dataset.ready = String(ms);
  document.body.dataset.phases = JSON.stringify(phases);
  status.textContent = `Pyodide ${version} loaded in ${Math.round(ms)} ms`;
} catch (err) {
  document.body.dataset.error = String((err && err.message) || err);
  status.textContent = `failed: ${document.body.dataset.error}`;
}
