// The calculator page: a guided self-assessment in short steps (where & what ->
// enterprise -> spend -> scenes -> honours and results -> declarations), asking only
// what the chosen schemes read (guidegen.core.questions, from the worker), with the
// engine's results always in reach (a side column on a desk, a bar of verdict chips
// on a phone). No scoring happens here: guidegen.core (in the worker) does it.
//
// This module starts the page and wires its parts (docs-dev/calculator.md, "Modules"):
//   state.js       the answers and the page state; the one place the profile is written
//   nav.js         the stepper, moving between steps, the results panel, browser history
//   stepview.js    which steps there are, and drawing the current one
//   evaluation.js  evaluating every change and showing the engine's answer
//   answers.js     saved sets, share links, export/import, print, clear
//   client.js      the engine's worker client (shared with the desk, desk.js)
//   layout.js      the page's skeleton nodes
//
// Public API (same origin scripts, tests):
//   window.guidegen.ready            Promise, resolves {pyodide, python} when the engine is loaded
//   window.guidegen.evaluate(p[, schemes])  Promise of the result JSON (parsed) for profile p
//                                    (an object or JSON text); invalid profiles give {errors: [...]}
//   window.guidegen.profile()        the answers as a profile object (profile.md format)
//   window.guidegen.state()          {step, steps, schemes, guide, guides, exact}
//   window.guidegen.timings          milliseconds since navigation: form, ready, firstResult;
//                                    snapshot: "stored" | "failed" once the return-visit snapshot store ended
import { el, clear } from "./dom.js";
import { t, tIn } from "./i18n.js";
import { normalise, loadUi, storageWorks } from "./profile.js";
import { createFields, schemaFields } from "./form.js";
import { placeIndex } from "./places.js";
import { ctx, page, hooks, onWrite, load, saveUi, chosenSchemes } from "./state.js";
import {
  LANG, rootEl, skeleton, progress, statusText, statusBox, results, chipToggle, closeResults, notice, STEPS,
} from "./layout.js";
import { currentStep, openResults, startHistory } from "./nav.js";
import { replan, renderStep, loadQuestions } from "./stepview.js";
import { schedule, evaluateText, evaluationAsked } from "./evaluation.js";
import { initialProfile, askAboutShare, renderSaved, startAnswers } from "./answers.js";
import { describe, startEngine } from "./client.js";
import { loadBundle } from "./bundle.js";
// The engine's worker was started by boot.js, ahead of this module graph.
import { ASSETS, early } from "./boot.js";

// A YAML import (the CLI's format) needs PyYAML, which only the desk's runtime files carry: the
// worker installs these on the first YAML import, never at start.
page.yamlWheels = (ASSETS.deskWheels || []).filter((n) => /^(PyYAML|desk-stdlib)/.test(n)).map((n) => new URL(n, import.meta.url).href);

// ---------------------------------------------------------------- public API
const timings = page.timings;
const engineReady = { promise: null };
const api = {
  get ready() { return engineReady.promise; },
  timings,
  assets: ASSETS,
  evaluate(profile, schemes) {
    const text = typeof profile === "string" ? profile : JSON.stringify(profile === undefined ? {} : profile);
    return evaluateText(text, schemes).then((out) => JSON.parse(out));
  },
  profile: () => normalise(ctx.profile),
  state: () => ({
    step: currentStep().id, steps: page.steps.map((s) => s.id), schemes: chosenSchemes(), guide: ctx.ui.guide || null,
    guides: (page.steps.find((s) => s.id === "scenes") || {}).guides || [],
    exact: page.plan ? page.plan.exact : false,
  }),
};
window.guidegen = api;

// ---------------------------------------------------------------- the page
hooks.replan = replan;
hooks.renderStep = renderStep;
hooks.schedule = schedule;
onWrite(() => schedule());
clear(rootEl).append(...skeleton());
chipToggle.addEventListener("click", () => openResults(true));
closeResults.addEventListener("click", () => openResults(false));
startAnswers();

// ---------------------------------------------------------------- engine status
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

function failed(info) {
  page.runtime = "failed";
  statusBox.dataset.state = "failed";
  if (info.file) statusBox.dataset.file = info.file;
  if (info.problem) statusBox.dataset.problem = info.problem;
  statusBox.className = "gg-status gg-status--failed gg-alert gg-alert--error";
  // Both languages (the reader may not read the page's), the page's first.
  const zh = el("p", { lang: "zh-CN", text: failureText("zh", info) });
  const en = el("p", { lang: "en", text: failureText("en", info) });
  clear(statusBox).append(...(LANG === "en" ? [en, zh] : [zh, en]));
  if (!page.renders) clear(results).append(el("p", { class: "gg-muted", text: t("noResults") }));
  return new Error(`${failureText("zh", info)} / ${failureText("en", info)}`);
}

function startWorker() {
  page.engine = startEngine({ assets: ASSETS, base: import.meta.url, name: "guidegen-engine", on: null, early });
  page.engine.listen({
    progress: setStep,
    ready(m) {
      page.runtime = "ready";
      timings.ready = Math.round(performance.now());
      setStep(STEPS);
      statusBox.dataset.state = "ready";
      statusText.textContent = t("step4");
      // Versions are for whoever asks, not in the owner's way: a 技术信息 fold.
      statusBox.append(el("details", { class: "gg-techinfo", id: "gg-techinfo" }, el("summary", { text: t("techInfo") }),
        el("p", { text: t("techRuntime", { pyodide: m.pyodide, python: m.python, version: page.bundle ? page.bundle.version : "" }) })));
      // The first evaluation went out with the form (the worker answered it first); after a
      // restart the answers are evaluated again. The question list then refines the steps.
      if (!evaluationAsked() || page.restarted) schedule(0);
      page.restarted = false;
      setTimeout(loadQuestions, 0); // (after schedule's timer: timers of one delay run in order)
    },
    snapshot: (state) => { timings.snapshot = state; },
    restarting: () => { page.restarted = true; statusText.textContent = t("restarting"); },
    failed,
  });
  engineReady.promise = page.engine.ready.then((m) => ({ pyodide: m.pyodide, python: m.python, ms: m.ms, snapshot: m.snapshot, phases: m.phases }));
  engineReady.promise.catch(() => {});
}

// ---------------------------------------------------------------- start
function schemesFromAddress() {
  const raw = new URLSearchParams(window.location.search).get("schemes");
  if (!raw) return null;
  const list = raw.split(",").map((s) => s.trim()).filter(Boolean);
  return list.length ? list : null;
}

async function main() {
  if (!storageWorks()) notice(t("storageUnavailable"), "error");
  ctx.ui = loadUi();
  load(initialProfile());
  renderSaved();
  // The runtime downloads (started by boot.js) while the questions are fetched and rendered.
  startWorker();
  let bundleMessage; // the bundle's parts, fetched side by side (bundle.js), for the worker too
  try {
    ({ bundle: page.bundle, post: bundleMessage } = await loadBundle(ASSETS, import.meta.url));
  } catch (err) {
    page.runtime = "failed";
    statusBox.dataset.state = "failed";
    statusBox.className = "gg-status gg-status--failed gg-alert gg-alert--error";
    const detail = describe(err);
    clear(statusBox).append(
      el("p", { lang: "zh-CN", text: tIn("zh", "bundleFailed", { detail }) }),
      el("p", { lang: "en", text: tIn("en", "bundleFailed", { detail }) }));
    page.engine.fail(new Error(detail));
    clear(results).append(el("p", { class: "gg-muted", text: t("noResults") }));
    return;
  }
  const bundle = page.bundle;
  page.places = placeIndex(bundle);
  page.fieldsById = schemaFields(bundle);
  page.fields = createFields(bundle, ctx);
  const fromAddress = schemesFromAddress();
  if (fromAddress) {
    const known = fromAddress.filter((s) => bundle.schemes[s]);
    if (known.length) {
      ctx.ui.schemes = known;
      ctx.ui.step = "where";
    } else notice(t("unknownSchemes", { ids: fromAddress.join(", ") }), "error");
  }
  saveUi();
  replan();
  renderStep();
  startHistory();
  timings.form = Math.round(performance.now());
  page.engine.post(bundleMessage);
  schedule(0); // the first evaluation, asked now: the worker answers it as soon as it has started
  if (page.runtime === "loading") setStep(Math.max(1, Number(progress.value)));
  askAboutShare();
}

main();
