// The results view: it only shows what guidegen.core returned (no scoring here).
// Every string from the result or the catalog is set as text.
import { el, clear } from "./dom.js";
import { t, tx, lang, colon, paren } from "./i18n.js";
import { citeText } from "./form.js";
import { plansBlock } from "./plans.js"; // issue #23: the routes, the budget, "已做到"

const STATUS_ICON = { pass: "✓", fail: "✗", unknown: "?" };
const VERDICT_KEY = { eligible: "eligible", ineligible: "ineligible", unknown: "unknown" };

function num(n) {
  return typeof n === "number" ? String(n) : String(n ?? "");
}

function statusText(status) {
  return status === "pass" ? t("pass") : status === "fail" ? t("fail") : t("unknownStatus");
}

function cite(bundle, source) {
  return source ? el("p", { class: "gg-source" }, t("source"), el("cite", { text: citeText(bundle, source) })) : null;
}

// Field paths never reach the words (issue 24): "enterprise.revenue_wan" reads as its question.
let pathLabels = null;
function pathWords(bundle, text) {
  if (!text || !bundle) return text;
  if (!pathLabels || pathLabels.bundle !== bundle) {
    const map = new Map();
    for (const sec of (bundle.profile && bundle.profile.sections) || []) for (const f of sec.fields) map.set(f.path, f.label);
    for (const [path, f] of Object.entries(bundle.facts || {})) if (!map.has(path) && f && f.label) map.set(path, f.label);
    pathLabels = { bundle, map };
  }
  return text.replace(/\b(?:[a-z_]+)\.[a-z0-9_-]+(?:\.[a-z0-9_-]+)?\b/g, (m) => {
    const label = pathLabels.map.get(m);
    return label ? `“${tx(label)}”` : m;
  });
}

function interpretation(text, bundle = null) {
  if (!text) return null;
  return el("details", { class: "gg-interp" }, el("summary", { text: t("interpretation") }), el("p", { text: pathWords(bundle, tx(text)) }));
}

function verdictBadge(eligibility) {
  const key = VERDICT_KEY[eligibility] || "unknown";
  return el("span", { class: `gg-verdict gg-verdict--${key}`, "data-verdict": key, text: t(key) });
}

function conditionItem(bundle, c) {
  return el("li", { class: `gg-cond gg-cond--${c.status}${c.soft ? " gg-cond--soft" : ""}`, "data-condition": c.id },
    el("span", { class: "gg-cond__icon", "aria-hidden": "true", text: STATUS_ICON[c.status] || "?" }),
    el("div", { class: "gg-cond__body" },
      el("p", { class: "gg-cond__title" },
        el("span", { class: "gg-cond__status", text: colon(statusText(c.status)) }),
        tx(c.title),
        c.soft ? el("span", { class: "gg-badge gg-badge--soft", text: t(c.informational ? "info" : "soft") }) : null),
      c.message ? el("p", { class: "gg-cond__msg", text: tx(c.message) }) : null,
      cite(bundle, c.source),
      interpretation(c.interpretation, bundle)));
}

function scoreBlock(bundle, schemeId, score) {
  const rubric = bundle.schemes[schemeId] && bundle.schemes[schemeId].rubric;
  const itemInfo = new Map(((rubric && rubric.items) || []).map((i) => [i.id, i]));
  const rows = score.items.map((item) => {
    const info = itemInfo.get(item.id) || {};
    return el("tr", { "data-item": item.id, class: `gg-item gg-item--${item.group}` },
      el("th", { scope: "row" },
        el("span", { class: "gg-item__title", text: tx(item.title || info.title) || item.id }),
        el("span", { class: "gg-badge", text: t(`group_${item.group}`) }),
        info.review ? el("span", { class: "gg-badge gg-badge--review", text: t("review") }) : null),
      el("td", { class: "gg-item__points", text: `${num(item.points)} / ${num(item.max)}` }),
      el("td", {},
        el("p", { class: "gg-item__msg", text: tx(item.message) }),
        cite(bundle, item.source),
        interpretation(item.interpretation || info.interpretation, bundle)));
  });
  return el("div", { class: "gg-score" },
    el("h4", { text: t("score") }),
    el("p", { class: `gg-total ${score.passed ? "gg-total--passed" : "gg-total--short"}`, "data-total": num(score.total) },
      el("strong", { class: "gg-total__value", text: t("total", { total: num(score.total), max: num(score.max), pass_mark: num(score.pass_mark) }) }),
      " ",
      el("span", { class: "gg-total__verdict", text: score.passed ? t("passed") : t("short", { n: num(score.short_of_pass) }) })),
    el("p", { class: "gg-basebonus", text: t("baseBonus", { base: num(score.base), bonus: num(score.bonus) }) }),
    el("table", { class: "gg-items" },
      el("thead", {}, el("tr", {}, el("th", { scope: "col", text: t("item") }), el("th", { scope: "col", text: t("points") }), el("th", { scope: "col", text: t("reason") }))),
      el("tbody", {}, rows)));
}

/** Whether a level's condition is a declaration (asked last: the facts come first). */
function isDeclaration(bundle, result, levelId, condId) {
  const scheme = bundle.schemes[result.scheme];
  const level = scheme && (scheme.levels || []).find((l) => l.id === levelId);
  const cond = level && level.conditions.find((c) => c.id === condId || `${levelId}.${c.id}` === condId);
  return Boolean(cond && cond.rule && typeof cond.rule.declaration === "string");
}

const unmet = (c) => c.status !== "pass";

/** The ladder: what the next confirmed level still needs first (facts before declarations),
 *  then every level with its unmet conditions first, only the next level unfolded. The
 *  headline counts exactly the items listed under it. */
function ladderBlock(bundle, result) {
  const current = result.levels.find((l) => l.id === result.level);
  const next = result.next_level;
  const block = el("div", { class: "gg-ladder" }, el("h4", { text: t("ladder") }));
  const missing = next ? [...next.missing].sort((a, b) =>
    Number(isDeclaration(bundle, result, next.id, a.id)) - Number(isDeclaration(bundle, result, next.id, b.id))) : [];
  block.append(el("p", { class: "gg-ladder__current", "data-level": result.level || "",
    text: [current ? t("currentLevel", { level: tx(current.name) }) : t("noLevel"),
      next ? t("ladderNext", { level: tx(next.name), n: missing.length }) : null].filter(Boolean).join(lang() === "zh" ? "；" : "; ") }));
  if (next) {
    block.append(el("p", { class: "gg-next", text: t("nextLevel", { level: tx(next.name) }) }),
      el("ul", { class: "gg-next__list" }, missing.map((m) =>
        el("li", { class: `gg-cond--${m.status}`, "data-condition": m.id, "data-declaration": isDeclaration(bundle, result, next.id, m.id) ? "1" : null, text: tx(m.gap || m.message) }))));
  }
  const list = el("ol", { class: "gg-ladder__steps" });
  for (const level of result.levels) {
    const conds = [...level.conditions].sort((a, b) => Number(unmet(b)) - Number(unmet(a))
      || Number(isDeclaration(bundle, result, level.id, a.id)) - Number(isDeclaration(bundle, result, level.id, b.id)));
    const open = next && level.id === next.id;
    const short = level.conditions.filter(unmet).length;
    list.append(el("li", { class: `gg-step ${level.reached ? "gg-step--reached" : "gg-step--open"}`, "data-level": level.id },
      el("details", { open: open ? true : null },
        el("summary", {},
          el("span", { class: "gg-step__icon", "aria-hidden": "true", text: level.reached ? "✓" : "○" }), " ",
          el("span", { class: "gg-step__name", text: tx(level.name) }), " ",
          el("span", { class: "gg-step__state", text: level.reached ? t("reached") : t("ladderShort", { n: short }) })),
        el("ul", { class: "gg-conds" }, conds.map((c) => conditionItem(bundle, c))))));
  }
  block.append(list);
  return block;
}

function gapsBlock(gaps) {
  const block = el("div", { class: "gg-gaps" }, el("h4", { text: t("gaps") }));
  if (!gaps || !gaps.length) {
    block.append(el("p", { class: "gg-muted", text: t("noGaps") }));
    return block;
  }
  block.append(el("ol", { class: "gg-gaps__list" }, gaps.map((g) =>
    el("li", { class: `gg-gap${g.condition ? ` gg-gap--${g.status}` : " gg-gap--points"}${g.soft ? " gg-gap--soft" : ""}`, "data-gap": g.condition || g.item || "" },
      el("span", { text: g[lang()] ?? g.zh ?? "" }),
      g.points != null ? el("span", { class: "gg-badge gg-badge--points", text: t("gapPoints", { n: num(g.points) }) }) : null,
      g.soft ? el("span", { class: "gg-badge gg-badge--soft", text: t(g.informational ? "info" : "soft") }) : null))));
  return block;
}

function derivedBlock(bundle, derived) {
  const facts = new Map();
  const list = Array.isArray(bundle.facts) ? bundle.facts : Object.values(bundle.facts || {});
  for (const f of list) if (f && f.path) facts.set(f.path, f);
  const rows = [];
  for (const [key, d] of Object.entries(derived || {})) {
    if (key.startsWith("coverage.")) continue;
    const fact = facts.get(`derived.${key}`) || facts.get(key);
    let value = d.value;
    if (key === "sector" && bundle.sectors[value]) value = tx(bundle.sectors[value].name);
    else if (key === "size_class") {
      const cls = (bundle.size_classes.classes || []).find((c) => c.id === value);
      if (cls) value = tx(cls.name);
    } else if (value === true) value = t("trueText");
    else if (value === false) value = t("falseText");
    else if (Array.isArray(value)) value = value.join(", ");
    const unit = fact && fact.unit ? ` ${tx(fact.unit)}` : "";
    rows.push(el("li", { "data-derived": key },
      el("span", { class: "gg-derived__label", text: colon(fact ? tx(fact.label) : pathWords(bundle, `derived.${key}`).replace(/^derived\./, "")) }),
      el("strong", { text: `${value}${typeof d.value === "number" ? unit : ""}` }),
      el("span", { class: "gg-muted", text: paren(pathWords(bundle, tx(d.how))) })));
  }
  if (!rows.length) return null;
  return el("details", { class: "gg-derived", open: true }, el("summary", { text: t("derived") }), el("ul", {}, rows));
}

// ---------------------------------------------------------------- the verdict in words

const VERDICTS = ["qualifies", "short-of-pass-mark", "pending", "not-eligible"];

/** The engine's verdict (guidegen.core: verdict), or, from an engine without it, its eligibility. */
export function verdictOf(r) {
  if (VERDICTS.includes(r.verdict)) return r.verdict;
  return `eligibility-${VERDICT_KEY[r.eligibility] || "unknown"}`;
}

function verdictChip(r) {
  const v = verdictOf(r);
  return el("span", { class: `gg-verdict gg-verdict--${v}`, "data-verdict": v, text: t(`verdict_${v}`) });
}

const hardOpen = (conds, status) => (conds || []).filter((c) => c.status === status && !c.soft);

function levelName(r, id) {
  const l = (r.levels || []).find((x) => x.id === id);
  return l ? tx(l.name) : null;
}

/** One sentence: "条件符合，得分61分，距80分还差19分" (every number from the engine). */
export function verdictSentence(r) {
  const v = verdictOf(r);
  const failing = hardOpen(r.conditions, "fail");
  const unknown = hardOpen(r.conditions, "unknown");
  const parts = [];
  if (v === "not-eligible" || (v === "eligibility-ineligible" && failing.length)) {
    parts.push(t(failing.length > 1 ? "sayFailsMore" : "sayFails", { title: failing.length ? tx(failing[0].title) : "", n: failing.length }));
  } else if (v === "pending" || v === "eligibility-unknown") {
    parts.push(t("sayPending", { n: unknown.length }));
  } else {
    parts.push(t("sayConditionsMet"));
  }
  const s = r.score;
  if (s) {
    const vars = { total: num(s.total), pass: num(s.pass_mark), short: num(s.short_of_pass) };
    const passed = v === "qualifies" || (v.startsWith("eligibility-") && s.passed);
    const short = v === "short-of-pass-mark" || (v.startsWith("eligibility-") && !s.passed);
    parts.push(t(passed ? "sayScorePassed" : short ? "sayScoreShort" : "sayScoreNow", vars));
  }
  if (r.levels) {
    const confirmed = levelName(r, r.level);
    const reachable = r.reachable_level && r.reachable_level !== r.level ? levelName(r, r.reachable_level) : null;
    if (confirmed) parts.push(t("sayLevel", { level: confirmed }));
    if (reachable) parts.push(t("sayReachable", { level: reachable }));
    if (!confirmed && !reachable) parts.push(t("noLevel"));
  }
  return parts.join(lang() === "zh" ? "，" : "; ");
}

function callLine(r) {
  const c = r.call;
  if (!c) return null;
  const key = c.status === "open" ? "callOpen" : c.status === "closed" ? "callClosed" : c.deadline ? "callDeadline" : "callNone";
  // The engine's note says it in full when there is one; else the page's short line.
  return el("p", { class: `gg-call gg-call--${c.status || "unknown"}`, "data-call": c.status || "unknown",
    text: c.note ? tx(c.note) : t(key, { deadline: c.deadline || "" }) });
}

// Issue 22: the verdict for an enterprise outside the call's city (the engine's `elsewhere`), and
// which edition of which document the result applies.
function elsewhereLine(r) {
  const e = r.elsewhere;
  if (!e || !e.note) return null;
  return el("p", { class: "gg-call gg-elsewhere", "data-elsewhere": e.verdict, text: tx(e.note) });
}

function editionLine(r) {
  const e = r.edition;
  if (!e || !e.edition) return null;
  return el("p", { class: "gg-muted gg-edition", "data-edition": e.doc },
    t("editionApplied", { edition: tx(e.edition) }), e.later ? el("br") : null, e.later ? el("small", { text: tx(e.later) }) : null);
}

// What recognition brings (issue 27): the scheme's benefits as the document states them, with
// their conditions and the quoted text (bundle.schemes[ID].benefits; [] = the document states none).
function benefitsBlock(bundle, r) {
  const list = bundle && bundle.schemes && bundle.schemes[r.scheme] ? bundle.schemes[r.scheme].benefits : undefined;
  if (!Array.isArray(list)) return null;
  const box = el("details", { class: "gg-benefits", "data-benefits": String(list.length) }, el("summary", { text: t("benefitsTitle") }));
  if (!list.length) box.append(el("p", { class: "gg-muted", text: t("benefitsNone") }));
  else box.append(el("ul", {}, list.map((b) => el("li", {},
    el("p", { text: tx(b.what) }),
    b.conditions ? el("p", { class: "gg-muted", text: t("benefitConditions") + tx(b.conditions) }) : null,
    b.source && b.source.quote ? el("blockquote", { class: "gg-quote", text: b.source.quote }) : null,
    cite(bundle, b.source)))));
  return box;
}

function planBlock(r) {
  const p = r.plan;
  if (!p || !Array.isArray(p.steps)) return null;
  const head = p.reachable
    ? t("planTitle", { target: num(p.target), n: p.steps.length, after: num(p.total_after) })
    : t("planUnreachable", { target: num(p.target), after: num(p.total_after) });
  return el("div", { class: "gg-plan", "data-reachable": String(!!p.reachable) },
    el("h4", { text: head }),
    el("ul", { class: "gg-plan__steps" }, p.steps.map((s) => el("li", { class: "gg-plan__step", "data-item": s.item },
      el("span", { class: "gg-plan__box", "aria-hidden": "true", text: "☐" }),
      el("span", { class: "gg-plan__msg", text: tx(s.message) }),
      el("span", { class: "gg-badge gg-badge--points", text: t("gapPoints", { n: num(s.points) }) })))));
}

function openList(bundle, r, status, onAnswer) {
  const scheme = bundle.schemes[r.scheme] || {};
  const rules = new Map();
  for (const c of scheme.conditions || []) rules.set(c.id, c.rule);
  for (const l of scheme.levels || []) for (const c of l.conditions || []) if (!rules.has(c.id)) rules.set(c.id, c.rule);
  // Issue 22: outside the call's region, the call's own unanswered rows (株洲's list for an enterprise in
  // 湘潭) are not asked, so not listed to confirm: the card's `elsewhere` line says where to apply instead.
  const seen = new Set(status === "unknown" && r.elsewhere ? r.elsewhere.left_out || [] : []);
  const conds = [];
  for (const c of [...hardOpen(r.conditions, status), ...(r.levels || []).flatMap((l) => hardOpen(l.conditions, status))]) {
    if (seen.has(c.id)) continue;
    seen.add(c.id);
    conds.push(c);
  }
  if (!conds.length) return null;
  return el("ul", { class: `gg-open gg-open--${status}` }, conds.map((c) => {
    const target = onAnswer ? onAnswer.find(rules.get(c.id)) : null;
    return el("li", { "data-condition": c.id },
      el("span", { class: "gg-open__title", text: tx(c.title) }),
      status === "fail" && c.message ? el("span", { class: "gg-open__msg", text: ` ${paren(tx(c.message))}` }) : null,
      target ? el("button", { type: "button", class: "gg-linkbutton", "data-answer": target, text: t(status === "fail" ? "answerChange" : "answerIt"), onclick: () => onAnswer.go(target) }) : null);
  }));
}

/** The application pack's notes of a scheme (issue 16): required indicators missing, sections
 *  over the form's limit — the engine's words, with a link to the application step. */
function applicationNotes(r, onAnswer) {
  const notes = [r.kpis && r.kpis.message, r.application && r.application.message].filter(Boolean);
  if (!notes.length) return null;
  return el("ul", { class: "gg-open gg-open--application", "data-application": r.scheme }, notes.map((m) => el("li", {},
    el("span", { class: "gg-open__title", text: tx(m) }),
    onAnswer ? el("button", { type: "button", class: "gg-linkbutton", "data-answer": "kpis", text: t("answerIt"),
      onclick: () => onAnswer.go("kpis.") }) : null)));
}

/** Render a result of guidegen.core.evaluate into `root`. `opts.onAnswer`:
 *  {find(rule) -> path|null, go(path)} links a pending condition to its question. */
export function renderResults(root, result, bundle, opts = {}) {
  clear(root);
  // The engine's notes on the answers as a whole (said once): answers kept for schemes this
  // edition does not publish; scenes of the other process type than the factory type given
  // (issue 22: ticked or proposed 流程型 scenes for a discrete maker, and the reverse).
  const SHOWN = new Set(["unpublished", "other-process-type"]);
  const notes = (result.warnings || []).filter((w) => w && SHOWN.has(w.kind) && w.message);
  if (notes.length) root.append(el("div", { class: "gg-alert gg-alert--info gg-warnings", id: "gg-warnings" }, notes.map((w) => el("p", { "data-warning": w.kind, text: tx(w.message) }))));
  if (result.results.length > 1) {
    // Several schemes: their verdicts at a glance, each a link to its card.
    root.append(el("ul", { class: "gg-overview" }, result.results.map((r) => el("li", { "data-scheme": r.scheme },
      el("a", { href: `#gg-res-${r.scheme}`, text: tx(r.name) }), " ", verdictChip(r)))));
  }
  for (const r of result.results) {
    const pending = openList(bundle, r, "unknown", opts.onAnswer);
    const failing = openList(bundle, r, "fail", opts.onAnswer);
    const more = el("details", { class: "gg-more" }, el("summary", { text: t("allDetails") }));
    if (r.score) more.append(scoreBlock(bundle, r.scheme, r.score));
    if (r.levels) more.append(ladderBlock(bundle, r));
    more.append(gapsBlock(r.gaps),
      el("div", { class: "gg-conditions" }, el("h4", { text: t("conditions") }),
        el("ul", { class: "gg-conds" }, r.conditions.map((c) => conditionItem(bundle, c)))));
    const article = el("article", { class: `gg-scheme gg-scheme--${verdictOf(r)}`, id: `gg-res-${r.scheme}`, "data-scheme": r.scheme, tabindex: "-1" },
      el("header", { class: "gg-scheme__head" }, el("h3", { text: tx(r.name) }), verdictChip(r)),
      el("p", { class: "gg-say", text: verdictSentence(r) }),
      r.score ? el("p", { class: `gg-total ${r.score.passed ? "gg-total--passed" : "gg-total--short"}`, "data-total": num(r.score.total) },
        t("total", { total: num(r.score.total), max: num(r.score.max), pass_mark: num(r.score.pass_mark) })) : null,
      callLine(r),
      elsewhereLine(r),
      benefitsBlock(bundle, r),
      plansBlock(r) || planBlock(r),
      failing ? el("div", { class: "gg-failing" }, el("h4", { text: t("failingTitle") }), failing) : null,
      pending ? el("div", { class: "gg-pending" }, el("h4", { text: t("pendingTitle") }), pending) : null,
      applicationNotes(r, opts.onAnswer),
      el("p", { class: "gg-schemelink" }, el("a", { href: `../schemes/${encodeURIComponent(r.scheme)}/`, text: t("schemePage") })),
      editionLine(r),
      more);
    root.append(article);
  }
  const derived = derivedBlock(bundle, result.derived);
  if (derived) {
    derived.open = false;
    root.append(derived);
  }
  root.append(el("p", { class: "gg-muted gg-note", text: t("verdictNote") }));
}

/** The phone's bar: one chip per scheme (its verdict), each opening the results at that scheme. */
export function renderChips(bar, result, onOpen) {
  clear(bar);
  for (const r of result.results) {
    const v = verdictOf(r);
    bar.append(el("button", { type: "button", class: `gg-chip gg-verdict--${v}`, "data-scheme": r.scheme, "data-verdict": v,
      "aria-label": `${tx(r.name)}: ${t(`verdict_${v}`)}`, onclick: () => onOpen(r.scheme) },
    el("span", { class: "gg-chip__name", text: tx(r.short || r.name) }),
    el("span", { class: "gg-chip__verdict", text: t(`verdict_${v}`) })));
  }
}

/** The engine's field errors that have no question on the form (unknown keys, wrong version, …). */
export function renderErrorBox(root, errors, onRemove) {
  clear(root);
  root.hidden = !errors.length;
  if (!errors.length) return;
  root.append(el("p", { class: "gg-alert__title", text: t("errorsTitle") }),
    el("ul", {}, errors.map((e) => el("li", { "data-field": e.field },
      el("code", { text: e.field }), " ", tx(e.message), " ",
      onRemove && e.field !== "(profile)" && e.field !== "schemes"
        ? el("button", { type: "button", class: "gg-button gg-button--small", text: t("removeValue"), onclick: () => onRemove(e.field) })
        : null))));
}
