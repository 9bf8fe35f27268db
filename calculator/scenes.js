// Scenes, ticked once. The user ticks one guide; every other guide the chosen
// schemes read is proposed through the bundle's crosswalk: scenes that are the
// same, renamed or merged are ticked and marked "from the crosswalk"; split or
// partly matching ones are listed for the user to confirm. The profile always
// stores explicit lists per guide (profile.scenes.GUIDE); which ticks came from
// the crosswalk (and which of those the user took back) is the page's own state
// (ui.crosswalk), so a change to the ticked guide updates the others.
import { el, clear, uid } from "./dom.js";
import { t, tx } from "./i18n.js";
import { getPath } from "./profile.js";
import { display } from "./form.js";

const AUTO = new Set(["same", "renamed", "merged-into"]);
const CONFIRM = new Set(["split", "partly"]);
// bundle.sectors[s].key_links are link numbers of this guide (catalogs/FORMAT.md).
export const KEY_LINK_GUIDE = "miit-2021";

const asList = (v) => (Array.isArray(v) ? v : []);
const sortNum = (list) => [...new Set(list)].sort((a, b) => (typeof a === "number" && typeof b === "number" ? a - b : 0));

/** The guide to tick by default: a latest edition (one the crosswalk maps into, never from),
 *  else the one whose source document is newest. */
export function defaultGuide(bundle, guides) {
  if (!guides.length) return null;
  const isSource = (g) => (bundle.crosswalk || []).some((e) => e.from.guide === g);
  const date = (g) => {
    const doc = bundle.guide_info[g] && bundle.guide_info[g].source && bundle.guide_info[g].source.doc;
    return (doc && bundle.sources[doc] && bundle.sources[doc].date) || "";
  };
  return [...guides].sort((a, b) => (isSource(a) - isSource(b)) || date(b).localeCompare(date(a)))[0];
}

/** What ticking `ticked` scenes of guide `from` implies for guide `to`:
 *  {auto: Map(n -> note), confirm: Map(n -> note)} (both directions of the crosswalk). */
export function proposals(bundle, from, to, ticked) {
  const auto = new Map();
  const confirm = new Map();
  const has = new Set(ticked);
  for (const e of bundle.crosswalk || []) {
    let targets = [];
    if (e.from.guide === from && has.has(e.from.scene)) targets = e.to.filter((x) => x.guide === to).map((x) => x.scene);
    else if (e.from.guide === to && e.to.some((x) => x.guide === from && has.has(x.scene))) targets = [e.from.scene];
    const kind = AUTO.has(e.relation) ? auto : CONFIRM.has(e.relation) ? confirm : null;
    if (!kind) continue;
    for (const n of targets) if (!kind.has(n)) kind.set(n, e);
  }
  for (const n of auto.keys()) confirm.delete(n);
  return { auto, confirm };
}

/** Bring the other guides' lists in line with the ticked guide (profile and ui mutated). */
export function applyCrosswalk(bundle, profile, ui, guides, commit) {
  const primary = ui.guide;
  if (!primary) return;
  const ticked = asList(getPath(profile, `scenes.${primary}`));
  ui.crosswalk = ui.crosswalk && typeof ui.crosswalk === "object" ? ui.crosswalk : {};
  for (const g of guides) {
    if (g === primary) continue;
    const state = ui.crosswalk[g] || { auto: [], off: [] };
    const { auto } = proposals(bundle, primary, g, ticked);
    const now = [...auto.keys()];
    const off = new Set(asList(state.off));
    const before = new Set(asList(state.auto));
    const current = asList(getPath(profile, `scenes.${g}`)).filter((n) => !before.has(n) || now.includes(n));
    const list = sortNum([...current, ...now.filter((n) => !off.has(n))]);
    ui.crosswalk[g] = { auto: now, off: [...off].filter((n) => now.includes(n)) };
    commit(`scenes.${g}`, list.length ? list : undefined);
  }
}

function sceneIndex(bundle, gid) {
  const out = new Map();
  for (const link of bundle.guides[gid] || []) for (const s of link.scenes) out.set(s.number, { link, scene: s });
  return out;
}

/**
 * The scenes step: the guide chooser, the ticked guide's links and scenes, and for each
 * other guide the crosswalk's proposals. `fields` is form.js's createFields(); `ui` the
 * page state (mutated; `saveUi()` after a change).
 */
export function scenesStep(fields, ui, guides, { saveUi, sector }) {
  const { bundle, ctx } = fields;
  if (!guides.includes(ui.guide)) ui.guide = defaultGuide(bundle, guides);
  const root = el("div", { class: "gg-scenes" });
  const commit = (path, value) => fields.commit(path, value);
  const refreshOthers = () => {
    applyCrosswalk(bundle, ctx.profile, ui, guides, commit);
    saveUi();
    renderOthers();
  };

  // ---- which guide to tick
  if (guides.length > 1) {
    const name = uid("gg-guide");
    const chooser = el("fieldset", { class: "gg-field gg-guidechoice" }, el("legend", { text: t("guideChoice") }),
      el("p", { class: "gg-help", text: t("guideChoiceHelp") }));
    for (const g of guides) {
      const input = el("input", { type: "radio", name, value: g, checked: g === ui.guide || null, "data-guide-choice": g });
      input.addEventListener("change", () => {
        if (!input.checked) return;
        ui.guide = g;
        saveUi();
        renderPrimary();
        renderOthers();
      });
      chooser.append(el("label", { class: "gg-choice gg-choice--block" }, input, " ", tx(bundle.guide_info[g]?.title) || g));
    }
    root.append(chooser);
  }
  const primaryBox = el("div", { class: "gg-primary" });
  const othersBox = el("div", { class: "gg-others" });
  root.append(primaryBox, othersBox);

  function renderPrimary() {
    clear(primaryBox);
    primaryBox.append(guideBlock(ui.guide));
  }

  // The ticked guide: every link with its scenes.
  function guideBlock(gid) {
    const path = `scenes.${gid}`;
    const info = bundle.guide_info[gid] || { title: { zh: gid, en: gid } };
    const links = bundle.guides[gid];
    const total = links.reduce((n, l) => n + l.scenes.length, 0);
    const counter = el("span", { class: "gg-count", "aria-live": "polite" });
    const section = el("section", { class: "gg-guide", "data-guide": gid, "data-role": "ticked" },
      el("h3", { class: "gg-guide__title" }, tx(info.title), " ", counter));
    const keys = new Set(gid === KEY_LINK_GUIDE && sector && bundle.sectors[sector] ? bundle.sectors[sector].key_links || [] : []);
    if (keys.size) section.append(el("p", { class: "gg-keynote", text: t("keyLinksNote", { sector: tx(bundle.sectors[sector].name), n: keys.size }) }));
    const checks = [];
    const setCount = () => {
      const n = asList(getPath(ctx.profile, path)).length;
      counter.textContent = t("tickedCount", { n, total });
    };
    const update = () => {
      const cur = asList(getPath(ctx.profile, path));
      const keep = cur.filter((n) => !checks.some((c) => c.number === n));
      const list = sortNum([...keep, ...checks.filter((c) => c.input.checked).map((c) => c.number)]);
      fields.commit(path, list.length ? list : undefined, w);
      setCount();
      refreshOthers();
    };
    for (const link of links) {
      const key = keys.has(link.number);
      const fs = el("fieldset", { class: `gg-link${key ? " gg-link--key" : ""}`, "data-link": link.number },
        el("legend", {}, `${t("link", { n: link.number })} ${tx(link.name)} `,
          key ? el("span", { class: "gg-badge gg-badge--key", text: t("keyLink") }) : null));
      for (const scene of link.scenes) {
        const input = el("input", { type: "checkbox", value: String(scene.number), "data-scene": scene.number });
        input.addEventListener("change", update);
        checks.push({ number: scene.number, input });
        fs.append(el("label", { class: "gg-scene", "data-question": `${path}.${scene.number}` }, input, " ",
          el("span", { class: "gg-scene__name", text: `${scene.number}. ${tx(scene.name)}` }),
          scene.description ? el("span", { class: "gg-scene__desc", text: tx(scene.description) }) : null));
      }
      section.append(fs);
    }
    const w = {
      sync: (v) => {
        const list = asList(v);
        for (const c of checks) c.input.checked = list.includes(c.number);
        setCount();
      },
    };
    w.sync(getPath(ctx.profile, path));
    fields.widget(path, w);
    const msg = el("p", { class: "gg-error", role: "alert", hidden: true });
    fields.register(path, { wrap: section, msg });
    const unknown = asList(getPath(ctx.profile, path)).filter((n) => !checks.some((c) => c.number === n));
    if (unknown.length) section.append(el("p", { class: "gg-unknown", text: t("unknownValue", { value: unknown.map(display).join(", ") }) }));
    section.append(fields.sourceLine(info.source) || "", msg);
    return section;
  }

  // Each other guide: the crosswalk's ticks, the matches to confirm, and the rest by hand.
  function renderOthers() {
    clear(othersBox);
    for (const g of guides) if (g !== ui.guide) othersBox.append(otherBlock(g));
  }

  function otherBlock(gid) {
    const path = `scenes.${gid}`;
    const info = bundle.guide_info[gid] || { title: { zh: gid, en: gid } };
    const index = sceneIndex(bundle, gid);
    const ticked = asList(getPath(ctx.profile, `scenes.${ui.guide}`));
    const { auto, confirm } = proposals(bundle, ui.guide, gid, ticked);
    const list = asList(getPath(ctx.profile, path));
    const section = el("section", { class: "gg-guide gg-guide--other", "data-guide": gid, "data-role": "proposed" },
      el("h3", { class: "gg-guide__title", text: tx(info.title) }),
      el("p", { class: "gg-help", text: t("otherGuideHelp", { guide: tx(bundle.guide_info[ui.guide]?.title) || ui.guide }) }));
    const set = (n, on) => {
      const cur = asList(getPath(ctx.profile, path));
      const next = sortNum(on ? [...cur, n] : cur.filter((x) => x !== n));
      const state = (ui.crosswalk && ui.crosswalk[gid]) || { auto: [], off: [] };
      const off = new Set(asList(state.off));
      if (auto.has(n)) { if (on) off.delete(n); else off.add(n); }
      ui.crosswalk = ui.crosswalk || {};
      ui.crosswalk[gid] = { auto: [...auto.keys()], off: [...off] };
      saveUi();
      fields.commit(path, next.length ? next : undefined);
    };
    const row = (n, kind, entry) => {
      const item = index.get(n);
      const input = el("input", { type: "checkbox", "data-scene": n, checked: list.includes(n) || null });
      input.addEventListener("change", () => set(n, input.checked));
      const note = entry && entry.note ? el("span", { class: "gg-scene__desc", text: tx(entry.note) }) : null;
      return el("label", { class: `gg-scene gg-scene--${kind}`, "data-question": kind === "manual" ? null : `${path}.${n}`, "data-crosswalk": kind },
        input, " ",
        el("span", { class: "gg-scene__name", text: `${n}. ${item ? tx(item.scene.name) : display(n)}` }),
        kind === "auto" ? el("span", { class: "gg-badge gg-badge--crosswalk", text: t("fromCrosswalk") }) : null,
        kind === "confirm" ? el("span", { class: "gg-badge gg-badge--confirm", text: t(entry.relation === "split" ? "crosswalkSplit" : "crosswalkPartly") }) : null,
        note);
    };
    if (auto.size) {
      section.append(el("fieldset", { class: "gg-link gg-link--auto" }, el("legend", { text: t("crosswalkTicked", { n: auto.size }) }),
        [...auto.keys()].sort((a, b) => a - b).map((n) => row(n, "auto", auto.get(n)))));
    }
    if (confirm.size) {
      section.append(el("fieldset", { class: "gg-link gg-link--confirm" }, el("legend", { text: t("crosswalkConfirm", { n: confirm.size }) }),
        [...confirm.keys()].sort((a, b) => a - b).map((n) => row(n, "confirm", confirm.get(n)))));
    }
    if (!auto.size && !confirm.size) section.append(el("p", { class: "gg-muted", text: t("crosswalkNothing") }));
    const rest = [...index.keys()].filter((n) => !auto.has(n) && !confirm.has(n));
    const byHand = rest.filter((n) => list.includes(n)).length;
    const details = el("details", { class: "gg-rest", open: byHand ? true : null },
      el("summary", { text: t("crosswalkRest", { n: rest.length, ticked: byHand }) }),
      rest.map((n) => row(n, "manual", null)));
    section.append(details);
    const msg = el("p", { class: "gg-error", role: "alert", hidden: true });
    fields.register(path, { wrap: section, msg, details });
    section.append(fields.sourceLine(info.source) || "", msg);
    // Kept in line when the list changes elsewhere (an import, the crosswalk).
    fields.widget(path, { sync: (v) => { for (const input of section.querySelectorAll("input[data-scene]")) input.checked = asList(v).includes(Number(input.dataset.scene)); } });
    return section;
  }

  // Lists change only when the user ticks: opening the step (or an imported profile) shows
  // the proposals without touching the answers.
  renderPrimary();
  renderOthers();
  return root;
}
