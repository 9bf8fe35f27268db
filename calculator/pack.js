// The application pack: a ready-to-edit 申报书 (.docx) for one scheme, made in the browser
// from the same answers the calculator evaluates. Nothing is sent anywhere: the file is
// built here (npm `docx`, bundled at site-build time into ./docx.js and loaded only when a
// draft is downloaded) and handed to the browser as a download.
//
// The form's structure is catalog data (bundle.application_forms[scheme]: its parts in the
// document's order, each with its source); the values come from the profile and from the
// engine's result (derived facts, computed KPI changes). No scoring here.
// A broken or partial profile still gives a draft: what is missing is marked 【待填写】.
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

const WORD = /[A-Za-z0-9]+(?:[.,'’-][A-Za-z0-9]+)*/g;

/** 字数 as guidegen.core.kpis.count_chars counts it: CJK characters and marks one each,
 *  a Latin word or a number one, white space none. Used while typing and for the draft, which
 *  must count the text as it is now (the engine may not have seen the latest edit); the tests
 *  check it against the core on the same strings. */
export function countChars(text) {
  if (!text) return 0;
  const s = String(text);
  const words = s.match(WORD) || [];
  const rest = s.replace(WORD, "");
  let n = words.length;
  for (const ch of rest) if (!/\s/u.test(ch)) n += 1;
  return n;
}

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const zh = (text) => (text == null ? "" : typeof text === "string" ? text : String(text.zh ?? text.en ?? ""));

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

/** A profile field or derived fact: the engine's derived value first, the raw profile next. */
function factValue(ctx, path) {
  const derived = isObject(ctx.result) && isObject(ctx.result.derived) ? ctx.result.derived : {};
  // The result names derived facts without their "derived." prefix (coverage.* keep theirs).
  const key = path.startsWith("derived.") ? path.slice(8) : path;
  if (derived[key] && derived[key].value !== undefined && derived[key].value !== null) return derived[key].value;
  if (path.startsWith("derived.") || path.startsWith("coverage.")) return undefined;
  const v = deepGet(ctx.profile || {}, path);
  return v === null || v === "" ? undefined : v;
}

function fieldOf(bundle, path) {
  for (const s of (bundle.profile && bundle.profile.sections) || []) {
    for (const f of s.fields || []) if (f.path === path) return f;
  }
  return null;
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
  const unit = field && field.unit ? zh(field.unit) : "";
  if (field && (field.options || field.options_from)) return vocabName(bundle, field, value);
  return unit ? `${value} ${unit}` : String(value);
}

function rowCell(ctx, row) {
  const { bundle } = ctx;
  if (!row.fill) return { text: "", missing: true };
  const value = factValue(ctx, row.fill);
  if (Array.isArray(row.choices)) {
    // A list value (application.schemes) ticks every choice it holds.
    const holds = (v) => (Array.isArray(value) ? value.includes(v) : v === value);
    const known = value !== undefined && row.choices.some((c) => holds(c.value));
    const text = row.choices.map((c) => `${holds(c.value) ? "☑" : "☐"}${zh(c.label)}`).join("  ");
    return { text, missing: !known };
  }
  if (row.format === "year-month" && typeof value === "string" && /^\d{4}-\d{2}/.test(value)) {
    return { text: `${value.slice(0, 4)}年${Number(value.slice(5, 7))}月`, missing: false };
  }
  if (row.tick) {
    if (value === undefined) return { text: "☐", missing: true };
    const yes = typeof value === "number" ? value > 0 : Boolean(value);
    const count = typeof value === "number" && value > 1 ? `（${value}项）` : "";
    return { text: `${yes ? "☑是" : "☐是  ☑否"}${count}`, missing: false };
  }
  const text = formatValue(bundle, row.fill, value);
  return { text, missing: text === "" };
}

function guideScenes(bundle, guide) {
  const links = (bundle.guides && bundle.guides[guide]) || [];
  const out = [];
  links.forEach((link, i) => {
    for (const scene of link.scenes || []) out.push({ link: link.number ?? i + 1, linkName: zh(link.name), number: scene.number, name: zh(scene.name), dimension: link.dimension });
  });
  return out;
}

/** Instance names the profile gives for a scene (scene_instances.GUIDE: [{scene, name}]). */
function instanceNames(ctx, guide, number) {
  const list = deepGet(ctx.profile || {}, "scene_instances");
  const items = isObject(list) && Array.isArray(list[guide]) ? list[guide] : [];
  return items.filter((x) => isObject(x) && x.scene === number && typeof x.name === "string" && x.name.trim()).map((x) => x.name.trim());
}

function tickedScenes(ctx, guide) {
  const list = deepGet(ctx.profile || {}, `scenes.${guide}`);
  return Array.isArray(list) ? list.filter((n) => Number.isInteger(n)) : [];
}

function limitText(part) {
  if (part.word_limit) return `（限${part.word_limit}字）`;
  if (part.min_words) return `（${part.min_words}字以上）`;
  return "";
}

/** The text written for one scene in a per-scene part (application.scene_sections.PART.N). */
function sceneText(ctx, part, number) {
  const text = deepGet(ctx.profile || {}, `application.scene_sections.${part.id}.${number}`);
  const written = typeof text === "string" && text.trim() !== "";
  // Counted here by the core's rule (tested equal): the engine's count may be of an older text.
  const chars = countChars(written ? text : "");
  const over = written && Boolean(part.word_limit) && chars > part.word_limit;
  return { text: written ? text : "", chars, over, flag: over ? `【超出字数限制：已写${chars}字，限${part.word_limit}字】` : "" };
}

function narrativeBlock(ctx, part) {
  const text = deepGet(ctx.profile || {}, `application.sections.${part.id}`);
  const written = typeof text === "string" && text.trim() !== "";
  const count = countChars(written ? text : "");
  const over = Boolean(part.word_limit) && count > part.word_limit;
  const under = written && Boolean(part.min_words) && count < part.min_words;
  return {
    kind: "narrative", id: part.id, title: zh(part.title), limit: limitText(part), prompt: zh(part.prompt),
    note: zh(part.note), text: written ? text : "", chars: count, over, under,
    wordLimit: part.word_limit || null, minWords: part.min_words || null, required: part.required !== false,
    flag: over ? `【超出字数限制：已写${count}字，限${part.word_limit}字】`
      : under ? `【字数不足：已写${count}字，要求${part.min_words}字以上】` : "",
  };
}

function kpiBlock(ctx, part, sr) {
  const { bundle } = ctx;
  const list = bundle.kpi_lists && bundle.kpi_lists[part.list];
  const mode = (list && list.values) || "current";
  const engineRows = sr && sr.kpis && Array.isArray(sr.kpis.rows) ? sr.kpis.rows.filter((r) => r.list === part.list) : null;
  const indicators = list ? (list.groups ? list.groups.flatMap((g) => g.indicators) : list.indicators || []) : [];
  const rows = indicators.map((ind) => {
    const er = engineRows && engineRows.find((r) => r.id === ind.id);
    const raw = deepGet(ctx.profile || {}, `kpis.${ind.id}`);
    const entry = isObject(raw) ? raw : raw === undefined || raw === null ? {} : { value: raw };
    // Values as the profile holds them now; the engine's change only when it was computed
    // from these very values (a download right after an edit may beat the re-evaluation).
    const value = typeof entry.value === "number" ? entry.value : null;
    const before = typeof entry.before === "number" ? entry.before : null;
    const unit = ind.unit || (typeof entry.unit === "string" ? entry.unit.trim() : "") || (er && er.unit) || "";
    const current = er && er.value === value && er.before === before;
    let change = "";
    if (current && er.change && er.change.improvement !== null && er.change.improvement !== undefined) {
      const pct = er.change.improvement_percent;
      const word = ind.direction === "lower" ? "降低" : "提升";
      change = er.change.better === false ? `未改善（${word}${er.change.improvement}）`
        : `${word}${Math.abs(er.change.improvement)}${pct !== null && pct !== undefined ? `（${Math.round(pct * 10) / 10}%）` : ""}`;
    }
    return { id: ind.id, name: `${ind.required ? "*" : ""}${zh(ind.name)}`, required: Boolean(ind.required), unit: unit || "",
      value: value === null || value === undefined ? "" : String(value), before: before === null || before === undefined ? "" : String(before), change };
  });
  return { kind: "kpis", id: part.id, title: zh(part.title || (list && list.name)), mode, rows,
    missingRequired: rows.filter((r) => r.required && r.value === "").map((r) => r.name) };
}

function scenesBlock(ctx, part) {
  const all = guideScenes(ctx.bundle, part.guide);
  const ticked = new Set(tickedScenes(ctx, part.guide));
  const info = ctx.bundle.guide_info && ctx.bundle.guide_info[part.guide];
  return { kind: "scenes", id: part.id, title: zh(part.title), note: zh(part.note), style: part.style || "list", guide: part.guide,
    guideTitle: info ? zh(info.title) : part.guide,
    scenes: all.map((s) => ({ ...s, ticked: ticked.has(s.number), instances: instanceNames(ctx, part.guide, s.number) })) };
}

function attachmentsBlock(ctx, scheme, part) {
  const items = ((scheme.materials && scheme.materials.attachments) || []).map((a) => ({
    title: zh(a.title), optional: a.required === false,
  }));
  return { kind: "attachments", id: part ? part.id : "attachments", title: part ? zh(part.title) : "相关附件", items };
}

/** A form for a scheme the catalog has no application_form for: its materials list. */
function fallbackForm(scheme) {
  const parts = [{ kind: "text", id: "fallback-note", text: { zh: "本类别的申报书版式未编入目录；以下按申报材料清单列出各部分，请对照原通知附件填写。", en: "" } }];
  (scheme.materials && scheme.materials.sections || []).forEach((s, i) => {
    parts.push({ kind: "narrative", id: `materials-${i + 1}`, title: s.title, word_limit: s.word_limit || null, required: s.required !== false });
  });
  for (const lid of scheme.kpi_lists || []) parts.push({ kind: "kpis", id: `kpis-${lid}`, list: lid });
  parts.push({ kind: "attachments", id: "attachments", title: { zh: "相关附件", en: "Attachments" } });
  return { title: scheme.name, parts, layout: { paper: "A4", stated: false }, fallback: true };
}

/** The draft as plain blocks, in the form's order. Never throws for a bad profile or result. */
export function draftModel(ctx, schemeId) {
  const bundle = ctx.bundle;
  const scheme = bundle.schemes[schemeId];
  if (!scheme) throw new Error(`unknown scheme ${schemeId}`);
  const form = (bundle.application_forms && bundle.application_forms[schemeId]) || fallbackForm(scheme);
  const sr = schemeResult(ctx.result, schemeId);
  const errors = isObject(ctx.result) && Array.isArray(ctx.result.errors) ? ctx.result.errors : [];
  const blocks = [];
  const problems = [];
  const cover = (form.cover || []).map((row) => ({ label: zh(row.label), ...rowCell(ctx, row) }));
  const grouped = new Set(); // per-scene parts already drawn with the run they begin
  const sceneGuide = (form.parts.find((p) => p.kind === "scenes") || {}).guide;
  form.parts.forEach((part, index) => {
    try {
      if (part.kind === "heading") blocks.push({ kind: "heading", level: part.level || 1, title: zh(part.title) });
      else if (part.kind === "text") blocks.push({ kind: "text", id: part.id, title: zh(part.title), text: zh(part.text) });
      else if (part.kind === "fields") {
        blocks.push({ kind: "fields", id: part.id, title: zh(part.title),
          rows: part.rows.map((row) => ({ label: zh(row.label), note: zh(row.note), ...rowCell(ctx, row) })) });
      } else if (part.kind === "narrative" && part.per_scene) {
        if (grouped.has(index)) return;
        // A run of consecutive per-scene parts is drawn once per ticked scene.
        const group = [];
        for (let i = index; i < form.parts.length && form.parts[i].kind === "narrative" && form.parts[i].per_scene; i += 1) {
          group.push(form.parts[i]);
          grouped.add(i);
        }
        const all = guideScenes(bundle, sceneGuide);
        const picked = tickedScenes(ctx, sceneGuide).map((n) => all.find((s) => s.number === n)).filter(Boolean)
          .map((s) => ({ ...s, instances: instanceNames(ctx, sceneGuide, s.number) }));
        blocks.push({ kind: "per-scene", scenes: picked.map((s) => ({ ...s, texts: group.map((p) => sceneText(ctx, p, s.number)) })),
          parts: group.map((p) => ({ id: p.id, title: zh(p.title), limit: limitText(p), required: p.required !== false })) });
      } else if (part.kind === "narrative") blocks.push(narrativeBlock(ctx, part));
      else if (part.kind === "kpis") blocks.push(kpiBlock(ctx, part, sr));
      else if (part.kind === "scenes") blocks.push(scenesBlock(ctx, part));
      else if (part.kind === "attachments") blocks.push(attachmentsBlock(ctx, scheme, part));
    } catch (err) {
      problems.push(`${zh(part.title) || part.id || part.kind}: ${err && err.message ? err.message : err}`);
      blocks.push({ kind: "text", title: zh(part.title), text: `【此部分未能生成，请对照原申报书填写】` });
    }
  });
  const over = [
    ...blocks.filter((b) => b.kind === "narrative" && b.over).map((b) => b.title),
    ...blocks.filter((b) => b.kind === "per-scene").flatMap((b) => b.scenes.flatMap((s) =>
      s.texts.map((x, k) => (x.over ? `${s.name}：${b.parts[k].title}` : null)).filter(Boolean))),
  ];
  const missingKpis = blocks.filter((b) => b.kind === "kpis").flatMap((b) => b.missingRequired);
  const missingFields = blocks.filter((b) => b.kind === "fields").flatMap((b) => b.rows.filter((r) => r.missing).map((r) => r.label));
  const unwritten = blocks.filter((b) => b.kind === "narrative" && b.required && !b.text).map((b) => b.title);
  const layout = form.layout || { paper: "A4", stated: false };
  return {
    scheme: schemeId, schemeName: zh(scheme.name), title: zh(form.title), fallback: Boolean(form.fallback),
    layout: { paper: "A4", stated: Boolean(layout.stated), bodyFont: layout.body_font ? zh(layout.body_font) : "宋体",
      bodySizePt: layout.body_size_pt || 12, headingFonts: (layout.heading_fonts || []).map(zh), note: zh(layout.note),
      source: layout.source || form.source || null },
    source: form.source || null, cover, blocks, profileErrors: errors, problems,
    summary: { overLimit: over, missingKpis, missingFields, unwritten, engine: Boolean(sr) },
  };
}

function citation(source) {
  if (!source) return "";
  return `${source.doc} ${source.article}`;
}

const RED = "C00000";
const GREY = "595959";

/** The .docx for a draft model, built with the docx module (npm `docx`). */
export async function buildDraft(docx, ctx, schemeId) {
  const model = draftModel(ctx, schemeId);
  const { Document, Packer, Paragraph, TextRun, Table, TableRow, TableCell, WidthType, HeadingLevel, AlignmentType, PageBreak, TableLayoutType } = docx;
  const lay = model.layout;
  const size = Math.round(lay.bodySizePt * 2); // half-points
  const font = (name) => ({ ascii: name, eastAsia: name, hAnsi: name, cs: name });
  const h1Font = lay.headingFonts[0] || "黑体";
  const h2Font = lay.headingFonts[1] || "楷体";
  const run = (text, opts = {}) => new TextRun({ text: String(text), ...opts });
  const para = (children, opts = {}) => new Paragraph({ children: Array.isArray(children) ? children : [children], ...opts });
  const plain = (text, opts = {}) => para(run(text, opts.run || {}), opts.para || {});
  const lines = (text, runOpts = {}) => String(text).split("\n").map((ln) => plain(ln, { run: runOpts }));
  const missing = (text = MISSING) => run(text, { color: RED, bold: true });
  const heading = (text, level) => para(run(text, { font: font(level === 1 ? h1Font : h2Font), bold: level === 1, size }),
    { heading: level === 1 ? HeadingLevel.HEADING_1 : HeadingLevel.HEADING_2, spacing: { before: 240, after: 120 } });
  // Cells and rows are described first and built by table(), which knows the column widths
  // (in twips: WPS and LibreOffice need them; percentages alone collapse the columns).
  const cell = (content) => ({ content });
  const row = (cells, header = false) => ({ cells, header });
  const TEXT_WIDTH = 11906 - 1588 - 1474;
  const table = (rows, shares) => {
    const total = shares.reduce((x, y) => x + y, 0);
    const widths = shares.map((x) => Math.floor((TEXT_WIDTH * x) / total));
    return new Table({
      columnWidths: widths, width: { size: TEXT_WIDTH, type: WidthType.DXA }, layout: TableLayoutType.FIXED,
      rows: rows.map((r) => new TableRow({ tableHeader: r.header, children: r.cells.map((c, i) => new TableCell({
        width: { size: widths[i], type: WidthType.DXA },
        children: (Array.isArray(c.content) ? c.content : [c.content]).map((x) => (x instanceof Paragraph ? x : para(x))),
      })) })),
    });
  };
  const headerRow = (labels) => row(labels.map((l) => cell(run(l, { bold: true }))), true);

  const body = [];
  // A short note on what this file is; deleted before submission.
  body.push(plain("草稿说明（提交前请删除本段） / About this draft (delete before submitting)", { run: { bold: true, color: GREY } }));
  body.push(plain(`本文件由自评计算器根据所填信息在浏览器中生成，是《${model.title}》的可编辑草稿，不是正式申报书。标有${MISSING}的内容请补填；各段落标注了申报书规定的字数限制。`, { run: { color: GREY } }));
  body.push(plain("Generated in your browser from your answers; an editable draft of the form, not the form itself. Fill in what is marked 【待填写】 (to fill in); each section shows the form's word limit.", { run: { color: GREY } }));
  body.push(plain(lay.stated ? `版式：${lay.note}（依据：${citation(lay.source)}）` : `版式：${lay.note || "原申报书文本未规定版式，草稿按A4纸排版。"}`, { run: { color: GREY } }));
  if (model.fallback) body.push(plain("本类别的申报书版式未编入目录，以下按申报材料清单列出。", { run: { color: GREY } }));
  if (model.profileErrors.length) {
    body.push(plain("档案中有以下问题，相关内容未填入 / The profile has problems; the fields below were left empty:", { run: { color: RED, bold: true } }));
    for (const e of model.profileErrors) {
      body.push(plain(`· ${e.field}：${e.message ? zh(e.message) : ""}`, { run: { color: RED } }));
    }
  } else if (!model.summary.engine) {
    body.push(plain("计算器尚未完成评估，派生信息（企业规模、行业类别、场景数等）未填入。", { run: { color: RED } }));
  }
  if (model.summary.overLimit.length) {
    body.push(plain(`超出字数限制的段落：${model.summary.overLimit.join("、")}`, { run: { color: RED, bold: true } }));
  }
  if (model.summary.missingKpis.length) {
    body.push(plain(`必填指标未填写（${model.summary.missingKpis.length}项）：${model.summary.missingKpis.join("、")}`, { run: { color: RED, bold: true } }));
  }
  body.push(para(new PageBreak()));

  // Cover
  body.push(para(run(model.title, { bold: true, size: size + 12, font: font(h1Font) }), { alignment: AlignmentType.CENTER, spacing: { before: 1200, after: 800 } }));
  for (const c of model.cover) {
    body.push(para([run(`${c.label}：`), c.missing ? missing() : run(c.text)], { spacing: { after: 200 } }));
  }
  body.push(para(new PageBreak()));

  for (const b of model.blocks) {
    if (b.kind === "heading") body.push(heading(b.title, b.level));
    else if (b.kind === "text") {
      if (b.title) body.push(heading(b.title, 2));
      body.push(...lines(b.text));
    } else if (b.kind === "fields") {
      if (b.title) body.push(heading(b.title, 2));
      body.push(table(b.rows.map((r) => row([
        cell(run(r.label)),
        cell(para([r.missing && !r.text ? missing() : run(r.text), ...(r.missing && r.text ? [run("  "), missing()] : []),
          ...(r.note ? [run(`（${r.note}）`, { color: GREY, size: size - 4 })] : [])])),
      ])), [35, 65]));
    } else if (b.kind === "narrative") {
      body.push(heading(`${b.title}${b.limit}`, 2));
      if (b.prompt) body.push(plain(b.prompt, { run: { color: GREY } }));
      if (b.note) body.push(plain(b.note, { run: { color: GREY } }));
      if (b.flag) body.push(para(run(b.flag, { color: RED, bold: true })));
      if (b.text) body.push(...lines(b.text));
      else {
        body.push(para(missing(WRITE_HERE)));
        body.push(plain(""), plain(""));
      }
      if (b.wordLimit || b.minWords) body.push(plain(`（已写${b.chars}字${b.wordLimit ? `，限${b.wordLimit}字` : ""}${b.minWords ? `，要求${b.minWords}字以上` : ""}）`, { run: { color: GREY, size: size - 4 } }));
    } else if (b.kind === "scenes") {
      body.push(heading(b.title, 2));
      body.push(plain(`（对照${b.guideTitle}）`, { run: { color: GREY } }));
      if (b.note) body.push(plain(b.note, { run: { color: GREY } }));
      const ticked = b.scenes.filter((s) => s.ticked);
      if (b.style === "list") {
        if (!ticked.length) body.push(para(missing("【尚未选择场景】")));
        // 环节—场景—实例, as the Hunan summary table's example row writes it
        ticked.forEach((s, i) => body.push(plain(`${i + 1}. ${s.linkName}—${s.name}${s.instances.length ? `—${s.instances.join("、")}` : ""}`)));
      } else {
        const byLink = new Map();
        for (const s of b.scenes) {
          if (!byLink.has(s.link)) byLink.set(s.link, { name: s.linkName, scenes: [] });
          byLink.get(s.link).scenes.push(s);
        }
        if (b.guide === "miit-2021") {
          body.push(table([headerRow(["序号", "环节", "序号", "场景", "有/无"]),
            ...b.scenes.map((s) => row([cell(run(String(s.link))), cell(run(s.linkName)),
              cell(run(String(s.number))), cell(run(s.name)), cell(run(s.ticked ? "☑有" : "☐无"))]))], [8, 22, 8, 47, 15]));
        } else {
          body.push(table([headerRow(["环节", "场景"]),
            ...[...byLink.values()].map((l) => row([cell(run(l.name)),
              cell(run(l.scenes.map((s) => `${s.ticked ? "☑" : "☐"}${s.name}`).join("  ")))]))], [25, 75]));
        }
        body.push(plain(`已勾选${ticked.length}个场景。`, { run: { color: GREY } }));
      }
    } else if (b.kind === "kpis") {
      body.push(heading(b.title, 2));
      const before = b.mode === "before-after";
      const head = before ? ["指标", "单位", "工厂建设前", "工厂建设后", "变化"] : ["指标", "单位", "数值", "变化"];
      body.push(table([headerRow(head), ...b.rows.map((r) => {
        const valueCell = r.value === "" ? (r.required ? cell(para(missing("【必填，待填写】"))) : cell(run(""))) : cell(run(r.value));
        const cells = [cell(run(r.name)), cell(run(r.unit))];
        if (before) cells.push(cell(run(r.before)), valueCell);
        else cells.push(valueCell);
        cells.push(cell(run(r.change)));
        return row(cells);
      })], before ? [34, 12, 15, 15, 24] : [40, 14, 18, 28]));
      if (b.rows.some((r) => r.required)) body.push(plain("注：*为必填项。", { run: { color: GREY } }));
    } else if (b.kind === "attachments") {
      body.push(heading(b.title, 1));
      for (const a of b.items) body.push(plain(`☐ ${a.title}${a.optional ? "（选填）" : ""}`));
    } else if (b.kind === "per-scene") {
      if (!b.scenes.length) body.push(para(missing("【尚未选择场景：每个场景实例按下列各项分别描述】")));
      const scenes = b.scenes.length ? b.scenes : [{ linkName: "", name: "" }];
      scenes.forEach((s, i) => {
        body.push(heading(`场景实例${i + 1}${s.name ? `：${s.linkName}—${s.name}` : ""}`, 2));
        body.push(table([
          row([cell(run("环节名称")), cell(s.linkName ? run(s.linkName) : para(missing()))]),
          row([cell(run("场景名称")), cell(s.name ? run(s.name) : para(missing()))]),
          row([cell(run("场景实例名称")), cell(s.instances && s.instances.length ? run(s.instances.join("、")) : para(missing()))]),
        ], [35, 65]));
        b.parts.forEach((p, k) => {
          const written = s.texts ? s.texts[k] : null;
          body.push(plain(`${p.title}${p.limit}`, { run: { bold: true } }));
          if (written && written.flag) body.push(para(run(written.flag, { color: RED, bold: true })));
          if (written && written.text) body.push(...lines(written.text));
          else body.push(para(missing(WRITE_HERE)), plain(""));
        });
      });
    }
  }
  if (model.problems.length) {
    body.push(heading("生成时的问题", 2));
    for (const p of model.problems) body.push(plain(p, { run: { color: RED } }));
  }
  body.push(plain(`依据：${citation(model.source)}。本草稿由 guidegen 自评计算器生成。`, { run: { color: GREY, size: size - 4 } }));

  const doc = new Document({
    creator: "guidegen",
    title: model.title,
    description: `${model.schemeName} 申报书草稿`,
    styles: {
      default: { document: { run: { font: font(lay.bodyFont), size } } },
      paragraphStyles: [
        { id: "Heading1", name: "Heading 1", basedOn: "Normal", next: "Normal", run: { font: font(h1Font), size, bold: true } },
        { id: "Heading2", name: "Heading 2", basedOn: "Normal", next: "Normal", run: { font: font(h2Font), size } },
      ],
    },
    sections: [{
      properties: { page: { size: { width: 11906, height: 16838 }, margin: { top: 1440, bottom: 1440, left: 1588, right: 1474 } } },
      children: body,
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
