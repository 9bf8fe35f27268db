// The questionnaire, generated from the bundle's question schema
// (bundle.profile.sections), the scene guides and the declarations: nothing
// here is written per scheme. Sections in order: the schema's sections with
// the scenes (by guide and link) after "investment", then the declarations
// grouped under the schemes whose conditions use them.
import { el, clear, uid } from "./dom.js";
import { t, tx, lang } from "./i18n.js";
import { getPath, setPath } from "./profile.js";

// bundle.sectors[s].key_links are link numbers of this guide (catalogs/FORMAT.md).
export const KEY_LINK_GUIDE = "miit-2021";
const SCENES_AFTER = "investment";

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

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

/** Declaration ids used by each scheme, with the citing condition's source. */
export function declarationGroups(bundle) {
  const groups = [];
  const seen = new Set();
  const walk = (rule, out, source) => {
    if (!isObject(rule)) return;
    if (typeof rule.declaration === "string") out.push({ id: rule.declaration, source });
    for (const k of ["all", "any"]) for (const part of rule[k] || []) walk(part, out, source);
    if (rule.not) walk(rule.not, out, source);
  };
  for (const scheme of Object.values(bundle.schemes)) {
    const found = [];
    const conds = [...(scheme.conditions || [])];
    for (const level of scheme.levels || []) conds.push(...(level.conditions || []));
    for (const c of conds) walk(c.rule, found, c.source);
    const unique = [];
    for (const d of found) {
      if (bundle.declarations[d.id] && !unique.some((u) => u.id === d.id)) unique.push(d);
    }
    unique.forEach((d) => seen.add(d.id));
    if (unique.length) groups.push({ scheme, declarations: unique });
  }
  const rest = Object.keys(bundle.declarations).filter((id) => !seen.has(id)).map((id) => ({ id, source: null }));
  if (rest.length) groups.push({ scheme: null, declarations: rest });
  return groups;
}

function display(value) {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  return JSON.stringify(value);
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Text typed into a number field: a number when it reads as one, else the text
 *  itself (so the engine names the problem at the field), empty → unanswered. */
export function parseNumber(text) {
  const s = text.trim();
  if (s === "") return undefined;
  if (NUMBER.test(s)) {
    const n = Number(s);
    if (Number.isFinite(n)) return n;
  }
  return s;
}

const same = (a, b) => a === b || JSON.stringify(a) === JSON.stringify(b);

/**
 * Render the form into `container`. `ctx.profile` is the live profile object
 * (mutated in place); `onChange(path)` is called after every edit.
 * Returns {showErrors(errors) -> errors without a field here, refresh(), openFor(path)}.
 */
export function buildForm(container, bundle, ctx, onChange) {
  clear(container);
  const widgets = new Map(); // path -> [{sync(value)}]
  const places = new Map(); // path -> [{wrap, msg}]
  const keyLinkNodes = []; // {number, node, badge}
  let keyNote = null;

  const register = (map, path, item) => {
    if (!map.has(path)) map.set(path, []);
    map.get(path).push(item);
  };

  function commit(path, value, origin) {
    if (same(getPath(ctx.profile, path), value)) return;
    setPath(ctx.profile, path, value);
    for (const w of widgets.get(path) || []) if (w !== origin) w.sync(value);
    if (path === "enterprise.sector" || path === "enterprise.industry_division") refreshKeyLinks();
    onChange(path);
  }

  function sourceLine(source) {
    return source ? el("p", { class: "gg-source" }, t("source"), el("cite", { text: citeText(bundle, source) })) : null;
  }

  function wrapField(path, labelNode, control, { help, source, unit, group = false, extra = null } = {}) {
    const msg = el("p", { class: "gg-error", id: uid("gg-e"), role: "alert", hidden: true });
    const helpNode = help ? el("p", { class: "gg-help", id: uid("gg-h"), text: help }) : null;
    const wrap = el(group ? "fieldset" : "div", { class: "gg-field", "data-path": path },
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
        const input = el("input", { id, type: "text", inputmode: f.type === "integer" ? "numeric" : "decimal", autocomplete: "off", spellcheck: "false", name: path });
        input.value = display(value);
        const w = { sync: (v) => { if (!same(parseNumber(input.value), v)) input.value = display(v); } };
        input.addEventListener("input", () => commit(path, parseNumber(input.value), w));
        register(widgets, path, w);
        return wrapField(path, el("label", { for: id, text: label }), input, opts);
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
        return triState(path, label, value, opts);
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
      default:
        return wrapField(path, el("span", { class: "gg-label", text: label }), el("span", { text: display(value) }), opts);
    }
  }

  // ---- yes / no / not sure (booleans and declarations)
  function triState(path, label, value, opts) {
    const name = uid("gg-r");
    const choices = [[true, t("yes")], [false, t("no")], [undefined, t("notSure")]];
    const radios = choices.map(([v, text]) => {
      const input = el("input", { type: "radio", name, value: v === undefined ? "" : String(v) });
      return { v, input, label: el("label", { class: "gg-choice" }, input, " ", text) };
    });
    const note = el("span", { class: "gg-unknown", hidden: true });
    const fill = (v) => {
      const known = v === true || v === false || v === undefined;
      for (const r of radios) r.input.checked = known && r.v === v;
      note.hidden = known;
      note.textContent = known ? "" : t("unknownValue", { value: display(v) });
    };
    fill(value);
    const w = { sync: fill };
    for (const r of radios) r.input.addEventListener("change", () => { if (r.input.checked) commit(path, r.v, w); });
    register(widgets, path, w);
    return wrapField(path, el("legend", { text: label }), el("div", { class: "gg-tri" }, radios.map((r) => r.label), note), { ...opts, group: true });
  }

  // ---- checkboxes (multi-choice fields)
  function multiChoice(path, label, options, value, opts) {
    const box = el("div", { class: "gg-checks" });
    const checks = [];
    let extraBox = el("div", { class: "gg-checks gg-checks--unknown" });
    const current = () => {
      const v = getPath(ctx.profile, path);
      return Array.isArray(v) ? v : [];
    };
    const update = (w) => {
      const chosen = checks.filter((c) => c.input.checked).map((c) => c.value);
      const keep = current().filter((v) => !options.some((o) => same(o.value, v)) && extraChecked(v));
      const list = [...keep, ...chosen];
      commit(path, list.length ? list : undefined, w);
    };
    const extraState = new Map();
    const extraChecked = (v) => extraState.get(JSON.stringify(v)) !== false;
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

  // ---- scenes, by guide and link
  function scenesSection() {
    const section = el("section", { class: "gg-section", id: "gg-sec-scenes" },
      el("h2", { text: t("scenesTitle") }),
      el("p", { class: "gg-help", text: t("scenesHelp") }));
    const order = Object.keys(bundle.guides).sort((a, b) => (a === KEY_LINK_GUIDE ? -1 : b === KEY_LINK_GUIDE ? 1 : 0));
    for (const gid of order) section.append(guideBlock(gid));
    return section;
  }

  function guideBlock(gid) {
    const path = `scenes.${gid}`;
    const info = bundle.guide_info[gid] || { title: { zh: gid, en: gid } };
    const links = bundle.guides[gid];
    const value = getPath(ctx.profile, path);
    const total = links.reduce((n, l) => n + l.scenes.length, 0);
    const counter = el("span", { class: "gg-count" });
    const details = el("details", { class: "gg-guide", "data-guide": gid },
      el("summary", {}, el("span", { class: "gg-guide__title", text: tx(info.title) }), " ", counter));
    if (gid === KEY_LINK_GUIDE || (Array.isArray(value) && value.length) || (value !== undefined && !Array.isArray(value))) details.open = true;
    const checks = [];
    const extraBox = el("div", { class: "gg-checks gg-checks--unknown" });
    const extraOff = new Set();
    const update = (w) => {
      const cur = getPath(ctx.profile, path);
      const keep = (Array.isArray(cur) ? cur : []).filter((n) => !checks.some((c) => c.number === n) && !extraOff.has(JSON.stringify(n)));
      const chosen = checks.filter((c) => c.input.checked).map((c) => c.number);
      const list = [...new Set([...keep, ...chosen])].sort((a, b) => (typeof a === "number" && typeof b === "number" ? a - b : 0));
      commit(path, list.length ? list : undefined, w);
      setCount();
    };
    const setCount = () => {
      const v = getPath(ctx.profile, path);
      const n = Array.isArray(v) ? v.length : 0;
      counter.textContent = lang() === "zh" ? `已选 ${n} / ${total}` : `${n} of ${total} ticked`;
    };
    const body = el("div", { class: "gg-guide__body" });
    if (gid === KEY_LINK_GUIDE) {
      keyNote = el("p", { class: "gg-keynote" });
      body.append(keyNote);
    }
    for (const link of links) {
      const badge = el("span", { class: "gg-badge gg-badge--key", text: t("keyLink"), hidden: true });
      const fs = el("fieldset", { class: "gg-link", "data-link": link.number },
        el("legend", {}, `${t("link", { n: link.number })} ${tx(link.name)} `, badge),
        link.summary ? el("p", { class: "gg-help", text: tx(link.summary) }) : null);
      for (const scene of link.scenes) {
        const input = el("input", { type: "checkbox", value: String(scene.number), "data-scene": scene.number });
        checks.push({ number: scene.number, input });
        fs.append(el("label", { class: "gg-scene" }, input, " ",
          el("span", { class: "gg-scene__name", text: `${scene.number}. ${tx(scene.name)}` }),
          scene.description ? el("span", { class: "gg-scene__desc", text: tx(scene.description) }) : null));
      }
      if (gid === KEY_LINK_GUIDE) keyLinkNodes.push({ number: link.number, node: fs, badge });
      body.append(fs);
    }
    const w = {
      sync: (v) => {
        const list = Array.isArray(v) ? v : [];
        for (const c of checks) c.input.checked = list.includes(c.number);
        clear(extraBox);
        extraOff.clear();
        for (const x of list.filter((x) => !checks.some((c) => c.number === x))) {
          const input = el("input", { type: "checkbox", checked: true });
          input.addEventListener("change", () => { if (input.checked) extraOff.delete(JSON.stringify(x)); else extraOff.add(JSON.stringify(x)); update(w); });
          extraBox.append(el("label", { class: "gg-choice gg-unknown" }, input, " ", t("unknownValue", { value: display(x) })));
        }
        if (v !== undefined && !Array.isArray(v)) extraBox.append(unknownNote(v));
        setCount();
      },
    };
    for (const c of checks) c.input.addEventListener("change", () => update(w));
    w.sync(value);
    register(widgets, path, w);
    const msg = el("p", { class: "gg-error", role: "alert", hidden: true });
    register(places, path, { wrap: details, msg, details });
    body.append(extraBox);
    details.append(sourceLine(info.source) || "", msg, body);
    return details;
  }

  function refreshKeyLinks() {
    const e = ctx.profile.enterprise;
    let sector = null;
    if (isObject(e)) {
      if (typeof e.sector === "string" && bundle.sectors[e.sector]) sector = e.sector;
      else if (typeof e.industry_division === "string" && bundle.divisions[e.industry_division]) sector = bundle.divisions[e.industry_division].sector;
    }
    const keys = new Set((sector && bundle.sectors[sector].key_links) || []);
    for (const k of keyLinkNodes) {
      k.node.classList.toggle("gg-link--key", keys.has(k.number));
      k.badge.hidden = !keys.has(k.number);
    }
    if (keyNote) keyNote.textContent = keys.size ? t("keyLinksNote", { sector: tx(bundle.sectors[sector].name), n: keys.size }) : t("keyLinksNone");
  }

  // ---- declarations, grouped under the schemes that use them
  function declarationsSection() {
    const section = el("section", { class: "gg-section", id: "gg-sec-declarations" },
      el("h2", { text: t("declarationsTitle") }),
      el("p", { class: "gg-help", text: t("declarationsHelp") }));
    for (const group of declarationGroups(bundle)) {
      const fs = el("fieldset", { class: "gg-declgroup", "data-scheme": group.scheme ? group.scheme.id : "" },
        el("legend", { text: group.scheme ? tx(group.scheme.name) : t("otherDeclarations") }));
      for (const d of group.declarations) {
        const decl = bundle.declarations[d.id];
        const path = `declarations.${d.id}`;
        fs.append(triState(path, tx(decl.label), getPath(ctx.profile, path), { help: decl.help ? tx(decl.help) : null, source: d.source }));
      }
      section.append(fs);
    }
    return section;
  }

  // ---- assemble
  const form = el("form", { class: "gg-form", id: "gg-form", novalidate: true, autocomplete: "off" });
  form.addEventListener("submit", (e) => e.preventDefault());
  form.append(el("h2", { class: "gg-form__title", text: t("formTitle") }));
  let scenesDone = false;
  for (const section of bundle.profile.sections) {
    form.append(el("section", { class: "gg-section", id: `gg-sec-${section.id}` },
      el("h2", { text: tx(section.title) }),
      section.help ? el("p", { class: "gg-help", text: tx(section.help) }) : null,
      section.fields.map(field)));
    if (section.id === SCENES_AFTER) {
      form.append(scenesSection());
      scenesDone = true;
    }
  }
  if (!scenesDone) form.append(scenesSection());
  form.append(declarationsSection());
  container.append(form);
  refreshKeyLinks();

  return {
    form,
    refresh: refreshKeyLinks,
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
  for (const section of bundle.profile.sections) {
    const rows = [];
    for (const f of section.fields) {
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
  const sceneRows = Object.entries(scenes).filter(([, v]) => v != null)
    .map(([gid, v]) => [tx(bundle.guide_info[gid]?.title) || gid, Array.isArray(v) ? v.join(", ") : display(v)]);
  if (sceneRows.length) sections.push({ title: t("scenesTitle"), rows: sceneRows });
  const decl = isObject(profile.declarations) ? profile.declarations : {};
  const declRows = Object.entries(decl).filter(([, v]) => v != null)
    .map(([id, v]) => [bundle.declarations[id] ? tx(bundle.declarations[id].label) : id, yesNo(v)]);
  if (declRows.length) sections.push({ title: t("declarationsTitle"), rows: declRows });
  return sections;
}
