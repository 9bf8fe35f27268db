// The questions, generated from the bundle's question schema (bundle.profile.sections),
// the declarations and the scene guides: nothing here is written per scheme. Which
// questions a step shows comes from the engine (guidegen.core.questions, see steps.js).
import { el, clear, uid } from "./dom.js";
import { t, tx, lang } from "./i18n.js";
import { getPath, parseNumber } from "./profile.js";

export { parseNumber };

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
// Whole numbers in a short range (the maturity level 1–5) are a choice, not typing.
const MAX_CHOICE_RANGE = 6;
// An amount in 万元 this large (10亿元) is more likely yuan typed into a 万元 field.
const YUAN_LIKE_WAN = 100000;

/** Source citation text: 《title》article (zh) or "title, article" (en). */
export function citeText(bundle, source) {
  if (!source) return "";
  let doc;
  let article;
  if (typeof source === "string") {
    const i = source.indexOf(" ");
    doc = i < 0 ? source : source.slice(0, i);
    article = i < 0 ? "" : source.slice(i + 1);
  } else {
    doc = source.doc;
    article = source.article || "";
  }
  const info = bundle.sources && bundle.sources[doc];
  if (!info) return [doc, article].filter(Boolean).join(" ");
  return lang() === "zh" ? `《${tx(info.title)}》${article}` : `${tx(info.title)}${article ? ", " + article : ""}`;
}

export function optionList(bundle, field) {
  if (Array.isArray(field.options)) return field.options.map((o) => ({ value: o.value, label: tx(o.label) }));
  switch (field.options_from) {
    case "sectors":
      return Object.values(bundle.sectors).map((s) => ({ value: s.id, label: tx(s.name) }));
    case "technologies":
    case "modes":
      return (bundle[field.options_from] || []).map((s) => ({ value: s.id, label: tx(s.name) }));
    case "support-elements": {
      const out = [];
      for (const info of Object.values(bundle.guide_info)) {
        for (const cat of info.support_elements || []) {
          for (const st of cat.subtypes) out.push({ value: st.id, label: tx(st.name), group: tx(cat.name), help: tx(st.description) });
        }
      }
      return out;
    }
    default:
      return [];
  }
}

export function display(value) {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  return JSON.stringify(value);
}

export const same = (a, b) => a === b || JSON.stringify(a) === JSON.stringify(b);

/** The schema's fields by path: {path: field} (with its section id). */
export function schemaFields(bundle) {
  const out = new Map();
  for (const section of bundle.profile.sections) for (const f of section.fields) out.set(f.path, { ...f, section: section.id });
  return out;
}

/**
 * The form's widgets. `ctx` is state.js's: `ctx.profile` the live profile, read here and
 * written only through `ctx.write(path, value)`. A step calls reset() and then builds its
 * questions with field() / declaration(); showErrors() places the engine's messages.
 */
export function createFields(bundle, ctx) {
  let widgets = new Map(); // path -> [{sync(value)}]
  let places = new Map(); // path -> [{wrap, msg, details?}]
  const hooks = new Map(); // path -> [fn(value)] (other modules following a value)

  const register = (map, path, item) => {
    if (!map.has(path)) map.set(path, []);
    map.get(path).push(item);
  };

  function commit(path, value, origin) {
    if (same(getPath(ctx.profile, path), value)) return;
    ctx.write(path, value);
    for (const w of widgets.get(path) || []) if (w !== origin) w.sync(value);
    for (const fn of hooks.get(path) || []) fn(value);
  }

  function sourceLine(source) {
    return source ? el("p", { class: "gg-source" }, t("source"), el("cite", { text: citeText(bundle, source) })) : null;
  }

  function wrapField(path, labelNode, control, { help, source, unit, group = false, extra = null, question = true } = {}) {
    const msg = el("p", { class: "gg-error", id: uid("gg-e"), role: "alert", hidden: true });
    const helpNode = help ? el("p", { class: "gg-help", id: uid("gg-h"), text: help }) : null;
    const wrap = el(group ? "fieldset" : "div", { class: "gg-field", "data-path": path, "data-question": question ? path : null },
      labelNode,
      el("div", { class: "gg-control" }, control, unit ? el("span", { class: "gg-unit", text: unit }) : null),
      extra,
      helpNode,
      sourceLine(source),
      msg);
    // Screen readers read the help and the engine's message (when there is one) with the question.
    const described = [helpNode && helpNode.id, msg.id].filter(Boolean).join(" ");
    for (const node of group ? [wrap] : wrap.querySelectorAll("input, select")) node.setAttribute("aria-describedby", described);
    register(places, path, { wrap, msg });
    return wrap;
  }

  function unknownNote(value) {
    return el("p", { class: "gg-unknown", text: t("unknownValue", { value: display(value) }) });
  }

  // ---- one question of the schema
  function field(f) {
    const path = f.path;
    const label = tx(f.label);
    const value = getPath(ctx.profile, path);
    const opts = { help: f.help ? tx(f.help) : null, source: f.source, unit: f.unit ? tx(f.unit) : null };
    const id = uid("gg-f");
    switch (f.type) {
      case "integer":
      case "number": {
        if (f.type === "integer" && Number.isInteger(f.min) && Number.isInteger(f.max) && f.max - f.min < MAX_CHOICE_RANGE) {
          const choices = [];
          for (let n = f.min; n <= f.max; n++) choices.push([n, String(n)]);
          return radios(path, label, value, [...choices, [undefined, t("notSure")]], opts);
        }
        const input = el("input", { id, type: "text", inputmode: f.type === "integer" ? "numeric" : "decimal", autocomplete: "off", spellcheck: "false", name: path });
        input.value = display(value);
        const w = { sync: (v) => { if (!same(parseNumber(input.value), v)) input.value = display(v); } };
        input.addEventListener("input", () => { commit(path, parseNumber(input.value), w); plausible(); });
        // Once the field is left, show the number as it was read ("３８,０００" -> "38000").
        input.addEventListener("change", () => { const v = parseNumber(input.value); if (typeof v === "number") input.value = display(v); });
        register(widgets, path, w);
        // Yuan typed into a 万元 field (50,000,000 for 5,000万元): said, never refused.
        const warn = el("p", { class: "gg-warning", hidden: true, "aria-live": "polite" });
        const plausible = () => {
          const v = parseNumber(input.value);
          const wan = f.unit && f.unit.zh === "万元" && typeof v === "number" && v >= YUAN_LIKE_WAN;
          warn.hidden = !wan;
          warn.textContent = wan ? t("yuanWarning", { value: display(v), yi: String(Math.round(v / 1000) / 10), wan: String(Math.round(v / 100) / 100) }) : "";
        };
        plausible();
        return wrapField(path, el("label", { for: id, text: label }), input, { ...opts, extra: warn });
      }
      case "string":
      case "date": {
        const input = el("input", { id, type: f.type === "date" ? "date" : "text", autocomplete: "off", name: path });
        input.value = display(value);
        const w = { sync: (v) => { if (input.value !== display(v)) input.value = display(v); } };
        const onEdit = () => commit(path, input.value === "" ? undefined : input.value, w);
        input.addEventListener("input", onEdit);
        if (f.type === "date") input.addEventListener("change", onEdit);
        register(widgets, path, w);
        const extra = f.type === "date" && value !== undefined && input.value !== display(value) ? unknownNote(value) : null;
        return wrapField(path, el("label", { for: id, text: label }), input, { ...opts, extra });
      }
      case "boolean":
        return radios(path, label, value, [[true, t("yes")], [false, t("no")], [undefined, t("notSure")]], opts);
      case "choice":
      case "division": {
        const options = f.type === "division"
          ? Object.values(bundle.divisions).map((d) => ({ value: d.code, label: `${d.code} ${tx(d.name)}` }))
          : optionList(bundle, f);
        const select = el("select", { id, name: path },
          el("option", { value: "", text: t("unanswered") }),
          options.map((o, i) => el("option", { value: String(i), text: o.label })));
        const fill = (v) => {
          for (const node of [...select.querySelectorAll("option[data-unknown]")]) node.remove();
          if (v === undefined) { select.value = ""; return; }
          const i = options.findIndex((o) => same(o.value, v));
          if (i >= 0) { select.value = String(i); return; }
          select.append(el("option", { value: "unknown", "data-unknown": "1", text: t("unknownValue", { value: display(v) }) }));
          select.value = "unknown";
        };
        fill(value);
        const w = { sync: fill };
        select.addEventListener("change", () => {
          if (select.value === "unknown") return;
          commit(path, select.value === "" ? undefined : options[Number(select.value)].value, w);
          fill(getPath(ctx.profile, path));
        });
        register(widgets, path, w);
        return wrapField(path, el("label", { for: id, text: label }), select, opts);
      }
      case "multi-choice":
        return multiChoice(path, label, optionList(bundle, f), value, opts);
      case "scene-instances":
        return sceneInstances(path, label, opts);
      default:
        return wrapField(path, el("span", { class: "gg-label", text: label }), el("span", { text: display(value) }), opts);
    }
  }

  // ---- one choice of a few (yes / no / not sure; a level 1–5)
  function radios(path, label, value, choices, opts) {
    const name = uid("gg-r");
    const items = choices.map(([v, text]) => {
      const input = el("input", { type: "radio", name, value: v === undefined ? "" : String(v) });
      return { v, input, label: el("label", { class: "gg-choice" }, input, " ", text) };
    });
    const note = el("span", { class: "gg-unknown", hidden: true });
    const fill = (v) => {
      const known = v === undefined || items.some((r) => r.v === v);
      for (const r of items) r.input.checked = known && r.v === v;
      note.hidden = known;
      note.textContent = known ? "" : t("unknownValue", { value: display(v) });
    };
    fill(value);
    const w = { sync: fill };
    for (const r of items) r.input.addEventListener("change", () => { if (r.input.checked) commit(path, r.v, w); });
    register(widgets, path, w);
    return wrapField(path, el("legend", { text: label }), el("div", { class: "gg-tri" }, items.map((r) => r.label), note), { ...opts, group: true });
  }

  // ---- checkboxes (multi-choice fields)
  // ---- named scene instances ({GUIDE: [{scene, name}]}): the bureau's summary table lists
  // them as 环节—场景—实例. One row per instance: its scene from the guide the table reads,
  // its name typed. Only complete rows reach the profile; a half-filled row waits here.
  function sceneInstances(path, label, opts) {
    const guides = [];
    for (const s of Object.values(bundle.schemes)) {
      for (const c of (s.summary_table && s.summary_table.columns) || []) {
        if (c.value.kind === "scene-instances" && c.value.path === path && !guides.includes(c.value.guide)) guides.push(c.value.guide);
      }
    }
    const box = el("div", { class: "gg-instances" });
    let drafts = {};
    const fromProfile = () => {
      const v = getPath(ctx.profile, path);
      drafts = {};
      for (const g of guides) drafts[g] = isObject(v) && Array.isArray(v[g]) ? v[g].map((r) => ({ scene: r.scene, name: r.name })) : [];
    };
    const save = () => {
      const next = {};
      for (const g of guides) {
        const rows = drafts[g].filter((r) => Number.isInteger(r.scene) && typeof r.name === "string" && r.name.trim());
        if (rows.length) next[g] = rows.map((r) => ({ scene: r.scene, name: r.name.trim() }));
      }
      commit(path, Object.keys(next).length ? next : undefined, w);
    };
    const w = { sync: () => { fromProfile(); render(); } };
    function render() {
      clear(box);
      for (const g of guides) {
        const info = bundle.guide_info && bundle.guide_info[g];
        const list = el("ol", { class: "gg-instances__list" });
        drafts[g].forEach((row, i) => {
          const scene = el("select", { "aria-label": `${t("instanceScene")} ${i + 1}` },
            el("option", { value: "", text: t("unanswered") }),
            (bundle.guides[g] || []).map((link) => el("optgroup", { label: tx(link.name) },
              link.scenes.map((sc) => el("option", { value: String(sc.number), text: `${sc.number}. ${tx(sc.name)}` })))));
          scene.value = Number.isInteger(row.scene) ? String(row.scene) : "";
          scene.addEventListener("change", () => { row.scene = scene.value ? Number(scene.value) : undefined; save(); });
          const name = el("input", { type: "text", autocomplete: "off", "aria-label": `${t("instanceName")} ${i + 1}`, placeholder: t("instanceName") });
          name.value = typeof row.name === "string" ? row.name : "";
          name.addEventListener("input", () => { row.name = name.value; save(); });
          list.append(el("li", { class: "gg-instances__row" }, scene, name,
            el("button", { type: "button", class: "gg-button gg-button--quiet gg-button--small", text: t("instanceRemove"),
              onclick: () => { drafts[g].splice(i, 1); save(); render(); } })));
        });
        box.append(el("div", { class: "gg-instances__guide", "data-guide": g },
          info && guides.length > 1 ? el("p", { class: "gg-help", text: tx(info.title) }) : null, list,
          el("button", { type: "button", class: "gg-button gg-button--quiet gg-button--small", text: t("instanceAdd"),
            onclick: () => { drafts[g].push({ scene: undefined, name: "" }); render(); box.querySelector(`[data-guide="${g}"] li:last-child select`)?.focus(); } })));
      }
    }
    fromProfile();
    render();
    register(widgets, path, w);
    return wrapField(path, el("span", { class: "gg-label", text: label }), box, { ...opts, group: true });
  }

  function multiChoice(path, label, options, value, opts) {
    const box = el("div", { class: "gg-checks" });
    const checks = [];
    const extraBox = el("div", { class: "gg-checks gg-checks--unknown" });
    const current = () => {
      const v = getPath(ctx.profile, path);
      return Array.isArray(v) ? v : [];
    };
    const extraState = new Map();
    const extraChecked = (v) => extraState.get(JSON.stringify(v)) !== false;
    const update = (w) => {
      const chosen = checks.filter((c) => c.input.checked).map((c) => c.value);
      const keep = current().filter((v) => !options.some((o) => same(o.value, v)) && extraChecked(v));
      const list = [...keep, ...chosen];
      commit(path, list.length ? list : undefined, w);
    };
    let lastGroup = null;
    let groupBox = box;
    for (const o of options) {
      if (o.group && o.group !== lastGroup) {
        lastGroup = o.group;
        groupBox = el("div", { class: "gg-checkgroup" }, el("p", { class: "gg-checkgroup__title", text: o.group }));
        box.append(groupBox);
      }
      const input = el("input", { type: "checkbox", value: String(o.value) });
      checks.push({ value: o.value, input });
      groupBox.append(el("label", { class: "gg-choice", title: o.help || null }, input, " ", o.label));
    }
    const w = {
      sync: (v) => {
        const list = Array.isArray(v) ? v : [];
        for (const c of checks) c.input.checked = list.some((x) => same(x, c.value));
        clear(extraBox);
        extraState.clear();
        for (const x of list.filter((x) => !options.some((o) => same(o.value, x)))) {
          const input = el("input", { type: "checkbox", checked: true });
          input.addEventListener("change", () => { extraState.set(JSON.stringify(x), input.checked); update(w); });
          extraBox.append(el("label", { class: "gg-choice gg-unknown" }, input, " ", t("unknownValue", { value: display(x) })));
        }
        if (v !== undefined && !Array.isArray(v)) extraBox.append(unknownNote(v));
      },
    };
    for (const c of checks) c.input.addEventListener("change", () => update(w));
    w.sync(value);
    register(widgets, path, w);
    return wrapField(path, el("legend", { text: label }), el("div", {}, box, extraBox), { ...opts, group: true });
  }

  /** A declaration (yes / no / not sure), with the schemes that ask it. */
  function declaration(id, { source = null, schemes = [] } = {}) {
    const decl = bundle.declarations[id];
    const path = `declarations.${id}`;
    const names = schemes.map((s) => (bundle.schemes[s] ? tx(bundle.schemes[s].name) : s));
    const help = [decl && decl.help ? tx(decl.help) : null, names.length > 1 ? t("askedBy", { schemes: names.join(lang() === "zh" ? "、" : "; ") }) : null]
      .filter(Boolean).join(lang() === "zh" ? "" : " ");
    return radios(path, decl ? tx(decl.label) : id, getPath(ctx.profile, path),
      [[true, t("yes")], [false, t("no")], [undefined, t("notSure")]], { help: help || null, source });
  }

  return {
    bundle,
    ctx,
    commit,
    field,
    declaration,
    sourceLine,
    register: (path, item) => register(places, path, item),
    widget: (path, w) => register(widgets, path, w),
    follow: (path, fn) => register(hooks, path, fn),
    reset() {
      widgets = new Map();
      places = new Map();
      hooks.clear();
    },
    has: (path) => places.has(path),
    showErrors(errors) {
      for (const list of places.values()) {
        for (const p of list) {
          p.wrap.classList.remove("gg-invalid");
          p.msg.hidden = true;
          p.msg.textContent = "";
          for (const input of p.wrap.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
        }
      }
      const unplaced = [];
      for (const e of errors || []) {
        const path = String(e.field).replace(/\[\d+\]$/, "");
        const list = places.get(path);
        if (!list) {
          unplaced.push(e);
          continue;
        }
        for (const p of list) {
          p.wrap.classList.add("gg-invalid");
          p.msg.hidden = false;
          p.msg.textContent = (p.msg.textContent ? p.msg.textContent + (lang() === "zh" ? "；" : "; ") : "") + tx(e.message);
          for (const input of p.wrap.querySelectorAll("input, select")) input.setAttribute("aria-invalid", "true");
          if (p.details) p.details.open = true;
          if (p.open) p.open();
        }
      }
      return unplaced;
    },
  };
}

/** The answered questions, for the printed report: [{title, rows: [[label, text]]}]. */
export function describeProfile(bundle, profile) {
  const yesNo = (v) => (v === true ? t("trueText") : v === false ? t("falseText") : display(v));
  const sections = [];
  const known = new Set();
  for (const section of bundle.profile.sections) {
    const rows = [];
    for (const f of section.fields) {
      known.add(f.path);
      const v = getPath(profile, f.path);
      if (v === undefined || v === null) continue;
      let text;
      if (f.type === "boolean") text = yesNo(v);
      else if (f.type === "choice") text = optionList(bundle, f).find((o) => same(o.value, v))?.label ?? display(v);
      else if (f.type === "multi-choice" && Array.isArray(v)) {
        const opts = optionList(bundle, f);
        text = v.map((x) => opts.find((o) => same(o.value, x))?.label ?? display(x)).join(lang() === "zh" ? "、" : ", ");
      } else if (f.type === "division") text = bundle.divisions[v] ? `${v} ${tx(bundle.divisions[v].name)}` : display(v);
      else text = display(v) + (f.unit ? ` ${tx(f.unit)}` : "");
      rows.push([tx(f.label), text]);
    }
    if (rows.length) sections.push({ title: tx(section.title), rows });
  }
  const scenes = isObject(profile.scenes) ? profile.scenes : {};
  const sceneRows = Object.entries(scenes).filter(([, v]) => v != null).map(([gid, v]) => {
    const names = new Map();
    for (const link of bundle.guides[gid] || []) for (const s of link.scenes) names.set(s.number, tx(s.name));
    const text = Array.isArray(v) ? v.map((n) => (names.has(n) ? `${n} ${names.get(n)}` : display(n))).join(lang() === "zh" ? "；" : "; ") : display(v);
    return [tx(bundle.guide_info[gid]?.title) || gid, text];
  });
  if (sceneRows.length) sections.push({ title: t("scenesTitle"), rows: sceneRows });
  const decl = isObject(profile.declarations) ? profile.declarations : {};
  const declRows = Object.entries(decl).filter(([, v]) => v != null)
    .map(([id, v]) => [bundle.declarations[id] ? tx(bundle.declarations[id].label) : id, yesNo(v)]);
  if (declRows.length) sections.push({ title: t("declarationsTitle"), rows: declRows });
  return sections;
}
