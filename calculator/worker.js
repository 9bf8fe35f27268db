// The calculator's engine host: a module Web Worker running Pyodide (self-hosted,
// same origin), with the guidegen wheel unpacked and the compiled bundle loaded.
// It evaluates profiles with guidegen.core.evaluate_json, the function the CLI
// and the tests use; it never scores anything itself.
//
// Messages in:  {type: "init", pyodide: URL/, wheel: URL, files: {name: {size, sha256}}},
//               then {type: "bundle", text}
//               (the page fetches the bundle for its form; the runtime loads meanwhile)
//               {type: "evaluate", id, profile: JSON text, schemes: [ids] | null, today: "YYYY-MM-DD" | null}
//               {type: "questions", id, schemes: [ids] | null[, profile: {enterprise: {…place}}]} -> {type: "result", id, json}
//               (json: guidegen.core.questions_json, or {"errors": …} when the engine has none)
//               {type: "desk", id, files: [{name, data: ArrayBuffer}], scheme, today, lang}
//               -> {type: "result", id, json, workbook: ArrayBuffer (.xlsx)} (bureau desk page;
//               init then also carries extraWheels: [URL], installed after the engine)
//               {type: "read-profile", id, name, data: ArrayBuffer} -> {type: "result", id, json}
//               (the calculator's import through guidegen.profile_file: {"profile"} or {"errors"})
//               init may say snapshot: false (no snapshot read or made)
// Messages out: {type: "progress", step}, {type: "ready", pyodide, python, ms, snapshot, phases},
//               {type: "failed", detail, file, problem}, {type: "restarting"}, {type: "result", id, json},
//               {type: "snapshot", state: "stored" | "failed", ms} (the background capture and
//               store ended; ms: how long the capture worker took)
//               (problem: "missing" | "damaged" | "unavailable" | "type" | null, naming the
//               runtime file at fault when it can be told: the page explains it in both languages)
//
// Bad input never kills the worker: the engine answers {"errors": [...]} for an
// invalid profile, anything unexpected becomes such an answer too, and a runtime
// that suffered a fatal error is replaced by a fresh one.
//
// Return visits start from a memory snapshot (Pyodide's private `_makeSnapshot` /
// `makeMemorySnapshot` / `_loadSnapshot`) of a heap with the engine imported, the bundle
// parsed and one warm-up evaluation done (its caches filled: the first real evaluation
// after a restore takes about half as long as a cold one). The first visit does not make
// it on its way to the first result: once that result is out and no request came for
// CAPTURE_IDLE_MS, this worker starts a second one from its own file ({type: "capture"},
// carrying the bundle's parts), which boots Pyodide with `_makeSnapshot`, does the above
// with a profile that gives only a city (nothing the user entered is in the heap), copies the heap,
// stores it without its all-zero pages (not compressed: unpacking cost more than reading) in
// Cache Storage under the names of the Pyodide folder, the wheel, this worker and the
// bundle's parts (all content-hashed), and ends. The next visit restores it instead of
// booting Python, importing and parsing, then unpacks the wheel (the file system is not in
// the snapshot, and later imports read it). The warm-up grows the heap past the size a
// fresh Pyodide starts with, which a restore cannot fit (pyodide#6254): the restore grows
// the new instance's memory to the snapshot's size as soon as it is instantiated, before
// Pyodide copies the heap in (growForSnapshot). Any failure (no Cache Storage,
// quota, a restore error such as a build-id mismatch) means a normal start, silently;
// a failed restore replaces the stored copy by a marker so this release does not try
// again (a failed store just deletes what was written: the next visit tries again).
// `ready` says which start it was: snapshot "restored" | "later" (none stored yet: one is
// captured after the first result) | "none" | "fallback" (then snapshotError: why the
// restore failed), and phases (ms at which each step ended).
// The bundle comes from the page, whole ({type: "bundle", text}) or in parts
// ({type: "bundle", parts: [JSON text], fetch: [URL]}, guidegen.runtime.bundle_parts: their
// union is the bundle, merged in Python by engine.py; `fetch` names the parts the page
// does not read, which this worker fetches itself, side by side with Pyodide).
// {type: "test-fatal", id} (tests only) feeds the engine a profile nested deep enough to
// overflow the WebAssembly stack, bypassing the depth guard: a real fatal error, so the
// restart path below can be tested; it answers like an evaluation.

const ENGINE_PY = ""; // @engine
// Written by the build (guidegen.runtime.write_runtime), once: the Pyodide files this
// worker loads (and names when one is missing or damaged) and the lock handed to
// loadPyodide (Pyodide's own info, no packages: pyodide-lock.json is never fetched).
const RUNTIME = { pyodideFiles: ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip"], lock: null }; // @runtime
// Profiles are three levels deep; anything far deeper is refused before it can
// overflow the WebAssembly stack inside the JSON decoder.
const MAX_DEPTH = 64;

let config = null;
let resolveBundle;
const bundleMessage = new Promise((resolve) => { resolveBundle = resolve; });
// The bundle message with the parts this worker fetched, as texts: what a capture worker parses.
let capturedBundle = null;
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

function runtimeFiles() {
  return [...RUNTIME.pyodideFiles.map((name) => [name, new URL(name, config.pyodide).href]), [fileName(config.wheel), config.wheel]];
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

// ---------------------------------------------------------------- memory snapshot
const SNAPSHOT_CACHE = "guidegen-snapshot-v2";
// The warm-up evaluation in the snapshot: every scheme, a profile whose only answer is a city, so
// the place index (folding ~13,000 division names: most of a cold first evaluation) is built too.
const WARM_UP_PROFILE = '{"profile": 1, "enterprise": {"city": "株洲市"}}';
// After the first result, a capture starts once no request came for this long.
const CAPTURE_IDLE_MS = 1500;
let captureWanted = false; // nothing stored for this release yet: capture after the first result
let capturing = null; // {timer} or {worker}: the capture scheduled or under way (one per worker)
// Milliseconds since the start began at which each step ended (for bench/: where the time goes).
let phases = {};
let startedAt = 0;
const mark = (name) => { phases[name] = Math.round(performance.now() - startedAt); };

function canStoreSnapshots() {
  return Boolean(self.caches);
}

// One key per release: the content-hashed names of the Pyodide folder (its version
// and files), the wheel, this worker (which carries the engine glue) and the bundle's
// parts (config.bundleKey: the heap holds the parsed bundle).
function snapshotURL() {
  const last = (url) => new URL(url, self.location.href).pathname.split("/").filter(Boolean).pop();
  const key = [config.pyodide, config.wheel, self.location.href].map(last).concat(config.bundleKey || []).join("+");
  return new URL(`guidegen-snapshot/${encodeURIComponent(key)}`, self.location.href).href;
}

// What Cache Storage holds for this release: {response} (a snapshot), {marker: true}
// (one failed here: make none) or {} (nothing; or no Cache Storage: then {marker: true}).
async function storedSnapshot() {
  if (!canStoreSnapshots() || config.snapshot === false) return { marker: true };
  try {
    const cache = await caches.open(SNAPSHOT_CACHE);
    const response = await cache.match(snapshotURL());
    if (!response) return {};
    return response.headers.get("X-Snapshot") === "heap" ? { response } : { marker: true };
  } catch {
    return { marker: true }; // e.g. opaque-origin or storage-denied workers
  }
}

// The heap is stored without its all-zero 64 KiB pages (about 40 % of it: free memory), which
// X-Snapshot-Pages lists (hex, one bit a page, set for a stored page); reading less is what a
// returning visit waits for. unpack() puts the pages back in place.
const SNAPSHOT_PAGE = 65536;

function packPages(bytes) {
  const count = Math.ceil(bytes.length / SNAPSHOT_PAGE);
  const map = new Uint8Array(Math.ceil(count / 8));
  const words = bytes.byteOffset % 4 === 0 ? new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2) : null;
  const kept = [];
  for (let i = 0; i < count; i++) {
    const start = i * SNAPSHOT_PAGE;
    const end = Math.min(start + SNAPSHOT_PAGE, bytes.length);
    let zero = true;
    if (words && end - start === SNAPSHOT_PAGE) {
      for (let w = start >> 2, last = end >> 2; w < last; w++) if (words[w] !== 0) { zero = false; break; }
    } else {
      for (let b = start; b < end; b++) if (bytes[b] !== 0) { zero = false; break; }
    }
    if (!zero) {
      map[i >> 3] |= 1 << (i & 7);
      kept.push(bytes.subarray(start, end));
    }
  }
  const hex = Array.from(map, (b) => b.toString(16).padStart(2, "0")).join("");
  return { body: new Blob(kept), pages: hex };
}

async function unpack(response) {
  const size = Number(response.headers.get("X-Snapshot-Size"));
  const hex = response.headers.get("X-Snapshot-Pages") || "";
  const body = new Uint8Array(await response.arrayBuffer());
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (let i = 0; i * SNAPSHOT_PAGE < size; i++) {
    if (!(parseInt(hex.substr((i >> 3) * 2, 2) || "0", 16) & (1 << (i & 7)))) continue;
    const length = Math.min(SNAPSHOT_PAGE, size - i * SNAPSHOT_PAGE);
    if (offset + length > body.length) throw new Error("snapshot: wrong size");
    bytes.set(body.subarray(offset, offset + length), i * SNAPSHOT_PAGE);
    offset += length;
  }
  if (offset !== body.length || !size) throw new Error("snapshot: wrong size");
  mark("unpacked");
  return bytes;
}

// While Pyodide instantiates its WebAssembly for a restore: grow the new instance's memory
// to hold `size` bytes before the heap is copied in (a snapshot taken after the heap grew is
// larger than a fresh instance's memory, pyodide#6254). Emscripten builds its views of the
// memory after instantiation, so they see the grown one. Returns the function that undoes it.
function growForSnapshot(size) {
  const wasm = self.WebAssembly;
  const original = { streaming: wasm.instantiateStreaming, plain: wasm.instantiate };
  const grow = (result) => {
    mark("instantiated"); // (for bench/: the WebAssembly compiled or taken from the code cache)
    const instance = result instanceof wasm.Instance ? result : result.instance;
    const memory = instance && instance.exports && instance.exports.memory;
    if (memory instanceof wasm.Memory && memory.buffer.byteLength < size) {
      memory.grow(Math.ceil((size - memory.buffer.byteLength) / 65536));
    }
    return result;
  };
  wasm.instantiateStreaming = (...args) => original.streaming.apply(wasm, args).then(grow);
  wasm.instantiate = (...args) => original.plain.apply(wasm, args).then(grow);
  return () => {
    wasm.instantiateStreaming = original.streaming;
    wasm.instantiate = original.plain;
  };
}

// Replace the stored snapshot by a marker (or just delete it): this release does not try again.
async function dropSnapshot({ marker = true } = {}) {
  try {
    const cache = await caches.open(SNAPSHOT_CACHE);
    await cache.delete(snapshotURL());
    if (marker) await cache.put(snapshotURL(), new Response("", { headers: { "X-Snapshot": "failed" } }));
  } catch {
    // nothing stored, nothing to drop
  }
}

// Store a heap copy for this release (in the capture worker); resolves with the message for the page.
async function storeSnapshot(url, bytes) {
  try {
    const cache = await caches.open(SNAPSHOT_CACHE);
    // One release at a time: snapshots (and markers) of other releases go.
    for (const request of await cache.keys()) {
      if (request.url !== url) await cache.delete(request);
    }
    const { body, pages } = packPages(bytes);
    await cache.put(url, new Response(body, {
      headers: { "Content-Type": "application/octet-stream", "X-Snapshot": "heap", "X-Snapshot-Size": String(bytes.length),
        "X-Snapshot-Pages": pages },
    }));
    return { type: "snapshot", state: "stored", bytes: bytes.length };
  } catch (err) {
    // Quota, private mode, a closed cache: drop whatever half got written.
    await dropSnapshot({ marker: false });
    return { type: "snapshot", state: "failed", detail: describe(err) };
  }
}

// The capture worker ({type: "capture", bundle: the engine worker's bundle message with its
// fetched parts as texts}): a fresh runtime, the engine imported, the bundle parsed, one
// warm-up evaluation, the heap copied and stored; nothing else. Answers one "snapshot"
// message, then the worker ends.
async function capture() {
  const t0 = performance.now();
  const wheel = fetchBytes(config.wheel);
  wheel.catch(() => {});
  try {
    const mod = await import(new URL("pyodide.mjs", config.pyodide).href);
    py = await bootPyodide(mod, { _makeSnapshot: true });
    await installWheel(wheel);
    resolveBundle({ ...config.bundle, fetched: Promise.resolve(config.bundle.fetched || []) });
    await loadEngine();
    try {
      evaluateFn(WARM_UP_PROFILE);
    } finally {
      evaluateFn.destroy(); // no JS reference may remain in a snapshot
      evaluateFn = null;
    }
    const bytes = py.makeMemorySnapshot();
    const message = await storeSnapshot(snapshotURL(), bytes);
    return { ...message, ms: Math.round(performance.now() - t0) };
  } catch (err) {
    return { type: "snapshot", state: "failed", detail: describe(err), ms: Math.round(performance.now() - t0) };
  }
}

// In the engine worker: after the first result, once idle, a capture worker makes the snapshot.
function scheduleCapture() {
  if (!captureWanted || (capturing && capturing.worker)) return;
  if (capturing) clearTimeout(capturing.timer);
  capturing = { timer: setTimeout(startCapture, CAPTURE_IDLE_MS) };
}

function startCapture() {
  captureWanted = false;
  if (!capturedBundle) {
    capturing = null;
    return; // no bundle came (or a part failed): nothing to capture
  }
  let child;
  try {
    child = new Worker(self.location.href, { type: "module", name: "guidegen-snapshot" });
  } catch (err) {
    capturing = null;
    post({ type: "snapshot", state: "failed", detail: describe(err) });
    return;
  }
  capturing = { worker: child };
  const done = (message) => {
    child.terminate();
    capturing = null;
    post(message);
  };
  child.onmessage = (event) => { if (event.data && event.data.type === "snapshot") done(event.data); }; // (not its progress)
  child.onerror = (event) => { event.preventDefault(); done({ type: "snapshot", state: "failed", detail: event.message || "capture worker failed" }); };
  child.postMessage({ type: "capture", pyodide: config.pyodide, wheel: config.wheel, files: config.files, snapshot: config.snapshot,
    bundleKey: config.bundleKey, bundle: capturedBundle });
}

// ---------------------------------------------------------------- start
async function bootPyodide(mod, options) {
  const watch = watchInstantiation();
  try {
    return await Promise.race([
      mod.loadPyodide({
        indexURL: config.pyodide, stdout: () => {}, stderr: (text) => console.warn(text),
        ...(RUNTIME.lock ? { lockFileContents: RUNTIME.lock, packageBaseUrl: config.pyodide } : {}), ...options,
      }),
      watch.failed,
    ]);
  } finally {
    watch.stop();
  }
}

async function installWheel(wheel) {
  const wheelBytes = await wheel;
  if (await matchesRelease(fileName(config.wheel), wheelBytes) === false) {
    throw new RuntimeFileError(fileName(config.wheel), "damaged", "size or SHA-256 differs");
  }
  try {
    py.unpackArchive(wheelBytes, "wheel");
  } catch (err) {
    throw new Error(`guidegen wheel: ${describe(err)}`);
  }
}

// Bundle, glue, and a first evaluation that proves the runtime works (before "ready",
// so a broken restore still falls back). It asks for no scheme: a full evaluation here
// would only delay the page's first one, which follows at once.
async function loadEngine() {
  post({ type: "progress", step: 3 });
  const bundle = await bundleMessage;
  if (Array.isArray(bundle.parts)) {
    // Parts the page does not read itself (the full place rows) were fetched here meanwhile.
    const parts = [...bundle.parts, ...await bundle.fetched];
    const list = py.toPy(parts);
    py.globals.set("_bundle_parts", list);
    list.destroy();
  } else py.globals.set("_bundle_text", bundle.text);
  py.runPython(ENGINE_PY);
  evaluateFn = py.globals.get("_evaluate");
  const probe = JSON.parse(evaluateFn('{"profile": 1}', "[]"));
  if (!Array.isArray(probe.results)) throw new Error(`engine self-check: ${JSON.stringify(probe).slice(0, 200)}`);
}

// From the stored snapshot: restore the heap (engine imported, bundle parsed), unpack the wheel.
// The copy is read while Pyodide imports pyodide.asm.mjs and fetches its files (it waits for the
// snapshot only before it instantiates); a damaged copy makes loadPyodide fail: a normal start follows.
async function startFromSnapshot(mod, stored, wheel) {
  const bytes = unpack(stored);
  bytes.catch(() => {});
  const undo = growForSnapshot(Number(stored.headers.get("X-Snapshot-Size")) || 0);
  try {
    py = await bootPyodide(mod, { _loadSnapshot: bytes });
  } finally {
    undo();
  }
  mark("restored");
  post({ type: "progress", step: 2 });
  await installWheel(wheel);
  mark("wheel");
  evaluateFn = py.globals.get("_evaluate");
  const probe = JSON.parse(evaluateFn('{"profile": 1}', "[]"));
  if (!Array.isArray(probe.results)) throw new Error(`engine self-check: ${JSON.stringify(probe).slice(0, 200)}`);
  mark("engine");
}

// A normal start (no snapshot is made here: see capture()).
async function startFresh(mod, wheel) {
  py = await bootPyodide(mod, {});
  mark("booted");
  post({ type: "progress", step: 2 });
  await installWheel(wheel);
  mark("wheel");
  await loadEngine();
  mark("engine");
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
    const reviewed = py.toPy(Array.isArray(message.reviewed) ? message.reviewed.map(String) : []);
    proxies.push(reviewed);
    const counts = run.callKwargs(bundle, dir, out, { scheme: message.scheme, today: message.today || null, lang: message.lang || "zh",
      include_pending: Boolean(message.include_pending), reviewed });
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
  startedAt = t0;
  phases = {};
  evaluateFn = null;
  if (announce) post({ type: "progress", step: 1 });
  const wheel = fetchBytes(config.wheel);
  wheel.catch(() => {});
  const extras = (config.extraWheels || []).map((url) => [url, fetchBytes(url)]);
  for (const [, bytes] of extras) bytes.catch(() => {});
  // (No prefetch of the big runtime files: Pyodide 314's loadPyodide starts the WebAssembly
  // and standard-library downloads itself before it imports pyodide.asm.mjs; measured, a
  // prefetch saved nothing: docs-dev/perf-first-visit.md.)
  const lookup = storedSnapshot(); // never rejects; meanwhile pyodide.mjs loads
  let mod;
  try {
    mod = await import(new URL("pyodide.mjs", config.pyodide).href);
  } catch (err) {
    throw new Error(`pyodide.mjs: ${describe(err)}`);
  }
  mark("pyodide.mjs");
  let snapshot = "none";
  let why = null; // the first line of a failed restore's error
  const stored = await lookup;
  mark("lookup");
  if (stored.response) {
    try {
      await startFromSnapshot(mod, stored.response, wheel);
      snapshot = "restored";
    } catch (err) {
      // Silently a normal start; this release's snapshot is not tried again.
      why = String((err && err.message) || err).split("\n")[0].slice(0, 200);
      py = null;
      evaluateFn = null;
      await dropSnapshot();
      snapshot = "fallback";
    }
  }
  if (!evaluateFn) {
    await startFresh(mod, wheel);
    if (snapshot === "none" && !stored.marker) {
      snapshot = "later";
      captureWanted = true;
    }
  }
  await installExtraWheels(extras);
  const python = py.runPython("import sys; sys.version.split()[0]");
  mark("ready");
  // phases.epoch: when the start began, in ms since 1970 (bench/ lines the steps up with the page's clock).
  phases.epoch = Math.round(performance.timeOrigin + t0);
  return { pyodide: py.version, python, ms: Math.round(performance.now() - t0), snapshot, phases, ...(why ? { snapshotError: why } : {}) };
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

async function evaluate(message, { guard = true } = {}) {
  const profile = typeof message.profile === "string" ? message.profile : JSON.stringify(message.profile);
  if (starting) {
    try {
      await starting;
    } catch {
      return errorJson("计算引擎未能加载", "the engine could not be loaded");
    }
  }
  if (guard && depthOf(profile) > MAX_DEPTH) {
    return errorJson("无法读取档案：嵌套层级过深", "cannot read the profile: nested too deeply");
  }
  try {
    // JS null would reach Python as JsNull, not None: undefined does (schemes, today: None).
    const schemes = Array.isArray(message.schemes) ? JSON.stringify(message.schemes) : undefined;
    // today: "YYYY-MM-DD" (the page's date, for the call status) or None.
    const today = typeof message.today === "string" ? message.today : undefined;
    return evaluateFn(profile, schemes, today);
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
  if (capturing && capturing.timer) scheduleCapture(); // a request: not idle yet
  if (message.type === "capture") {
    config = message;
    post(await capture());
    self.close();
  } else if (message.type === "init") {
    if (starting) return;
    config = message;
    if (!config.pyodide.endsWith("/")) config.pyodide += "/";
    starting = start().then(
      (info) => { post({ type: "ready", ...info }); return info; },
      async (err) => { post(failedMessage(await diagnose(err))); throw err; });
    starting.catch(() => {});
  } else if (message.type === "bundle") {
    const decoder = new TextDecoder();
    const fetched = Promise.all((message.fetch || []).map((url) => fetchBytes(url).then((b) => decoder.decode(b))));
    fetched.then((texts) => { capturedBundle = { type: "bundle", parts: message.parts, text: message.text, fetched: texts }; }, () => {});
    resolveBundle({ ...message, fetched });
  } else if (message.type === "evaluate") {
    let json;
    try {
      json = await evaluate(message);
    } catch (err) {
      json = errorJson(`计算出错：${describe(err)}`, `evaluation failed: ${describe(err)}`);
    }
    post({ type: "result", id: message.id, json });
    // The snapshot is captured once the first result is out and the page is idle.
    scheduleCapture();
  } else if (message.type === "test-fatal") {
    // Tests only: a real fatal error (the depth guard exists because this overflows
    // the WebAssembly stack inside the JSON decoder); the restart path follows.
    const deep = `{"profile": 1, "x": ${"[".repeat(200000)}${"]".repeat(200000)}}`;
    const json = await evaluate({ profile: deep }, { guard: false });
    post({ type: "result", id: message.id, json });
  } else if (message.type === "read-profile") {
    // The calculator's import: the chosen file's bytes read by guidegen.profile_file, the one
    // reader of `guidegen evaluate`, `guidegen batch` and the desk (same refusals, same words).
    post({ type: "result", id: message.id, json: await readProfile(message) });
  } else if (message.type === "desk") {
    const answer = await desk(message);
    self.postMessage({ type: "result", id: message.id, ...answer }, answer.workbook ? [answer.workbook] : []);
  } else if (message.type === "questions") {
    // The questions the chosen schemes read (guidegen.core.questions), for the calculator's steps.
    let json;
    try {
      json = await questions(message);
    } catch (err) {
      json = errorJson(`计算出错：${describe(err)}`, `evaluation failed: ${describe(err)}`);
    }
    post({ type: "result", id: message.id, json });
  }
};

// {type: "read-profile", id, name, data: ArrayBuffer[, wheels: [URL]]} -> {type: "result", id, json}:
// json is {"profile": {...}} or {"errors": [{field, kind, line, column, message: {zh, en}}]}.
// A .yaml/.yml file is read as YAML once `wheels` (PyYAML and the standard-library files it
// needs, the desk's runtime files) are installed: on the first YAML import, never at start.
// Without them every import is read as JSON.
const installedWheels = new Set();
async function readProfile(message) {
  if (starting) {
    try {
      await starting;
    } catch {
      return errorJson("计算引擎未能加载", "the engine could not be loaded");
    }
  }
  let fn = null;
  try {
    const name = String(message.name || "import.json");
    const wheels = (Array.isArray(message.wheels) ? message.wheels : []).filter((url) => !installedWheels.has(url));
    const yaml = /\.ya?ml$/i.test(name) && (wheels.length > 0 || installedWheels.size > 0);
    if (yaml && wheels.length) {
      try {
        await installExtraWheels(wheels.map((url) => [url, fetchBytes(url)]));
        wheels.forEach((url) => installedWheels.add(url));
      } catch (err) {
        return errorJson(`无法加载读取 YAML 所需的文件（${describe(err)}）；请改用计算器导出的 .json 档案`,
          `could not load what reading YAML needs (${describe(err)}); import the calculator's .json export instead`);
      }
    }
    fn = py.runPython("from guidegen.profile_file import read_profile_json\n(lambda data, name: read_profile_json(data.to_bytes(), name))");
    return fn(new Uint8Array(message.data || new ArrayBuffer(0)), yaml || name.toLowerCase().endsWith(".json") ? name : `${name}.json`);
  } catch (err) {
    return errorJson(`无法读取档案：${describe(err)}`, `cannot read the profile: ${describe(err)}`);
  } finally {
    if (fn) fn.destroy();
  }
}

async function questions(message) {
  if (starting) {
    try {
      await starting;
    } catch {
      return errorJson("计算引擎未能加载", "the engine could not be loaded");
    }
  }
  const fn = py.globals.get("_questions");
  if (!fn) return errorJson("此版本的计算引擎不提供问题清单", "this engine offers no question list");
  // message.profile (optional): the answers' place ({enterprise: {province, city, …}}); outside a
  // scheme's call region the engine leaves out what only that call's rows read (issue 22).
  const place = message.profile && typeof message.profile === "object" ? JSON.stringify(message.profile) : null;
  return fn(JSON.stringify(Array.isArray(message.schemes) ? message.schemes : null), place);
}
