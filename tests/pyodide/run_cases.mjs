// Evaluate profiles under Pyodide (Node), with the same wheel, the same bundle
// and the same glue (calculator/engine.py) as the browser calculator's worker,
// through the same guidegen.core function.
//
//   node tests/pyodide/run_cases.mjs --wheel W.whl --bundle bundle.json [--pyodide DIR] [--snapshot] < cases.json
//
// --snapshot: as the worker does on a return visit, evaluate in a runtime restored from a
// memory snapshot (Pyodide's private _makeSnapshot / makeMemorySnapshot / _loadSnapshot)
// taken after the imports only, then unpack the wheel and run the glue; fails loudly
// (exit 3) when the pinned Pyodide lacks that API.
//
// stdin: a JSON list of {"profile": {...}, "schemes": [...] | null, "today": "YYYY-MM-DD" | null}.
// stdout: one JSON document {"pyodide": VERSION, "python": VERSION, "results": [STRING, ...]},
// each result the exact string guidegen.core.evaluate_json returned.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1];
  if (fallback !== undefined) return fallback;
  console.error(`run_cases.mjs: missing --${name}`);
  process.exit(2);
}

const wheelPath = arg("wheel");
const bundlePath = arg("bundle");
// Pyodide from node_modules (package.json pins the version), unless told otherwise.
const require = createRequire(import.meta.url);
const pyodideDir = resolve(arg("pyodide", dirname(require.resolve("pyodide/package.json"))));
const { loadPyodide } = await import(pathToFileURL(resolve(pyodideDir, "pyodide.mjs")).href);

const cases = JSON.parse(readFileSync(0, "utf-8"));
const wheel = readFileSync(wheelPath);
const wheelBytes = () => new Uint8Array(wheel.buffer, wheel.byteOffset, wheel.byteLength);
let py;
let snapshotBytes = null;
let heapGrew = null;
if (process.argv.includes("--snapshot")) {
  // The worker's start-up (calculator/worker.js): imports, snapshot; restore into a fresh runtime.
  const maker = await loadPyodide({ indexURL: pyodideDir + "/", _makeSnapshot: true });
  if (typeof maker.makeMemorySnapshot !== "function" || !maker._module || !maker._module.HEAP8) {
    console.error(`pyodide ${maker.version} has no makeMemorySnapshot() / _module.HEAP8: the calculator's snapshot start needs them`);
    process.exit(3);
  }
  const bootHeap = maker._module.HEAP8.length;
  maker.unpackArchive(wheelBytes(), "wheel");
  maker.runPython("import json\nimport guidegen.core");
  // The worker makes no snapshot when the imports grew the heap (pyodide#6254: it would not fit).
  heapGrew = maker._module.HEAP8.length !== bootHeap;
  const snapshot = maker.makeMemorySnapshot();
  if (!(snapshot instanceof Uint8Array) || snapshot.length < maker._module.HEAP8.length) {
    console.error(`pyodide ${maker.version}: makeMemorySnapshot() returned no heap copy`);
    process.exit(3);
  }
  snapshotBytes = snapshot.length;
  py = await loadPyodide({ indexURL: pyodideDir + "/", _loadSnapshot: snapshot });
  if (!py.runPython("'guidegen.core' in __import__('sys').modules")) {
    console.error(`pyodide ${py.version}: _loadSnapshot did not restore the imported engine`);
    process.exit(3);
  }
} else {
  py = await loadPyodide({ indexURL: pyodideDir + "/" });
}
py.unpackArchive(wheelBytes(), "wheel");
py.globals.set("_bundle_text", readFileSync(bundlePath, "utf-8"));
// The same glue the calculator's worker runs (the build inlines this file into worker.js).
py.runPython(readFileSync(new URL("../../calculator/engine.py", import.meta.url), "utf-8"));
const evaluate = py.globals.get("_evaluate");
const results = [];
for (const c of cases) {
  const profile = JSON.stringify(c.profile);
  // The glue reads only text: a JS null arrives as JsNull and counts as no schemes / no date.
  const schemes = c.schemes == null ? null : JSON.stringify(c.schemes);
  results.push(evaluate(profile, schemes, c.today == null ? null : String(c.today)));
}
const python = py.runPython("import sys; sys.version.split()[0]");
process.stdout.write(JSON.stringify({ pyodide: py.version, python, snapshot: snapshotBytes, heapGrew, results }));
