// The results view: it only shows what guidegen.core returned (no scoring here).
// Every string from the result or the catalog is set as text.
import { el, clear } from "./dom.js";
import { t, tx, lang, colon, paren } from "./i18n.js";
import { citeText } from "./form.js";

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

function interpretation(text) {
  if (!text) return null;
  return el("details", { class: "gg-interp" }, el("summary", { text: t("interpretation") }), el("p", { text: tx(text) }));
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
        c.soft ? el("span", { class: "gg-badge gg-badge--soft", text: t("soft") }) : null),
      c.message ? el("p", { class: "gg-cond__msg", text: tx(c.message) }) : null,
      cite(bundle, c.source),
      interpretation(c.interpretation)));
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
        interpretation(item.interpretation || info.interpretation)));
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

function ladderBlock(bundle, result) {
  const current = result.levels.find((l) => l.id === result.level);
  const block = el("div", { class: "gg-ladder" },
    el("h4", { text: t("ladder") }),
    el("p", { class: "gg-ladder__current", "data-level": result.level || "", text: current ? t("currentLevel", { level: tx(current.name) }) : t("noLevel") }));
  const list = el("ol", { class: "gg-ladder__steps" });
  for (const level of result.levels) {
    list.append(el("li", { class: `gg-step ${level.reached ? "gg-step--reached" : "gg-step--open"}`, "data-level": level.id },
      el("details", {},
        el("summary", {},
          el("span", { class: "gg-step__icon", "aria-hidden": "true", text: level.reached ? "✓" : "○" }), " ",
          el("span", { class: "gg-step__name", text: tx(level.name) }), " ",
          el("span", { class: "gg-step__state", text: level.reached ? t("reached") : t("notReached") })),
        el("ul", { class: "gg-conds" }, level.conditions.map((c) => conditionItem(bundle, c))))));
  }
  block.append(list);
  if (result.next_level) {
    block.append(el("p", { class: "gg-next", text: t("nextLevel", { level: tx(result.next_level.name) }) }),
      el("ul", { class: "gg-next__list" }, result.next_level.missing.map((m) =>
        el("li", { class: `gg-cond--${m.status}`, text: tx(m.gap || m.message) }))));
  }
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
      g.soft ? el("span", { class: "gg-badge gg-badge--soft", text: t("soft") }) : null))));
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
      el("span", { class: "gg-derived__label", text: colon(fact ? tx(fact.label) : key) }),
      el("strong", { text: `${value}${typeof d.value === "number" ? unit : ""}` }),
      el("span", { class: "gg-muted", text: paren(tx(d.how)) })));
  }
  if (!rows.length) return null;
  return el("details", { class: "gg-derived", open: true }, el("summary", { text: t("derived") }), el("ul", {}, rows));
}

/** Render a result of guidegen.core.evaluate into `root`. */
export function renderResults(root, result, bundle) {
  clear(root);
  const summary = el("table", { class: "gg-summary" },
    el("thead", {}, el("tr", {}, el("th", { scope: "col", text: t("scheme") }), el("th", { scope: "col", text: t("verdict") }), el("th", { scope: "col", text: t("scoreOrLevel") }))),
    el("tbody", {}, result.results.map((r) => {
      let extra = "";
      if (r.score) extra = `${num(r.score.total)} / ${num(r.score.max)}`;
      else if (r.levels) {
        const lvl = r.levels.find((l) => l.id === r.level);
        extra = lvl ? tx(lvl.name) : t("noLevel");
      }
      return el("tr", { "data-scheme": r.scheme },
        el("th", { scope: "row" }, el("a", { href: `#gg-res-${r.scheme}`, text: tx(r.name) })),
        el("td", {}, verdictBadge(r.eligibility)),
        el("td", { text: extra }));
    })));
  root.append(el("h3", { class: "gg-results__summary-title", text: t("summary") }), summary,
    el("p", { class: "gg-muted gg-note", text: t("eligibilityNote") }));
  const derived = derivedBlock(bundle, result.derived);
  if (derived) root.append(derived);
  for (const r of result.results) {
    const article = el("article", { class: `gg-scheme gg-scheme--${r.eligibility}`, id: `gg-res-${r.scheme}`, "data-scheme": r.scheme },
      el("header", { class: "gg-scheme__head" }, el("h3", { text: tx(r.name) }), verdictBadge(r.eligibility)));
    if (r.score) article.append(scoreBlock(bundle, r.scheme, r.score));
    if (r.levels) article.append(ladderBlock(bundle, r));
    article.append(gapsBlock(r.gaps));
    article.append(el("div", { class: "gg-conditions" }, el("h4", { text: t("conditions") }),
      el("ul", { class: "gg-conds" }, r.conditions.map((c) => conditionItem(bundle, c)))));
    root.append(article);
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
