// Routes to the pass mark (issue #23): what guidegen.core returned as `plans`, shown as the
// recommended route's checklist with the other routes one tap away; a budget ("最多再投入 __ 万元",
// profile constraints.budget_wan) that re-plans as it is typed; "已做到 / Done" ticks that apply a
// step's change to a copy of the profile and show the total the engine gives it; a claim's
// "确认 / Confirm" that writes it into the profile. No scoring here: every number is the engine's.
// The chosen route is the only one drawn, so printing the page prints it.
import { el, uid } from "./dom.js";
import { t, tx, lang } from "./i18n.js";
import { ctx, page, saveUi } from "./state.js";
import { getPath, setPath, toJSON, parseNumber } from "./profile.js";
import { today } from "./layout.js";

const ORDER = ["claim", "least-cost", "fewest-steps"];
const BUDGET = "constraints.budget_wan";
const TYPE_MS = 250;

// The budget box is drawn again with every result: what was typed (and where the caret was)
// survives that, so typing is never interrupted.
const typed = { scheme: null, text: null, start: null, end: null, timer: null };

/** The engine's answer for a profile copy (the worker's evaluate message, as evaluation.js sends it;
 *  not imported from there: results.js imports this module). */
function evaluateCopy(profileJson, schemes) {
  return page.engine.request({ type: "evaluate", profile: profileJson, schemes, today: today() }).then((m) => m.json);
}

function num(n) {
  return typeof n === "number" ? String(n) : String(n ?? "");
}

function uiOf(key) {
  ctx.ui[key] = ctx.ui[key] && typeof ctx.ui[key] === "object" ? ctx.ui[key] : {};
  return ctx.ui[key];
}

function routeIds(p) {
  return [p.id, ...(p.also || [])];
}

/** The route shown: the one the user picked (if still there), else the engine's recommendation. */
function chosen(r) {
  const want = uiOf("planRoute")[r.scheme];
  return r.plans.find((p) => want && routeIds(p).includes(want)) || r.plans.find((p) => r.plan && p.id === r.plan.id) || r.plans[0];
}

function routeName(p) {
  return routeIds(p).map((id) => t(`route_${id}`)).join(lang() === "zh" ? " · " : " · ");
}

function costLine(p) {
  const c = p.cost || {};
  const parts = [];
  parts.push(c.spend_wan ? t(c.spend_share != null ? "routeSpendShare" : "routeSpend", { wan: num(c.spend_wan), share: num(c.spend_share) }) : t("routeNoSpend"));
  if (c.titles) parts.push(t("routeTitles", { n: num(c.titles) }));
  if (c.claims) parts.push(t("routeClaims", { n: num(c.claims) }));
  parts.push(t("routeWeighted", { w: num(c.weighted) }));
  return parts.join(lang() === "zh" ? "；" : "; ");
}

function signature(s) {
  return `${s.item}|${s.kind}|${JSON.stringify(s.change)}`;
}

/** Apply the ticked steps (in the route's order) to a copy of the profile and show the engine's total. */
async function whatIf(r, route, out) {
  const done = new Set((uiOf("planDone")[r.scheme] || []));
  const steps = route.steps.filter((s) => done.has(signature(s)));
  if (!steps.length) {
    out.textContent = "";
    return;
  }
  const copy = JSON.parse(toJSON(ctx.profile));
  for (const s of steps) for (const [path, value] of Object.entries(s.change)) setPath(copy, path, value);
  if (page.runtime !== "ready") return;
  out.textContent = t("whatIfBusy");
  try {
    const answer = JSON.parse(await evaluateCopy(JSON.stringify(copy), [r.scheme]));
    const res = answer.results && answer.results.find((x) => x.scheme === r.scheme);
    if (!res || !res.score) {
      out.textContent = answer.errors ? t("whatIfErrors") : "";
      return;
    }
    const key = res.score.passed ? "whatIfPassed" : "whatIfShort";
    out.textContent = t(key, { n: steps.length, before: num(r.score.total), after: num(res.score.total), target: num(res.score.pass_mark) });
    out.dataset.after = num(res.score.total);
  } catch {
    out.textContent = "";
  }
}

function stepItem(r, route, s, out) {
  const done = new Set(uiOf("planDone")[r.scheme] || []);
  const id = uid("gg-step");
  const box = el("input", { type: "checkbox", id, class: "gg-route__tick", checked: done.has(signature(s)) || null,
    onchange: (e) => {
      const now = new Set(uiOf("planDone")[r.scheme] || []);
      if (e.target.checked) now.add(signature(s));
      else now.delete(signature(s));
      uiOf("planDone")[r.scheme] = [...now];
      saveUi();
      whatIf(r, route, out);
    } });
  const confirm = s.kind === "claim" && s.confirm
    ? el("button", { type: "button", class: "gg-button gg-button--small", "data-confirm": Object.keys(s.confirm).join(" "), text: t("claimConfirm"),
      onclick: () => { for (const [path, value] of Object.entries(s.change)) ctx.write(path, value); } })
    : null;
  return el("li", { class: `gg-plan__step gg-route__step gg-route__step--${s.kind}`, "data-item": s.item, "data-kind": s.kind },
    box,
    el("label", { for: id, class: "gg-route__done", text: t("stepDone") }),
    el("span", { class: "gg-plan__msg", text: tx(s.message) }),
    el("span", { class: "gg-route__badges" },
      el("span", { class: "gg-badge gg-badge--points", text: t("gapPoints", { n: num(s.points) }) }),
      el("span", { class: `gg-badge gg-badge--kind`, text: t(`kind_${s.kind}`) }),
      s.cost && s.cost.spend_wan ? el("span", { class: "gg-badge", text: t("stepSpend", { wan: num(s.cost.spend_wan) }) }) : null),
    confirm);
}

function budgetBox(r) {
  const id = `gg-budget-${r.scheme}`;
  const held = getPath(ctx.profile, BUDGET);
  const input = el("input", { id, type: "text", inputmode: "decimal", class: "gg-route__budget", "data-budget": r.scheme,
    value: typed.scheme === r.scheme && typed.text != null ? typed.text : held == null ? "" : String(held),
    "aria-describedby": `${id}-help`,
    oninput: (e) => {
      typed.scheme = r.scheme;
      typed.text = e.target.value;
      typed.start = e.target.selectionStart;
      typed.end = e.target.selectionEnd;
      clearTimeout(typed.timer);
      typed.timer = setTimeout(() => {
        const text = typed.text.trim();
        const value = text === "" ? undefined : parseNumber(text);
        if (text !== "" && (typeof value !== "number" || value < 0)) return; // not a number yet: keep typing
        ctx.write(BUDGET, value);
      }, TYPE_MS);
    },
    // Left for elsewhere (not redrawn): typing is over.
    onblur: () => setTimeout(() => { if (input.isConnected && typed.scheme === r.scheme) typed.scheme = null; }, 0) });
  if (typed.scheme === r.scheme) {
    // Drawn again while being typed in: back into it, caret where it was.
    requestAnimationFrame(() => {
      if (!input.isConnected) return;
      input.focus();
      if (typed.start != null) input.setSelectionRange(typed.start, typed.end);
    });
  }
  const costs = page.bundle && page.bundle.plan_costs;
  const share = costs ? costs.spend.max_share_of_revenue : "";
  const [before, after] = t("budgetLabel").split("__");
  return el("p", { class: "gg-route__budgetline" },
    el("label", { for: id }, before, input, after),
    el("span", { id: `${id}-help`, class: "gg-muted gg-route__budgethelp", text: t(held == null ? "budgetNone" : "budgetSet", { share: num(share) }) }));
}

/** The routes of one scheme's result, or null when it has none (at or above the pass mark). */
export function plansBlock(r) {
  if (!r || !Array.isArray(r.plans) || !r.plans.length) return null;
  const plans = [...r.plans].sort((a, b) => ORDER.indexOf(a.id) - ORDER.indexOf(b.id));
  const route = chosen(r);
  const recommended = r.plan ? r.plan.id : null;
  const out = el("p", { class: "gg-route__whatif", "aria-live": "polite" });
  const tabs = el("div", { class: "gg-route__tabs", role: "tablist", "aria-label": t("routesTitle", { target: num(route.target) }) },
    plans.map((p) => el("button", { type: "button", role: "tab", class: "gg-route__tab", "data-route": p.id,
      "aria-selected": String(p === route), tabindex: p === route ? "0" : "-1",
      onclick: () => {
        uiOf("planRoute")[r.scheme] = p.id;
        saveUi();
        const box = tabs.closest(".gg-routes");
        if (box) box.replaceWith(plansBlock(r));
      } },
    el("span", { class: "gg-route__name", text: routeName(p) }),
    p.id === recommended ? el("span", { class: "gg-badge gg-badge--recommended", text: t("routeRecommended") }) : null,
    el("span", { class: "gg-route__sum", text: t(p.reachable ? "routeSum" : "routeSumShort", { n: p.steps.length, after: num(p.total_after) }) }))));
  const head = route.reachable
    ? t("routeTitle", { target: num(route.target), n: route.steps.length, after: num(route.total_after) })
    : t("planUnreachable", { target: num(route.target), after: num(route.total_after) });
  const panel = el("div", { class: "gg-plan gg-route", role: "tabpanel", "data-route": route.id, "data-reachable": String(!!route.reachable) },
    el("h4", { text: head }),
    el("p", { class: "gg-route__cost", text: costLine(route) }),
    route.note ? el("p", { class: "gg-route__note", text: tx(route.note) }) : null,
    el("ol", { class: "gg-plan__steps" }, route.steps.map((s) => stepItem(r, route, s, out))),
    out);
  const block = el("section", { class: "gg-routes", "data-scheme": r.scheme, "data-chosen": route.id },
    el("h4", { class: "gg-routes__title", text: t("routesTitle", { target: num(route.target) }) }),
    budgetBox(r),
    plans.length > 1 ? tabs : null,
    panel,
    el("p", { class: "gg-routes__more" }, el("a", { href: "../plans/", text: t("routesHow") })));
  whatIf(r, route, out);
  return block;
}

/** The chosen route of every scheme (for a printed or text report): [{scheme, route}]. */
export function chosenRoutes(result) {
  return (result.results || []).filter((r) => Array.isArray(r.plans) && r.plans.length)
    .map((r) => ({ scheme: r.scheme, route: chosen(r) }));
}

