// The calculator's engine host: a module Web Worker running Pyodide (self-hosted,
// same origin), with the guidegen wheel on sys.path and the compiled bundle loaded.
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
// the origin private file system under the names of the Pyodide folder, the wheel, this
// worker and the bundle's parts (all content-hashed), and ends. The next visit restores it instead of
// booting Python, importing and parsing, and writes the wheel's file back (the file system is not in
// the snapshot, and later imports read it). The warm-up grows the heap past the size a
// fresh Pyodide starts with, which a restore cannot fit (pyodide#6254): the restore grows
// the new instance's memory to the snapshot's size as soon as it is instantiated, before
// Pyodide copies the heap in (hookInstantiation). Any failure (no OPFS,
// quota, a restore error such as a build-id mismatch) means a normal start, silently;
// a failed restore replaces the stored copy by a marker so this release does not try
// again (a failed store just deletes what was written: the next visit tries again).
// `ready` says which start it was: snapshot "restored" | "later" (none stored yet: one is
// captured after the first result) | "none" | "fallback" (then snapshotError: why the
// restore failed), and phases (ms at which each step ended).
// The calculator's worker starts by itself (boot.js names it "guidegen-engine"; see the end
// of this file): the page's init finds it started.
// The bundle comes from the page, whole ({type: "bundle", text}) or in parts
// ({type: "bundle", parts: [JSON text], fetch: [URL]}, guidegen.runtime.bundle_parts: their
// union is the bundle, merged in Python by engine.py; `fetch` names the parts the page
// does not read, which this worker fetches itself when it parses the bundle: not after a
// restore, whose heap holds it).
// {type: "test-fatal", id} (tests only) feeds the engine a profile nested deep enough to
// overflow the WebAssembly stack, bypassing the depth guard: a real fatal error, so the
// restart path below can be tested; it answers like an evaluation.

const ENGINE_PY = ""; // @engine
// Written by the build (guidegen.runtime.write_runtime), once: the Pyodide files this
// worker loads (and names when one is missing or damaged), the lock handed to
// loadPyodide (Pyodide's own info, no packages: pyodide-lock.json is never fetched), and
// `release`: this release's init, its names relative to this file ({pyodide, wheel,
// bundleKey, files}: what the page's manifest gives), for the calculator's self-start (below).
const RUNTIME = { pyodideFiles: ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip"], lock: null, release: null }; // @runtime
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

// The snapshot lives in the origin private file system (OPFS), one file per release in the
// folder SNAPSHOT_DIR, read and written with a synchronous access handle (workers only). Measured
// on a return visit, reading the 22 MB from Cache Storage (its previous home) took 0.3–0.45 s on
// the page, streamed to this thread in small pieces while Pyodide loaded; the same bytes read
// from OPFS, straight into place, take about 25 ms. The file: 8 bytes MAGIC.heap (written last:
// a file without it was not finished), the header's length (u32, little-endian), the header
// (JSON {size, pages}: the heap's size and which of its 64 KiB pages are stored, hex, one bit a
// page), then the stored pages in order; the all-zero ones (about 40 %: free memory) are left
// out. A file holding only MAGIC.failed marks a restore that failed here.
const SNAPSHOT_DIR = "guidegen-snapshot-v3";
const SNAPSHOT_PAGE = 65536;
const MAGIC = { heap: "GGHEAP01", failed: "GGFAIL01" };
const HEAD = 12; // the magic and the header's length

function canStoreSnapshots() {
  return Boolean(self.navigator && navigator.storage && navigator.storage.getDirectory && self.FileSystemFileHandle &&
    FileSystemFileHandle.prototype.createSyncAccessHandle);
}

async function snapshotDir(create = false) {
  return (await navigator.storage.getDirectory()).getDirectoryHandle(SNAPSHOT_DIR, { create });
}

// One key per release: the content-hashed names of the Pyodide folder (its version
// and files), the wheel, this worker (which carries the engine glue) and the bundle's
// parts (config.bundleKey: the heap holds the parsed bundle).
function snapshotName(cfg = config) {
  const last = (url) => new URL(url, self.location.href).pathname.split("/").filter(Boolean).pop();
  return encodeURIComponent([cfg.pyodide, cfg.wheel, self.location.href].map(last).concat(cfg.bundleKey || []).join("+"));
}

// What is stored for this release, read at once: {bytes: Promise of the heap, size} (a snapshot;
// the promise rejects when the file is damaged: the restore then fails and a normal start
// follows), {marker: true} (a restore failed here, another tab holds the file, or no OPFS: make
// none) or {} (nothing yet). Never rejects.
async function storedSnapshot(cfg = config) {
  if (!canStoreSnapshots() || cfg.snapshot === false) return { marker: true };
  let handle;
  try {
    const file = await (await snapshotDir()).getFileHandle(snapshotName(cfg));
    handle = await file.createSyncAccessHandle();
  } catch (err) {
    return err && err.name === "NotFoundError" ? {} : { marker: true };
  }
  try {
    const head = new Uint8Array(HEAD);
    handle.read(head, { at: 0 });
    const magic = String.fromCharCode(...head.subarray(0, 8));
    if (magic === MAGIC.failed) return { marker: true };
    if (magic !== MAGIC.heap) return {}; // not finished (a capture cut short): as if none
    let size = 0;
    try {
      const header = new Uint8Array(new DataView(head.buffer).getUint32(8, true));
      handle.read(header, { at: HEAD });
      const meta = JSON.parse(new TextDecoder().decode(header));
      size = Number(meta.size) || 0;
      return { bytes: Promise.resolve(readPages(handle, meta, HEAD + header.length)), size };
    } catch (err) {
      const bytes = Promise.reject(err);
      bytes.catch(() => {});
      return { bytes, size };
    }
  } finally {
    handle.close();
  }
}

// The heap from its stored pages (the others stay zero), read straight into place.
function readPages(handle, { size, pages }, offset) {
  if (!Number.isSafeInteger(size) || size <= 0 || size > 4 * 1024 ** 3 || typeof pages !== "string") {
    throw new Error("snapshot: bad header");
  }
  const bytes = new Uint8Array(size);
  let at = offset;
  for (const [start, end] of pageRuns(pages, size)) {
    if (handle.read(bytes.subarray(start, end), { at }) !== end - start) throw new Error("snapshot: wrong size");
    at += end - start;
  }
  if (at !== handle.getSize()) throw new Error("snapshot: wrong size");
  mark("unpacked");
  return bytes;
}

// [start, end) byte ranges of the runs of stored pages that `hex` marks.
function pageRuns(hex, size) {
  const runs = [];
  for (let i = 0; i * SNAPSHOT_PAGE < size; i++) {
    if (!(parseInt(hex.substr((i >> 3) * 2, 2) || "0", 16) & (1 << (i & 7)))) continue;
    const start = i * SNAPSHOT_PAGE;
    const end = Math.min(start + SNAPSHOT_PAGE, size);
    if (runs.length && runs[runs.length - 1][1] === start) runs[runs.length - 1][1] = end;
    else runs.push([start, end]);
  }
  return runs;
}

// The hex map of the pages of `bytes` that are not all zero.
function storedPages(bytes) {
  const count = Math.ceil(bytes.length / SNAPSHOT_PAGE);
  const map = new Uint8Array(Math.ceil(count / 8));
  const words = bytes.byteOffset % 4 === 0 ? new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2) : null;
  for (let i = 0; i < count; i++) {
    const start = i * SNAPSHOT_PAGE;
    const end = Math.min(start + SNAPSHOT_PAGE, bytes.length);
    let zero = true;
    if (words && end - start === SNAPSHOT_PAGE) {
      for (let w = start >> 2, last = end >> 2; w < last; w++) if (words[w] !== 0) { zero = false; break; }
    } else {
      for (let b = start; b < end; b++) if (bytes[b] !== 0) { zero = false; break; }
    }
    if (!zero) map[i >> 3] |= 1 << (i & 7);
  }
  return Array.from(map, (b) => b.toString(16).padStart(2, "0")).join("");
}

// Write the release's file: `parts` (Uint8Arrays) in order after the magic, the magic last.
async function writeSnapshotFile(name, magic, parts) {
  const dir = await snapshotDir(true);
  const handle = await (await dir.getFileHandle(name, { create: true })).createSyncAccessHandle();
  try {
    handle.truncate(0);
    let at = 8;
    for (const part of parts) {
      if (handle.write(part, { at }) !== part.length) throw new Error("snapshot: short write");
      at += part.length;
    }
    handle.flush();
    handle.write(new TextEncoder().encode(magic), { at: 0 });
    handle.flush();
  } finally {
    handle.close();
  }
}

// Replace the stored snapshot by a marker (or just delete it): this release does not try again.
async function dropSnapshot({ marker = true } = {}) {
  try {
    const dir = await snapshotDir(true);
    try {
      await dir.removeEntry(snapshotName());
    } catch {
      // (none there)
    }
    if (marker) await writeSnapshotFile(snapshotName(), MAGIC.failed, []);
  } catch {
    // no OPFS, or another tab holds the file: nothing to drop
  }
}

// Store a heap copy for this release (in the capture worker); resolves with the message for the page.
async function storeSnapshot(name, bytes) {
  try {
    const dir = await snapshotDir(true);
    // One release at a time: snapshots (and markers) of other releases go.
    const others = [];
    for await (const key of dir.keys()) if (key !== name) others.push(key);
    for (const key of others) await dir.removeEntry(key);
    const pages = storedPages(bytes);
    const header = new TextEncoder().encode(JSON.stringify({ size: bytes.length, pages }));
    const length = new Uint8Array(4);
    new DataView(length.buffer).setUint32(0, header.length, true);
    const kept = pageRuns(pages, bytes.length).map(([start, end]) => bytes.subarray(start, end));
    await writeSnapshotFile(name, MAGIC.heap, [length, header, ...kept]);
    return { type: "snapshot", state: "stored", bytes: bytes.length };
  } catch (err) {
    // Quota, private mode, another tab holding the file: drop whatever half got written.
    await dropSnapshot({ marker: false });
    return { type: "snapshot", state: "failed", detail: describe(err) };
  }
}

// While loadPyodide runs (it fetches pyodide.asm.wasm and python_stdlib.zip itself, but only
// once pyodide.mjs and pyodide.asm.mjs have loaded, and instantiates the WebAssembly only
// once the snapshot is read):
// - `ahead` ({URL: Promise of its bytes}, start() fetched them at once): its fetch of these
//   gets those bytes; if one failed, its own request goes out (and fails the way it reports).
// - `compiled` (start()'s WebAssembly.compileStreaming, also begun at once): instantiate that
//   module; its own request for the WebAssembly gets an empty stand-in. If the compilation
//   failed, its own path runs (and fails the way watchInstantiation reports).
// - for a restore, grow the new instance's memory to hold `size` bytes before the heap is
//   copied in (a snapshot taken after the heap grew is larger than a fresh instance's memory,
//   pyodide#6254). Emscripten builds its views of the memory after instantiation, so they see
//   the grown one.
// Returns the function that undoes it.
function hookInstantiation({ size = 0, compiled = null, ahead = {} } = {}) {
  const wasm = self.WebAssembly;
  const original = { streaming: wasm.instantiateStreaming, plain: wasm.instantiate, fetch: self.fetch };
  const wasmURL = new URL("pyodide.asm.wasm", config.pyodide).href;
  const grow = (result) => {
    mark("instantiated"); // (for bench/: the WebAssembly compiled or taken from the code cache)
    const instance = result instanceof wasm.Instance ? result : result.instance;
    const memory = instance && instance.exports && instance.exports.memory;
    if (memory instanceof wasm.Memory && memory.buffer.byteLength < size) {
      memory.grow(Math.ceil((size - memory.buffer.byteLength) / 65536));
    }
    return result;
  };
  const streaming = (source, imports) => original.streaming.call(wasm, source, imports).then(grow);
  wasm.instantiateStreaming = !compiled ? streaming : (source, imports) => compiled.then(
    (module) => original.plain.call(wasm, module, imports).then((instance) => grow({ module, instance })),
    () => streaming(source, imports));
  wasm.instantiate = (...args) => original.plain.apply(wasm, args).then(grow);
  self.fetch = (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    const own = () => original.fetch.call(self, input, init);
    if (url === wasmURL && compiled) {
      return compiled.then(() => new Response(new Uint8Array(0), { headers: { "Content-Type": "application/wasm" } }), own);
    }
    if (ahead[url]) return ahead[url].then((bytes) => new Response(bytes), own);
    return own();
  };
  return () => {
    wasm.instantiateStreaming = original.streaming;
    wasm.instantiate = original.plain;
    self.fetch = original.fetch;
  };
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
    const message = await storeSnapshot(snapshotName(), bytes);
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
// hook: hookInstantiation's options ({size, compiled, ahead}): a restore, or files fetched ahead.
async function bootPyodide(mod, options, hook = null) {
  const watch = watchInstantiation();
  const undo = hook ? hookInstantiation(hook) : null;
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
    if (undo) undo();
  }
}

// The engine wheel is not unpacked: the file itself sits at WHEEL_PATH, first on sys.path, and
// Python imports from it (zipimport; the wheel holds byte-compiled modules only). A snapshot's
// sys.path and import caches name that path, so a restore only writes the file back, before the
// heap is restored (fsInit: the file system is not in a snapshot) — measured, unpacking it
// again was about 30 ms of a return visit.
const WHEEL_PATH = "/lib/guidegen-engine.whl";

async function checkWheel(wheelBytes) {
  if (await matchesRelease(fileName(config.wheel), wheelBytes) === false) {
    throw new RuntimeFileError(fileName(config.wheel), "damaged", "size or SHA-256 differs");
  }
}

async function installWheel(wheel) {
  const wheelBytes = await wheel;
  await checkWheel(wheelBytes);
  try {
    py.FS.writeFile(WHEEL_PATH, wheelBytes);
    py.runPython(`import sys\nsys.path.insert(0, ${JSON.stringify(WHEEL_PATH)})`);
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

// From the stored snapshot: restore the heap (engine imported, bundle parsed), the wheel's file written back.
// The copy is read (storedSnapshot) while Pyodide imports its scripts and the WebAssembly compiles
// (Pyodide waits for the snapshot only before it instantiates); a damaged copy makes loadPyodide
// fail: a normal start follows.
async function startFromSnapshot(mod, stored, wheel, ahead) {
  const checked = wheel.then(checkWheel);
  checked.catch(() => {});
  const fsInit = async (FS) => FS.writeFile(WHEEL_PATH, await wheel);
  py = await bootPyodide(mod, { _loadSnapshot: stored.bytes, fsInit }, { size: stored.size, ...ahead });
  mark("restored");
  post({ type: "progress", step: 2 });
  await checked;
  mark("wheel");
  evaluateFn = py.globals.get("_evaluate");
  const probe = JSON.parse(evaluateFn('{"profile": 1}', "[]"));
  if (!Array.isArray(probe.results)) throw new Error(`engine self-check: ${JSON.stringify(probe).slice(0, 200)}`);
  mark("engine");
}

// A normal start (no snapshot is made here: see capture()).
async function startFresh(mod, wheel, ahead) {
  py = await bootPyodide(mod, {}, ahead);
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
  // Everything at once, pyodide.mjs first (the small file everything else waits for): the snapshot
  // found and read (storedSnapshot), the WebAssembly compiled (streaming; on a return visit from
  // Chromium's code cache), the standard library fetched, pyodide.asm.mjs imported (loadPyodide
  // imports the same URL: the module map hands it this one), the wheel. loadPyodide would ask for
  // the middle three only once pyodide.mjs and pyodide.asm.mjs have loaded (hookInstantiation
  // hands it these instead).
  const at = (name) => new URL(name, config.pyodide).href;
  const loading = import(at("pyodide.mjs"));
  loading.catch(() => {});
  const lookup = storedSnapshot(); // never rejects
  const ahead = { compiled: self.WebAssembly && WebAssembly.compileStreaming ? WebAssembly.compileStreaming(fetch(at("pyodide.asm.wasm"))) : null,
    ahead: { [at("python_stdlib.zip")]: fetchBytes(at("python_stdlib.zip")) } };
  if (ahead.compiled) ahead.compiled.catch(() => {});
  ahead.ahead[at("python_stdlib.zip")].catch(() => {});
  import(at("pyodide.asm.mjs")).catch(() => {});
  const wheel = fetchBytes(config.wheel);
  wheel.catch(() => {});
  const extras = (config.extraWheels || []).map((url) => [url, fetchBytes(url)]);
  for (const [, bytes] of extras) bytes.catch(() => {});
  let mod;
  try {
    mod = await loading;
  } catch (err) {
    throw new Error(`pyodide.mjs: ${describe(err)}`);
  }
  mark("pyodide.mjs");
  let snapshot = "none";
  let why = null; // the first line of a failed restore's error
  const stored = await lookup;
  mark("lookup");
  // Without a snapshot the bundle is parsed here: its other parts download meanwhile.
  if (!stored.bytes) bundleMessage.then((bundle) => bundle.fetched, () => {});
  if (stored.bytes) {
    try {
      await startFromSnapshot(mod, stored, wheel, ahead);
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
    await startFresh(mod, wheel, ahead);
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
    begin(message);
  } else if (message.type === "bundle") {
    // The parts the page does not read are fetched only when a start parses the bundle (a
    // restored heap holds it already: on a return visit they are not needed).
    let fetched = null;
    resolveBundle({
      ...message,
      get fetched() {
        if (!fetched) {
          const decoder = new TextDecoder();
          fetched = Promise.all((message.fetch || []).map((url) => fetchBytes(url).then((b) => decoder.decode(b))));
          fetched.then((texts) => { capturedBundle = { type: "bundle", parts: message.parts, text: message.text, fetched: texts }; }, () => {});
        }
        return fetched;
      },
    });
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

function begin(init) {
  if (starting) return; // (one start per worker: a self-started one ignores the page's init)
  config = init;
  if (!config.pyodide.endsWith("/")) config.pyodide += "/";
  starting = start().then(
    (info) => { post({ type: "ready", ...info }); return info; },
    async (err) => { post(failedMessage(await diagnose(err))); throw err; });
  starting.catch(() => {});
}

// The calculator's own worker (boot.js names it so) does not wait for the page's init message:
// a message to a worker that has not run yet waits on the page's main thread, which on a return
// visit is busy with its first layout and modules (measured here: the init arrived 0.2–0.35 s
// after this script ran). It starts at once on this release's files, the same names the page's
// manifest gives (both written by one build); the page's init then finds it started.
if (self.name === "guidegen-engine" && RUNTIME.release) {
  const here = (name) => new URL(name, self.location.href).href;
  const { pyodide, wheel, bundleKey, files } = RUNTIME.release;
  begin({ type: "init", pyodide: here(pyodide), wheel: here(wheel), bundleKey, files });
}
