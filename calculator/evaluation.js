// The results controller: every change is evaluated by the engine (debounced), and its
// answer shown — the results and the verdict chips, or the engine's field errors at their
// questions (and in the error box) with the earlier results marked as stale.
import { el, clear } from "./dom.js";
import { t, tx, lang, colon } from "./i18n.js";
import { ctx, page, forget, chosenSchemes } from "./state.js";
import { toJSON } from "./profile.js";
import { errorBox, results, resultsLive, staleNote, chips, chipBar, today } from "./layout.js";
import { answerLinks, openScheme, showErrorSummaries } from "./nav.js";
import { applicationCtx } from "./stepview.js";
import { updateKpiStep } from "./kpis.js";
import { renderResults, renderErrorBox, renderChips, verdictOf } from "./results.js";
import { startOffline } from "./offline.js";

const DEBOUNCE_MS = 150;
let timer = null;
let latest = 0;

export function schedule(delay = DEBOUNCE_MS) {
  clearTimeout(timer);
  timer = setTimeout(runEvaluation, delay);
}

/** The engine's answer (JSON text) for a profile (JSON text). */
export function evaluateText(profileJson, schemes, date = null) {
  return page.engine.request({ type: "evaluate", profile: profileJson, schemes: schemes == null ? null : [...schemes], today: date })
    .then((m) => m.json);
}

/** Whether an evaluation was asked for since the page loaded (the first may go out while the
 * engine is still loading: the worker answers it as soon as it has started). */
export function evaluationAsked() {
  return latest > 0;
}

async function runEvaluation() {
  if (page.runtime === "failed") return;
  const id = ++latest;
  results.classList.add("gg-busy");
  results.setAttribute("aria-busy", "true");
  let text;
  try {
    text = await evaluateText(toJSON(ctx.profile), chosenSchemes(), today());
  } catch {
    if (id === latest) { // the engine failed (the page says so): nothing is on its way
      results.classList.remove("gg-busy");
      results.removeAttribute("aria-busy");
    }
    return;
  }
  if (id !== latest) return; // a newer evaluation is on its way
  results.classList.remove("gg-busy");
  results.removeAttribute("aria-busy");
  show(JSON.parse(text));
}

function show(result) {
  page.lastAnswer = result;
  const application = document.getElementById("gg-application");
  if (application) updateKpiStep(application, applicationCtx());
  if (result.errors) {
    page.lastErrors = result.errors;
    const unplaced = page.fields.showErrors(result.errors);
    renderErrorBox(errorBox, unplaced, forget);
    showErrorSummaries(); // which answers block the results, each a link to its question
    results.classList.add("gg-stale");
    staleNote.hidden = !page.renders;
    if (!page.renders) clear(results).append(el("p", { class: "gg-muted", text: t("noResults") }));
    results.dataset.errors = String(result.errors.length);
    chipBar.dataset.errors = String(result.errors.length);
  } else {
    page.lastErrors = [];
    page.fields.showErrors([]);
    renderErrorBox(errorBox, [], null);
    showErrorSummaries();
    results.classList.remove("gg-stale");
    staleNote.hidden = true;
    renderResults(results, result, page.bundle, { onAnswer: answerLinks });
    renderChips(chips, result, openScheme);
    announce(result);
    results.dataset.errors = "0";
    chipBar.dataset.errors = "0";
    page.renders += 1;
    if (!page.timings.firstResult) {
      page.timings.firstResult = Math.round(performance.now());
      startOffline(); // offline after one visit: the service worker, once the page is idle
    }
  }
  results.dataset.rendered = String(Number(results.dataset.rendered || "0") + 1);
}

function announce(result) {
  const parts = (result.results || []).map((r) => `${colon(tx(r.name))}${t(`verdict_${verdictOf(r)}`)}`);
  const text = t("resultsAnnounce", { list: parts.join(lang() === "zh" ? "；" : "; ") });
  if (resultsLive.textContent !== text) resultsLive.textContent = text;
}
