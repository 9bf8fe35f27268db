// The calculator's engine host: a module Web Worker running Pyodide (self-hosted,
// same origin), with the guidegen wheel unpacked and the compiled bundle loaded.
// It evaluates profiles with guidegen.core.evaluate_json, the function the CLI
// and the tests use; it never scores anything itself.
//
// Messages in:  {type: "init", pyodide: URL/, wheel: URL}, then {type: "bundle", text}
//               (the page fetches the bundle for its form; the runtime loads meanwhile)
//               {type: "evaluate", id, profile: JSON text, schemes: [ids] | null}
// Messages out: {type: "progress", step}, {type: "ready", pyodide, python, ms},
//               {type: "failed", detail}, {type: "restarting"}, {type: "result", id, json}
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

async function fetchBytes(url) {
  const name = decodeURIComponent(new URL(url).pathname.split("/").pop());
  let response;
  try {
    response = await fetch(url);
  } catch (err) {
    throw new Error(`${name}: ${describe(err)}`);
  }
  if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
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
      fetch(url, { method: "HEAD", cache: "no-store" }).then((r) => {
        const type = (r.headers.get("Content-Type") || "").split(";")[0].trim();
        if (!r.ok) reject(new Error(`pyodide.asm.wasm: HTTP ${r.status}`));
        else if (type !== "application/wasm") reject(new Error(`pyodide.asm.wasm: served as "${type}", not application/wasm`));
        else reject(new Error("pyodide.asm.wasm: not a valid WebAssembly module"));
      }, (e) => reject(new Error(`pyodide.asm.wasm: ${describe(e)}`)));
    }
  };
  return { failed, stop: () => { console.warn = original; } };
}

const RUNTIME_FILES = ["pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"];

// Name the runtime file behind a failed start when the server says which.
async function diagnose(err) {
  const detail = describe(err);
  if (/^pyodide\.asm\.wasm: /.test(detail)) return detail;
  for (const name of RUNTIME_FILES) {
    try {
      const r = await fetch(new URL(name, config.pyodide).href, { method: "HEAD", cache: "no-store" });
      if (!r.ok) return `${name}: HTTP ${r.status}`;
    } catch (e) {
      return `${name}: ${describe(e)}`;
    }
  }
  return `Pyodide: ${detail}`;
}

async function start(announce = true) {
  const t0 = performance.now();
  evaluateFn = null;
  if (announce) post({ type: "progress", step: 1 });
  const wheel = fetchBytes(config.wheel);
  wheel.catch(() => {});
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
  } catch (err) {
    throw new Error(await diagnose(err));
  } finally {
    watch.stop();
  }
  post({ type: "progress", step: 2 });
  try {
    py.unpackArchive(await wheel, "wheel");
  } catch (err) {
    throw new Error(`guidegen wheel: ${describe(err)}`);
  }
  post({ type: "progress", step: 3 });
  py.globals.set("_bundle_text", await bundleText);
  py.runPython(ENGINE_PY);
  evaluateFn = py.globals.get("_evaluate");
  // A first evaluation warms the engine and proves the runtime works.
  JSON.parse(evaluateFn('{"profile": 1}'));
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
        (e) => { post({ type: "failed", detail: describe(e) }); throw e; });
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
      (err) => { post({ type: "failed", detail: describe(err) }); throw err; });
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
  }
};
