// The calculator's engine host: a module Web Worker running Pyodide (self-hosted,
// same origin), with the guidegen wheel unpacked and the compiled bundle loaded.
// It evaluates profiles with guidegen.core.evaluate_json, the function the CLI
// and the tests use; it never scores anything itself.
//
// Messages in:  {type: "init", pyodide: URL/, wheel: URL, files: {name: {size, sha256}}},
//               then {type: "bundle", text}
//               (the page fetches the bundle for its form; the runtime loads meanwhile)
//               {type: "evaluate", id, profile: JSON text, schemes: [ids] | null}
//               {type: "desk", id, files: [{name, data: ArrayBuffer}], scheme, today, lang}
//               -> {type: "result", id, json, workbook: ArrayBuffer (.xlsx)} (bureau desk page;
//               init then also carries extraWheels: [URL], installed after the engine)
// Messages out: {type: "progress", step}, {type: "ready", pyodide, python, ms},
//               {type: "failed", detail, file, problem}, {type: "restarting"}, {type: "result", id, json}
//               (problem: "missing" | "damaged" | "unavailable" | "type" | null, naming the
//               runtime file at fault when it can be told: the page explains it in both languages)
//
// Bad input never kills the worker: the engine answers {"errors": [...]} for an
// invalid profile, anything unexpected becomes such an answer too, and a runtime
// that suffered a fatal error is replaced by a fresh one.

const ENGINE_PY = ""; // @engine
// Profiles are three levels deep; anything far deeper is refused before it can
// overflow the WebAssembly stack inside the JSON decoder.
const MAX_DEPTH = 64;

let config = null;
let resolveBundle;
const bundleText = new Promise((resolve) => { resolveBundle = resolve; });
let py = null;
let evaluateFn = null;
let starting = null;

const post = (message) => self.postMessage(message);

function describe(err) {
  const text = (err && (err.message || String(err))) || "unknown error";
  // Python tracebacks: the last line says what went wrong.
  const lines = text.trim().split("\n");
  const last = lines[lines.length - 1];
  return (lines.length > 1 ? last : text).slice(0, 300);
}

// A runtime file that is missing, damaged or cannot be downloaded.
class RuntimeFileError extends Error {
  constructor(file, problem, detail) {
    super(`${file}: ${detail}`);
    this.info = { file, problem, detail };
  }
}

const fileName = (url) => decodeURIComponent(new URL(url).pathname.split("/").pop());

function httpError(file, status) {
  return new RuntimeFileError(file, status === 404 || status === 410 ? "missing" : "unavailable", `HTTP ${status}`);
}

async function fetchBytes(url, init) {
  const name = fileName(url);
  let response;
  try {
    response = await fetch(url, init);
  } catch (err) {
    throw new RuntimeFileError(name, "unavailable", describe(err));
  }
  if (!response.ok) throw httpError(name, response.status);
  return new Uint8Array(await response.arrayBuffer());
}

// The released size and SHA-256 of each runtime file (config.files, written by the
// build). false when the bytes differ; null when it cannot be told.
async function matchesRelease(name, bytes) {
  const want = config.files && config.files[name];
  if (!want) return null;
  if (bytes.length !== want.size) return false;
  if (!self.crypto || !self.crypto.subtle) return null; // not a secure context: sizes only
  const digest = new Uint8Array(await self.crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("") === want.sha256;
}

// Pyodide only logs a failed WebAssembly instantiation (missing or corrupt
// pyodide.asm.wasm) and then waits forever: turn that log line into an error.
function watchInstantiation() {
  const original = console.warn;
  let reject;
  const failed = new Promise((_, r) => { reject = r; });
  failed.catch(() => {});
  console.warn = (...args) => {
    original.apply(console, args);
    if (args.some((a) => String(a).includes("wasm instantiation failed"))) {
      const url = new URL("pyodide.asm.wasm", config.pyodide).href;
      const name = "pyodide.asm.wasm";
      fetch(url, { method: "HEAD", cache: "no-store" }).then((r) => {
        const type = (r.headers.get("Content-Type") || "").split(";")[0].trim();
        if (!r.ok) reject(httpError(name, r.status));
        else if (type !== "application/wasm") reject(new RuntimeFileError(name, "type", `served as "${type}", not application/wasm`));
        else reject(new RuntimeFileError(name, "damaged", "not a valid WebAssembly module"));
      }, (e) => reject(new RuntimeFileError(name, "unavailable", describe(e))));
    }
  };
  return { failed, stop: () => { console.warn = original; } };
}

const PYODIDE_FILES = ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"];

function runtimeFiles() {
  return [...PYODIDE_FILES.map((name) => [name, new URL(name, config.pyodide).href]), [fileName(config.wheel), config.wheel]];
}

// Why the runtime did not start: {detail, file, problem}. Names the runtime file at
// fault when the server says it is missing, or its bytes differ from the release.
async function diagnose(err) {
  if (err instanceof RuntimeFileError) return { ...err.info };
  const detail = describe(err);
  const files = runtimeFiles();
  for (const [name, url] of files) {
    try {
      const r = await fetch(url, { method: "HEAD", cache: "no-store" });
      if (!r.ok) return httpError(name, r.status).info;
    } catch (e) {
      return { file: name, problem: "unavailable", detail: describe(e) };
    }
  }
  for (const [name, url] of files) {
    try {
      if (await matchesRelease(name, await fetchBytes(url, { cache: "no-cache" })) === false) {
        return { file: name, problem: "damaged", detail: detail.startsWith(`${name}: `) ? detail.slice(name.length + 2) : detail };
      }
    } catch (e) {
      if (e instanceof RuntimeFileError) return { ...e.info };
    }
  }
  return { file: null, problem: null, detail: `Pyodide: ${detail}` };
}

function failedMessage(info) {
  return { type: "failed", detail: info.file ? `${info.file}: ${info.detail}` : info.detail, file: info.file, problem: info.problem };
}

// The bureau desk page only (init option extraWheels): more pure-Python archives
// (openpyxl, et_xmlfile, PyYAML, a few standard-library files) unpacked after the
// engine is up, so they are never part of the calculator's start or its snapshot.
async function installExtraWheels(extras) {
  for (const [url, pending] of extras) {
    const name = fileName(url);
    const bytes = await pending;
    if (await matchesRelease(name, bytes) === false) throw new RuntimeFileError(name, "damaged", "size or SHA-256 differs");
    try {
      py.unpackArchive(bytes, name.endsWith(".zip") ? "zip" : "wheel");
    } catch (err) {
      throw new RuntimeFileError(name, "damaged", describe(err));
    }
  }
}

// The bureau desk: the dropped files are written to the virtual file system and read
// by guidegen.desk.batch_folder, the function behind `guidegen batch`; the workbook
// comes back as bytes. Answers {json, workbook} or {json: {"errors": [...]}}.
async function desk(message) {
  if (starting) {
    try {
      await starting;
    } catch {
      return { json: errorJson("计算引擎未能加载", "the engine could not be loaded") };
    }
  }
  const dir = `/tmp/desk-${message.id}`;
  const out = `${dir}.xlsx`;
  const proxies = [];
  try {
    py.FS.mkdirTree(dir);
    for (const file of message.files || []) {
      py.FS.writeFile(`${dir}/${String(file.name).replace(/[\/\0]/g, "_")}`, new Uint8Array(file.data));
    }
    const run = py.runPython("from guidegen.desk import batch_folder\nbatch_folder");
    const bundle = py.globals.get("_BUNDLE");
    proxies.push(run, bundle);
    const counts = run.callKwargs(bundle, dir, out, { scheme: message.scheme, today: message.today || null, lang: message.lang || "zh" });
    proxies.push(counts);
    const json = JSON.stringify(counts.toJs({ dict_converter: Object.fromEntries }));
    return { json, workbook: py.FS.readFile(out).buffer };
  } catch (err) {
    const detail = describe(err).replace(/^\w*Error: /, "");
    const [zh, en] = detail.includes(" / ") ? detail.split(" / ", 2) : [`汇总出错：${detail}`, `the batch failed: ${detail}`];
    return { json: errorJson(zh, en) };
  } finally {
    for (const p of proxies) p.destroy();
    try {
      py.runPython(`import shutil, os\nshutil.rmtree(${JSON.stringify(dir)}, ignore_errors=True)\nos.path.exists(${JSON.stringify(out)}) and os.remove(${JSON.stringify(out)})`);
    } catch {
      // leaving a scratch file behind in the page's memory is harmless
    }
  }
}

async function start(announce = true) {
  const t0 = performance.now();
  evaluateFn = null;
  if (announce) post({ type: "progress", step: 1 });
  const wheel = fetchBytes(config.wheel);
  wheel.catch(() => {});
  const extras = (config.extraWheels || []).map((url) => [url, fetchBytes(url)]);
  for (const [, bytes] of extras) bytes.catch(() => {});
  let mod;
  try {
    mod = await import(new URL("pyodide.mjs", config.pyodide).href);
  } catch (err) {
    throw new Error(`pyodide.mjs: ${describe(err)}`);
  }
  const watch = watchInstantiation();
  try {
    py = await Promise.race([
      mod.loadPyodide({ indexURL: config.pyodide, stdout: () => {}, stderr: (text) => console.warn(text) }),
      watch.failed,
    ]);
  } finally {
    watch.stop();
  }
  post({ type: "progress", step: 2 });
  const wheelBytes = await wheel;
  if (await matchesRelease(fileName(config.wheel), wheelBytes) === false) {
    throw new RuntimeFileError(fileName(config.wheel), "damaged", "size or SHA-256 differs");
  }
  try {
    py.unpackArchive(wheelBytes, "wheel");
  } catch (err) {
    throw new Error(`guidegen wheel: ${describe(err)}`);
  }
  post({ type: "progress", step: 3 });
  py.globals.set("_bundle_text", await bundleText);
  py.runPython(ENGINE_PY);
  evaluateFn = py.globals.get("_evaluate");
  // A first evaluation warms the engine and proves the runtime works.
  JSON.parse(evaluateFn('{"profile": 1}'));
  await installExtraWheels(extras);
  const python = py.runPython("import sys; sys.version.split()[0]");
  return { pyodide: py.version, python, ms: Math.round(performance.now() - t0) };
}

function depthOf(text) {
  // Nesting depth of a JSON text, counted without parsing it.
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      depth++;
      if (depth > max) max = depth;
      if (max > MAX_DEPTH) return max;
    } else if (c === 93 || c === 125) depth--;
  }
  return max;
}

function errorJson(zh, en) {
  return JSON.stringify({ errors: [{ field: "(profile)", message: { zh, en } }] });
}

function healthy() {
  try {
    return py.runPython("1 + 1") === 2;
  } catch {
    return false;
  }
}

async function evaluate(message) {
  const profile = typeof message.profile === "string" ? message.profile : JSON.stringify(message.profile);
  if (starting) {
    try {
      await starting;
    } catch {
      return errorJson("计算引擎未能加载", "the engine could not be loaded");
    }
  }
  if (depthOf(profile) > MAX_DEPTH) {
    return errorJson("无法读取档案：嵌套层级过深", "cannot read the profile: nested too deeply");
  }
  try {
    const schemes = Array.isArray(message.schemes) ? JSON.stringify(message.schemes) : null;
    return schemes === null ? evaluateFn(profile) : evaluateFn(profile, schemes);
  } catch (err) {
    const detail = describe(err);
    if (!healthy()) {
      // The runtime is gone (fatal error): bring up a fresh one for the next request.
      post({ type: "restarting" });
      starting = start(false).then((info) => { post({ type: "ready", ...info }); return info; },
        async (e) => { post(failedMessage(await diagnose(e))); throw e; });
      starting.catch(() => {});
    }
    return errorJson(`计算出错：${detail}`, `evaluation failed: ${detail}`);
  }
}

self.onmessage = async (event) => {
  const message = event.data || {};
  if (message.type === "init") {
    if (starting) return;
    config = message;
    if (!config.pyodide.endsWith("/")) config.pyodide += "/";
    starting = start().then(
      (info) => { post({ type: "ready", ...info }); return info; },
      async (err) => { post(failedMessage(await diagnose(err))); throw err; });
    starting.catch(() => {});
  } else if (message.type === "bundle") {
    resolveBundle(message.text);
  } else if (message.type === "evaluate") {
    let json;
    try {
      json = await evaluate(message);
    } catch (err) {
      json = errorJson(`计算出错：${describe(err)}`, `evaluation failed: ${describe(err)}`);
    }
    post({ type: "result", id: message.id, json });
  } else if (message.type === "desk") {
    const answer = await desk(message);
    self.postMessage({ type: "result", id: message.id, ...answer }, answer.workbook ? [answer.workbook] : []);
  }
};
