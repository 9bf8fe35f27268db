// The application pack: a ready-to-edit 申报书 (.docx) for one scheme, made in the browser
// from the same answers the calculator evaluates. Nothing is sent anywhere: the file is
// built here (npm `docx`, bundled at site-build time into ./docx.js and loaded only when a
// draft is downloaded) and handed to the browser as a download.
//
// The form's structure is catalog data (bundle.application_forms[scheme]: its parts and tables in
// the document's order, each table with the form's own columns, each citing its source); the
// values come from the profile (its itemized lists fill the tables) and from the engine's result
// (derived facts: sizes, sectors, coverage, list totals). No scoring here.
// A broken or partial profile still gives a draft: what is missing is marked 【待填写】 (a cell) or
// 【待撰写】 (a text) in the body; how a cell was filled, word counts and the generator's note are
// Word comments (word/comments.xml), so the body is what the enterprise submits.
//
//   draftModel(ctx, schemeId)          the draft as plain blocks (no DOM, no docx): tests read it
//   buildDraft(docx, ctx, schemeId)    {blob, filename, model}: the .docx built with the docx module
//   downloadDraft(ctx, schemeId)       loads ./docx.js, builds, downloads; {filename, warnings}
//   countChars(text)                   字数 as the core counts it (guidegen.core.kpis.count_chars)
//
// ctx = {bundle, profile, result}: result is the engine's answer for the profile (or null
// while it loads, or {errors: [...]} for a profile with errors).

export const MISSING = "【待填写】";
export const WRITE_HERE = "【待撰写】";

// 字数 as Word and WPS count it (contract 1.2): the same explicit code-point table as
// guidegen.core.kpis (CJK_RANGES, SPACE_RANGES, IGNORED_RANGES), so both agree on every string
// (tests/test_wordcount.py runs both on one table).
const CJK_RANGES = [[0x00B7, 0x00B7], [0x2014, 0x2015], [0x201C, 0x201D], [0x2026, 0x2026], [0x2E80, 0x2FDF],
  [0x2FF0, 0x2FFF], [0x3001, 0x303F], [0x3040, 0x30FF], [0x3100, 0x312F], [0x3190, 0x31FF],
  [0x3200, 0x33FF], [0x3400, 0x4DBF], [0x4E00, 0x9FFF], [0xF900, 0xFAFF], [0xFE10, 0xFE1F],
  [0xFE30, 0xFE6F], [0xFF01, 0xFF60], [0xFFE0, 0xFFE6], [0x20000, 0x3FFFF]];
const SPACE_RANGES = [[0x0000, 0x0020], [0x007F, 0x00A0], [0x1680, 0x1680], [0x2000, 0x200B], [0x2028, 0x2029],
  [0x202F, 0x202F], [0x205F, 0x205F], [0x3000, 0x3000]];
const IGNORED_RANGES = [[0x00AD, 0x00AD], [0x200C, 0x200F], [0x202A, 0x202E], [0x2060, 0x2064], [0x2066, 0x2069],
  [0xFEFF, 0xFEFF]];
const inRanges = (cp, ranges) => ranges.some(([lo, hi]) => lo <= cp && cp <= hi);

/** 字数 as guidegen.core.kpis.count_chars counts it (Word and WPS): each CJK character or
 *  full-width mark one, each maximal run of other non-space characters one ("12.5%", "GB/T",
 *  "MES/ERP": one each), white space and invisible format characters none. Used while typing
 *  and for the draft, which must count the text as it is now (the engine may not have seen the
 *  latest edit). */
export function countChars(text) {
  if (!text) return 0;
  let n = 0;
  let inWord = false;
  for (const ch of String(text)) {
    const cp = ch.codePointAt(0);
    if (inRanges(cp, IGNORED_RANGES)) continue;
    if (inRanges(cp, SPACE_RANGES)) inWord = false;
    else if (inRanges(cp, CJK_RANGES)) { n += 1; inWord = false; }
    else if (!inWord) { n += 1; inWord = true; }
  }
  return n;
}

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const zh = (text) => (text == null ? "" : typeof text === "string" ? text : String(text.zh ?? text.en ?? ""));
const LEVEL1 = /^[一二三四五六七八九十]+、/;

function deepGet(obj, path) {
  let v = obj;
  for (const part of String(path).split(".")) {
    if (!isObject(v)) return undefined;
    v = v[part];
  }
  return v;
}

/** The scheme's result inside the engine's answer (null when there is none). */
function schemeResult(result, schemeId) {
  if (!isObject(result) || !Array.isArray(result.results)) return null;
  return result.results.find((r) => r && r.scheme === schemeId) || null;
}

/** A profile field or derived fact: the engine's derived value first, the raw profile next.
 *  A value an itemized list gives (a sum, a count) is derived: the engine's answer says how. */
function factValue(ctx, path) {
  if (path === "draft.scheme") return ctx.scheme;
  const derived = isObject(ctx.result) && isObject(ctx.result.derived) ? ctx.result.derived : {};
  // The result names derived facts without their "derived." prefix (coverage.* keep theirs).
  const key = path.startsWith("derived.") ? path.slice(8) : path;
  if (derived[key] && derived[key].value !== undefined && derived[key].value !== null) return derived[key].value;
  if (path.startsWith("derived.") || path.startsWith("coverage.")) return undefined;
  const v = deepGet(ctx.profile || {}, path);
  return v === null || v === "" ? undefined : v;
}

/** How the engine derived a value (its own words), for the margin. */
function derivedHow(ctx, path) {
  const derived = isObject(ctx.result) && isObject(ctx.result.derived) ? ctx.result.derived : {};
  const key = path.startsWith("derived.") ? path.slice(8) : path;
  return derived[key] && derived[key].how ? zh(derived[key].how) : "";
}

function fieldOf(bundle, path) {
  for (const s of (bundle.profile && bundle.profile.sections) || []) {
    for (const f of s.fields || []) if (f.path === path) return f;
  }
  return null;
}

/** 近三年: the three calendar years before the evaluation date (the engine's `today`). */
function windowYears(ctx) {
  const day = isObject(ctx.result) && typeof ctx.result.today === "string" ? ctx.result.today : new Date().toISOString();
  const y = Number(day.slice(0, 4));
  return [y - 3, y - 2, y - 1];
}

function listAt(ctx, path) {
  const v = deepGet(ctx.profile || {}, path);
  return Array.isArray(v) ? v.filter(isObject) : null;
}

function vocabName(bundle, field, value) {
  const from = field && field.options_from;
  if (field && Array.isArray(field.options)) {
    const o = field.options.find((x) => x.value === value);
    if (o) return zh(o.label);
  }
  if (from === "technologies" || from === "modes") {
    const o = (bundle[from] || []).find((x) => x.id === value);
    if (o) return zh(o.name);
  }
  if (from === "sectors" && bundle.sectors && bundle.sectors[value]) return zh(bundle.sectors[value].name);
  if (from === "support-elements") {
    for (const info of Object.values(bundle.guide_info || {})) {
      for (const cat of info.support_elements || []) {
        const st = (cat.subtypes || []).find((x) => x.id === value);
        if (st) return `${zh(cat.name)}：${zh(st.name)}`;
      }
    }
  }
  return String(value);
}

const num = (v) => (typeof v === "number" ? String(Math.round(v * 10000) / 10000) : String(v));

/** A value as the form's cell shows it ("" when there is none). */
function formatValue(bundle, path, value) {
  if (value === undefined || value === null || value === "") return "";
  const field = fieldOf(bundle, path);
  if (path === "enterprise.industry_division" && bundle.divisions && bundle.divisions[value]) {
    return `${value} ${zh(bundle.divisions[value].name)}`;
  }
  if (typeof value === "boolean") return value ? "是" : "否";
  if (Array.isArray(value)) return value.length ? value.map((v) => vocabName(bundle, field, v)).join("、") : "无";
  if (isObject(value)) return "";
  if (field && (field.options || field.options_from)) return vocabName(bundle, field, value);
  return num(value);
}

/** The label of a list entry's choice: the form's own word (part.labels), else the schema's. */
function itemLabel(bundle, listPath, key, value, labels) {
  if (value === undefined || value === null || value === "") return "";
  if (labels && isObject(labels[key]) && labels[key][value] !== undefined) return String(labels[key][value]);
  const field = listPath ? fieldOf(bundle, listPath) : null;
  const col = field && (field.item || []).find((c) => c.key === key);
  if (col && Array.isArray(col.options)) {
    const o = col.options.find((x) => x.value === value);
    if (o) return zh(o.label);
  }
  return num(value);
}

function yearMonth(value) {
  return typeof value === "string" && /^\d{4}-\d{2}/.test(value) ? `${value.slice(0, 4)}年${Number(value.slice(5, 7))}月` : value;
}

/** Entries of a list that match one of the alternatives ({key: [values]}, null = not given). */
function matches(entry, where) {
  if (!where) return true;
  const alts = Array.isArray(where) ? where : [where];
  return alts.some((alt) => Object.entries(alt).every(([k, vals]) => vals.includes(entry[k] === undefined ? null : entry[k])));
}

const cellOf = (text, extra = {}) => ({ text: text === undefined || text === null ? "" : String(text), missing: false, ...extra });
const missingCell = (extra = {}) => ({ text: "", missing: true, ...extra });

function rowCell(ctx, row) {
  const { bundle } = ctx;
  const comment = [zh(row.comment), zh(row.note)].filter(Boolean).join(" ");
  if (row.only_for && !row.only_for.includes(ctx.scheme)) {
    return cellOf("", { comment: `${comment ? `${comment} ` : ""}本栏仅${row.only_for.map((s) => zh((bundle.schemes[s] || {}).name) || s).join("、")}申报填写，本次申报无需填写。` });
  }
  if (row.blank) return cellOf(zh(row.blank), { comment });
  if (row.sum) {
    const list = listAt(ctx, row.sum.list);
    if (!list) return missingCell({ comment: `${comment}档案未逐项填写${zh((fieldOf(bundle, row.sum.list) || {}).label)}，无法分出此项；逐项填写后自动合计。` });
    const years = windowYears(ctx);
    const picked = list.filter((e) => matches(e, row.sum.where) && (e.year === undefined || years.includes(e.year)));
    const total = picked.reduce((s, e) => s + (typeof e[row.sum.key] === "number" ? e[row.sum.key] : 0), 0);
    return cellOf(num(total), { comment: `按${zh((fieldOf(bundle, row.sum.list) || {}).label)}中此类${picked.length}项合计。` });
  }
  if (!row.fill) {
    if (Array.isArray(row.choices)) return { text: row.choices.map((c) => `☐${zh(c.label)}`).join("  "), missing: !row.optional, comment };
    return row.optional ? cellOf("", { comment }) : missingCell({ comment });
  }
  const value = factValue(ctx, row.fill);
  // A list of entries (R&D centres, partners): their names, as the form asks — never a count.
  if ((fieldOf(bundle, row.fill) || {}).type === "items") {
    const list = listAt(ctx, row.fill);
    const names = (list || []).filter((e) => e.name).map((e) => {
      const d = row.detail ? itemLabel(bundle, row.fill, row.detail, e[row.detail]) : "";
      return d ? `${e.name}（${d}）` : e.name;
    });
    for (const other of row.also || []) {
      for (const e of listAt(ctx, other) || []) {
        const n = e.supplier || e.provider;
        if (n && !names.some((x) => x.startsWith(n))) names.push(`${n}（供应商）`);
      }
    }
    if (!names.length) {
      const counts = (fieldOf(bundle, row.fill).totals || []).map((t) => [t, factValue(ctx, t.into)]).filter(([, v]) => typeof v === "number" && v > 0);
      const said = counts.map(([t, v]) => `${zh((fieldOf(bundle, t.into) || {}).label) || t.into}${v}`).join("、");
      return missingCell({ comment: `${said ? `档案只有数量（${said}），` : ""}此栏应列出名称：请在档案的“${zh(fieldOf(bundle, row.fill).label)}”中逐项填写。` });
    }
    return cellOf(names.join("；"), { comment });
  }
  if (Array.isArray(row.choices)) {
    // A list value (application.schemes) ticks every choice it holds.
    // a choice may stand for several values (Zhuzhou's 国有 = central or local state-owned)
    const holds = (v) => (Array.isArray(v) ? v.some((x) => x === value) : Array.isArray(value) ? value.includes(v) : v === value);
    const known = value !== undefined && row.choices.some((c) => holds(c.value));
    const text = row.choices.map((c) => `${holds(c.value) ? "☑" : "☐"}${zh(c.label)}`).join("  ");
    const how = row.fill.startsWith("derived.") ? derivedHow(ctx, row.fill) : "";
    return { text, missing: !known, comment: [comment, how].filter(Boolean).join(" ") };
  }
  if (row.tick_all) {
    const field = fieldOf(bundle, row.fill) || {};
    const held = new Set(Array.isArray(value) ? value : []);
    let text;
    if (field.options_from === "support-elements") {
      const cats = [];
      for (const info of Object.values(bundle.guide_info || {})) for (const cat of info.support_elements || []) cats.push(cat);
      text = cats.map((cat) => `${zh(cat.name)}：${(cat.subtypes || []).map((st) => `${held.has(st.id) ? "☑" : "☐"}${zh(st.name)}`).join(" ")}`).join("\n");
    } else {
      const opts = field.options_from ? (bundle[field.options_from] || []).map((o) => ({ value: o.id, label: o.name })) : field.options || [];
      text = opts.map((o) => `${held.has(o.value) ? "☑" : "☐"}${zh(o.label)}`).join("  ");
    }
    return { text, missing: value === undefined, comment };
  }
  if (row.tick) {
    const values = [value, ...(row.also || []).map((p) => factValue(ctx, p))];
    if (values.every((v) => v === undefined)) return { text: "☐是  ☐否", missing: true, comment };
    const count = values.reduce((s, v) => s + (typeof v === "number" ? v : v ? 1 : 0), 0);
    return cellOf(`${count > 0 ? "☑是" : "☐是  ☑否"}${count > 1 ? `（${count}项）` : ""}`, { comment });
  }
  const paths = [row.fill, ...(row.join || [])];
  const parts = paths.map((p) => {
    const v = factValue(ctx, p);
    // 组织机构代码: characters 9–17 of the unified social credit code (GB 32100-2015), as XXXXXXXX-X
    if (row.format === "org-code") return typeof v === "string" && v.length === 18 ? `${v.slice(8, 16)}-${v.slice(16, 17)}` : "";
    return row.format === "year-month" ? yearMonth(v) : formatValue(bundle, p, v);
  });
  const how = row.fill.startsWith("derived.") || listDerived(ctx, row.fill) ? derivedHow(ctx, row.fill) : "";
  const shown = parts.filter(Boolean);
  const text = shown.length === parts.length ? parts.join(row.separator ? ` ${row.separator} ` : "  ") : parts.map((x) => x || MISSING).join(row.separator ? ` ${row.separator} ` : "  ");
  const hasAll = shown.length === parts.length;
  if (!shown.length) return missingCell({ comment });
  return { text: hasAll ? text : text, missing: false, partial: !hasAll, comment: [comment, how].filter(Boolean).join(" ") };
}

function listDerived(ctx, path) {
  const derived = isObject(ctx.result) && isObject(ctx.result.derived) ? ctx.result.derived : {};
  return Boolean(derived[path]);
}

function guideScenes(bundle, guide) {
  const links = (bundle.guides && bundle.guides[guide]) || [];
  const out = [];
  links.forEach((link, i) => {
    for (const scene of link.scenes || []) out.push({ link: link.number ?? i + 1, linkName: zh(link.name), number: scene.number, name: zh(scene.name), dimension: link.dimension });
  });
  return out;
}

/** Scene instances the profile gives for a guide (scene_instances.GUIDE: [{scene, name, …}]). */
function instancesOf(ctx, guide) {
  const list = deepGet(ctx.profile || {}, "scene_instances");
  const items = isObject(list) && Array.isArray(list[guide]) ? list[guide] : [];
  return items.filter((x) => isObject(x) && Number.isInteger(x.scene) && typeof x.name === "string" && x.name.trim());
}

function instanceNames(ctx, guide, number) {
  return instancesOf(ctx, guide).filter((x) => x.scene === number).map((x) => x.name.trim());
}

function tickedScenes(ctx, guide) {
  const list = deepGet(ctx.profile || {}, `scenes.${guide}`);
  return Array.isArray(list) ? list.filter((n) => Number.isInteger(n)) : [];
}

/** One entry per scene instance of the ticked scenes, in the order ticked: a scene without a
 *  named instance gives one entry without one. */
function sceneEntries(ctx, guide) {
  const all = guideScenes(ctx.bundle, guide);
  const out = [];
  for (const n of tickedScenes(ctx, guide)) {
    const s = all.find((x) => x.number === n);
    if (!s) continue;
    const named = instancesOf(ctx, guide).filter((x) => x.scene === n);
    if (!named.length) out.push({ ...s, instance: null });
    for (const inst of named) out.push({ ...s, instance: inst });
  }
  return out;
}

function limitText(part) {
  if (part.word_limit) return `（${part.word_limit}字以内）`;
  if (part.min_words) return `（${part.min_words}字以上）`;
  return "";
}

function countNote(chars, part) {
  if (!part.word_limit && !part.min_words) return "";
  if (part.word_limit && chars > part.word_limit) return `超出字数限制：已写${chars}字，限${part.word_limit}字。`;
  if (part.min_words && chars < part.min_words) return `字数不足：已写${chars}字，要求${part.min_words}字以上。`;
  return `已写${chars}字${part.word_limit ? `，限${part.word_limit}字` : `，要求${part.min_words}字以上`}。`;
}

/** The text written for one scene in a per-scene part (application.scene_sections.PART.N). */
function sceneText(ctx, part, number) {
  const text = deepGet(ctx.profile || {}, `application.scene_sections.${part.id}.${number}`);
  const written = typeof text === "string" && text.trim() !== "";
  // Counted here by the core's rule (tested equal): the engine's count may be of an older text.
  const chars = countChars(written ? text : "");
  const over = written && Boolean(part.word_limit) && chars > part.word_limit;
  return { text: written ? text : "", chars, over, comment: written ? countNote(chars, part) : "" };
}

/** Whether the enterprise applies for an optional block (Hunan 智慧供应链): true, false or undefined. */
function applying(ctx, part) {
  if (!part.applying) return true;
  const v = factValue(ctx, part.applying);
  return typeof v === "boolean" ? v : undefined;
}

const NOT_APPLYING = "不申报，无需填报。";

/** The texts written for other parts counted with this one (Zhuzhou 三: the outline's parts). */
function countedWith(ctx, part) {
  let n = 0;
  for (const id of part.count_with || []) {
    const own = deepGet(ctx.profile || {}, `application.sections.${id}`);
    if (typeof own === "string") n += countChars(own);
    const per = deepGet(ctx.profile || {}, `application.scene_sections.${id}`);
    if (isObject(per)) for (const t of Object.values(per)) if (typeof t === "string") n += countChars(t);
  }
  return n;
}

function narrativeBlock(ctx, part) {
  const text = deepGet(ctx.profile || {}, `application.sections.${part.id}`);
  const written = typeof text === "string" && text.trim() !== "";
  const count = countChars(written ? text : "") + countedWith(ctx, part);
  const over = Boolean(part.word_limit) && count > part.word_limit;
  const under = (written || count > 0) && Boolean(part.min_words) && count < part.min_words;
  const title = zh(part.title);
  const prompt = zh(part.prompt);
  // The limit goes beside the title as the form prints it, unless the form's own prompt says it.
  const limit = part.word_limit || part.min_words;
  const limitShown = limit && !prompt.includes(`${limit}字`) ? limitText(part) : "";
  const apply = applying(ctx, part);
  const comments = [zh(part.note), written || part.word_limit || part.min_words ? `${countNote(count, part)}${part.count_with ? "（含下面编写提纲各部分）" : ""}` : ""].filter(Boolean);
  if (apply === false) comments.push("档案中选择不申报此项。");
  if (apply === undefined) comments.push("如不申报此项，可不填写。");
  return {
    kind: "narrative", id: part.id, title, level: part.level || (LEVEL1.test(title) ? 1 : 2), limit: limitShown, prompt,
    text: written ? text : apply === false ? NOT_APPLYING : "", written, chars: count, over, under,
    wordLimit: part.word_limit || null, minWords: part.min_words || null,
    required: part.required !== false && apply !== false, optionalEmpty: part.required === false || apply !== true,
    comments,
  };
}

function kpiBlock(ctx, part) {
  const { bundle } = ctx;
  const list = bundle.kpi_lists && bundle.kpi_lists[part.list];
  const mode = (list && list.values) || "current";
  const indicators = list ? (list.groups ? list.groups.flatMap((g) => g.indicators) : list.indicators || []) : [];
  const apply = applying(ctx, part);
  const rows = indicators.map((ind) => {
    const raw = deepGet(ctx.profile || {}, `kpis.${ind.id}`);
    const entry = isObject(raw) ? raw : raw === undefined || raw === null ? {} : { value: raw };
    // Values as the profile holds them now (a download right after an edit may beat the engine).
    const value = typeof entry.value === "number" ? entry.value : null;
    const before = typeof entry.before === "number" ? entry.before : null;
    const unit = ind.unit || (typeof entry.unit === "string" ? entry.unit.trim() : "") || "";
    const name = `${ind.required ? "*" : ""}${zh(ind.name)}${part.unit_in_name && unit ? `（${unit}）` : ""}`;
    const show = (v) => (v === null ? "" : part.unit_in_name || !unit ? num(v) : `${num(v)}${/^[%‰]/.test(unit) ? "" : " "}${unit}`);
    const required = Boolean(ind.required) && apply === true;
    return { id: ind.id, name, required, value: show(value), before: show(before), missing: required && value === null };
  });
  const comments = [zh(part.comment)];
  if (rows.some((r) => r.required)) comments.push("*为必填项。");
  if (apply === false) comments.push("档案中选择不申报此项，本部分无需填报。");
  if (apply === undefined) comments.push("如不申报此项，本部分无需填报。");
  return { kind: "kpis", id: part.id, title: zh(part.title || (list && list.name)), mode, rows, other: zh(part.other_row),
    comments: comments.filter(Boolean), missingRequired: rows.filter((r) => r.missing).map((r) => r.name) };
}

function scenesBlock(ctx, part) {
  const all = guideScenes(ctx.bundle, part.guide);
  const ticked = new Set(tickedScenes(ctx, part.guide));
  const info = ctx.bundle.guide_info && ctx.bundle.guide_info[part.guide];
  return { kind: "scenes", id: part.id, title: zh(part.title), note: zh(part.note), prompt: zh(part.prompt), style: part.style || "list", guide: part.guide,
    guideTitle: info ? zh(info.title) : part.guide, other: zh(part.other_row),
    scenes: all.map((s) => ({ ...s, ticked: ticked.has(s.number), instances: instanceNames(ctx, part.guide, s.number) })) };
}

function attachmentsBlock(ctx, scheme, part) {
  // The form's own list (catalogs/forms) when it has one; else the scheme's materials, without
  // headings of their own and without one region's rules (e.g. 重庆's paper copies).
  const own = part && Array.isArray(part.items);
  const items = own ? part.items.map((t) => ({ title: zh(t), optional: false }))
    : ((scheme.materials && scheme.materials.attachments) || []).map((a) => ({ title: zh(a.title), optional: a.required === false }))
      .filter((a) => !LEVEL1.test(a.title) && !/重庆/.test(a.title));
  return { kind: "attachments", id: part ? part.id : "attachments", title: part ? zh(part.title) : "相关附件", items,
    comment: own && !items.length ? "申报书此处未列出具体附件：按通知要求附上相关证明材料。" : "" };
}

/** Rows of a form table: the entries of a profile list (or of each scene instance's lists). */
function tableBlock(ctx, part, guide) {
  const { bundle } = ctx;
  const years = windowYears(ctx);
  const comments = [zh(part.comment)];
  let entries = [];
  let given = false;
  if (part.items) {
    const list = listAt(ctx, part.items);
    given = Boolean(list);
    entries = (list || []).map((e) => ({ ...e, _list: part.items }));
    if (part.window) {
      const outside = entries.filter((e) => e[part.window] !== undefined && !years.includes(e[part.window]));
      entries = entries.filter((e) => !outside.includes(e));
      if (outside.length) comments.push(`档案中另有${outside.length}项不在近三年（${years[0]}–${years[2]}年）内，未列入、未计入总投入。`);
    }
  } else if (part.sources) {
    for (const s of sceneEntries(ctx, guide || part.guide)) {
      const instName = s.instance ? s.instance.name : "";
      for (const src of part.sources) {
        let list;
        if (src.list.includes(".")) {
          list = (listAt(ctx, src.list) || []).filter((e) => (src.match ? instName && e[src.match] === instName : true));
          if (listAt(ctx, src.list)) given = true;
        } else list = s.instance && Array.isArray(s.instance[src.list]) ? s.instance[src.list].filter(isObject) : [];
        for (const e of list.filter((x) => matches(x, src.where))) {
          const row = { _list: src.list.includes(".") ? src.list : null, _instance: instName || s.name };
          for (const [k, v] of Object.entries(e)) row[(src.rename && src.rename[k]) || k] = v;
          entries.push(row);
        }
      }
    }
  }
  const optionalKeys = new Set(["remarks"]);
  const rows = entries.map((e, i) => part.columns.map((c) => {
    if (c.key === "_n") return cellOf(String(i + 1));
    const v = e[c.key];
    if (v === undefined || v === null || v === "") {
      if (optionalKeys.has(c.key)) return cellOf("");
      // a row of the equipment list and a row of new technologies share one table (附5-2)
      if (part.sources && (c.key.startsWith("tech_") ? !("tech_name" in e) : "tech_name" in e && c.key !== "_instance")) return cellOf("");
      return missingCell();
    }
    return cellOf(c.key === "_instance" ? v : itemLabel(bundle, e._list, c.key, v, part.labels));
  }));
  let total = null;
  if (part.total) {
    total = entries.reduce((s, e) => s + (typeof e[part.total.key] === "number" ? e[part.total.key] : 0), 0);
    if (entries.length) {
      const engine = factValue(ctx, part.total.into);
      comments.push(`本表${entries.length}项合计${num(total)}万元${typeof engine === "number" ? `，与评分所用的${zh((fieldOf(bundle, part.total.into) || {}).label)}（${num(engine)}万元）一致` : ""}。`);
    }
  }
  if (!rows.length) {
    // The form's empty row: for an optional (选填) table blank, else to be filled in.
    rows.push(part.columns.map((c) => (c.key === "_n" ? cellOf("1") : part.optional || optionalKeys.has(c.key) ? cellOf("") : missingCell())));
    if (part.optional) comments.push("选填：档案中没有这项内容；如无，可不填或删去本表。");
    else if (part.items) comments.push(given ? "档案的清单中没有近三年内的条目。" : `档案未逐项填写“${zh((fieldOf(bundle, part.items) || {}).label)}”；逐项填写后，本表与评分所用的合计一并生成。`);
  }
  const hints = part.columns.filter((c) => c.hint).map((c) => `${zh(c.header)}：${zh(c.hint)}`);
  if (hints.length) comments.push(`表中选项：${hints.join("；")}`);
  return { kind: "table", id: part.id, title: zh(part.title), headers: part.columns.map((c) => zh(c.header)), rows, total,
    entries: entries.length, comments: comments.filter(Boolean) };
}

function yearsBlock(ctx, part) {
  const years = part.years === "window" ? windowYears(ctx) : part.years;
  const list = listAt(ctx, "itemized.financials") || [];
  const byYear = new Map(list.filter((e) => Number.isInteger(e.year)).map((e) => [e.year, e]));
  const comments = [];
  if (part.years === "window") comments.push(`近三年按评估日期之前的三个完整年度：${years.join("、")}年。`);
  if (!list.length) comments.push("档案未填“近三年主要经济指标”，请逐年填写。");
  const rows = part.lines.map((line) => [cellOf(zh(line.label)), ...years.map((y) => {
    const e = byYear.get(y);
    const v = e ? e[line.key] : undefined;
    return typeof v === "number" ? cellOf(num(v)) : missingCell();
  })]);
  // 主营业务收入 is what these forms print; the profile's 营业收入 is another figure.
  if (part.lines.some((l) => l.key === "main_revenue") && years.some((y) => byYear.get(y) && byYear.get(y).main_revenue === undefined && byYear.get(y).operating_revenue !== undefined)) {
    comments.push("表中为主营业务收入；档案只有营业收入的年份未填入，请补填主营业务收入。");
  }
  return { kind: "years", id: part.id, headers: [zh(part.corner), ...part.year_headers.map(zh)], rows, years, comments };
}

/** 附1-1 / 附5-1 / 附4 (二): one form per scene instance (rows), or one row per instance (columns). */
function sceneFormBlock(ctx, part, partsById) {
  const entries = sceneEntries(ctx, part.guide);
  const list = entries.length ? entries : [null];
  const forms = list.map((s, i) => part.cells.map((c) => {
    const inst = s && s.instance;
    if (c.from === "number") return cellOf(String(i + 1));
    if (c.from === "blank") return cellOf("");
    if (!s) return c.part && (partsById[c.part] || {}).required === false ? cellOf("") : missingCell();
    if (c.from === "link") return cellOf(s.linkName);
    if (c.from === "scene") return cellOf(s.name);
    if (c.from === "instance") return inst ? cellOf(inst.name) : missingCell();
    if (c.from === "scene-instance") return cellOf(inst ? `${s.name}（${inst.name}）` : s.name);
    if (c.from === "period") {
      const a = inst && inst.start ? yearMonth(inst.start) : null;
      const b = inst && inst.end ? yearMonth(inst.end) : null;
      return a || b ? cellOf(`${a || MISSING} 至 ${b || MISSING}`) : missingCell();
    }
    if (c.part) {
      const p = partsById[c.part] || { id: c.part };
      const t = sceneText(ctx, p, s.number);
      if (t.text) return cellOf(t.text, { comment: t.comment, over: t.over, chars: t.chars });
      if (c.key && inst && typeof inst[c.key] === "string") return cellOf(inst[c.key], { comment: "取自档案中的场景实例描述。" });
      if (p.required === false) return cellOf("", { comment: "选填。" });
      return missingCell({ write: true, comment: p.word_limit ? `限${p.word_limit}字。` : "" });
    }
    if (c.key) {
      const v = inst ? inst[c.key] : undefined;
      if (v === undefined || v === null || v === "") return missingCell({ comment: zh(c.hint) });
      return cellOf(num(v));
    }
    return missingCell();
  }));
  const over = [];
  list.forEach((s, i) => forms[i].forEach((cell, k) => { if (cell.over) over.push(`${s.name}：${zh(part.cells[k].label)}`); }));
  const comments = [zh(part.comment)];
  if (!entries.length) comments.push("尚未选择场景：每个场景实例按本表分别填写。");
  return { kind: "scene-form", id: part.id, title: zh(part.title), arrangement: part.arrangement || "rows",
    labels: part.cells.map((c) => zh(c.label)), forms, over, comments: comments.filter(Boolean),
    names: list.map((s) => (s ? `${s.linkName}—${s.name}${s.instance ? `—${s.instance.name}` : ""}` : "")) };
}

/** 附1-2: per scene instance, its key equipment, software, processes and technologies. */
function sceneTablesBlock(ctx, part) {
  const entries = sceneEntries(ctx, part.guide);
  const groups = (entries.length ? entries : [null]).map((s) => ({
    name: s ? (s.instance ? s.instance.name : "") : "",
    tables: part.tables.map((t) => {
      const rows = [];
      if (s) {
        for (const src of t.sources) {
          const inst = s.instance;
          const list = src.list.includes(".")
            ? (listAt(ctx, src.list) || []).filter((e) => inst && src.match && e[src.match] === inst.name)
            : inst && Array.isArray(inst[src.list]) ? inst[src.list].filter(isObject) : [];
          for (const e of list.filter((x) => matches(x, src.where))) {
            rows.push(t.columns.map((c) => {
              const v = e[c.key];
              return v === undefined || v === null || v === "" ? missingCell() : cellOf(itemLabel(ctx.bundle, src.list.includes(".") ? src.list : null, c.key, v));
            }));
          }
        }
      }
      if (!rows.length) rows.push(t.columns.map(() => missingCell()));
      return { headers: t.columns.map((c) => zh(c.header)), rows };
    }),
  }));
  const comments = ["关键装备、软件取自档案的核心装备清单中注明所在场景实例的条目；工艺、技术取自场景实例。可填写多个。"];
  if (!entries.length) comments.push("尚未选择场景。");
  return { kind: "scene-tables", id: part.id, title: zh(part.title), label: zh(part.label), groups, comments };
}

/** A form for a scheme the catalog has no application_form for: its materials list. */
function fallbackForm(scheme) {
  const parts = [];
  (scheme.materials && scheme.materials.sections || []).forEach((s, i) => {
    parts.push({ kind: "narrative", id: `materials-${i + 1}`, title: s.title, word_limit: s.word_limit || null, required: s.required !== false });
  });
  for (const lid of scheme.kpi_lists || []) parts.push({ kind: "kpis", id: `kpis-${lid}`, list: lid });
  parts.push({ kind: "attachments", id: "attachments", title: { zh: "相关附件", en: "Attachments" } });
  return { title: scheme.name, parts, layout: { paper: "A4", stated: false }, fallback: true };
}

/** The draft as plain blocks, in the form's order. Never throws for a bad profile or result. */
export function draftModel(ctx0, schemeId) {
  const ctx = { ...ctx0, scheme: schemeId };
  const bundle = ctx.bundle;
  const scheme = bundle.schemes[schemeId];
  if (!scheme) throw new Error(`unknown scheme ${schemeId}`);
  const form = (bundle.application_forms && bundle.application_forms[schemeId]) || fallbackForm(scheme);
  const sr = schemeResult(ctx.result, schemeId);
  const errors = isObject(ctx.result) && Array.isArray(ctx.result.errors) ? ctx.result.errors : [];
  const blocks = [];
  const problems = [];
  const cover = (form.cover || []).map((row) => ({ label: zh(row.label), ...rowCell(ctx, row) }));
  const partsById = Object.fromEntries(form.parts.filter((p) => p.id).map((p) => [p.id, p]));
  // per-scene parts a scene form shows in its own cells are not drawn again
  const inForms = new Set(form.parts.filter((p) => p.kind === "scene-form").flatMap((p) => p.cells.map((c) => c.part).filter(Boolean)));
  const grouped = new Set();
  const sceneGuide = (form.parts.find((p) => p.kind === "scenes") || {}).guide;
  form.parts.forEach((part, index) => {
    try {
      if (part.kind === "heading") blocks.push({ kind: "heading", level: part.level || 1, title: zh(part.title) });
      else if (part.kind === "text") blocks.push({ kind: "text", id: part.id, title: zh(part.title), text: zh(part.text) });
      else if (part.kind === "fields") {
        const apply = applying(ctx, part);
        const rows = part.rows.map((row) => {
          const cell = { label: zh(row.label), ...rowCell(ctx, row) };
          if (apply !== true && !row.always) return { ...cell, text: cell.missing ? "" : cell.text, missing: false };
          return cell;
        });
        const comments = [zh(part.comment)];
        if (apply === false) comments.push("档案中选择不申报此项：不申报无需填报。");
        if (apply === undefined) comments.push("档案未说明是否申报此项；不申报无需填报，申报则填写各栏。");
        blocks.push({ kind: "fields", id: part.id, title: zh(part.title), rows, comments: comments.filter(Boolean) });
      } else if (part.kind === "narrative" && part.per_scene) {
        if (inForms.has(part.id) || grouped.has(index)) return;
        // A run of consecutive per-scene parts is drawn once per ticked scene, as the form's outline.
        const group = [];
        for (let i = index; i < form.parts.length && form.parts[i].kind === "narrative" && form.parts[i].per_scene && !inForms.has(form.parts[i].id); i += 1) {
          group.push(form.parts[i]);
          grouped.add(i);
        }
        const picked = sceneEntries(ctx, sceneGuide).filter((s, i, all) => all.findIndex((x) => x.number === s.number) === i)
          .map((s) => ({ ...s, instances: instanceNames(ctx, sceneGuide, s.number) }));
        blocks.push({ kind: "per-scene", scenes: picked.map((s) => ({ ...s, texts: group.map((p) => sceneText(ctx, p, s.number)) })),
          parts: group.map((p) => ({ id: p.id, title: zh(p.title), limit: limitText(p), required: p.required !== false, word_limit: p.word_limit || null })) });
      } else if (part.kind === "narrative") blocks.push(narrativeBlock(ctx, part));
      else if (part.kind === "kpis") blocks.push(kpiBlock(ctx, part, sr));
      else if (part.kind === "scenes") blocks.push(scenesBlock(ctx, part));
      else if (part.kind === "attachments") blocks.push(attachmentsBlock(ctx, scheme, part));
      else if (part.kind === "table") blocks.push(tableBlock(ctx, part));
      else if (part.kind === "years") blocks.push(yearsBlock(ctx, part));
      else if (part.kind === "scene-form") blocks.push(sceneFormBlock(ctx, part, partsById));
      else if (part.kind === "scene-tables") blocks.push(sceneTablesBlock(ctx, part));
    } catch (err) {
      problems.push(`${zh(part.title) || part.id || part.kind}: ${err && err.message ? err.message : err}`);
      blocks.push({ kind: "text", title: zh(part.title), text: MISSING, comment: "此部分未能生成，请对照原申报书填写。" });
    }
  });
  const over = [
    ...blocks.filter((b) => b.kind === "narrative" && b.over).map((b) => b.title),
    ...blocks.filter((b) => b.kind === "per-scene").flatMap((b) => b.scenes.flatMap((s) =>
      s.texts.map((x, k) => (x.over ? `${s.name}：${b.parts[k].title}` : null)).filter(Boolean))),
    ...blocks.filter((b) => b.kind === "scene-form").flatMap((b) => b.over),
  ];
  const missingKpis = blocks.filter((b) => b.kind === "kpis").flatMap((b) => b.missingRequired);
  const missingFields = blocks.filter((b) => b.kind === "fields").flatMap((b) => b.rows.filter((r) => r.missing).map((r) => r.label));
  const unwritten = blocks.filter((b) => b.kind === "narrative" && b.required && !b.written).map((b) => b.title);
  const totals = Object.fromEntries(blocks.filter((b) => b.kind === "table" && b.total !== null).map((b) => [b.id, b.total]));
  const layout = form.layout || { paper: "A4", stated: false };
  return {
    scheme: schemeId, schemeName: zh(scheme.name), title: zh(form.title), fallback: Boolean(form.fallback),
    issuer: (form.issuer || []).map(zh), formNote: zh(form.note),
    layout: { paper: "A4", stated: Boolean(layout.stated), bodyFont: layout.body_font ? zh(layout.body_font) : "宋体",
      bodySizePt: layout.body_size_pt || 12, headingFonts: (layout.heading_fonts || []).map(zh), note: zh(layout.note),
      source: layout.source || form.source || null },
    // A scheme without a catalogued form: its own source stands in (the note still names the edition).
    source: form.source || scheme.source || null, cover, blocks, profileErrors: errors, problems,
    summary: { overLimit: over, missingKpis, missingFields, unwritten, engine: Boolean(sr), totals },
  };
}

function editionNote(ctx, source) {
  const s = source && ctx && ctx.bundle && ctx.bundle.sources ? ctx.bundle.sources[source.doc] : null;
  if (!s || !s.edition) return "";
  return `所依据的版本：${zh(s.edition)}${s.later ? `（${zh(s.later)}）` : ""}`;
}

function citation(source) {
  if (!source) return "";
  return `${source.doc} ${source.article}`;
}

const RED = "C00000";

/** The .docx for a draft model, built with the docx module (npm `docx`). Every remark on how a
 *  cell was filled, each word count and the generator's note are Word comments in the margin;
 *  the body is what the enterprise submits, with 【待填写】/【待撰写】 where it must type. */
export async function buildDraft(docx, ctx, schemeId) {
  const model = draftModel(ctx, schemeId);
  const { Document, Packer, Paragraph, TextRun, Table, TableRow, TableCell, WidthType, HeadingLevel, AlignmentType, PageBreak,
    TableLayoutType, CommentRangeStart, CommentRangeEnd, CommentReference } = docx;
  const lay = model.layout;
  const size = Math.round(lay.bodySizePt * 2); // half-points
  const font = (name) => ({ ascii: name, eastAsia: name, hAnsi: name, cs: name });
  const h1Font = lay.headingFonts[0] || "黑体";
  const h2Font = lay.headingFonts[1] || "楷体";
  const run = (text, opts = {}) => new TextRun({ text: String(text), ...opts });
  const comments = [];
  const when = new Date();
  /** Runs with a margin comment on them (nothing added when there is no remark). */
  const noted = (runs, remark) => {
    const text = Array.isArray(remark) ? remark.filter(Boolean).join("\n") : remark;
    if (!text) return runs;
    const id = comments.length;
    comments.push({ id, author: "guidegen", initials: "GG", date: when,
      children: String(text).split("\n").map((ln) => new Paragraph({ children: [new TextRun(ln)] })) });
    return [new CommentRangeStart(id), ...runs, new CommentRangeEnd(id), new TextRun({ children: [new CommentReference(id)] })];
  };
  const para = (children, opts = {}) => new Paragraph({ children: Array.isArray(children) ? children : [children], ...opts });
  const plain = (text, opts = {}) => para(noted([run(text, opts.run || {})], opts.comment), opts.para || {});
  const lines = (text, runOpts = {}) => String(text).split("\n").map((ln) => plain(ln, { run: runOpts }));
  const missing = (text = MISSING) => run(text, { color: RED, bold: true });
  const heading = (text, level, remark) => para(noted([run(text, { font: font(level === 1 ? h1Font : h2Font), bold: level === 1, size })], remark),
    { heading: level === 1 ? HeadingLevel.HEADING_1 : HeadingLevel.HEADING_2, spacing: { before: 240, after: 120 } });
  // Cells and rows are described first and built by table(), which knows the column widths
  // (in twips: WPS and LibreOffice need them; percentages alone collapse the columns).
  const TEXT_WIDTH = 11906 - 1588 - 1474;
  const table = (rows, shares) => {
    const total = shares.reduce((x, y) => x + y, 0);
    const widths = shares.map((x) => Math.floor((TEXT_WIDTH * x) / total));
    return new Table({
      columnWidths: widths, width: { size: TEXT_WIDTH, type: WidthType.DXA }, layout: TableLayoutType.FIXED,
      rows: rows.map((r) => new TableRow({ tableHeader: r.header, cantSplit: false, children: r.cells.map((c, i) => new TableCell({
        width: { size: widths[i], type: WidthType.DXA },
        children: c,
      })) })),
    });
  };
  /** A model cell as the paragraphs of a table cell. */
  const cellParas = (c, opts = {}) => {
    if (c.missing && !c.text) return [para(noted([missing(c.write ? WRITE_HERE : MISSING)], c.comment))];
    const ls = String(c.text).split("\n");
    return ls.map((ln, i) => {
      const runs = [run(ln, opts)];
      if (i === ls.length - 1 && c.missing) runs.push(run("  "), missing());
      return para(i === ls.length - 1 ? noted(runs, c.comment) : runs);
    });
  };
  const textCell = (text, opts = {}) => [para(run(text, opts))];
  const headerRow = (labels) => ({ header: true, cells: labels.map((l) => textCell(l, { bold: true })) });
  const even = (n, first = 1) => Array.from({ length: n }, (_, i) => (i === 0 ? first : 1));

  const body = [];
  const joined = new WeakSet();
  // Cover: the form's title and rows as printed, its issuer at the foot; the generator's note,
  // the layout and any profile problems in the margin.
  const coverNotes = [
    `草稿说明：本文件由自评计算器根据所填信息在浏览器中生成，是《${model.title}》的可编辑草稿，不是正式申报书。标有${MISSING}、${WRITE_HERE}的内容请补填；批注说明各处如何填写，提交前可删除批注。`,
    lay.stated ? `版式：${lay.note}（依据：${citation(lay.source)}）` : `版式：${lay.note || "原申报书文本未规定版式，草稿按A4纸排版。"}`,
    model.formNote,
    model.fallback ? "本类别的申报书版式未编入目录，以下按申报材料清单列出各部分，请对照原通知附件填写。" : "",
    model.profileErrors.length ? `档案中有以下问题，相关内容未填入：${model.profileErrors.map((e) => `${e.field}：${e.message ? zh(e.message) : ""}`).join("；")}` : "",
    !model.profileErrors.length && !model.summary.engine ? "计算器尚未完成评估，派生信息（企业规模、行业类别、场景数等）未填入。" : "",
    model.summary.overLimit.length ? `超出字数限制的段落：${model.summary.overLimit.join("、")}` : "",
    model.summary.missingKpis.length ? `必填指标未填写（${model.summary.missingKpis.length}项）：${model.summary.missingKpis.join("、")}` : "",
    model.problems.length ? `生成时的问题：${model.problems.join("；")}` : "",
    `依据：${citation(model.source)}。本草稿由 guidegen 自评计算器生成。`,
    editionNote(ctx, model.source), // issue 22: which edition of which document the draft follows
  ].filter(Boolean);
  body.push(para(noted([run(model.title, { bold: true, size: size + 16, font: font(h1Font) })], coverNotes),
    { alignment: AlignmentType.CENTER, spacing: { before: 2400, after: 1200 } }));
  for (const c of model.cover) {
    body.push(para(noted([run(`${c.label}：`), ...(c.missing && !c.text ? [missing()] : [run(c.text), ...(c.missing ? [run("  "), missing()] : [])])], c.comment),
      { spacing: { after: 240 }, indent: { left: 1200 } }));
  }
  for (const [i, line] of model.issuer.entries()) {
    body.push(para(run(line, { size: size + 4, font: font(h1Font) }), { alignment: AlignmentType.CENTER, spacing: { before: i === 0 ? 2400 : 120 } }));
  }
  body.push(para(new PageBreak()));

  for (const b of model.blocks) {
    if (b.kind === "heading") body.push(heading(b.title, b.level));
    else if (b.kind === "text") {
      if (b.title) body.push(heading(b.title, LEVEL1.test(b.title) ? 1 : 2));
      const ls = String(b.text).split("\n");
      ls.forEach((ln, i) => body.push(plain(ln, { comment: i === 0 ? b.comment : "", run: ln === MISSING ? { color: RED, bold: true } : {} })));
    } else if (b.kind === "fields") {
      if (b.title) body.push(heading(b.title, LEVEL1.test(b.title) ? 1 : 2, b.comments));
      else if (b.comments.length) body.push(plain("", { comment: b.comments }));
      body.push(table(b.rows.map((r) => ({ cells: [textCell(r.label), cellParas(r)] })), [35, 65]));
    } else if (b.kind === "years") {
      body.push(plain("", { comment: b.comments }));
      body.push(table([headerRow(b.headers), ...b.rows.map((r) => ({ cells: r.map((c) => cellParas(c)) }))], [34, 22, 22, 22]));
    } else if (b.kind === "table") {
      body.push(heading(b.title, 2, b.comments));
      body.push(table([headerRow(b.headers), ...b.rows.map((r) => ({ cells: r.map((c) => cellParas(c)) }))],
        b.headers.map((h) => (h === "序号" ? 6 : Math.min(24, Math.max(10, h.length))))));
    } else if (b.kind === "narrative") {
      body.push(heading(`${b.title}${b.limit}`, b.level, b.comments));
      if (b.prompt) body.push(...lines(b.prompt));
      if (b.text) body.push(...lines(b.text));
      else if (b.optionalEmpty) body.push(plain(""));
      else body.push(para(missing(WRITE_HERE)), plain(""));
    } else if (b.kind === "scenes") {
      const ticked = b.scenes.filter((s) => s.ticked);
      body.push(heading(b.title, LEVEL1.test(b.title) ? 1 : 2, [b.note, `对照${b.guideTitle}。`,
        b.style === "none" ? `档案中勾选的场景（${ticked.length}个）：${ticked.map((s) => s.name).join("、") || "尚未选择"}。` : ""].filter(Boolean)));
      if (b.prompt) body.push(...lines(b.prompt));
      if (b.style === "none") {
        // the form has no list here: the scenes are written one by one below
      } else if (b.style === "list") {
        if (!ticked.length) body.push(para(noted([missing()], "尚未选择场景。")));
        // 环节—场景—实例, as the Hunan summary table's example row writes it
        ticked.forEach((s, i) => body.push(plain(`${i + 1}. ${s.linkName}—${s.name}${s.instances.length ? `—${s.instances.join("、")}` : ""}`)));
      } else {
        const byLink = new Map();
        for (const s of b.scenes) {
          if (!byLink.has(s.link)) byLink.set(s.link, { name: s.linkName, scenes: [] });
          byLink.get(s.link).scenes.push(s);
        }
        const rows = b.style === "numbered-table"
          ? [headerRow(["序号", "环节", "序号", "场景", "有/无"]),
            ...b.scenes.map((s) => ({ cells: [textCell(String(s.link)), textCell(s.linkName), textCell(String(s.number)), textCell(s.name), textCell(s.ticked ? "☑有" : "☐无")] }))]
          : [headerRow(["环节", "场景"]),
            ...[...byLink.values()].map((l) => ({ cells: [textCell(l.name), textCell(l.scenes.map((s) => `${s.ticked ? "☑" : "☐"}${s.name}`).join("  "))] }))];
        body.push(table(rows, b.style === "numbered-table" ? [8, 22, 8, 47, 15] : [25, 75]));
        body.push(plain(b.other || "", { comment: `已勾选${ticked.length}个场景。` }));
      }
    } else if (b.kind === "kpis") {
      body.push(heading(b.title, 2, b.comments));
      const valueCell = (r, v) => (v === "" && r.missing ? [para(missing())] : textCell(v));
      let rows;
      if (b.mode === "before-after") {
        rows = [headerRow(["", "工厂建设前", "工厂建设后"]), ...b.rows.map((r) => ({ cells: [textCell(r.name), textCell(r.before), valueCell(r, r.value)] }))];
        if (b.other) rows.push({ cells: [textCell(b.other), textCell(""), textCell("")] });
        body.push(table(rows, [46, 27, 27]));
      } else {
        // two indicators a row, as the forms lay them out
        rows = [];
        for (let i = 0; i < b.rows.length; i += 2) {
          const pair = b.rows.slice(i, i + 2);
          rows.push({ cells: pair.flatMap((r) => [textCell(r.name), valueCell(r, r.value)]).concat(pair.length < 2 ? [textCell(""), textCell("")] : []) });
        }
        if (b.other) rows.push({ cells: [textCell(b.other), textCell(""), textCell(""), textCell("")] });
        body.push(table(rows, [32, 18, 32, 18]));
      }
    } else if (b.kind === "attachments") {
      body.push(heading(b.title, 1, b.comment));
      for (const a of b.items) body.push(plain(a.title));
      if (!b.items.length) body.push(plain(""));
    } else if (b.kind === "per-scene") {
      if (!b.scenes.length) body.push(para(noted([missing(WRITE_HERE)], "尚未选择场景：每个场景按下列各项分别描述。")));
      let link = null;
      let k = 0;
      let n = 0;
      const ORD = "一二三四五六七八九十";
      b.scenes.forEach((s) => {
        if (s.link !== link) {
          link = s.link;
          k += 1;
          n = 0;
          body.push(heading(`（${k <= 10 ? ORD[k - 1] : k}）${s.linkName}`, 2));
        }
        n += 1;
        body.push(plain(`${n}. ${s.name}${s.instances.length ? `（${s.instances.join("、")}）` : ""}`, { run: { bold: true } }));
        b.parts.forEach((p, j) => {
          const written = s.texts[j];
          body.push(plain(`${p.title}${p.limit}`, { run: { bold: true }, comment: written && written.comment }));
          if (written && written.text) body.push(...lines(written.text));
          else if (!p.required) body.push(plain(""));
          else body.push(para(missing(WRITE_HERE)));
        });
      });
    } else if (b.kind === "scene-form") {
      body.push(heading(b.title, LEVEL1.test(b.title) || b.title.startsWith("附") ? 1 : 2, b.comments));
      if (b.arrangement === "columns") {
        body.push(table([headerRow(b.labels), ...b.forms.map((cells) => ({ cells: cells.map((c) => cellParas(c)) }))],
          b.labels.map((l, i) => (i === 0 ? 4 : i === b.labels.length - 1 ? 6 : 12))));
      } else {
        b.forms.forEach((cells, i) => {
          if (i > 0) body.push(plain(""));
          body.push(table(cells.map((c, k) => ({ cells: [textCell(b.labels[k]), cellParas(c)] })), [30, 70]));
        });
      }
    } else if (b.kind === "scene-tables") {
      body.push(heading(b.title, 1, b.comments));
      b.groups.forEach((g) => {
        // 附1-2 is one table on the form: its parts are drawn touching, so Word and LibreOffice join them
        const first = table([{ cells: [textCell(b.label, { bold: true }), g.name ? textCell(g.name) : [para(missing())]] }], [40, 60]);
        body.push(first);
        for (const t of g.tables) {
          const part = table([headerRow(t.headers), ...t.rows.map((r) => ({ cells: r.map((c) => cellParas(c)) }))], even(t.headers.length, 1));
          joined.add(part);
          body.push(part);
        }
        body.push(plain(""));
      });
    }
  }

  // Two tables in a row would be read as one by Word and LibreOffice: a spacer between them.
  const children = [];
  for (const x of body) {
    if (x instanceof Table && !joined.has(x) && children.length && children[children.length - 1] instanceof Table) children.push(para(run(""), { spacing: { after: 0 } }));
    children.push(x);
  }
  const doc = new Document({
    creator: "guidegen",
    title: model.title,
    description: `${model.schemeName} 申报书草稿`,
    comments: { children: comments },
    styles: {
      default: { document: { run: { font: font(lay.bodyFont), size } } },
      paragraphStyles: [
        { id: "Heading1", name: "Heading 1", basedOn: "Normal", next: "Normal", run: { font: font(h1Font), size, bold: true } },
        { id: "Heading2", name: "Heading 2", basedOn: "Normal", next: "Normal", run: { font: font(h2Font), size } },
      ],
    },
    sections: [{
      properties: { page: { size: { width: 11906, height: 16838 }, margin: { top: 1440, bottom: 1440, left: 1588, right: 1474 } } },
      children,
    }],
  });
  const blob = await Packer.toBlob(doc);
  const filename = `${model.schemeName.replace(/[\\/:*?"<>|（）()\s]+/g, "")}-申报书草稿.docx`;
  return { blob, filename, model };
}

/** Build the draft and hand it to the browser as a download (no request leaves the page). */
export async function downloadDraft(ctx, schemeId) {
  const docx = await import("./docx.js");
  const { blob, filename, model } = await buildDraft(docx, ctx, schemeId);
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  return { filename, warnings: model.summary };
}
