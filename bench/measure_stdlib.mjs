// Which standard-library files do Pyodide's bootstrap and the calculator's engine
// import? Run by bench/measure_stdlib.py (which writes src/guidegen/runtime/stdlib_keep.txt).
//
//   node bench/measure_stdlib.mjs --wheel W.whl --bundle bundle.json [--pyodide DIR] < cases.json
//
// Loads Pyodide with its FULL python_stdlib.zip, does what the calculator's worker
// does (unpack the wheel, run calculator/engine.py, warm up, evaluate), runs every
// profile of stdin ({"profile", "schemes"} list, as tests/pyodide/run_cases.mjs),
// then the error paths the worker and the browser tests take (invalid JSON, wrong
// shapes, deep nesting, hostile text, unknown schemes, Python exceptions crossing
// into JavaScript, the worker's health check), and prints
//   {"pyodide", "python", "stdlib": ZIP_PATH, "bootstrap": [modules],
//    "modules": {name: path inside the zip or null}}
// for every module in sys.modules at the end.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1];
  if (fallback !== undefined) return fallback;
  console.error(`measure_stdlib.mjs: missing --${name}`);
  process.exit(2);
}

const require = createRequire(import.meta.url);
const pyodideDir = resolve(arg("pyodide", dirname(require.resolve("pyodide/package.json"))));
const { loadPyodide } = await import(pathToFileURL(resolve(pyodideDir, "pyodide.mjs")).href);
const cases = JSON.parse(readFileSync(0, "utf-8"));

const MODULES = `
import sys, json
_zip = next((p for p in sys.path if p.endswith(".zip")), None)
def _where(m):
    spec = getattr(m, "__spec__", None)
    origin = getattr(spec, "origin", None) or getattr(m, "__file__", None)
    if _zip and isinstance(origin, str) and origin.startswith(_zip + "/"):
        return origin[len(_zip) + 1:]
    return None
json.dumps({"stdlib": _zip, "modules": {n: _where(m) for n, m in sorted(sys.modules.items()) if m is not None}})
`;

const py = await loadPyodide({ indexURL: pyodideDir + "/", stdout: () => {}, stderr: () => {} });
const bootstrap = Object.keys(JSON.parse(py.runPython(MODULES)).modules);

// What the worker does (calculator/worker.js start()).
const wheel = readFileSync(arg("wheel"));
py.unpackArchive(new Uint8Array(wheel.buffer, wheel.byteOffset, wheel.byteLength), "wheel");
py.globals.set("_bundle_text", readFileSync(arg("bundle"), "utf-8"));
py.runPython(readFileSync(new URL("../calculator/engine.py", import.meta.url), "utf-8"));
const evaluate = py.globals.get("_evaluate");
JSON.parse(evaluate('{"profile": 1}'));
py.runPython("import sys; sys.version.split()[0]");

for (const c of cases) {
  const profile = JSON.stringify(c.profile);
  JSON.parse(c.schemes == null ? evaluate(profile) : evaluate(profile, JSON.stringify(c.schemes)));
}

// Error paths: the engine answers {"errors": ...}; anything raised crosses into JS as
// a PythonError. (Nesting deeper than 64 never reaches Python: the worker refuses it.)
const hostile = '<img src=x onerror="x()"><b>粗体</b>&amp; \u202e \ud83d\ude00 \u0000';
const bad = [
  "not json", "", "[1, 2]", "null", "1e999", '"text"', '{"profile": 2}', '{"profile": 1, "x": 1}',
  '{"profile": 1, "enterprise": {"employees": -5, "city": ' + JSON.stringify(hostile) + "}}",
  '{"profile": 1, "enterprise": {"employees": 1e400, "revenue_wan": "NaN"}}',
  '{"profile": 1, "enterprise": {"founded": "2020-02-30"}}',
  '{"profile": 1, "maturity": {"level": 9}}',
  '{"profile": 1, "x": ' + "[".repeat(60) + "]".repeat(60) + "}",
  '{"profile": 1, "enterprise": ' + '{"a": '.repeat(60) + "1" + "}".repeat(60) + "}",
  "\ud800",
];
for (const text of bad) {
  for (const schemes of [null, '["no-such-scheme"]', "not json"]) {
    try {
      schemes === null ? evaluate(text) : evaluate(text, schemes);
    } catch (err) {
      String(err && err.message);
    }
  }
}
for (const call of [() => evaluate(), () => evaluate(1, 2, 3), () => py.runPython("raise ValueError('x')"),
  () => py.runPython("1 +")]) {
  try {
    call();
  } catch (err) {
    String(err && err.message);
  }
}
py.runPython("1 + 1"); // the worker's health check

const out = JSON.parse(py.runPython(MODULES));
const python = py.runPython("import sys; sys.version.split()[0]");
process.stdout.write(JSON.stringify({ pyodide: py.version, python, stdlib: out.stdlib, bootstrap, modules: out.modules }));
