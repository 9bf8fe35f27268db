// The calculator page: renders the questionnaire at once from the bundle,
// starts the Pyodide worker in the background and shows the engine's results
// on every change. No scoring happens here: guidegen.core (in the worker) does it.
//
// Public API (same origin scripts, tests):
//   window.guidegen.ready            Promise, resolves {pyodide, python} when the engine is loaded
//   window.guidegen.evaluate(p[, schemes])  Promise of the result JSON (parsed) for profile p
//                                    (an object or JSON text); invalid profiles give {errors: [...]}
//   window.guidegen.profile()        the answers as a profile object (profile.md format)
//   window.guidegen.timings          milliseconds since navigation: form, ready, firstResult
import { el, clear } from "./dom.js";
import { setLang, t, tIn } from "./i18n.js";
import {
  normalise, toJSON, encodeShare, decodeShare, shareFromHash, loadStored, store, storageWorks, deletePath,
} from "./profile.js";
import { buildForm, describeProfile } from "./form.js";
import { renderResults, renderErrorBox } from "./results.js";

const ASSETS = { worker: "worker.js", bundle: "catalog.json", wheel: "guidegen.whl", pyodide: "pyodide/", pyodideVersion: "" }; // @assets
const DEBOUNCE_MS = 150;
const STEPS = 4;

const rootEl = document.getElementById("gg-root");
const LANG = (rootEl && rootEl.dataset.lang) || (document.documentElement.lang.startsWith("en") ? "en" : "zh");
setLang(LANG);

// ---------------------------------------------------------------- public API
let resolveReady;
let rejectReady;
const ready = new Promise((resolve, reject) => { resolveReady = resolve; rejectReady = reject; });
ready.catch(() => {}); // the page reports failures itself
const timings = {};
const api = {
  ready,
  timings,
  assets: ASSETS,
  evaluate(profile, schemes) {
    const text = typeof profile === "string" ? profile : JSON.stringify(profile === undefined ? {} : profile);
    return evaluateText(text, schemes).then((out) => JSON.parse(out));
  },
  profile: () => normalise(ctx.profile),
};
window.guidegen = api;

// ---------------------------------------------------------------- state
const ctx = { profile: { profile: 1 } };
let bundle = null;
let form = null;
let runtime = "loading"; // loading | ready | failed
let worker = null;
let nextId = 1;
const pending = new Map();
let timer = null;
let latest = 0;
let renders = 0;

// ---------------------------------------------------------------- page skeleton
const progress = el("progress", { class: "gg-status__bar", max: String(STEPS), value: "0" });
const statusText = el("span", { class: "gg-status__text", text: t("loadingQuestions") });
const statusBox = el("div", { class: "gg-status", id: "gg-status", role: "status", "aria-live": "polite", "data-state": "loading" }, progress, " ", statusText);
const notices = el("div", { class: "gg-notices", id: "gg-notices", "aria-live": "polite" });
const fileInput = el("input", { type: "file", accept: ".json,application/json", class: "gg-visually-hidden", id: "gg-import-file" });
const shareInput = el("input", { type: "text", id: "gg-share-url", readonly: true, class: "gg-share__url" });
const shareMsg = el("span", { class: "gg-share__msg" });
const shareBox = el("div", { class: "gg-share", hidden: true }, el("label", { for: "gg-share-url", text: t("shareLabel") }), shareInput, shareMsg);
const toolbar = el("div", { class: "gg-toolbar", role: "toolbar" },
  el("button", { type: "button", class: "gg-button", id: "gg-export", text: t("export"), onclick: exportProfile }),
  el("label", { class: "gg-button", for: "gg-import-file", id: "gg-import", text: t("import") }), fileInput,
  el("button", { type: "button", class: "gg-button", id: "gg-share", text: t("share"), onclick: makeShareLink }),
  el("button", { type: "button", class: "gg-button", id: "gg-print", text: t("print"), onclick: () => { fillPrint(); window.print(); } }),
  el("button", { type: "button", class: "gg-button gg-button--quiet", id: "gg-clear", text: t("clear"), onclick: clearAnswers }));
const formCol = el("div", { class: "gg-formcol", id: "gg-formcol" });
const errorBox = el("div", { class: "gg-alert gg-alert--error", id: "gg-errors", hidden: true, role: "alert" });
const results = el("div", { class: "gg-results", id: "gg-results", "data-rendered": "0" }, el("p", { class: "gg-muted", text: t("waiting") }));
// Screen readers hear one line when the verdicts change, not the whole re-rendered results.
const resultsLive = el("p", { class: "gg-visually-hidden", id: "gg-results-live", role: "status", "aria-live": "polite" });
// Results of an earlier answer, while the current one has errors: said in words, not only
// by fading them (faded text would fall below readable contrast).
const staleNote = el("p", { class: "gg-alert gg-stale-note", id: "gg-stale", hidden: true, text: t("staleResults") });
const resultsCol = el("aside", { class: "gg-resultscol", id: "gg-resultscol", "aria-label": t("resultsTitle") },
  el("h2", { text: t("resultsTitle") }), resultsLive, errorBox, staleNote, results);
const printHead = el("div", { class: "gg-print-only gg-printhead" });
const printProfile = el("div", { class: "gg-print-only gg-printprofile" });
fileInput.addEventListener("change", importProfile);
window.addEventListener("beforeprint", fillPrint);

clear(rootEl).append(printHead, toolbar, shareBox, notices, statusBox, el("div", { class: "gg-layout" }, formCol, resultsCol), printProfile);

function notice(text, kind = "info") {
  const node = el("p", { class: `gg-alert gg-alert--${kind}`, text });
  notices.append(node);
  if (kind === "info") setTimeout(() => node.remove(), 8000);
}

function describe(err) {
  if (!err) return "unknown error";
  const text = err.message || String(err);
  return text.length > 300 ? text.slice(0, 300) + "…" : text;
}

// ---------------------------------------------------------------- answers
function initialProfile() {
  const share = shareFromHash(window.location.hash);
  if (share !== null) {
    try {
      const profile = normalise(decodeShare(share));
      // The profile came in the fragment; keep it here and drop it from the address bar.
      window.history.replaceState(null, "", window.location.pathname + window.location.search);
      store(profile);
      notice(t("shareOpened"));
      return profile;
    } catch {
      notice(t("shareBroken"), "error");
    }
  }
  return normalise(loadStored() || {});
}

function changed() {
  store(ctx.profile);
  schedule();
}

function rebuildForm() {
  form = buildForm(formCol, bundle, ctx, changed);
}

function replaceProfile(profile) {
  ctx.profile = normalise(profile);
  store(ctx.profile);
  rebuildForm();
  schedule(0);
}

function exportProfile() {
  const blob = new Blob([toJSON(ctx.profile, true) + "\n"], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const day = new Date().toISOString().slice(0, 10);
  const a = el("a", { href: url, download: `guidegen-profile-${day}.json`, class: "gg-visually-hidden" });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

async function importProfile() {
  const file = fileInput.files && fileInput.files[0];
  fileInput.value = "";
  if (!file || !bundle) return;
  let value;
  try {
    value = JSON.parse(await file.text());
  } catch {
    notice(t("importFailed", { detail: t("importBadJson") }), "error");
    return;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    notice(t("importFailed", { detail: t("importNotObject") }), "error");
    return;
  }
  replaceProfile(value);
  notice(t("imported"));
}

async function makeShareLink() {
  const url = `${window.location.origin}${window.location.pathname}#p=${encodeShare(ctx.profile)}`;
  shareInput.value = url;
  shareBox.hidden = false;
  shareInput.focus();
  shareInput.select();
  try {
    await navigator.clipboard.writeText(url);
    shareMsg.textContent = t("shareCopied");
  } catch {
    shareMsg.textContent = t("shareCopyFailed");
  }
}

function clearAnswers() {
  if (!window.confirm(t("clearConfirm"))) return;
  replaceProfile({});
}

function fillPrint() {
  if (!bundle) return;
  const name = ctx.profile.enterprise && typeof ctx.profile.enterprise.name === "string" ? ctx.profile.enterprise.name : "";
  clear(printHead).append(el("h1", { text: t("printTitle") }),
    name ? el("p", { class: "gg-printhead__name", text: name }) : null,
    el("p", { class: "gg-muted", text: t("printDate", { date: new Date().toISOString().slice(0, 10), version: bundle.version }) }));
  clear(printProfile).append(el("h2", { text: t("printProfile") }),
    describeProfile(bundle, ctx.profile).map((s) => el("section", {},
      el("h3", { text: s.title }),
      el("table", { class: "gg-profiletable" }, el("tbody", {}, s.rows.map(([k, v]) => el("tr", {}, el("th", { scope: "row", text: k }), el("td", { text: v }))))))));
}

// ---------------------------------------------------------------- engine (worker)
function setStep(step) {
  progress.value = step;
  statusText.textContent = t(`step${step}`);
}

// Why the engine did not load, in one language: {detail, file, problem} from the worker
// (problem: missing | damaged | unavailable | type names the runtime file at fault).
function failureText(language, info) {
  const why = info.file && info.problem
    ? tIn(language, `file_${info.problem}`, { file: info.file, detail: String(info.detail || "").replace(`${info.file}: `, "") })
    : info.detail;
  const advice = tIn(language, info.problem === "unavailable" || !info.problem ? "adviceRetry" : "adviceSite");
  return tIn(language, "failed", { detail: why, advice });
}

function failed(reason) {
  if (runtime === "failed") return;
  runtime = "failed";
  const info = typeof reason === "string" ? { detail: reason } : reason;
  statusBox.dataset.state = "failed";
  if (info.file) statusBox.dataset.file = info.file;
  if (info.problem) statusBox.dataset.problem = info.problem;
  statusBox.className = "gg-status gg-status--failed gg-alert gg-alert--error";
  // Both languages (the reader may not read the page's), the page's first.
  const zh = el("p", { lang: "zh-CN", text: failureText("zh", info) });
  const en = el("p", { lang: "en", text: failureText("en", info) });
  clear(statusBox).append(...(LANG === "en" ? [en, zh] : [zh, en]));
  const err = new Error(`${failureText("zh", info)} / ${failureText("en", info)}`);
  rejectReady(err);
  for (const p of pending.values()) p.reject(err);
  pending.clear();
  if (!renders) {
    clear(results).append(el("p", { class: "gg-muted", text: t("noResults") }));
  }
  if (worker) {
    worker.terminate();
    worker = null;
  }
}

function onWorkerMessage(event) {
  const m = event.data || {};
  if (m.type === "progress") {
    if (runtime !== "failed") setStep(m.step);
  } else if (m.type === "ready") {
    runtime = "ready";
    timings.ready = Math.round(performance.now());
    setStep(STEPS);
    statusBox.dataset.state = "ready";
    statusText.textContent = `${t("step4")} (Pyodide ${m.pyodide}, Python ${m.python})`;
    resolveReady({ pyodide: m.pyodide, python: m.python, ms: m.ms });
    schedule(0);
  } else if (m.type === "restarting") {
    statusText.textContent = t("restarting");
  } else if (m.type === "failed") {
    failed({ detail: m.detail, file: m.file, problem: m.problem });
  } else if (m.type === "result") {
    const p = pending.get(m.id);
    if (p) {
      pending.delete(m.id);
      p.resolve(m.json);
    }
  }
}

function startWorker() {
  try {
    worker = new Worker(new URL(ASSETS.worker, import.meta.url), { type: "module", name: "guidegen-engine" });
  } catch (err) {
    failed(describe(err));
    return;
  }
  worker.addEventListener("message", onWorkerMessage);
  worker.addEventListener("error", (event) => {
    event.preventDefault();
    const url = new URL(ASSETS.worker, import.meta.url);
    const detail = event.message || "could not be loaded";
    // The worker script itself: ask the server whether it is there.
    fetch(url, { method: "HEAD", cache: "no-store" }).then(
      (r) => failed(r.ok ? { detail, file: ASSETS.worker, problem: "damaged" }
        : { detail: `HTTP ${r.status}`, file: ASSETS.worker, problem: r.status === 404 || r.status === 410 ? "missing" : "unavailable" }),
      () => failed({ detail, file: ASSETS.worker, problem: "unavailable" }));
  });
  worker.addEventListener("messageerror", () => failed("message error"));
  worker.postMessage({
    type: "init",
    pyodide: new URL(ASSETS.pyodide, import.meta.url).href,
    wheel: new URL(ASSETS.wheel, import.meta.url).href,
    files: ASSETS.files || {},
  });
}

function evaluateText(profileJson, schemes) {
  return ready.then(() => new Promise((resolve, reject) => {
    if (!worker) {
      reject(new Error("engine not available"));
      return;
    }
    const id = nextId++;
    pending.set(id, { resolve, reject });
    worker.postMessage({ type: "evaluate", id, profile: profileJson, schemes: schemes == null ? null : [...schemes] });
  }));
}

// ---------------------------------------------------------------- results
function schedule(delay = DEBOUNCE_MS) {
  clearTimeout(timer);
  timer = setTimeout(runEvaluation, delay);
}

async function runEvaluation() {
  if (runtime !== "ready") return; // runs again once the engine is ready
  const id = ++latest;
  results.classList.add("gg-busy");
  results.setAttribute("aria-busy", "true");
  let text;
  try {
    text = await evaluateText(toJSON(ctx.profile));
  } catch {
    return;
  }
  if (id !== latest) return; // a newer evaluation is on its way
  results.classList.remove("gg-busy");
  results.removeAttribute("aria-busy");
  show(JSON.parse(text));
}

function show(result) {
  if (result.errors) {
    const unplaced = form.showErrors(result.errors);
    renderErrorBox(errorBox, unplaced, (field) => {
      deletePath(ctx.profile, field);
      store(ctx.profile);
      rebuildForm();
      schedule(0);
    });
    results.classList.add("gg-stale");
    staleNote.hidden = !renders;
    if (!renders) clear(results).append(el("p", { class: "gg-muted", text: t("noResults") }));
    results.dataset.errors = String(result.errors.length);
  } else {
    form.showErrors([]);
    renderErrorBox(errorBox, [], null);
    results.classList.remove("gg-stale");
    staleNote.hidden = true;
    renderResults(results, result, bundle);
    announce(result);
    results.dataset.errors = "0";
    renders += 1;
    if (!timings.firstResult) timings.firstResult = Math.round(performance.now());
  }
  results.dataset.rendered = String(Number(results.dataset.rendered || "0") + 1);
}

function announce(result) {
  const n = { eligible: 0, ineligible: 0, unknown: 0 };
  for (const r of result.results || []) n[r.eligibility in n ? r.eligibility : "unknown"] += 1;
  const text = t("resultsAnnounce", n);
  if (resultsLive.textContent !== text) resultsLive.textContent = text;
}

// ---------------------------------------------------------------- start
async function main() {
  if (!storageWorks()) notice(t("storageUnavailable"), "error");
  ctx.profile = initialProfile();
  // The runtime downloads while the questions are fetched and rendered.
  startWorker();
  let bundleText;
  try {
    const response = await fetch(new URL(ASSETS.bundle, import.meta.url));
    if (!response.ok) throw new Error(`${ASSETS.bundle}: HTTP ${response.status}`);
    bundleText = await response.text();
    bundle = JSON.parse(bundleText);
  } catch (err) {
    runtime = "failed";
    if (worker) {
      worker.terminate();
      worker = null;
    }
    statusBox.dataset.state = "failed";
    statusBox.className = "gg-status gg-status--failed gg-alert gg-alert--error";
    const detail = describe(err);
    clear(statusBox).append(
      el("p", { lang: "zh-CN", text: tIn("zh", "bundleFailed", { detail }) }),
      el("p", { lang: "en", text: tIn("en", "bundleFailed", { detail }) }));
    rejectReady(new Error(detail));
    clear(results).append(el("p", { class: "gg-muted", text: t("noResults") }));
    return;
  }
  rebuildForm();
  timings.form = Math.round(performance.now());
  if (worker) worker.postMessage({ type: "bundle", text: bundleText });
  if (runtime === "loading") setStep(Math.max(1, Number(progress.value)));
}

main();
