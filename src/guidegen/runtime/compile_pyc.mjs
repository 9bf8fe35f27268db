// Byte-compile Python sources for the browser runtime, inside Pyodide's own Python (the npm
// package's: its magic number and marshal format are the ones the browser will read, which the
// build machine's CPython does not share). Run by guidegen.runtime.bytecode:
//
//   node compile_pyc.mjs PYODIDE_DIR IN.zip OUT.zip PREFIX
//
// Every NAME.py of IN.zip becomes NAME.pyc in OUT.zip (sourceless: Python imports it without the
// source), compiled with optimize=2 (docstrings and asserts left out), without column tables
// (PYTHONNODEBUGRANGES) and with an unchecked hash (never compared with a source that is not
// there); the file name recorded for tracebacks is PREFIX + NAME.py. Other entries are copied.
// Entry order, names, dates and attributes are kept, so the same input gives the same bytes.
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, input, output, prefix] = process.argv.slice(2);
if (!pyodideDir || !input || !output || prefix === undefined) {
  console.error("usage: node compile_pyc.mjs PYODIDE_DIR IN.zip OUT.zip PREFIX");
  process.exit(2);
}
const { loadPyodide } = await import(pathToFileURL(resolve(pyodideDir, "pyodide.mjs")).href);
const py = await loadPyodide({
  // A fixed hash seed: set and frozenset constants are written in the same order every time.
  indexURL: resolve(pyodideDir) + "/", env: { PYTHONNODEBUGRANGES: "1", PYTHONHASHSEED: "0" }, stdout: () => {}, stderr: (l) => console.error(l),
});
py.FS.writeFile("/tmp/in.zip", new Uint8Array(readFileSync(resolve(input))));
py.globals.set("_prefix", prefix);
py.runPython(`
import io, os, py_compile, zipfile

os.makedirs("/tmp/c", exist_ok=True)
out = io.BytesIO()
with zipfile.ZipFile("/tmp/in.zip") as src, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
    for info in src.infolist():
        data = src.read(info)
        name = info.filename
        if name.endswith(".py"):
            with open("/tmp/c/m.py", "wb") as f:
                f.write(data)
            py_compile.compile("/tmp/c/m.py", cfile="/tmp/c/m.pyc", dfile=_prefix + name, doraise=True, optimize=2,
                               invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
            with open("/tmp/c/m.pyc", "rb") as f:
                data = f.read()
            name = name[:-3] + ".pyc"
        entry = zipfile.ZipInfo(name, info.date_time)
        entry.external_attr = info.external_attr
        entry.create_system = info.create_system
        entry.compress_type = zipfile.ZIP_STORED
        dst.writestr(entry, data)
with open("/tmp/out.zip", "wb") as f:
    f.write(out.getvalue())
`);
writeFileSync(resolve(output), py.FS.readFile("/tmp/out.zip"));
