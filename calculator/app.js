// The calculator page: a guided self-assessment in short steps (where & what ->
// enterprise -> spend -> scenes -> honours and results -> declarations), asking only
// what the chosen schemes read (guidegen.core.questions, from the worker), with the
// engine's results always in reach (a side column on a desk, a bar of verdict chips
// on a phone). No scoring happens here: guidegen.core (in the worker) does it.
//
// Public API (same origin scripts, tests):
//   window.guidegen.ready            Promise, resolves {pyodide, python} when the engine is loaded
//   window.guidegen.evaluate(p[, schemes])  Promise of the result JSON (parsed) for profile p
//                                    (an object or JSON text); invalid profiles give {errors: [...]}
//   window.guidegen.profile()        the answers as a profile object (profile.md format)
//   window.guidegen.state()          {step, steps, schemes, guide, guides, exact}
//   window.guidegen.timings          milliseconds since navigation: form, ready, firstResult;
//                                    snapshot: "stored" | "failed" once the return-visit snapshot store ended
import { el, clear, uid } from "./dom.js";
import { setLang, t, tIn, tx, lang, colon } from "./i18n.js";
import {
  normalise, toJSON, encodeShare, withoutPersonal, decodeShare, shareFromHash, loadStored, store, storageWorks, deletePath,
  loadUi, storeUi, listSaved, saveNamed, deleteSaved, freeName, hasAnswers, isSaved,
} from "./profile.js";
import { createFields, describeProfile, schemaFields } from "./form.js";
import { renderResults, renderErrorBox, renderChips, verdictOf } from "./results.js";
import { questionPlan, stepsFor, stepOfPath, rulePaths, PLACE_PATHS } from "./steps.js";
import { renderKpiStep, updateKpiStep, hasApplicationStep } from "./kpis.js";
import { scenesStep } from "./scenes.js";
import { placeIndex, searchPlaces, nearPlaces, placeValues, placeNames, schemesForPlace, placeLabel } from "./places.js";

const ASSETS = { worker: "worker.js", bundle: "catalog.json", wheel: "guidegen.whl", pyodide: "pyodide/", pyodideVersion: "" }; // @assets
const DEBOUNCE_MS = 150;
const STEPS = 4;
const WIDE = "(min-width: 70em)";

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
  state: () => ({
    step: currentStep().id, steps: steps.map((s) => s.id), schemes: chosenSchemes(), guide: ui.guide || null,
    guides: (steps.find((s) => s.id === "scenes") || {}).guides || [],
    exact: plan ? plan.exact : false,
  }),
};
window.guidegen = api;

// ---------------------------------------------------------------- state
const ctx = { profile: { profile: 1 } };
let ui = {}; // the page's own state (profile.js loadUi): step, schemes, guide, crosswalk
let bundle = null;
let places = null; // placeIndex(bundle) or null
let fieldsById = null;
let fields = null;
let questions = null; // the engine's list for the chosen schemes (null: not yet / none)
let questionsFor = "";
let plan = null;
let steps = [{ id: "where", fields: [] }];
let runtime = "loading"; // loading | ready | failed
let worker = null;
let nextId = 1;
const pending = new Map();
let timer = null;
let latest = 0;
let renders = 0;
let lastAnswer = null; // the engine's last answer, errors included (the application step shows both)
let lastErrors = [];
let shareWaiting = null; // {shared, keptAs}: a share link opened over saved answers

const today = () => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
};
const stamp = () => `${today()} ${String(new Date().getHours()).padStart(2, "0")}:${String(new Date().getMinutes()).padStart(2, "0")}`;

// ---------------------------------------------------------------- page skeleton
const progress = el("progress", { class: "gg-status__bar", max: String(STEPS), value: "0" });
const statusText = el("span", { class: "gg-status__text", text: t("loadingQuestions") });
const statusBox = el("div", { class: "gg-status", id: "gg-status", role: "status", "aria-live": "polite", "data-state": "loading" }, progress, " ", statusText);
const notices = el("div", { class: "gg-notices", id: "gg-notices", "aria-live": "polite" });
const fileInput = el("input", { type: "file", accept: ".json,application/json", class: "gg-visually-hidden", id: "gg-import-file" });
const shareInput = el("input", { type: "text", id: "gg-share-url", readonly: true, class: "gg-share__url" });
const shareMsg = el("span", { class: "gg-share__msg" });
const shareBox = el("div", { class: "gg-share", hidden: true }, el("label", { for: "gg-share-url", text: t("shareLabel") }), shareInput, shareMsg);
const savedCount = el("span", { class: "gg-count" });
const savedName = el("input", { type: "text", id: "gg-saved-name", autocomplete: "off", maxlength: "80" });
const savedList = el("ul", { class: "gg-saved__list", id: "gg-saved-list" });
const savedBox = el("details", { class: "gg-saved", id: "gg-saved" },
  el("summary", {}, t("savedTitle"), " ", savedCount),
  el("div", { class: "gg-saved__body" },
    el("p", { class: "gg-help", text: t("savedHelp") }),
    el("div", { class: "gg-saved__new" },
      el("label", { for: "gg-saved-name", text: t("savedNameLabel") }), savedName,
      el("button", { type: "button", class: "gg-button", id: "gg-saved-save", text: t("savedSave"), onclick: saveCurrent })),
    savedList));
const toolbar = el("div", { class: "gg-toolbar", role: "toolbar", "aria-label": t("toolbarLabel") },
  el("button", { type: "button", class: "gg-button", id: "gg-export", text: t("export"), onclick: exportProfile }),
  el("label", { class: "gg-button", for: "gg-import-file", id: "gg-import", text: t("import") }), fileInput,
  el("button", { type: "button", class: "gg-button", id: "gg-share", text: t("share"), onclick: makeShareLink }),
  el("button", { type: "button", class: "gg-button", id: "gg-print", text: t("print"), onclick: () => { fillPrint(); window.print(); } }),
  el("button", { type: "button", class: "gg-button gg-button--quiet", id: "gg-clear", text: t("clear"), onclick: clearAnswers }));
const stepNav = el("nav", { class: "gg-stepper", "aria-label": t("stepsLabel") });
const stepBox = el("div", { class: "gg-step", id: "gg-step" });
const formCol = el("div", { class: "gg-formcol", id: "gg-formcol" }, stepNav,
  el("form", { class: "gg-form", id: "gg-form", novalidate: true, autocomplete: "off", onsubmit: (e) => e.preventDefault() }, stepBox));
const errorBox = el("div", { class: "gg-alert gg-alert--error", id: "gg-errors", hidden: true, role: "alert" });
const results = el("div", { class: "gg-results", id: "gg-results", "data-rendered": "0" }, el("p", { class: "gg-muted", text: t("waiting") }));
// Screen readers hear one line when the verdicts change, not the whole re-rendered results.
const resultsLive = el("p", { class: "gg-visually-hidden", id: "gg-results-live", role: "status", "aria-live": "polite" });
// Results of an earlier answer, while the current one has errors: said in words, not only
// by fading them (faded text would fall below readable contrast).
const staleNote = el("p", { class: "gg-alert gg-stale-note", id: "gg-stale", hidden: true, text: t("staleResults") });
const resultsHeading = el("h2", { id: "gg-results-title", tabindex: "-1", text: t("resultsTitle") });
const closeResults = el("button", { type: "button", class: "gg-button gg-button--quiet gg-resultscol__close", id: "gg-results-close", text: t("backToQuestions"), onclick: () => openResults(false) });
const resultsCol = el("aside", { class: "gg-resultscol", id: "gg-resultscol", "aria-labelledby": "gg-results-title" },
  el("div", { class: "gg-resultscol__head" }, resultsHeading, closeResults), resultsLive, errorBox, staleNote, results);
const chips = el("div", { class: "gg-chips", id: "gg-chips" });
const chipToggle = el("button", { type: "button", class: "gg-chipbar__open", id: "gg-chipbar-open", "aria-controls": "gg-resultscol", "aria-expanded": "false", text: t("showResults"), onclick: () => openResults(true) });
const chipBar = el("div", { class: "gg-chipbar", id: "gg-chipbar", role: "region", "aria-label": t("chipsLabel") }, chipToggle, chips);
const printHead = el("div", { class: "gg-print-only gg-printhead" });
const printProfile = el("div", { class: "gg-print-only gg-printprofile" });
const dialogText = el("p", { id: "gg-share-dialog-text" });
const shareDialog = el("dialog", { class: "gg-dialog", id: "gg-share-dialog", "aria-labelledby": "gg-share-dialog-title", "aria-describedby": "gg-share-dialog-text" },
  el("h2", { id: "gg-share-dialog-title", text: t("shareDialogTitle") }), dialogText,
  el("div", { class: "gg-dialog__buttons" },
    el("button", { type: "button", class: "gg-button", id: "gg-share-open", text: t("shareOpen"), onclick: () => settleShare(true) }),
    el("button", { type: "button", class: "gg-button gg-button--quiet", id: "gg-share-keep", text: t("shareKeep"), onclick: () => settleShare(false) })));
shareDialog.addEventListener("cancel", (e) => { e.preventDefault(); settleShare(false); });
fileInput.addEventListener("change", importProfile);
savedName.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); saveCurrent(); } });
window.addEventListener("beforeprint", fillPrint);
window.addEventListener("afterprint", () => { for (const d of results.querySelectorAll("details[data-print-opened]")) { d.open = false; d.removeAttribute("data-print-opened"); } });

clear(rootEl).append(printHead, toolbar, savedBox, shareBox, notices, statusBox,
  el("div", { class: "gg-layout" }, formCol, resultsCol), chipBar, printProfile, shareDialog);

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
function saveUi() {
  storeUi(ui);
}

// A share link opened while this page is already open (only the fragment changed).
window.addEventListener("hashchange", () => {
  if (!bundle || shareFromHash(window.location.hash) === null) return;
  const before = toJSON(ctx.profile);
  store(ctx.profile);
  const profile = initialProfile();
  if (shareWaiting) askAboutShare();
  else if (toJSON(profile) !== before) replaceProfile(profile, null);
});

function initialProfile() {
  const stored = normalise(loadStored() || {});
  const share = shareFromHash(window.location.hash);
  if (share === null) return stored;
  let shared;
  try {
    shared = normalise(decodeShare(share));
  } catch {
    notice(t("shareBroken"), "error");
    return stored;
  }
  // The profile came in the fragment; keep it here and drop it from the address bar.
  window.history.replaceState(null, "", window.location.pathname + window.location.search);
  if (hasAnswers(stored) && toJSON(stored) !== toJSON(shared)) {
    // Answers are saved here already: they are kept as a saved profile whatever the user
    // chooses, and the page asks which to open.
    const keptAs = isSaved(stored) ? listSaved().find((x) => toJSON(x.profile) === toJSON(stored)).name
      : saveNamed(freeName(t("beforeShareName", { date: stamp() })), stored, loadUi());
    shareWaiting = { shared, keptAs };
    return stored;
  }
  store(shared);
  notice(t("shareOpened"));
  return shared;
}

function askAboutShare() {
  if (!shareWaiting) return;
  dialogText.textContent = t("shareDialogText", { name: shareWaiting.keptAs });
  if (typeof shareDialog.showModal === "function") shareDialog.showModal();
  else shareDialog.setAttribute("open", "");
}

function settleShare(openShared) {
  if (!shareWaiting) return;
  const { shared } = shareWaiting;
  shareWaiting = null;
  if (typeof shareDialog.close === "function" && shareDialog.open) shareDialog.close();
  else shareDialog.removeAttribute("open");
  if (openShared) {
    replaceProfile(shared, {});
    notice(t("shareOpenedKept"));
  } else {
    saveNamed(freeName(t("sharedName", { date: stamp() })), shared, {});
    notice(t("shareKept"));
  }
  renderSaved();
}

function changed() {
  store(ctx.profile);
  schedule();
}

function replaceProfile(profile, newUi) {
  ctx.profile = normalise(profile);
  store(ctx.profile);
  if (newUi) {
    ui = { ...newUi };
    saveUi();
  }
  lastErrors = [];
  replan();
  renderStep();
  schedule(0);
}

function exportProfile() {
  const blob = new Blob([toJSON(ctx.profile, true) + "\n"], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const a = el("a", { href: url, download: `guidegen-profile-${today()}.json`, class: "gg-visually-hidden" });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

async function importProfile() {
  const file = fileInput.files && fileInput.files[0];
  fileInput.value = "";
  if (!file) return; // (before the questions are loaded too: they follow the profile)
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
  keepCurrent();
  replaceProfile(value, null);
  notice(t("imported"));
}

async function makeShareLink() {
  // Personal fields (contact person and phone) stay on this device: not in the link.
  const shared = withoutPersonal(ctx.profile, bundle);
  const url = `${window.location.origin}${window.location.pathname}#p=${encodeShare(shared)}`;
  const leftOut = toJSON(shared) !== toJSON(ctx.profile) ? ` ${t("sharePersonalLeftOut")}` : "";
  shareInput.value = url;
  shareBox.hidden = false;
  shareInput.focus();
  shareInput.select();
  try {
    await navigator.clipboard.writeText(url);
    shareMsg.textContent = t("shareCopied") + leftOut;
  } catch {
    shareMsg.textContent = t("shareCopyFailed") + leftOut;
  }
}

function clearAnswers() {
  if (!window.confirm(t("clearConfirm"))) return;
  replaceProfile({}, { step: "where" });
}

// ---- named profiles on this device

/** The current answers, if any and not saved yet, under an automatic name: never lost. */
function keepCurrent() {
  if (hasAnswers(ctx.profile) && !isSaved(ctx.profile)) saveNamed(freeName(t("autosaveName", { date: stamp() })), ctx.profile, ui);
}

function saveCurrent() {
  const name = savedName.value.trim() || (ctx.profile.enterprise && typeof ctx.profile.enterprise.name === "string" && ctx.profile.enterprise.name.trim()) || t("autosaveName", { date: stamp() });
  saveNamed(name, ctx.profile, ui);
  savedName.value = "";
  notice(t("savedDone", { name }));
  renderSaved();
}

function renderSaved() {
  const list = listSaved();
  savedCount.textContent = `(${list.length})`;
  clear(savedList);
  if (!list.length) savedList.append(el("li", { class: "gg-muted", text: t("savedNone") }));
  for (const item of list) {
    savedList.append(el("li", { class: "gg-saved__item", "data-name": item.name },
      el("span", { class: "gg-saved__name", text: item.name }), " ",
      el("span", { class: "gg-muted", text: String(item.saved || "").slice(0, 16).replace("T", " ") }), " ",
      el("button", { type: "button", class: "gg-button gg-button--small", "data-action": "open", text: t("savedOpen"), "aria-label": `${t("savedOpen")}: ${item.name}`, onclick: () => {
        keepCurrent();
        replaceProfile(item.profile, item.ui || {});
        notice(t("savedOpened", { name: item.name }));
        renderSaved();
      } }), " ",
      el("button", { type: "button", class: "gg-button gg-button--small gg-button--quiet", "data-action": "delete", text: t("savedDelete"), "aria-label": `${t("savedDelete")}: ${item.name}`, onclick: () => {
        if (!window.confirm(t("savedDeleteConfirm", { name: item.name }))) return;
        deleteSaved(item.name);
        renderSaved();
      } })));
  }
}

function fillPrint() {
  if (!bundle) return;
  const name = ctx.profile.enterprise && typeof ctx.profile.enterprise.name === "string" ? ctx.profile.enterprise.name : "";
  clear(printHead).append(el("h1", { text: t("printTitle") }),
    name ? el("p", { class: "gg-printhead__name", text: name }) : null,
    el("p", { class: "gg-muted", text: t("printDate", { date: today(), version: bundle.version }) }),
    el("p", { class: "gg-muted", text: t("printSchemes", { schemes: chosenSchemes().map((id) => tx(bundle.schemes[id].name)).join(lang() === "zh" ? "、" : "; ") }) }));
  clear(printProfile).append(el("h2", { text: t("printProfile") }),
    ...describeProfile(bundle, ctx.profile).map((s) => el("section", {},
      el("h3", { text: s.title }),
      el("table", { class: "gg-profiletable" }, el("tbody", {}, s.rows.map(([k, v]) => el("tr", {}, el("th", { scope: "row", text: k }), el("td", { text: v }))))))));
  // The whole of each result prints (conditions, scores), not only what is unfolded.
  for (const d of results.querySelectorAll("details.gg-more:not([open])")) {
    d.open = true;
    d.setAttribute("data-print-opened", "");
  }
}

// ---------------------------------------------------------------- schemes and questions

/** The schemes being assessed: the user's (or the address's) choice, else those the place
 *  suggests, else all. */
function chosenSchemes() {
  if (!bundle) return [];
  const all = Object.keys(bundle.schemes);
  if (Array.isArray(ui.schemes)) {
    const list = ui.schemes.filter((s) => all.includes(s));
    if (list.length) return all.filter((s) => list.includes(s));
  }
  return schemesForPlace(bundle, placeNames(ctx.profile, places)) || all;
}

function replan() {
  if (!bundle) return;
  const schemes = chosenSchemes();
  const key = schemes.join(",");
  plan = questionPlan(bundle, schemes, questionsFor === key ? questions : null);
  steps = stepsFor(bundle, plan);
  // The application step (KPI worksheet, form sections, .docx draft) closes the flow.
  if (hasApplicationStep(bundle, schemes)) steps.push({ id: "application", fields: [] });
  if (!steps.some((s) => s.id === ui.step)) ui.step = steps[0].id;
  if (runtime === "ready" && questionsFor !== key) loadQuestions();
}

let questionsAsked = "";
function loadQuestions() {
  const schemes = chosenSchemes();
  const key = schemes.join(",");
  if (questionsAsked === key) return;
  questionsAsked = key;
  requestWorker({ type: "questions", schemes }).then((text) => {
    let list = null;
    try {
      const value = JSON.parse(text);
      list = Array.isArray(value) ? value : Array.isArray(value.questions) ? value.questions : null;
    } catch {
      list = null;
    }
    if (key !== chosenSchemes().join(",")) return; // the choice changed meanwhile
    questions = list;
    questionsFor = key;
    const before = steps.map((s) => `${s.id}:${s.fields.length}:${(s.declarations || []).length}:${(s.guides || []).length}`).join();
    replan();
    const after = steps.map((s) => `${s.id}:${s.fields.length}:${(s.declarations || []).length}:${(s.guides || []).length}`).join();
    // Re-render the step only when what it asks changed, and never under the user's cursor.
    // (The first step does not depend on the questions; the others only through their fields.)
    if (before !== after && ui.step !== "where" && !(document.activeElement && stepBox.contains(document.activeElement))) renderStep();
    else renderStepper();
    stepBox.dataset.questions = plan.exact ? "engine" : "all";
  }, () => { questionsAsked = ""; });
}

function currentStep() {
  return steps.find((s) => s.id === ui.step) || steps[0];
}

function stepTitle(step) {
  return step.title ? tx(step.title) : t(`stepTitle_${step.id}`);
}

function goStep(id, focusPath) {
  ui.step = id;
  saveUi();
  renderStep();
  openResults(false);
  if (focusPath) {
    const node = stepBox.querySelector(`[data-path="${CSS.escape(focusPath)}"] input, [data-path="${CSS.escape(focusPath)}"] select, [data-guide="${CSS.escape(focusPath.replace(/^scenes\./, ""))}"] input`);
    if (node) {
      node.focus();
      node.scrollIntoView({ block: "center" });
      return;
    }
  }
  const heading = stepBox.querySelector(".gg-step__title");
  if (heading) {
    heading.focus();
    if (!window.matchMedia(WIDE).matches) heading.scrollIntoView({ block: "start" });
  }
}

function renderStepper() {
  const cur = currentStep();
  const index = steps.indexOf(cur);
  clear(stepNav).append(el("p", { class: "gg-stepper__where", id: "gg-stepper-where", text: t("stepOf", { n: index + 1, total: steps.length, title: stepTitle(cur) }) }),
    el("ol", { class: "gg-stepper__list" }, steps.map((s, i) => el("li", { class: `gg-stepper__item${i < index ? " gg-stepper__item--done" : ""}` },
      el("button", { type: "button", class: "gg-stepper__button", "data-step": s.id, "aria-current": s === cur ? "step" : null, onclick: () => goStep(s.id) },
        el("span", { class: "gg-stepper__n", "aria-hidden": "true", text: String(i + 1) }), " ", stepTitle(s))))));
  // On a phone the steps scroll sideways: keep the current one in view.
  const list = stepNav.querySelector(".gg-stepper__list");
  const here = stepNav.querySelector('[aria-current="step"]');
  if (list && here && list.scrollWidth > list.clientWidth) list.scrollLeft = Math.max(0, here.parentElement.offsetLeft - list.offsetLeft - 16);
}

// ---------------------------------------------------------------- the steps
function renderStep() {
  if (!bundle) return;
  const step = currentStep();
  fields.reset();
  clear(stepBox);
  stepBox.dataset.step = step.id;
  renderStepper();
  const index = steps.indexOf(step);
  stepBox.append(el("h2", { class: "gg-step__title", tabindex: "-1", text: stepTitle(step) }));
  const help = t(`stepHelp_${step.id}`);
  if (help !== `stepHelp_${step.id}`) stepBox.append(el("p", { class: "gg-help gg-step__help", text: help }));
  if (step.id === "where") stepBox.append(placeBlock(), schemesBlock());
  else if (step.id === "scenes") {
    if (step.guides.length) {
      stepBox.append(scenesStep(fields, ui, step.guides, { saveUi, sector: sectorNow() }));
    }
    stepBox.append(...step.fields.map((f) => fields.field(f)));
  } else if (step.id === "declarations") stepBox.append(...declarationGroups(step.declarations));
  else if (step.id === "application") {
    const box = el("div", { class: "gg-application", id: "gg-application" });
    stepBox.append(box);
    renderKpiStep(box, applicationCtx());
  }
  else stepBox.append(...step.fields.map((f) => fields.field(f)));
  // One source line for a run of questions citing the same article, not one under each.
  let lastSource = null;
  for (const node of stepBox.querySelectorAll(".gg-field > .gg-source")) {
    if (node.textContent === lastSource) node.hidden = true;
    lastSource = node.textContent;
  }
  const prev = steps[index - 1];
  const next = steps[index + 1];
  stepBox.append(el("div", { class: "gg-step__nav" },
    prev ? el("button", { type: "button", class: "gg-button gg-button--quiet", id: "gg-prev", text: t("prevStep", { title: stepTitle(prev) }), onclick: () => goStep(prev.id) }) : null,
    next ? el("button", { type: "button", class: "gg-button", id: "gg-next", text: t("nextStep", { title: stepTitle(next) }), onclick: () => goStep(next.id) })
      : el("button", { type: "button", class: "gg-button", id: "gg-finish", text: t("finish"), onclick: () => openResults(true) })));
  fields.showErrors(lastErrors);
}

function sectorNow() {
  const e = ctx.profile.enterprise;
  if (!e || typeof e !== "object") return null;
  if (typeof e.sector === "string" && bundle.sectors[e.sector]) return e.sector;
  if (typeof e.industry_division === "string" && bundle.divisions[e.industry_division]) return bundle.divisions[e.industry_division].sector;
  return null;
}

// ---- 1. where: the place picker (or the schema's text fields without divisions data)
function placeBlock() {
  const present = new Set(PLACE_PATHS.filter((p) => fieldsById.has(p)));
  if (!places) {
    return el("div", { class: "gg-place gg-place--text" }, [...present].map((p) => fields.field(fieldsById.get(p))));
  }
  const id = uid("gg-place");
  const input = el("input", { id, type: "search", class: "gg-place__input", autocomplete: "off", spellcheck: "false", "aria-describedby": `${id}-help ${id}-msg` });
  const list = el("ul", { class: "gg-place__results", id: "gg-place-results", "aria-live": "polite" });
  const chosen = el("p", { class: "gg-place__chosen", id: "gg-place-chosen" });
  const msg = el("p", { class: "gg-error", id: `${id}-msg`, role: "alert", hidden: true });
  const wrap = el("div", { class: "gg-field gg-place", "data-path": "enterprise.city", "data-question": "place" },
    el("label", { for: id, text: t("placeLabel") }),
    el("p", { class: "gg-help", id: `${id}-help`, text: t("placeHelp") }),
    el("div", { class: "gg-control" }, input), list, chosen, msg);
  for (const p of present) fields.register(p, { wrap, msg });
  const showChosen = () => {
    const e = ctx.profile.enterprise || {};
    const names = ["province", "city", "county"].map((k) => e[k]).filter((v) => typeof v === "string" && v);
    chosen.textContent = names.length ? t("placeChosen", { place: [...new Set(names)].join(" ") }) : t("placeNone");
  };
  const search = () => {
    clear(list);
    const text = input.value.trim();
    if (!text) return;
    let found = searchPlaces(places, text, 8);
    if (!found.length) {
      found = nearPlaces(places, text, 5);
      list.append(el("li", { class: "gg-muted", text: found.length ? t("placeDidYouMean", { text }) : t("placeNoMatch", { text }) }));
    }
    for (const chain of found) {
      list.append(el("li", {}, el("button", { type: "button", class: "gg-place__option", "data-code": chain.row.code, "data-level": chain.row.level,
        text: placeLabel(chain, lang()), onclick: () => choose(chain) })));
    }
  };
  const choose = (chain) => {
    const values = placeValues(chain, present);
    for (const p of present) fields.commit(p, values[p]);
    input.value = "";
    clear(list);
    showChosen();
    // The schemes follow the place unless the user chose them by hand.
    if (!Array.isArray(ui.schemes)) {
      replan();
      renderSchemes();
    }
    chosen.focus();
  };
  chosen.setAttribute("tabindex", "-1");
  input.addEventListener("input", search);
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      const first = list.querySelector("button");
      if (first) first.click();
    }
  });
  showChosen();
  return wrap;
}

let schemesBox = null;
function schemesBlock() {
  schemesBox = el("fieldset", { class: "gg-field gg-schemes", id: "gg-schemes", "data-question": "schemes" });
  renderSchemes();
  return schemesBox;
}

function renderSchemes() {
  if (!schemesBox) return;
  const chosen = chosenSchemes();
  const byHand = Array.isArray(ui.schemes);
  clear(schemesBox).append(el("legend", { text: t("schemesLabel") }),
    el("p", { class: "gg-help", text: byHand ? t("schemesByHand") : t("schemesFromPlace") }));
  for (const s of Object.values(bundle.schemes)) {
    const input = el("input", { type: "checkbox", value: s.id, "data-scheme": s.id, checked: chosen.includes(s.id) || null });
    input.addEventListener("change", () => {
      const list = [...schemesBox.querySelectorAll("input[data-scheme]")].filter((i) => i.checked).map((i) => i.value);
      ui.schemes = list.length ? list : null;
      saveUi();
      replan();
      renderStepper();
      schedule(0);
      if (!list.length) renderSchemes();
    });
    const meta = [tx(s.region), s.deadline ? t("deadlineShort", { date: s.deadline }) : null].filter(Boolean).join(" · ");
    schemesBox.append(el("label", { class: "gg-choice gg-choice--block gg-schemes__item" }, input, " ",
      el("span", {}, el("span", { class: "gg-schemes__name", text: tx(s.name) }), el("span", { class: "gg-schemes__meta", text: meta }))));
  }
  if (byHand) {
    schemesBox.append(el("button", { type: "button", class: "gg-button gg-button--quiet gg-button--small", id: "gg-schemes-reset", text: t("schemesReset"),
      onclick: () => { ui.schemes = null; saveUi(); replan(); renderSchemes(); renderStepper(); schedule(0); } }));
  }
}

// ---- declarations, under the first chosen scheme that asks each
function declarationGroups(list) {
  const order = chosenSchemes();
  const groups = new Map();
  for (const d of list) {
    const owner = order.find((s) => d.schemes.includes(s)) || d.schemes[0] || "";
    if (!groups.has(owner)) groups.set(owner, []);
    groups.get(owner).push(d);
  }
  return [...groups].sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0])).map(([scheme, decls]) =>
    el("fieldset", { class: "gg-declgroup", "data-scheme": scheme },
      el("legend", { text: bundle.schemes[scheme] ? tx(bundle.schemes[scheme].name) : t("otherDeclarations") }),
      decls.map((d) => fields.declaration(d.id, { source: d.source, schemes: d.schemes }))));
}

// ---------------------------------------------------------------- results in reach
function openResults(open) {
  const wide = window.matchMedia(WIDE).matches;
  resultsCol.classList.toggle("gg-resultscol--open", open && !wide);
  document.body.classList.toggle("gg-results-open", open && !wide);
  chipToggle.setAttribute("aria-expanded", String(open && !wide));
  if (open) {
    resultsHeading.focus();
    if (wide) resultsCol.scrollIntoView({ block: "start" });
  }
}

function openScheme(id) {
  openResults(true);
  const node = document.getElementById(`gg-res-${id}`);
  if (node) {
    node.scrollIntoView({ block: "start" });
    node.focus();
  }
}

/** A pending condition's question: the first path its rule reads that a step asks. */
const answerLinks = {
  find(rule) {
    for (const p of rulePaths(rule)) {
      const step = stepOfPath(steps, p);
      if (step) return p;
    }
    return null;
  },
  go(path) {
    const step = stepOfPath(steps, path);
    if (step) goStep(step.id, path);
  },
};

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
    resolveReady({ pyodide: m.pyodide, python: m.python, ms: m.ms, snapshot: m.snapshot, phases: m.phases });
    loadQuestions();
    schedule(0);
  } else if (m.type === "snapshot") {
    timings.snapshot = m.state; // the background store of the return-visit snapshot ended
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

function requestWorker(message) {
  return ready.then(() => new Promise((resolve, reject) => {
    if (!worker) {
      reject(new Error("engine not available"));
      return;
    }
    const id = nextId++;
    pending.set(id, { resolve, reject });
    worker.postMessage({ ...message, id });
  }));
}

function evaluateText(profileJson, schemes, date = null) {
  return requestWorker({ type: "evaluate", profile: profileJson, schemes: schemes == null ? null : [...schemes], today: date });
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
    text = await evaluateText(toJSON(ctx.profile), chosenSchemes(), today());
  } catch {
    return;
  }
  if (id !== latest) return; // a newer evaluation is on its way
  results.classList.remove("gg-busy");
  results.removeAttribute("aria-busy");
  show(JSON.parse(text));
}

/** What the application step (kpis.js, pack.js) reads: the answers and the engine's last answer. */
function applicationCtx() {
  return { bundle, profile: ctx.profile, result: lastAnswer, schemes: chosenSchemes(), onChange: changed };
}

function show(result) {
  lastAnswer = result;
  const application = document.getElementById("gg-application");
  if (application) updateKpiStep(application, applicationCtx());
  if (result.errors) {
    lastErrors = result.errors;
    const unplaced = fields.showErrors(result.errors);
    renderErrorBox(errorBox, unplaced, (field) => {
      deletePath(ctx.profile, field);
      store(ctx.profile);
      lastErrors = [];
      renderStep();
      schedule(0);
    });
    results.classList.add("gg-stale");
    staleNote.hidden = !renders;
    if (!renders) clear(results).append(el("p", { class: "gg-muted", text: t("noResults") }));
    results.dataset.errors = String(result.errors.length);
    chipBar.dataset.errors = String(result.errors.length);
  } else {
    lastErrors = [];
    fields.showErrors([]);
    renderErrorBox(errorBox, [], null);
    results.classList.remove("gg-stale");
    staleNote.hidden = true;
    renderResults(results, result, bundle, { onAnswer: answerLinks });
    renderChips(chips, result, openScheme);
    announce(result);
    results.dataset.errors = "0";
    chipBar.dataset.errors = "0";
    renders += 1;
    if (!timings.firstResult) timings.firstResult = Math.round(performance.now());
  }
  results.dataset.rendered = String(Number(results.dataset.rendered || "0") + 1);
}

function announce(result) {
  const parts = (result.results || []).map((r) => `${colon(tx(r.name))}${t(`verdict_${verdictOf(r)}`)}`);
  const text = t("resultsAnnounce", { list: parts.join(lang() === "zh" ? "；" : "; ") });
  if (resultsLive.textContent !== text) resultsLive.textContent = text;
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
  ui = loadUi();
  ctx.profile = initialProfile();
  renderSaved();
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
  places = placeIndex(bundle);
  fieldsById = schemaFields(bundle);
  fields = createFields(bundle, ctx, changed);
  const fromAddress = schemesFromAddress();
  if (fromAddress) {
    const known = fromAddress.filter((s) => bundle.schemes[s]);
    if (known.length) {
      ui.schemes = known;
      ui.step = "where";
    } else notice(t("unknownSchemes", { ids: fromAddress.join(", ") }), "error");
  }
  saveUi();
  replan();
  renderStep();
  timings.form = Math.round(performance.now());
  if (worker) worker.postMessage({ type: "bundle", text: bundleText });
  if (runtime === "loading") setStep(Math.max(1, Number(progress.value)));
  askAboutShare();
}

main();
