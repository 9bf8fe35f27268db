// Which standard-library files does the bureau desk import beyond the calculator's?
// Run by bench/measure_desk_stdlib.py (which writes src/guidegen/runtime/desk_stdlib.txt).
//
//   node bench/measure_desk_stdlib.mjs --wheels W1.whl,W2.whl,... --bundle bundle.json --runs runs.json [--pyodide DIR]
//
// Loads Pyodide with its FULL python_stdlib.zip, does what the desk page's worker does
// (unpack the guidegen wheel and the desk wheels, run calculator/engine.py, write the
// dropped files into the virtual file system, call guidegen.desk.batch_folder), for
// every run of runs.json ({scheme, today, lang, files: {name: base64}}), and prints
//   {"pyodide", "python", "modules": {name: path inside the zip or null}}.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

function arg(name) {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1];
  return undefined;
}

const require = createRequire(import.meta.url);
const pyodideDir = resolve(arg("pyodide") || dirname(require.resolve("pyodide/package.json")));
const { loadPyodide } = await import(pathToFileURL(resolve(pyodideDir, "pyodide.mjs")).href);
const py = await loadPyodide({ indexURL: pyodideDir + "/", stdout: () => {}, stderr: () => {} });

for (const path of arg("wheels").split(",")) {
  const data = readFileSync(path);
  py.unpackArchive(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), "wheel");
}
py.globals.set("_bundle_text", readFileSync(arg("bundle"), "utf-8"));
py.runPython(readFileSync(new URL("../calculator/engine.py", import.meta.url), "utf-8"));
const batchFolder = py.runPython("from guidegen.desk import batch_folder; batch_folder");
const bundle = py.globals.get("_BUNDLE");

const runs = JSON.parse(readFileSync(arg("runs"), "utf-8"));
let n = 0;
for (const run of runs) {
  const dir = `/tmp/desk-measure-${n++}`;
  py.FS.mkdirTree(dir);
  for (const [name, b64] of Object.entries(run.files)) py.FS.writeFile(`${dir}/${name}`, Buffer.from(b64, "base64"));
  const counts = batchFolder.callKwargs(bundle, dir, `${dir}.xlsx`, { scheme: run.scheme, today: run.today, lang: run.lang });
  counts.destroy();
  py.FS.readFile(`${dir}.xlsx`);
}

const out = py.runPython(`
import sys, json
_zip = next((p for p in sys.path if p.endswith(".zip")), None)
def _where(m):
    spec = getattr(m, "__spec__", None)
    origin = getattr(spec, "origin", None) or getattr(m, "__file__", None)
    if _zip and isinstance(origin, str) and origin.startswith(_zip + "/"):
        return origin[len(_zip) + 1:]
    return None
json.dumps({"python": sys.version.split()[0], "modules": {n: _where(m) for n, m in sorted(sys.modules.items()) if m is not None}})
`);
console.log(JSON.stringify({ pyodide: py.version, ...JSON.parse(out) }));
