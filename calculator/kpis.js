// The application step of the calculator: the KPI worksheet of the chosen schemes, the
// application-form sections the user may write here, and the .docx draft of each form.
//
//   renderKpiStep(container, ctx)   draws the step into container (again on every call)
//   updateKpiStep(container, ctx)   refreshes what the engine computes (changes, counts,
//                                   missing required values, errors) without redrawing inputs
//   kpiListsFor(bundle, schemes)    the KPI lists the chosen schemes ask for (ids, in order)
//   hasApplicationStep(bundle, schemes)  whether the flow gets this step
//
// ctx = {bundle, profile, result, schemes: [ids], write(keys, value)}: result is the engine's
// last answer (null while it loads); answers are written only through write (state.js).
// Values go to profile.kpis.ID = {value, before, unit}; texts to profile.application.sections.ID.
// Every check and computed change comes from the engine (guidegen.core.kpis); the only thing
// counted here is the live character count while typing (pack.js countChars, the core's rule).
import { el, clear, uid, append } from "./dom.js";
import { t, tx, lang, colon } from "./i18n.js";
import { countChars, downloadDraft } from "./pack.js";
import { parseNumber } from "./profile.js";
import { citeText } from "./form.js";

/** A unit in the page's language ("天" -> "days"); one not listed is shown as written. */
function unitText(u) {
  const key = `unit.${u}`;
  const s = t(key);
  return s === key ? u : s;
}

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

/** The KPI lists the chosen schemes name, each once, in scheme order. */
export function kpiListsFor(bundle, schemes) {
  const out = [];
  for (const id of schemes) {
    for (const lid of (bundle.schemes[id] && bundle.schemes[id].kpi_lists) || []) {
      if (bundle.kpi_lists[lid] && !out.includes(lid)) out.push(lid);
    }
  }
  return out;
}

/** Whether the chosen schemes have anything for the application step (a KPI list or a form). */
export function hasApplicationStep(bundle, schemes) {
  return kpiListsFor(bundle, schemes).length > 0
    || schemes.some((id) => bundle.application_forms && bundle.application_forms[id]);
}

function indicatorsOf(list) {
  return list.groups ? list.groups.flatMap((g) => g.indicators) : list.indicators || [];
}

/** Lists that appear in a chosen scheme's catalogued form, or in a scheme without one. */
function formLists(bundle, schemes) {
  const set = new Set();
  for (const id of schemes) {
    const form = bundle.application_forms && bundle.application_forms[id];
    if (!form) for (const lid of bundle.schemes[id].kpi_lists || []) set.add(lid);
    else for (const p of form.parts) if (p.kind === "kpis") set.add(p.list);
  }
  return set;
}

function entryOf(profile, id) {
  const raw = isObject(profile.kpis) ? profile.kpis[id] : undefined;
  if (isObject(raw)) return { ...raw };
  return raw === undefined || raw === null ? {} : { value: raw };
}

function setEntry(ctx, id, key, value) {
  const entry = entryOf(ctx.profile, id);
  if (value === undefined || value === "") delete entry[key];
  else entry[key] = value;
  ctx.write(["kpis", id], Object.keys(entry).length ? entry : undefined);
}

function sectionText(profile, id) {
  const a = profile.application;
  return isObject(a) && isObject(a.sections) && typeof a.sections[id] === "string" ? a.sections[id] : "";
}

function setSectionText(ctx, id, text) {
  ctx.write(["application", "sections", id], text.trim() ? text : undefined);
}

function resultsOf(ctx) {
  return isObject(ctx.result) && Array.isArray(ctx.result.results) ? ctx.result.results : [];
}

function engineRow(ctx, listId, id) {
  for (const r of resultsOf(ctx)) {
    const row = r.kpis && (r.kpis.rows || []).find((x) => x.list === listId && x.id === id);
    if (row) return row;
  }
  return null;
}

function fieldErrors(ctx) {
  const out = new Map();
  if (isObject(ctx.result) && Array.isArray(ctx.result.errors)) {
    for (const e of ctx.result.errors) out.set(e.field, tx(e.message));
  }
  return out;
}

function changeText(row, ind) {
  const c = row && row.change;
  if (!c || c.improvement === null || c.improvement === undefined) return "";
  // The engine's figure, shown to one decimal place.
  const pct = c.improvement_percent === null || c.improvement_percent === undefined ? "" : ` (${Math.round(c.improvement_percent * 10) / 10}%)`;
  if (c.better === false) return t("kpiWorse", { n: c.improvement });
  return t(ind.direction === "lower" ? "kpiDown" : "kpiUp", { n: Math.abs(c.improvement), pct });
}

function statusWord(status) {
  return status ? t(`kpiStatus.${status}`) : t("kpiStatus.unknown");
}

/** Notes beside a list or an indicator where a scheme's text ties a condition to them. */
function tiesFor(ctx, listId) {
  const out = [];
  for (const r of resultsOf(ctx)) {
    const l = r.kpis && (r.kpis.lists || []).find((x) => x.id === listId);
    for (const tie of (l && l.ties) || []) out.push({ ...tie, scheme: r.scheme });
  }
  if (!out.length) {
    // While the engine loads: the catalog's ties, without a status.
    const list = ctx.bundle.kpi_lists[listId];
    for (const tie of (list && list.ties) || []) {
      if (!ctx.schemes.includes(tie.scheme)) continue;
      const s = ctx.bundle.schemes[tie.scheme];
      const conds = [...(s.conditions || []), ...(s.levels || []).flatMap((lv) => lv.conditions.map((c) => ({ ...c, id: `${lv.id}.${c.id}` })))];
      const c = conds.find((x) => x.id === tie.condition);
      out.push({ condition: tie.condition, indicators: tie.indicators || [], title: c ? c.title : null, status: null, scheme: tie.scheme });
    }
  }
  return out;
}

function tieNote(ctx, tie) {
  const scheme = ctx.bundle.schemes[tie.scheme];
  return el("p", { class: "gg-kpi__tie", dataset: { tie: `${tie.scheme}:${tie.condition}` } },
    t("kpiTie", { scheme: tx(scheme.name), condition: tx(tie.title) }), " ",
    el("span", { class: "gg-kpi__status", dataset: { status: tie.status || "unknown" }, text: statusWord(tie.status) }));
}

function numberInput(ctx, id, key, label, value, onInput) {
  const inputId = uid("gg-kpi");
  const input = el("input", { type: "text", inputmode: "decimal", id: inputId, class: "gg-input gg-kpi__input",
    value: value === undefined || value === null ? "" : String(value), autocomplete: "off",
    dataset: { kpi: id, key }, "aria-describedby": `${inputId}-err` });
  input.addEventListener("change", () => {
    // The same indicator in another list (an id shared by two lists) is the same answer.
    const scope = input.closest(".gg-application") || document;
    for (const other of scope.querySelectorAll(`input[data-kpi="${id}"][data-key="${key}"]`)) if (other !== input) other.value = input.value;
    onInput(parseNumber(input.value));
  });
  return el("span", { class: "gg-kpi__cell" }, el("label", { for: inputId, class: "gg-kpi__label", text: label }), input,
    el("span", { class: "gg-kpi__error", id: `${inputId}-err`, dataset: { errorFor: `kpis.${id}.${key}` } }));
}

function indicatorRow(ctx, listId, list, ind, mode, ties) {
  const entry = entryOf(ctx.profile, ind.id);
  const changed = (key) => (v) => setEntry(ctx, ind.id, key, v);
  const name = tx(ind.name);
  const cells = [];
  if (mode === "before-after") {
    cells.push(numberInput(ctx, ind.id, "before", t("kpiBefore"), entry.before, changed("before")));
    cells.push(numberInput(ctx, ind.id, "value", t("kpiAfter"), entry.value, changed("value")));
  } else {
    // The form asks for the current value; a value before construction (optional) gives the change.
    cells.push(numberInput(ctx, ind.id, "value", t("kpiCurrent"), entry.value, changed("value")));
    if (ind.direction !== "none") cells.push(numberInput(ctx, ind.id, "before", t("kpiBeforeOptional"), entry.before, changed("before")));
  }
  let unit;
  if (ind.unit) unit = el("span", { class: "gg-kpi__unit", text: typeof ind.unit === "string" ? unitText(ind.unit) : tx(ind.unit) });
  else {
    const unitId = uid("gg-kpi-unit");
    const input = el("input", { type: "text", id: unitId, class: "gg-input gg-kpi__unit-input", value: typeof entry.unit === "string" ? entry.unit : "",
      placeholder: t("kpiUnitPlaceholder"), maxlength: "40", dataset: { kpi: ind.id, key: "unit" } });
    input.addEventListener("change", () => changed("unit")(input.value.trim() || undefined));
    unit = el("span", { class: "gg-kpi__cell" }, el("label", { for: unitId, class: "gg-kpi__label", text: t("kpiUnit") }), input);
  }
  const own = ties.filter((tie) => tie.indicators.includes(ind.id));
  return el("li", { class: "gg-kpi", dataset: { kpi: ind.id, list: listId, required: ind.required ? "1" : "0" } },
    el("div", { class: "gg-kpi__head" },
      el("span", { class: "gg-kpi__name", text: name }),
      ind.required ? el("span", { class: "gg-kpi__required", text: t("kpiRequired") }) : null,
      el("span", { class: "gg-kpi__direction", text: ind.direction === "lower" ? t("kpiLowerBetter") : ind.direction === "none" ? "" : t("kpiHigherBetter") })),
    el("div", { class: "gg-kpi__inputs" }, ...cells, unit,
      el("span", { class: "gg-kpi__change", "aria-live": "polite", dataset: { changeFor: `${listId}:${ind.id}` } })),
    own.map((tie) => tieNote(ctx, tie)));
}

function listBlock(ctx, listId, inForm) {
  const list = ctx.bundle.kpi_lists[listId];
  const mode = list.values || "current";
  const users = ctx.schemes.filter((s) => (ctx.bundle.schemes[s].kpi_lists || []).includes(listId)).map((s) => tx(ctx.bundle.schemes[s].name));
  const ties = tiesFor(ctx, listId);
  const required = indicatorsOf(list).filter((i) => i.required).length;
  const body = [
    el("p", { class: "gg-help", text: t(mode === "before-after" ? "kpiModeBeforeAfter" : "kpiModeCurrent") }),
    el("p", { class: "gg-help", text: t("kpiUsedBy", { schemes: users.join(lang() === "zh" ? "、" : "; ") }) }),
    required ? el("p", { class: "gg-help", text: t("kpiRequiredCount", { n: required }) }) : null,
    list.note ? el("p", { class: "gg-help", text: tx(list.note) }) : null,
    ties.filter((tie) => !tie.indicators.length).map((tie) => tieNote(ctx, tie)),
    el("p", { class: "gg-source", text: `${t("kpiSource")}${citeText(ctx.bundle, list.source)}` }),
    el("ul", { class: "gg-kpi-list" }, indicatorsOf(list).map((ind) => indicatorRow(ctx, listId, list, ind, mode, ties))),
  ];
  if (!inForm) {
    // A reference list (not in any chosen form): folded, it is guidance.
    return el("details", { class: "gg-kpi-block gg-kpi-block--reference", dataset: { list: listId } },
      el("summary", {}, el("span", { text: tx(list.name) }), " ", el("span", { class: "gg-muted", text: t("kpiReference") })), body);
  }
  return el("section", { class: "gg-kpi-block", dataset: { list: listId } }, el("h3", { text: tx(list.name) }), body);
}

/** Narrative sections of the chosen schemes' forms, each id once, with every form's limit. */
function sectionsFor(bundle, schemes) {
  const out = new Map();
  for (const sid of schemes) {
    const form = bundle.application_forms && bundle.application_forms[sid];
    if (!form) continue;
    for (const p of form.parts) {
      if (p.kind !== "narrative" || p.per_scene) continue;
      if (!out.has(p.id)) out.set(p.id, { id: p.id, title: p.title, prompt: p.prompt, limits: [] });
      out.get(p.id).limits.push({ scheme: sid, word_limit: p.word_limit || null, min_words: p.min_words || null });
    }
  }
  return [...out.values()];
}

function limitsText(bundle, section, chars) {
  const parts = [];
  for (const l of section.limits) {
    const name = tx(bundle.schemes[l.scheme].name);
    if (l.word_limit) parts.push(t(chars > l.word_limit ? "sectionOver" : "sectionLimit", { scheme: name, n: l.word_limit }));
    else if (l.min_words) parts.push(t(chars < l.min_words ? "sectionUnder" : "sectionMin", { scheme: name, n: l.min_words }));
  }
  return parts;
}

/** Per-scene sections of the chosen forms, by scene guide: {guide, parts: [{id, title, limits}]}. */
function sceneSectionsFor(bundle, schemes) {
  const byGuide = new Map();
  for (const sid of schemes) {
    const form = bundle.application_forms && bundle.application_forms[sid];
    if (!form) continue;
    const scenesPart = form.parts.find((p) => p.kind === "scenes");
    if (!scenesPart) continue;
    if (!byGuide.has(scenesPart.guide)) byGuide.set(scenesPart.guide, new Map());
    const parts = byGuide.get(scenesPart.guide);
    for (const p of form.parts) {
      if (p.kind !== "narrative" || !p.per_scene) continue;
      if (!parts.has(p.id)) parts.set(p.id, { id: p.id, title: p.title, prompt: null, limits: [] });
      parts.get(p.id).limits.push({ scheme: sid, word_limit: p.word_limit || null, min_words: null });
    }
  }
  return [...byGuide].map(([guide, parts]) => ({ guide, parts: [...parts.values()] }));
}

function sceneText(profile, id, n) {
  const a = profile.application;
  const m = isObject(a) && isObject(a.scene_sections) ? a.scene_sections[id] : null;
  return isObject(m) && typeof m[String(n)] === "string" ? m[String(n)] : "";
}

function setSceneText(ctx, id, n, text) {
  ctx.write(["application", "scene_sections", id, String(n)], text.trim() ? text : undefined);
}

function sceneBlocks(ctx) {
  const out = [];
  for (const { guide, parts } of sceneSectionsFor(ctx.bundle, ctx.schemes)) {
    const ticked = isObject(ctx.profile.scenes) && Array.isArray(ctx.profile.scenes[guide]) ? ctx.profile.scenes[guide] : [];
    const links = ctx.bundle.guides[guide] || [];
    const info = ctx.bundle.guide_info && ctx.bundle.guide_info[guide];
    const scenes = ticked.map((n) => {
      for (const link of links) for (const sc of link.scenes) if (sc.number === n) return { n, link, scene: sc };
      return null;
    }).filter(Boolean);
    out.push(el("h4", { class: "gg-formtext__guide", text: t("sceneSectionsTitle", { guide: info ? tx(info.title) : guide }) }));
    if (!scenes.length) out.push(el("p", { class: "gg-muted", text: t("sceneSectionsNone") }));
    for (const { n, link, scene } of scenes) {
      const written = parts.filter((p) => sceneText(ctx.profile, p.id, n)).length;
      out.push(el("details", { class: "gg-formtext__scene", dataset: { scene: `${guide}:${n}` } },
        el("summary", {}, `${tx(link.name)}—${tx(scene.name)}`, " ", el("span", { class: "gg-muted", text: t("sceneSectionsWritten", { n: written, total: parts.length }) })),
        parts.map((p) => sectionBlock(ctx, p, {
          get: () => sceneText(ctx.profile, p.id, n),
          set: (text) => setSceneText(ctx, p.id, n, text),
          question: `application.scene_sections.${p.id}.${n}`,
          countKey: `${p.id}:${n}`,
        }))));
    }
  }
  return out;
}

function sectionBlock(ctx, section, access) {
  const io = access || { get: () => sectionText(ctx.profile, section.id), set: (text) => setSectionText(ctx, section.id, text),
    question: `application.sections.${section.id}`, countKey: section.id };
  const id = uid("gg-formtext");
  const text = io.get();
  const area = el("textarea", { id, class: "gg-input gg-formtext__text", rows: "5", dataset: { section: io.countKey }, "aria-describedby": `${id}-count` });
  area.value = text;
  const count = el("p", { class: "gg-formtext__count", id: `${id}-count`, "aria-live": "polite", dataset: { countFor: io.countKey } });
  const refresh = () => {
    const n = countChars(area.value);
    const notes = limitsText(ctx.bundle, section, n);
    const over = section.limits.some((l) => l.word_limit && n > l.word_limit);
    count.dataset.over = over ? "1" : "0";
    clear(count).append(t("sectionChars", { n }), notes.length ? ` · ${notes.join(" · ")}` : "");
  };
  area.addEventListener("input", refresh);
  area.addEventListener("change", () => io.set(area.value));
  refresh();
  return el("div", { class: "gg-field gg-formtext", dataset: { question: io.question } },
    el("label", { for: id, class: "gg-field__label", text: tx(section.title) }),
    section.prompt ? el("p", { class: "gg-help", text: tx(section.prompt) }) : null, area, count);
}

function draftBlock(ctx) {
  const status = el("p", { class: "gg-draft__status", role: "status", "aria-live": "polite" });
  // A draft for a scheme with a catalogued form, or (laid out from its materials list) with one.
  const withForm = ctx.schemes.filter((sid) => (ctx.bundle.application_forms && ctx.bundle.application_forms[sid])
    || (ctx.bundle.schemes[sid].materials && (ctx.bundle.schemes[sid].materials.sections || []).length));
  const without = ctx.schemes.filter((sid) => !withForm.includes(sid)).map((sid) => tx(ctx.bundle.schemes[sid].name));
  const buttons = withForm.map((sid) => el("button", {
    type: "button", class: "gg-button gg-draft__button", dataset: { draft: sid },
    text: t("draftDownload", { scheme: tx(ctx.bundle.schemes[sid].name) }),
    onclick: async (event) => {
      const button = event.currentTarget;
      button.disabled = true;
      status.textContent = t("draftBuilding");
      try {
        const { filename, warnings } = await downloadDraft(ctx, sid);
        const notes = [];
        if (warnings.overLimit.length) notes.push(t("draftOver", { n: warnings.overLimit.length }));
        if (warnings.missingKpis.length) notes.push(t("draftMissingKpis", { n: warnings.missingKpis.length }));
        status.textContent = `${t("draftDone", { file: filename })}${notes.length ? ` ${notes.join(" ")}` : ""}`;
      } catch (err) {
        status.textContent = t("draftFailed", { message: err && err.message ? err.message : String(err) });
      } finally {
        button.disabled = false;
      }
    },
  }));
  return el("section", { class: "gg-kpi-block gg-draft", id: "gg-draft" },
    el("h3", { text: t("draftTitle") }), el("p", { class: "gg-help", text: t("draftHelp") }),
    el("div", { class: "gg-draft__buttons" }, buttons),
    without.length ? el("p", { class: "gg-help", text: t("draftNoForm", { schemes: without.join(lang() === "zh" ? "、" : "; ") }) }) : null,
    status);
}

/** Draw the application step: KPI worksheet, section texts, draft downloads. */
export function renderKpiStep(container, ctx) {
  clear(container);
  const lists = kpiListsFor(ctx.bundle, ctx.schemes);
  const inForm = formLists(ctx.bundle, ctx.schemes);
  const sections = sectionsFor(ctx.bundle, ctx.schemes);
  append(container, [
    el("p", { class: "gg-help", text: t("kpiIntro") }),
    el("div", { class: "gg-kpi-missing", id: "gg-kpi-missing", role: "status", "aria-live": "polite" }),
    lists.length ? lists.map((lid) => listBlock(ctx, lid, inForm.has(lid))) : el("p", { class: "gg-muted", text: t("kpiNone") }),
    sections.length ? el("section", { class: "gg-kpi-block gg-sections" }, el("h3", { text: t("sectionsTitle") }),
      el("p", { class: "gg-help", text: t("sectionsHelp") }), sections.map((s) => sectionBlock(ctx, s)), sceneBlocks(ctx)) : null,
    draftBlock(ctx)]);
  updateKpiStep(container, ctx);
}

/** Refresh what the engine computed: changes, field errors, missing required values, tie statuses. */
export function updateKpiStep(container, ctx) {
  const errors = fieldErrors(ctx);
  for (const node of container.querySelectorAll("[data-error-for]")) {
    const message = errors.get(node.dataset.errorFor) || "";
    node.textContent = message;
    const input = node.parentNode && node.parentNode.querySelector("input");
    if (input) {
      if (message) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    }
  }
  for (const node of container.querySelectorAll("[data-change-for]")) {
    const [listId, id] = node.dataset.changeFor.split(":");
    const list = ctx.bundle.kpi_lists[listId];
    const ind = list && indicatorsOf(list).find((x) => x.id === id);
    node.textContent = ind ? changeText(engineRow(ctx, listId, id), ind) : "";
  }
  for (const node of container.querySelectorAll("[data-tie]")) {
    const [scheme, condition] = node.dataset.tie.split(":");
    const r = resultsOf(ctx).find((x) => x.scheme === scheme);
    const l = r && r.kpis && (r.kpis.lists || []).flatMap((x) => x.ties || []).find((x) => x.condition === condition);
    const span = node.querySelector(".gg-kpi__status");
    if (span && l) { span.dataset.status = l.status || "unknown"; span.textContent = statusWord(l.status); }
  }
  const box = container.querySelector("#gg-kpi-missing");
  if (box) {
    clear(box);
    for (const r of resultsOf(ctx)) {
      if (r.kpis && r.kpis.message) box.append(el("p", { class: "gg-alert gg-alert--warn", dataset: { scheme: r.scheme }, text: tx(r.kpis.message) }));
      if (r.application && r.application.message) box.append(el("p", { class: "gg-alert gg-alert--warn", dataset: { scheme: r.scheme }, text: `${colon(tx(ctx.bundle.schemes[r.scheme].name))}${tx(r.application.message)}` }));
    }
  }
}
