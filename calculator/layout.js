// The calculator page's skeleton: the nodes every part of the page fills. Built once,
// without behaviour (app.js and the controllers attach it), so that the controllers
// (state.js, nav.js, stepview.js, evaluation.js, answers.js) share the nodes without
// importing each other.
import { el } from "./dom.js";
import { setLang, t } from "./i18n.js";

// The page's language, set before any word below is looked up.
export const rootEl = document.getElementById("gg-root");
export const LANG = (rootEl && rootEl.dataset.lang) || (document.documentElement.lang.startsWith("en") ? "en" : "zh");
setLang(LANG);

export const STEPS = 4; // the engine's loading steps (the progress bar)
export const WIDE = "(min-width: 70em)";

export const progress = el("progress", { class: "gg-status__bar", max: String(STEPS), value: "0" });
export const statusText = el("span", { class: "gg-status__text", text: t("loadingQuestions") });
export const statusBox = el("div", { class: "gg-status", id: "gg-status", role: "status", "aria-live": "polite", "data-state": "loading" }, progress, " ", statusText);
export const notices = el("div", { class: "gg-notices", id: "gg-notices", "aria-live": "polite" });
export const fileInput = el("input", { type: "file", accept: ".json,.yaml,.yml,application/json,application/yaml", class: "gg-visually-hidden", id: "gg-import-file" });
export const shareInput = el("input", { type: "text", id: "gg-share-url", readonly: true, class: "gg-share__url" });
export const shareMsg = el("span", { class: "gg-share__msg" });
export const shareBox = el("div", { class: "gg-share", hidden: true }, el("label", { for: "gg-share-url", text: t("shareLabel") }), shareInput, shareMsg);
export const savedCount = el("span", { class: "gg-count" });
export const savedName = el("input", { type: "text", id: "gg-saved-name", autocomplete: "off", maxlength: "80" });
export const savedList = el("ul", { class: "gg-saved__list", id: "gg-saved-list" });
export const savedSave = el("button", { type: "button", class: "gg-button", id: "gg-saved-save", text: t("savedSave") });
export const savedBox = el("details", { class: "gg-saved", id: "gg-saved" },
  el("summary", {}, t("savedTitle"), " ", savedCount),
  el("div", { class: "gg-saved__body" },
    el("p", { class: "gg-help", text: t("savedHelp") }),
    el("div", { class: "gg-saved__new" },
      el("label", { for: "gg-saved-name", text: t("savedNameLabel") }), savedName, savedSave),
    savedList));
export const buttons = {
  export: el("button", { type: "button", class: "gg-button", id: "gg-export", text: t("export") }),
  import: el("label", { class: "gg-button", for: "gg-import-file", id: "gg-import", text: t("import") }),
  share: el("button", { type: "button", class: "gg-button", id: "gg-share", text: t("share") }),
  print: el("button", { type: "button", class: "gg-button", id: "gg-print", text: t("print") }),
  clear: el("button", { type: "button", class: "gg-button gg-button--quiet", id: "gg-clear", text: t("clear") }),
};
export const toolbar = el("div", { class: "gg-toolbar", role: "toolbar", "aria-label": t("toolbarLabel") },
  // The file input right before its label: its focus ring is drawn on the label (calculator.css).
  buttons.export, fileInput, buttons.import, buttons.share, buttons.print, buttons.clear);
export const stepNav = el("nav", { class: "gg-stepper", "aria-label": t("stepsLabel") });
export const stepBox = el("div", { class: "gg-step", id: "gg-step" });
export const formCol = el("div", { class: "gg-formcol", id: "gg-formcol" }, stepNav,
  el("form", { class: "gg-form", id: "gg-form", novalidate: true, autocomplete: "off", onsubmit: (e) => e.preventDefault() }, stepBox));
export const errorBox = el("div", { class: "gg-alert gg-alert--error", id: "gg-errors", hidden: true, role: "alert" });
// The error summary at the top of the results (errors.js): which answers block them.
export const resultsSummary = el("div", { class: "gg-error-summary", id: "gg-results-errors", hidden: true, tabindex: "-1", role: "region", "aria-labelledby": "gg-results-errors-title" });
export const results = el("div", { class: "gg-results", id: "gg-results", "data-rendered": "0" }, el("p", { class: "gg-muted", text: t("waiting") }));
// Screen readers hear one line when the verdicts change, not the whole re-rendered results.
export const resultsLive = el("p", { class: "gg-visually-hidden", id: "gg-results-live", role: "status", "aria-live": "polite" });
// Results of an earlier answer, while the current one has errors: said in words, not only
// by fading them (faded text would fall below readable contrast).
export const staleNote = el("p", { class: "gg-alert gg-stale-note", id: "gg-stale", hidden: true, text: t("staleResults") });
export const resultsHeading = el("h2", { id: "gg-results-title", tabindex: "-1", text: t("resultsTitle") });
export const closeResults = el("button", { type: "button", class: "gg-button gg-button--quiet gg-resultscol__close", id: "gg-results-close", text: t("backToQuestions") });
export const resultsCol = el("aside", { class: "gg-resultscol", id: "gg-resultscol", "aria-labelledby": "gg-results-title" },
  el("div", { class: "gg-resultscol__head" }, resultsHeading, closeResults), resultsLive, resultsSummary, errorBox, staleNote, results);
export const chips = el("div", { class: "gg-chips", id: "gg-chips" });
export const chipToggle = el("button", { type: "button", class: "gg-chipbar__open", id: "gg-chipbar-open", "aria-controls": "gg-resultscol", "aria-expanded": "false", text: t("showResults") });
export const chipBar = el("div", { class: "gg-chipbar", id: "gg-chipbar", role: "region", "aria-label": t("chipsLabel") }, chipToggle, chips);
export const printHead = el("div", { class: "gg-print-only gg-printhead" });
export const printProfile = el("div", { class: "gg-print-only gg-printprofile" });
export const dialogText = el("p", { id: "gg-share-dialog-text" });
export const shareOpen = el("button", { type: "button", class: "gg-button", id: "gg-share-open", text: t("shareOpen") });
export const shareKeep = el("button", { type: "button", class: "gg-button gg-button--quiet", id: "gg-share-keep", text: t("shareKeep") });
export const shareDialog = el("dialog", { class: "gg-dialog", id: "gg-share-dialog", "aria-labelledby": "gg-share-dialog-title", "aria-describedby": "gg-share-dialog-text" },
  el("h2", { id: "gg-share-dialog-title", text: t("shareDialogTitle") }), dialogText,
  el("div", { class: "gg-dialog__buttons" }, shareOpen, shareKeep));

/** Everything, in page order. */
export function skeleton() {
  return [printHead, toolbar, savedBox, shareBox, notices, statusBox,
    el("div", { class: "gg-layout" }, formCol, resultsCol), chipBar, printProfile, shareDialog];
}

export function notice(text, kind = "info") {
  const node = el("p", { class: `gg-alert gg-alert--${kind}`, text });
  notices.append(node);
  if (kind === "info") setTimeout(() => node.remove(), 8000);
}

export const today = () => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
};
export const stamp = () => `${today()} ${String(new Date().getHours()).padStart(2, "0")}:${String(new Date().getMinutes()).padStart(2, "0")}`;
