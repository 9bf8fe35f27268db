// The calculator's first move, before the rest of the page: start the engine's worker and
// the bundle's downloads. The page loads this module twice over — once as its own async
// <script type="module"> in the head (added by the build, guidegen.site.calculator), which
// runs as soon as these three small files arrive, and once through app.js's import, which
// finds it already run (one module, one worker) — so Pyodide starts loading while the
// rest of the page's modules are still on their way.
//
//   what it exports (app.js imports them):
//   ASSETS   the build's manifest (worker, Pyodide folder, wheel, bundle parts, files)
//   engine   client.js startEngine(): its messages wait until app.js calls engine.listen(on)
//   bundle   Promise of loadBundle(): {bundle, post}, or rejected (the page says why)
import { startEngine } from "./client.js";
import { loadBundle } from "./bundle.js";

export const ASSETS = { worker: "worker.js", bundle: "catalog.json", wheel: "guidegen.whl", pyodide: "pyodide/", pyodideVersion: "" }; // @assets

export const engine = startEngine({ assets: ASSETS, base: import.meta.url, name: "guidegen-engine", on: null });

export const bundle = loadBundle(ASSETS, import.meta.url);
bundle.catch(() => {}); // app.js reports it
