// Navigation: the stepper, moving between the steps, the results panel, and the
// browser's history. Each step and the results panel (on a phone, where it covers the
// questions) is a history entry: the back and forward buttons move between them and stay
// in the calculator; the answers are stored at every keystroke (state.js), so nothing is
// lost whichever way the user leaves.
import { el, clear } from "./dom.js";
import { t, tx } from "./i18n.js";
import { ctx, page, hooks, saveUi } from "./state.js";
import { stepNav, stepBox, resultsCol, resultsHeading, chipToggle, WIDE } from "./layout.js";
import { stepOfPath, rulePaths } from "./steps.js";
import { stepsWithErrors, renderErrorSummary } from "./errors.js";
import { resultsSummary } from "./layout.js";

const wide = () => window.matchMedia(WIDE).matches;
let resultsOpen = false;

export function currentStep() {
  return page.steps.find((s) => s.id === ctx.ui.step) || page.steps[0];
}

export function stepTitle(step) {
  return step.title ? tx(step.title) : t(`stepTitle_${step.id}`);
}

function entry() {
  return { gg: { step: currentStep().id, results: resultsOpen } };
}

/** Record where the user is as a new history entry (unless it is where the entry is). */
function push() {
  const here = window.history.state && window.history.state.gg;
  const now = entry().gg;
  if (here && here.step === now.step && here.results === now.results) return;
  window.history.pushState(entry(), "");
}

function focusStep(focusPath) {
  if (focusPath) {
    const q = CSS.escape(focusPath);
    const node = stepBox.querySelector(`[data-path="${q}"] input, [data-path="${q}"] select, [data-path="${q}"] textarea, [data-question="${q}"] input, [data-guide="${CSS.escape(focusPath.replace(/^scenes\./, ""))}"] input`);
    if (node) {
      node.focus();
      node.scrollIntoView({ block: "center" });
      return;
    }
  }
  const heading = stepBox.querySelector(".gg-step__title");
  if (heading) {
    heading.focus();
    if (!wide()) heading.scrollIntoView({ block: "start" });
  }
}

/** Show step `id` (a new history entry), focusing the question at `focusPath` or the heading. */
export function goStep(id, focusPath) {
  if (id !== currentStep().id && hooks.beforeLeave && !hooks.beforeLeave(id)) return;
  ctx.ui.step = id;
  saveUi();
  hooks.renderStep();
  showResults(false);
  push();
  focusStep(focusPath);
}

export function renderStepper() {
  const steps = page.steps;
  const cur = currentStep();
  const index = steps.indexOf(cur);
  const bad = stepsWithErrors(page.lastErrors);
  clear(stepNav).append(el("p", { class: "gg-stepper__where", id: "gg-stepper-where", text: t("stepOf", { n: index + 1, total: steps.length, title: stepTitle(cur) }) }),
    el("ol", { class: "gg-stepper__list" }, steps.map((s, i) => el("li", { class: `gg-stepper__item${i < index ? " gg-stepper__item--done" : ""}${bad.has(s.id) ? " gg-stepper__item--error" : ""}` },
      el("button", { type: "button", class: "gg-stepper__button", "data-step": s.id, "data-errors": bad.has(s.id) ? "1" : null, "aria-current": s === cur ? "step" : null, onclick: () => goStep(s.id) },
        el("span", { class: "gg-stepper__n", "aria-hidden": "true", text: bad.has(s.id) ? "!" : String(i + 1) }), " ", stepTitle(s),
        bad.has(s.id) ? el("span", { class: "gg-visually-hidden", text: t("errorStepMark") }) : null)))));
  // On a phone the steps scroll sideways: keep the current one in view.
  const list = stepNav.querySelector(".gg-stepper__list");
  const here = stepNav.querySelector('[aria-current="step"]');
  if (list && here && list.scrollWidth > list.clientWidth) list.scrollLeft = Math.max(0, here.parentElement.offsetLeft - list.offsetLeft - 16);
}

function showResults(open) {
  const panel = open && !wide();
  resultsOpen = panel;
  resultsCol.classList.toggle("gg-resultscol--open", panel);
  document.body.classList.toggle("gg-results-open", panel);
  chipToggle.setAttribute("aria-expanded", String(panel));
}

/** Open (or close) the results: on a phone a full-screen panel, a history entry of its own. */
export function openResults(open) {
  if (!open && resultsOpen && window.history.state && window.history.state.gg && window.history.state.gg.results) {
    // Closing the panel is going back: the back button and this button agree.
    showResults(false);
    window.history.back();
    return;
  }
  showResults(open);
  if (open) {
    push();
    resultsHeading.focus();
    if (wide()) resultsCol.scrollIntoView({ block: "start" });
  }
}

export function openScheme(id) {
  openResults(true);
  const node = document.getElementById(`gg-res-${id}`);
  if (node) {
    node.scrollIntoView({ block: "start" });
    node.focus();
  }
}

/** A pending condition's question: the first path its rule reads that a step asks. */
export const answerLinks = {
  find(rule) {
    for (const p of rulePaths(rule)) {
      if (stepOfPath(page.steps, p)) return p;
    }
    return null;
  },
  go(path) {
    const step = stepOfPath(page.steps, path);
    if (step) goStep(step.id, path);
  },
};

/** Show the engine's errors where the user is: the stepper's marks, the summary at the top
 *  of the step and of the results. */
export function showErrorSummaries() {
  renderStepper();
  const opts = { go: (path) => answerLinks.go(path), stepName: stepTitle, current: currentStep().id };
  renderErrorSummary(resultsSummary, page.lastErrors, opts);
  const box = stepBox.querySelector(".gg-error-summary");
  if (box) renderErrorSummary(box, page.lastErrors, opts);
}

/** The history entry of the page as opened; back and forward from here on. */
export function startHistory() {
  window.history.replaceState(entry(), "");
  // Every answer is stored as it is typed; only text that is not an answer yet (a place typed
  // but not picked) would be lost by leaving: then the browser asks first.
  window.addEventListener("beforeunload", (event) => {
    if (hooks.unsaved && hooks.unsaved()) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
  window.addEventListener("popstate", (event) => {
    const gg = event.state && event.state.gg;
    if (!gg) return; // a fragment-only entry (a share link opened in place): handled by hashchange
    const stepChanged = gg.step !== currentStep().id && page.steps.some((s) => s.id === gg.step);
    if (stepChanged) {
      ctx.ui.step = gg.step;
      saveUi();
      hooks.renderStep();
    }
    showResults(Boolean(gg.results));
    if (gg.results) resultsHeading.focus();
    else if (stepChanged) focusStep(null);
  });
}
