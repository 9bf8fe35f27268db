// The calculator's first move, before the rest of the page: start the engine's worker. The
// page loads this module twice over — once as its own async <script type="module"> in the
// head (added by the build, guidegen.site.calculator), which runs as soon as this one file arrives, and once through app.js's import, which finds it
// already run (one module, one worker) — so Pyodide starts loading while the rest of the
// page's modules are still on their way. It imports nothing: a module runs only once all its
// imports have arrived and compiled, and on a return visit the page's main thread is busy
// with its first layout meanwhile (measured, that held the worker back by about 0.1 s).
//
//   what it exports (app.js imports them):
//   ASSETS     the build's manifest (worker, Pyodide folder, wheel, bundle parts, files)
//   early      {worker, take()} for client.js startEngine (which posts init and listens):
//              take() hands over what the worker said meanwhile and stops holding it;
//              or {error} when no worker could be made
export const ASSETS = { worker: "worker.js", bundle: "catalog.json", wheel: "guidegen.whl", pyodide: "pyodide/", pyodideVersion: "" }; // @assets

export const early = startWorker();

function startWorker() {
  let worker;
  try {
    worker = new Worker(new URL(ASSETS.worker, import.meta.url), { type: "module", name: "guidegen-engine" });
    performance.mark("guidegen-engine:worker"); // for bench/: when the page created the worker
  } catch (error) {
    return { error };
  }
  const held = [];
  let holding = true;
  const hold = (event) => {
    if (!holding) return;
    if (event.type === "error") event.preventDefault(); // reported once client.js listens
    held.push(event);
  };
  for (const type of ["message", "error", "messageerror"]) worker.addEventListener(type, hold);
  return { worker, take() { holding = false; return held.splice(0); } };
}
