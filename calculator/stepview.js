// The steps: which steps there are for the chosen schemes (replan, with the engine's
// question list), and drawing the current one: the place and the schemes, the
// questions of a schema section, the scenes, the declarations, the application step.
import { el, clear, uid } from "./dom.js";
import { t, tx, lang } from "./i18n.js";
import { ctx, page, hooks, saveUi, chosenSchemes, onWrite } from "./state.js";
import { stepBox } from "./layout.js";
import { currentStep, stepTitle, goStep, renderStepper, openResults, showErrorSummaries } from "./nav.js";
import { questionPlan, stepsFor, schemaGates, PLACE_PATHS } from "./steps.js";
import { getPath } from "./profile.js";
import { renderKpiStep, hasApplicationStep } from "./kpis.js";
import { scenesStep } from "./scenes.js";
import { checkAnswers } from "./cya.js";
import { searchPlaces, nearPlaces, placeValues, placeLabel, uniquePlace } from "./places.js";

// ---------------------------------------------------------------- which steps
// The answers the engine reads a place from (core/questions.py PLACE_KEYS): the questions depend on
// them too (issue 22: outside a call's region its own rows are not asked, 株洲's list in 湘潭).
const PLACE_KEYS = ["province", "city", "county", "region_code", "credit_code"];
function placeOfAnswers() {
  const e = (ctx.profile && ctx.profile.enterprise) || {};
  const place = {};
  for (const k of PLACE_KEYS) if (typeof e[k] === "string" && e[k].trim()) place[k] = e[k].trim();
  return place;
}
/** What the question list depends on: the chosen schemes and the place. */
function questionsKey(schemes) {
  return `${schemes.join(",")}|${JSON.stringify(placeOfAnswers())}`;
}

export function replan() {
  const bundle = page.bundle;
  if (!bundle) return;
  const schemes = chosenSchemes();
  const key = questionsKey(schemes);
  // The list for the same schemes at the previous place stays while the new one comes (no flicker).
  const same = page.questionsFor === key || page.questionsFor.split("|")[0] === schemes.join(",");
  page.plan = questionPlan(bundle, schemes, same ? page.questions : null);
  page.steps = stepsFor(bundle, page.plan);
  // Check your answers before the print and the draft.
  page.steps.push({ id: "check", fields: [] });
  // The application step (KPI worksheet, form sections, .docx draft) closes the flow.
  if (hasApplicationStep(bundle, schemes)) page.steps.push({ id: "application", fields: [] });
  if (!page.steps.some((s) => s.id === ctx.ui.step)) ctx.ui.step = page.steps[0].id;
  if (page.runtime === "ready" && page.questionsFor !== key) loadQuestions();
}

let questionsAsked = "";
export function loadQuestions() {
  const schemes = chosenSchemes();
  const key = questionsKey(schemes);
  if (questionsAsked === key) return;
  questionsAsked = key;
  const place = placeOfAnswers();
  page.engine.request({ type: "questions", schemes, profile: { enterprise: place } }).then((m) => {
    let list = null;
    try {
      const value = JSON.parse(m.json);
      list = Array.isArray(value) ? value : Array.isArray(value.questions) ? value.questions : null;
    } catch {
      list = null;
    }
    if (key !== questionsKey(chosenSchemes())) return; // the choice or the place changed meanwhile
    page.questions = list;
    page.questionsFor = key;
    const shape = () => page.steps.map((s) => `${s.id}:${s.fields.length}:${(s.declarations || []).map((d) => d.id).join("+")}:${(s.guides || []).length}`).join();
    const before = shape();
    replan();
    const after = shape();
    // Re-render the step only when what it asks changed, and never under the user's cursor.
    // (The first step does not depend on the questions; the others only through their fields.)
    if (before !== after && ctx.ui.step !== "where" && !(document.activeElement && stepBox.contains(document.activeElement))) renderStep();
    else renderStepper();
    stepBox.dataset.questions = page.plan.exact ? "engine" : "all";
  }, () => { questionsAsked = ""; });
}

// A new place asks again, once the typing stops (an answer to a question no longer asked stays
// in the profile: nothing entered is lost, and it is asked again if the place comes back).
let placeTimer = 0;
let lastPlace = "";
onWrite(() => {
  const now = JSON.stringify(placeOfAnswers());
  if (now === lastPlace) return;
  lastPlace = now;
  clearTimeout(placeTimer);
  placeTimer = setTimeout(() => { if (page.runtime === "ready") loadQuestions(); }, 300);
});

/** What the application step (kpis.js, pack.js) reads: the answers and the engine's last answer. */
export function applicationCtx() {
  return {
    bundle: page.bundle,
    get profile() { return ctx.profile; },
    result: page.lastAnswer,
    schemes: chosenSchemes(),
    write: ctx.write,
  };
}

// ---------------------------------------------------------------- the current step
export function renderStep() {
  const bundle = page.bundle;
  if (!bundle) return;
  const fields = page.fields;
  const steps = page.steps;
  const step = currentStep();
  fields.reset();
  hooks.beforeLeave = null;
  hooks.unsaved = null;
  clear(stepBox);
  stepBox.dataset.step = step.id;
  renderStepper();
  const index = steps.indexOf(step);
  stepBox.append(el("h2", { class: "gg-step__title", tabindex: "-1", text: stepTitle(step) }),
    el("div", { class: "gg-error-summary", id: "gg-step-errors", hidden: true, tabindex: "-1" }));
  const help = t(`stepHelp_${step.id}`);
  if (help !== `stepHelp_${step.id}`) stepBox.append(el("p", { class: "gg-help gg-step__help", text: help }));
  if (step.id === "where") stepBox.append(placeBlock(), schemesBlock());
  else if (step.id === "scenes") {
    if (step.guides.length && !sectorNow() && page.fieldsById.has("enterprise.sector")) {
      // No sector yet: its question opens the step (its key links then come first, open).
      stepBox.append(el("p", { class: "gg-help", text: t("sectorFirst") }), fields.field(page.fieldsById.get("enterprise.sector")));
      fields.follow("enterprise.sector", () => {
        renderStep();
        const select = stepBox.querySelector('[data-path="enterprise.sector"] select');
        if (select) select.focus();
      });
    }
    if (step.guides.length) {
      stepBox.append(scenesStep(fields, ctx.ui, step.guides, { saveUi, sector: sectorNow() }));
    }
    stepBox.append(...step.fields.map((f) => fields.field(f)));
  } else if (step.id === "declarations") stepBox.append(...declarationGroups(step.declarations));
  else if (step.id === "check") stepBox.append(...checkAnswers((id, path) => goStep(id, path), stepTitle));
  else if (step.id === "application") {
    const box = el("div", { class: "gg-application", id: "gg-application" });
    stepBox.append(box);
    renderKpiStep(box, applicationCtx());
  }
  else if (step.id === "section-application") {
    stepBox.append(el("details", { class: "gg-fold", id: "gg-later" },
      el("summary", { text: t("laterFold", { n: step.fields.length }) }),
      el("p", { class: "gg-help", text: t("laterFoldHelp") }),
      ...gatedFields(step.fields)));
  }
  else stepBox.append(...gatedFields(step.fields));
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
  fields.showErrors(page.lastErrors);
  showErrorSummaries();
}

// ---- gates: "有没有获得过智能制造相关荣誉？" before the title fields (catalog data, profile.yaml)

/** What a field's "no" answer is: 0, false, the "none" option, an empty list (undefined: none). */
function noValue(f) {
  if (f.type === "integer" || f.type === "number") return 0;
  if (f.type === "boolean") return false;
  if (f.type === "choice" && Array.isArray(f.options) && f.options.some((o) => o.value === "none")) return "none";
  if (f.type === "multi-choice") return [];
  return undefined;
}

const isNo = (f, v) => JSON.stringify(v) === JSON.stringify(noValue(f));

/** "yes" (the fields are shown), "no" (all answered as none) or null (not answered yet). */
function gateAnswer(gate, gateFields) {
  const values = gateFields.map((f) => [f, getPath(ctx.profile, f.path)]);
  if (values.some(([f, v]) => v !== undefined && !isNo(f, v))) return "yes";
  const kept = ctx.ui.gates && ctx.ui.gates[gate.id];
  if (kept === "yes" || kept === "no") return kept;
  if (values.length && values.every(([f, v]) => v !== undefined)) return "no";
  return null;
}

/** The step's fields, those behind a gate under its question (shown once it is answered "yes"). */
function gatedFields(stepFields) {
  const fields = page.fields;
  const gates = schemaGates(page.bundle);
  const gateOf = new Map();
  for (const g of gates) for (const p of g.paths) if (!gateOf.has(p)) gateOf.set(p, g);
  const out = [];
  const done = new Set();
  for (const f of stepFields) {
    const gate = gateOf.get(f.path);
    if (!gate) {
      out.push(fields.field(f));
      continue;
    }
    if (done.has(gate.id)) continue;
    done.add(gate.id);
    const behind = stepFields.filter((x) => gate.paths.includes(x.path));
    out.push(gateBlock(gate, behind));
  }
  return out;
}

function gateBlock(gate, behind) {
  const fields = page.fields;
  const name = uid("gg-gate");
  const body = el("div", { class: "gg-gate__fields", id: `${name}-fields` });
  const answer = gateAnswer(gate, behind);
  const choices = [["yes", t("gateYes")], ["no", t("gateNo")]].map(([value, text]) => {
    const input = el("input", { type: "radio", name, value, "data-gate-answer": value, checked: answer === value || null, "aria-controls": `${name}-fields` });
    return { value, input, label: el("label", { class: "gg-choice" }, input, " ", text) };
  });
  const show = (value) => {
    body.hidden = value !== "yes";
    if (value === "yes" && !body.firstChild) body.append(...behind.map((f) => fields.field(f)));
  };
  for (const c of choices) {
    c.input.addEventListener("change", () => {
      if (!c.input.checked) return;
      ctx.ui.gates = { ...(ctx.ui.gates || {}), [gate.id]: c.value };
      saveUi();
      if (c.value === "no") {
        // Every field behind the gate answered: none.
        for (const f of behind) {
          const v = noValue(f);
          if (v !== undefined) fields.commit(f.path, v);
        }
      }
      show(c.value);
    });
  }
  const help = gate.help ? el("p", { class: "gg-help", id: `${name}-help`, text: tx(gate.help) }) : null;
  const box = el("fieldset", { class: "gg-field gg-gate", "data-gate": gate.id, "data-question": `gate.${gate.id}`, "aria-describedby": help ? `${name}-help` : null },
    el("legend", { text: tx(gate.question) }), help,
    el("div", { class: "gg-tri" }, choices.map((c) => c.label)));
  // Errors of a field behind a closed gate are shown on the gate (and open it).
  const msg = el("p", { class: "gg-error", role: "alert", hidden: true });
  box.append(msg);
  for (const f of behind) fields.register(f.path, { wrap: box, msg, open: () => show("yes") });
  show(answer);
  return el("div", { class: "gg-gate-group" }, box, body);
}

/** The sector the answers give, else the address's (?sector=ID from an industry page). */
function sectorNow() {
  const bundle = page.bundle;
  const e = ctx.profile.enterprise;
  if (e && typeof e === "object") {
    if (typeof e.sector === "string" && bundle.sectors[e.sector]) return e.sector;
    if (typeof e.industry_division === "string" && bundle.divisions[e.industry_division]) return bundle.divisions[e.industry_division].sector;
  }
  const hint = new URLSearchParams(window.location.search).get("sector");
  return hint && bundle.sectors[hint] ? hint : null;
}

// ---- 1. where: the place picker (or the schema's text fields without divisions data)
function placeBlock() {
  const { fields, fieldsById, places } = page;
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
    if (!Array.isArray(ctx.ui.schemes)) {
      replan();
      renderSchemes();
    }
    chosen.focus();
  };
  chosen.setAttribute("tabindex", "-1");
  hooks.unsaved = () => input.value.trim() !== "";
  // A place typed but not picked: taken when it means one place, else the step stays and says why.
  hooks.beforeLeave = () => {
    const text = input.value.trim();
    if (!text) return true;
    const one = uniquePlace(places, text);
    if (one) {
      choose(one);
      return true;
    }
    const many = searchPlaces(places, text, 8).length;
    msg.textContent = many ? t("placeNotPicked", { text }) : t("placeNotFound", { text });
    msg.hidden = false;
    wrap.classList.add("gg-invalid");
    input.setAttribute("aria-invalid", "true");
    if (!list.firstChild) search();
    input.focus();
    return false;
  };
  input.addEventListener("input", () => {
    msg.hidden = true;
    wrap.classList.remove("gg-invalid");
    input.removeAttribute("aria-invalid");
  });
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

function schemesChanged() {
  saveUi();
  replan();
  renderStepper();
  hooks.schedule(0);
}

function renderSchemes() {
  if (!schemesBox) return;
  const bundle = page.bundle;
  const chosen = chosenSchemes();
  const byHand = Array.isArray(ctx.ui.schemes);
  clear(schemesBox).append(el("legend", { text: t("schemesLabel") }),
    el("p", { class: "gg-help", text: byHand ? t("schemesByHand") : t("schemesFromPlace") }));
  const others = el("details", { class: "gg-fold gg-schemes__others", id: "gg-schemes-others" });
  const otherCount = Object.keys(bundle.schemes).filter((id) => !chosen.includes(id)).length;
  others.append(el("summary", { text: t("otherSchemes", { n: otherCount }) }));
  for (const s of Object.values(bundle.schemes)) {
    const input = el("input", { type: "checkbox", value: s.id, "data-scheme": s.id, checked: chosen.includes(s.id) || null });
    input.addEventListener("change", () => {
      const list = [...schemesBox.querySelectorAll("input[data-scheme]")].filter((i) => i.checked).map((i) => i.value);
      ctx.ui.schemes = list.length ? list : null;
      schemesChanged();
      if (!list.length) renderSchemes();
    });
    const meta = [tx(s.region), s.deadline ? t("deadlineShort", { date: s.deadline }) : null].filter(Boolean).join(" · ");
    (chosen.includes(s.id) ? schemesBox : others).append(el("label", { class: "gg-choice gg-choice--block gg-schemes__item" }, input, " ",
      el("span", {}, el("span", { class: "gg-schemes__name", text: tx(s.name) }), el("span", { class: "gg-schemes__meta", text: meta }))));
  }
  if (otherCount) schemesBox.append(others);
  if (byHand) {
    schemesBox.append(el("button", { type: "button", class: "gg-button gg-button--quiet gg-button--small", id: "gg-schemes-reset", text: t("schemesReset"),
      onclick: () => { ctx.ui.schemes = null; schemesChanged(); renderSchemes(); } }));
  }
}

// ---- declarations, under the first chosen scheme that asks each
function declarationGroups(list) {
  const bundle = page.bundle;
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
      decls.map((d) => page.fields.declaration(d.id, { source: d.source, schemes: d.schemes }))));
}
