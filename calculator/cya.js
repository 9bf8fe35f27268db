// Check your answers (GOV.UK): before the print and the draft, every answer with the
// question's words and a "修改 / Change" link to it; a gate answered "no" is one row.
import { el } from "./dom.js";
import { t, tx, lang } from "./i18n.js";
import { ctx, page, chosenSchemes } from "./state.js";
import { getPath } from "./profile.js";
import { optionList, display, same } from "./form.js";
import { schemaGates } from "./steps.js";

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

function answerText(f, v) {
  const bundle = page.bundle;
  if (f.type === "boolean") return v === true ? t("trueText") : v === false ? t("falseText") : display(v);
  if (f.type === "choice") return optionList(bundle, f).find((o) => same(o.value, v))?.label ?? display(v);
  if (f.type === "multi-choice" && Array.isArray(v)) {
    if (!v.length) return t("gateNo");
    const opts = optionList(bundle, f);
    return v.map((x) => opts.find((o) => same(o.value, x))?.label ?? display(x)).join(lang() === "zh" ? "、" : ", ");
  }
  if (f.type === "division") return bundle.divisions[v] ? `${v} ${tx(bundle.divisions[v].name)}` : display(v);
  if (f.type === "scene-instances") return t("cyaInstances", { n: Object.values(isObject(v) ? v : {}).flat().length });
  return display(v) + (f.unit ? ` ${tx(f.unit)}` : "");
}

const noValue = (f) => (f.type === "integer" || f.type === "number" ? 0 : f.type === "boolean" ? false
  : f.type === "multi-choice" ? [] : f.type === "choice" && (f.options || []).some((o) => o.value === "none") ? "none" : undefined);

function row(question, answer, change, changeLabel) {
  return el("div", { class: "gg-cya__row" },
    el("dt", { class: "gg-cya__key", text: question }),
    el("dd", { class: "gg-cya__value", text: answer }),
    el("dd", { class: "gg-cya__action" },
      el("a", { href: "#gg-step", onclick: (e) => { e.preventDefault(); change(); } }, t("cyaChange"),
        el("span", { class: "gg-visually-hidden", text: ` ${changeLabel}` }))));
}

/** The check-your-answers page: one list per step. `go(stepId, path)` opens a question. */
export function checkAnswers(go, stepTitle) {
  const bundle = page.bundle;
  const out = [];
  const e = ctx.profile.enterprise || {};
  const place = ["province", "city", "county"].map((k) => e[k]).filter((v) => typeof v === "string" && v);
  out.push(el("h3", { class: "gg-cya__title", text: stepTitle(page.steps[0]) }),
    el("dl", { class: "gg-cya" },
      row(t("placeLabel"), place.length ? [...new Set(place)].join(" ") : t("cyaUnanswered"), () => go("where", null), t("placeLabel")),
      row(t("schemesLabel"), chosenSchemes().map((id) => tx(bundle.schemes[id].name)).join(lang() === "zh" ? "、" : "; "), () => go("where", null), t("schemesLabel"))));
  const gates = schemaGates(bundle);
  for (const step of page.steps) {
    if (["where", "check", "application"].includes(step.id)) continue;
    const rows = [];
    let missing = 0;
    const shownGates = new Set();
    for (const f of step.fields || []) {
      const v = getPath(ctx.profile, f.path);
      const gate = gates.find((g) => g.paths.includes(f.path));
      if (gate) {
        const behind = step.fields.filter((x) => gate.paths.includes(x.path));
        const allNo = behind.every((x) => JSON.stringify(getPath(ctx.profile, x.path)) === JSON.stringify(noValue(x)));
        if (allNo) {
          if (!shownGates.has(gate.id)) rows.push(row(tx(gate.question), t("gateNo"), () => go(step.id, `gate.${gate.id}`), tx(gate.question)));
          shownGates.add(gate.id);
          continue;
        }
      }
      if (v === undefined || v === null) { missing += 1; continue; }
      rows.push(row(tx(f.label), answerText(f, v), () => go(step.id, f.path), tx(f.label)));
    }
    for (const g of step.guides || []) {
      const list = getPath(ctx.profile, `scenes.${g}`);
      const names = new Map();
      for (const link of bundle.guides[g] || []) for (const s of link.scenes) names.set(s.number, tx(s.name));
      const title = tx(bundle.guide_info[g]?.title) || g;
      if (Array.isArray(list) && list.length) rows.push(row(title, list.map((n) => names.get(n) || display(n)).join(lang() === "zh" ? "、" : "; "), () => go(step.id, `scenes.${g}`), title));
    }
    for (const d of step.declarations || []) {
      const v = getPath(ctx.profile, `declarations.${d.id}`);
      const label = tx(bundle.declarations[d.id]?.label) || "";
      if (v === undefined) { missing += 1; continue; }
      rows.push(row(label, v === true ? t("yes") : v === false ? t("no") : display(v), () => go(step.id, `declarations.${d.id}`), label));
    }
    out.push(el("h3", { class: "gg-cya__title", text: stepTitle(step) }));
    if (rows.length) out.push(el("dl", { class: "gg-cya", "data-cya-step": step.id }, rows));
    if (missing) {
      out.push(el("p", { class: "gg-cya__missing" },
        el("a", { href: "#gg-step", onclick: (ev) => { ev.preventDefault(); go(step.id, null); } }, t("cyaMissing", { n: missing }))));
    } else if (!rows.length) out.push(el("p", { class: "gg-muted", text: t("cyaNothing") }));
  }
  out.push(el("div", { class: "gg-cya__print" },
    el("p", { class: "gg-help", text: t("cyaPrintHelp") }),
    el("button", { type: "button", class: "gg-button", id: "gg-cya-print", text: t("print"), onclick: () => document.getElementById("gg-print").click() })));
  return out;
}
