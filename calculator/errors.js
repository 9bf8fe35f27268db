// The error summary (GOV.UK style): the engine's field errors listed at the top of the
// results and of the step, each a link to its question (on whichever step asks it), so
// results are never shown stale without saying which answer blocks them.
import { el, clear } from "./dom.js";
import { t, tx, colon } from "./i18n.js";
import { page } from "./state.js";
import { stepOfPath } from "./steps.js";

const plain = (field) => String(field || "").replace(/\[\d+\]$/, "");

/** The question's words for a profile path (never the path itself). */
export function questionLabel(path) {
  const bundle = page.bundle;
  const p = plain(path);
  if (!bundle) return "";
  const f = page.fieldsById && page.fieldsById.get(p);
  if (f) return tx(f.label);
  if (p.startsWith("declarations.")) {
    const d = bundle.declarations[p.slice("declarations.".length)];
    return d ? tx(d.label) : "";
  }
  if (p.startsWith("scenes.")) {
    const g = bundle.guide_info && bundle.guide_info[p.slice("scenes.".length)];
    return g ? tx(g.title) : "";
  }
  if (p.startsWith("kpis.")) {
    const id = p.split(".")[1];
    for (const list of Object.values(bundle.kpi_lists || {})) {
      const inds = list.groups ? list.groups.flatMap((g) => g.indicators) : list.indicators || [];
      const ind = inds.find((x) => x.id === id);
      if (ind) return tx(ind.name);
    }
  }
  return "";
}

/** The steps that ask a question with an error: Set of step ids. */
export function stepsWithErrors(errors) {
  const out = new Set();
  for (const e of errors || []) {
    const step = stepOfPath(page.steps, plain(e.field));
    if (step) out.add(step.id);
  }
  return out;
}

/**
 * Fill `box` with the summary of `errors` (hidden when there are none). `go(path)` moves to
 * the question; `stepName(step)` names a step. The entries of the current step come first.
 */
export function renderErrorSummary(box, errors, { go, stepName, current = null }) {
  clear(box);
  const list = errors || [];
  box.hidden = list.length === 0;
  if (!list.length) return;
  const items = list.map((e) => {
    const path = plain(e.field);
    const step = stepOfPath(page.steps, path);
    const label = questionLabel(path);
    const text = `${label ? colon(label) : ""}${tx(e.message)}`;
    const where = step && step.id !== current ? ` — ${t("errorAnswerAt", { n: page.steps.indexOf(step) + 1, step: stepName(step) })}` : "";
    const link = step
      ? el("a", { href: "#gg-step", "data-error-path": path, onclick: (ev) => { ev.preventDefault(); go(path); } }, text)
      : el("span", { text });
    return { here: step && step.id === current, node: el("li", {}, link, where) };
  });
  items.sort((a, b) => Number(b.here) - Number(a.here));
  box.append(
    el("h2", { class: "gg-error-summary__title", text: t("errorSummaryTitle") }),
    el("p", { class: "gg-error-summary__help", text: t("errorSummaryHelp") }),
    el("ul", { class: "gg-error-summary__list" }, items.map((i) => i.node)));
}
