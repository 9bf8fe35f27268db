// Where Pyodide's boot and the calculator's engine start spend their time, under Node
// (bench/boot_trace.py runs this; see docs-dev/perf-first-visit.md).
//
//   node bench/boot_node.mjs measure --pyodide DIR --wheel W.whl --parts P1.json,P2.json,... --profile PROFILE.json
//        [--stdlib ZIP] [--importtime] [--env K=V,...] [--args -S,...] [--noprobe]
//     prints one JSON line: ms at which each step ended (since the script began), the split of
//     loadPyodide (wasm compile+instantiate, the rest = Python init + Pyodide's bootstrap), and with
//     --importtime the `-X importtime` lines of the boot and of `import guidegen.core` (stderr, parsed).
//
//   node bench/boot_node.mjs compile --pyodide DIR --in ZIP --out ZIP [--sourceless]
//     byte-compiles every .py of ZIP inside Pyodide itself (its exact Python 3.14, py_compile with
//     invalidation_mode=UNCHECKED_HASH, co_filename = the path Pyodide imports it from) and writes
//     ZIP again with NAME.pyc beside (or, --sourceless, instead of) NAME.py; stored, not deflated.
//     Works for python_stdlib.zip (zipimport reads NAME.pyc) and for the wheel (unpacked into
//     site-packages: a sourceless NAME.pyc is loaded by SourcelessFileLoader; with the .py kept,
//     __pycache__/NAME.cpython-314.pyc is written instead). [--nodebugranges] [--optimize 2]: smaller .pyc.
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const T0 = performance.now();
const now = () => Math.round((performance.now() - T0) * 10) / 10;

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1];
  if (fallback !== undefined) return fallback;
  console.error(`boot_node.mjs: missing --${name}`);
  process.exit(2);
}
const flag = (name) => process.argv.includes(`--${name}`);
const mode = process.argv[2];
const pyodideDir = resolve(arg("pyodide"));

// Time WebAssembly compilation + instantiation (Pyodide calls WebAssembly.instantiate under Node).
const wasmTimes = [];
for (const fn of ["instantiate", "instantiateStreaming", "compile"]) {
  const orig = WebAssembly[fn];
  if (!orig) continue;
  WebAssembly[fn] = async function (...a) {
    const t = now();
    try {
      return await orig.apply(this, a);
    } finally {
      wasmTimes.push({ fn, start: t, end: now() });
    }
  };
}

const lock = JSON.parse(readFileSync(resolve(pyodideDir, "pyodide-lock.json"), "utf-8"));
const emptyLock = { info: lock.info, packages: {} };

async function boot(extra = {}) {
  const { loadPyodide } = await import(pathToFileURL(resolve(pyodideDir, "pyodide.mjs")).href);
  const tImported = now();
  const errLines = [];
  const py = await loadPyodide({
    indexURL: pyodideDir + "/", lockFileContents: emptyLock, stdout: () => {}, stderr: (l) => errLines.push(l), ...extra,
  });
  return { py, tImported, errLines };
}

function parseImportTime(lines) {
  // "import time:   self [us] |  cumulative | imported package"
  const out = [];
  for (const l of lines) {
    const m = /^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)/.exec(l);
    if (m) out.push({ self_us: +m[1], cum_us: +m[2], depth: m[3].length, name: m[4] });
  }
  return out;
}

if (mode === "measure") {
  const env = {};
  for (const kv of (arg("env", "") || "").split(",").filter(Boolean)) {
    const [k, v] = kv.split("=");
    env[k] = v;
  }
  if (flag("importtime")) env.PYTHONPROFILEIMPORTTIME = "1";
  const extra = { env };
  if (arg("stdlib", "")) extra.stdLibURL = resolve(arg("stdlib"));
  const args = (arg("args", "") || "").split(",").filter(Boolean);
  if (args.length) extra.args = args;
  const out = { phases: {} };
  const { py, tImported, errLines } = await boot(extra);
  out.phases["pyodide.mjs"] = tImported;
  out.phases.booted = now();
  out.wasm = wasmTimes.slice();
  const bootLines = errLines.splice(0);
  const wheel = readFileSync(resolve(arg("wheel")));
  py.unpackArchive(new Uint8Array(wheel.buffer, wheel.byteOffset, wheel.byteLength), "wheel");
  out.phases.wheel = now();
  py.runPython("import json\nimport guidegen.core");
  out.phases.imported = now();
  const engineLines = errLines.splice(0);
  const parts = arg("parts").split(",").map((p) => readFileSync(resolve(p), "utf-8"));
  const list = py.toPy(parts);
  py.globals.set("_bundle_parts", list);
  list.destroy();
  const glue = readFileSync(new URL("../calculator/engine.py", import.meta.url), "utf-8");
  py.runPython(glue);
  out.phases.glue_and_bundle = now();
  const evaluate = py.globals.get("_evaluate");
  if (!flag("noprobe")) JSON.parse(evaluate('{"profile": 1}', "[]")); // the worker's self-check (--noprobe: skipped)
  out.phases.probe = now();
  const profile = readFileSync(resolve(arg("profile")), "utf-8");
  const text = evaluate(profile);
  const res = JSON.parse(text);
  // parity between runtimes (.py vs .pyc): the exact answer's SHA-256
  out.result_sha256 = (await import("node:crypto")).createHash("sha256").update(text).digest("hex");
  out.phases.first_evaluation = now();
  JSON.parse(evaluate(profile));
  out.phases.second_evaluation = now();
  out.results = Array.isArray(res.results) ? res.results.length : res;
  // The bundle parse alone (json.loads of the parts, as engine.py does), on Python's clock, after the fact.
  const again = py.toPy(parts);
  py.globals.set("_gg_parts", again);
  again.destroy();
  out.bundle_parse_ms = py.runPython(`
import time as _time, json as _json
_t = _time.perf_counter()
_b = {}
for _p in _gg_parts: _b.update(_json.loads(_p))
del _b, _gg_parts
round((_time.perf_counter() - _t) * 1000, 1)`);
  // And the first evaluation of the profile on a fresh engine state is phases.first_evaluation - phases.probe.
  if (flag("importtime")) {
    out.importtime_boot = parseImportTime(bootLines);
    out.importtime_engine = parseImportTime(engineLines);
  }
  out.python = py.runPython("import sys; sys.version");
  process.stdout.write(JSON.stringify(out) + "\n");
} else if (mode === "compile") {
  // Compile with the full stock stdlib available (py_compile is not in the trimmed one).
  // --nodebugranges: compile without column positions (PYTHONNODEBUGRANGES, smaller .pyc);
  // --optimize N: py_compile's optimize (2 strips docstrings and asserts).
  const { py } = await boot(flag("nodebugranges") ? { env: { PYTHONNODEBUGRANGES: "1" } } : {});
  py.globals.set("_optimize", Number(arg("optimize", "-1")));
  const zipBytes = readFileSync(resolve(arg("in")));
  py.FS.writeFile("/tmp/in.zip", zipBytes);
  const prefix = arg("prefix", "/lib/python314.zip/");
  py.globals.set("_prefix", prefix);
  py.globals.set("_sourceless", flag("sourceless"));
  py.runPython(`
import zipfile, py_compile, importlib.util, marshal, io, os
src = zipfile.ZipFile("/tmp/in.zip")
out = io.BytesIO()
dst = zipfile.ZipFile(out, "w", zipfile.ZIP_STORED)
n = 0
for info in src.infolist():
    data = src.read(info)
    if info.filename.endswith(".py"):
        os.makedirs("/tmp/c", exist_ok=True)
        with open("/tmp/c/m.py", "wb") as f: f.write(data)
        py_compile.compile("/tmp/c/m.py", cfile="/tmp/c/m.pyc", dfile=_prefix + info.filename, doraise=True, optimize=_optimize,
                           invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
        with open("/tmp/c/m.pyc", "rb") as f: pyc = f.read()
        name = info.filename[:-3] + ".pyc"
        if not _sourceless:
            if _prefix.startswith("/lib/python3") and "site-packages" in _prefix:
                d, b = os.path.split(info.filename)
                name = (d + "/" if d else "") + "__pycache__/" + b[:-3] + "." + __import__("sys").implementation.cache_tag + ".pyc"
            zi = zipfile.ZipInfo(info.filename, info.date_time); zi.external_attr = info.external_attr
            dst.writestr(zi, data)
        zi = zipfile.ZipInfo(name, info.date_time); zi.external_attr = info.external_attr or (0o644 << 16)
        dst.writestr(zi, pyc); n += 1
    else:
        zi = zipfile.ZipInfo(info.filename, info.date_time); zi.external_attr = info.external_attr
        dst.writestr(zi, data)
dst.close()
open("/tmp/out.zip", "wb").write(out.getvalue())
`);
  writeFileSync(resolve(arg("out")), py.FS.readFile("/tmp/out.zip"));
  process.stdout.write(JSON.stringify({ ok: true, out: arg("out") }) + "\n");
} else {
  console.error("usage: boot_node.mjs measure|compile ...");
  process.exit(2);
}
