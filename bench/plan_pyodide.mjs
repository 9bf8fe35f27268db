// Times guidegen.core.evaluate under Pyodide in Node (bench/plan.py drives it): the same
// wheel, bundle and engine glue (calculator/engine.py) as the calculator's worker.
// stdin: {"profiles": [...], "off": bool}; with "off" the rubric options (gaps and plan)
// are switched off, to see what they cost. stdout: {"ms": [...], "pyodide": version}:
// process CPU time per call (the machine is shared, wall time says more about neighbours).
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const arg = (name) => process.argv[process.argv.indexOf(`--${name}`) + 1];
const pyodideDir = resolve(arg("pyodide"));
const { loadPyodide } = await import(pathToFileURL(resolve(pyodideDir, "pyodide.mjs")).href);
const input = JSON.parse(readFileSync(0, "utf-8"));
const py = await loadPyodide({ indexURL: pyodideDir + "/" });
const wheel = readFileSync(arg("wheel"));
py.unpackArchive(new Uint8Array(wheel.buffer, wheel.byteOffset, wheel.byteLength), "wheel");
py.globals.set("_bundle_text", readFileSync(arg("bundle"), "utf-8"));
py.runPython(readFileSync(new URL("../calculator/engine.py", import.meta.url), "utf-8"));
if (input.off) py.runPython("import sys\nsys.modules['guidegen.core.evaluate'].cached_item_options = lambda *a: []");
const evaluate = py.globals.get("_evaluate");
const ms = [];
for (const p of input.profiles) {
  const text = JSON.stringify(p);
  const t = process.cpuUsage();
  evaluate(text, undefined, "2025-01-01");
  const used = process.cpuUsage(t);
  ms.push((used.user + used.system) / 1000);
}
process.stdout.write(JSON.stringify({ ms, pyodide: py.version }));
