// Scenes, ticked once. The user ticks one guide; every other guide the chosen
// schemes read gets the bundle's crosswalk proposals (issue 22, contract 1.2): they
// go to profile.scenes_proposed.GUIDE and count for nothing until the user confirms
// one (it moves to scenes.GUIDE) or declines it (scenes_declined.GUIDE: never
// proposed again). profile.scenes.GUIDE holds only what the user ticked or confirmed.
// A proposal of the other process type (流程型 / 离散型: the guide's `process_type`)
// is flagged when application.factory_type is answered.
import { el, clear, uid } from "./dom.js";
import { t, tx } from "./i18n.js";
import { getPath } from "./profile.js";
import { display } from "./form.js";
import { chosenSchemes } from "./state.js";

const AUTO = new Set(["same", "renamed", "merged-into"]);
const CONFIRM = new Set(["split", "partly"]);
// bundle.sectors[s].key_links are link numbers of this guide (catalogs/FORMAT.md).
// The guide whose link numbers the sectors' key links name (catalog data: the guide marked
// sector_key_links in catalogs/guides/).
export function keyLinkGuide(bundle) {
  return Object.keys(bundle.guide_info || {}).find((g) => bundle.guide_info[g].sector_key_links) || null;
}

const asList = (v) => (Array.isArray(v) ? v : []);
const sortNum = (list) => [...new Set(list)].sort((a, b) => (typeof a === "number" && typeof b === "number" ? a - b : 0));

/** The guide a scheme's own application form ticks (its 场景 table), or null. */
export function ownGuide(bundle, scheme) {
  const form = (bundle.application_forms || {})[scheme];
  const part = form && (form.parts || []).find((p) => p.kind === "scenes" && p.guide);
  return part ? part.guide : null;
}

/** The guide to tick by default: the one the chosen schemes' own forms and rubrics use
 *  (Zhuzhou: the 2021 table), most schemes first; else a latest edition (one the
 *  crosswalk maps into, never from), else the one whose source document is newest. */
export function defaultGuide(bundle, guides, schemes = []) {
  if (!guides.length) return null;
  const votes = new Map();
  for (const s of schemes) {
    const g = ownGuide(bundle, s);
    if (g && guides.includes(g)) votes.set(g, (votes.get(g) || 0) + 1);
  }
  const isSource = (g) => (bundle.crosswalk || []).some((e) => e.from.guide === g);
  const date = (g) => {
    const doc = bundle.guide_info[g] && bundle.guide_info[g].source && bundle.guide_info[g].source.doc;
    return (doc && bundle.sources[doc] && bundle.sources[doc].date) || "";
  };
  return [...guides].sort((a, b) => ((votes.get(b) || 0) - (votes.get(a) || 0)) || (isSource(a) - isSource(b)) || date(b).localeCompare(date(a)))[0];
}

/** Scene numbers of guide `gid` for the other process type than application.factory_type
 *  (none when it is not answered): the guide marks them `process_type`. */
export function otherProcessScenes(bundle, profile, gid) {
  const kind = getPath(profile, "application.factory_type");
  if (kind !== "discrete" && kind !== "process") return new Set();
  const out = new Set();
  for (const link of bundle.guides[gid] || []) for (const s of link.scenes) if (s.process_type && s.process_type !== kind) out.add(s.number);
  return out;
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

/** Bring the other guides' proposals in line with the ticked guide (profile and ui mutated):
 *  scenes_proposed.G = what the crosswalk proposes from the ticked guide, less what is already
 *  confirmed (scenes.G) or declined (scenes_declined.G). scenes.G itself is never written here. */
export function applyCrosswalk(bundle, profile, ui, guides, commit) {
  const primary = ui.guide;
  if (!primary) return;
  migrateAutoTicks(profile, ui, commit);
  const ticked = asList(getPath(profile, `scenes.${primary}`));
  for (const g of guides) {
    if (g === primary) continue;
    const { auto, confirm } = proposals(bundle, primary, g, ticked);
    const have = new Set(asList(getPath(profile, `scenes.${g}`)));
    const declined = new Set(asList(getPath(profile, `scenes_declined.${g}`)));
    const list = sortNum([...auto.keys(), ...confirm.keys()].filter((n) => !have.has(n) && !declined.has(n)));
    commit(`scenes_proposed.${g}`, list.length ? list : undefined);
  }
}

/** Answers kept before issue 22 had crosswalk ticks written into scenes.G (ui.crosswalk.G.auto):
 *  those were never the user's; they become proposals again. */
function migrateAutoTicks(profile, ui, commit) {
  if (!ui.crosswalk || typeof ui.crosswalk !== "object") return;
  for (const [g, state] of Object.entries(ui.crosswalk)) {
    const auto = new Set(asList(state && state.auto));
    const cur = asList(getPath(profile, `scenes.${g}`));
    const kept = cur.filter((n) => !auto.has(n));
    if (kept.length !== cur.length) commit(`scenes.${g}`, kept.length ? kept : undefined);
  }
  delete ui.crosswalk;
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
  if (!guides.includes(ui.guide)) ui.guide = defaultGuide(bundle, guides, chosenSchemes());
  migrateAutoTicks(ctx.profile, ui, (path, value) => fields.commit(path, value));
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
  // Scene descriptions on demand: one switch for the step.
  const descSwitch = el("button", { type: "button", class: "gg-button gg-button--quiet gg-button--small", id: "gg-scene-desc", "aria-pressed": "false", text: t("sceneDescShow") });
  descSwitch.addEventListener("click", () => {
    const on = !root.classList.contains("gg-scenes--desc");
    root.classList.toggle("gg-scenes--desc", on);
    descSwitch.setAttribute("aria-pressed", String(on));
  });
  root.append(descSwitch);
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
    const keys = new Set(gid === keyLinkGuide(bundle) && sector && bundle.sectors[sector] ? bundle.sectors[sector].key_links || [] : []);
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
    // Grouped by link (issue 24): the sector's key links first and open, the others folded
    // with their count (open where something is ticked); with no sector, every link folded.
    const tickedNow = new Set(asList(getPath(ctx.profile, path)));
    const ordered = [...links.filter((l) => keys.has(l.number)), ...links.filter((l) => !keys.has(l.number))];
    for (const link of ordered) {
      const key = keys.has(link.number);
      const ticked = link.scenes.filter((sc) => tickedNow.has(sc.number)).length;
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
      const foldCount = el("span", { class: "gg-muted gg-linkfold__count", text: t("linkFolded", { ticked, total: link.scenes.length }) });
      section.append(el("details", { class: "gg-linkfold", "data-link-fold": link.number, open: key || ticked ? true : null },
        el("summary", {}, `${t("link", { n: link.number })} ${tx(link.name)} `, key ? el("span", { class: "gg-badge gg-badge--key", text: t("keyLink") }) : null, " ", foldCount),
        fs));
      fs.addEventListener("change", () => {
        const n = link.scenes.filter((sc) => asList(getPath(ctx.profile, path)).includes(sc.number)).length;
        foldCount.textContent = t("linkFolded", { ticked: n, total: link.scenes.length });
      });
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

  // Each other guide: the crosswalk's proposals to confirm or decline, the confirmed scenes,
  // the declined ones, and the rest by hand.
  const watched = new Set();
  let redrawPending = false;
  const redrawLater = () => {
    if (redrawPending) return;
    redrawPending = true;
    queueMicrotask(() => { redrawPending = false; if (root.isConnected) renderOthers(); });
  };
  function renderOthers() {
    clear(othersBox);
    for (const g of guides) if (g !== ui.guide) othersBox.append(otherBlock(g));
  }

  function otherBlock(gid) {
    const path = `scenes.${gid}`;
    const pPath = `scenes_proposed.${gid}`;
    const dPath = `scenes_declined.${gid}`;
    const info = bundle.guide_info[gid] || { title: { zh: gid, en: gid } };
    const index = sceneIndex(bundle, gid);
    const ticked = asList(getPath(ctx.profile, `scenes.${ui.guide}`));
    const { auto, confirm } = proposals(bundle, ui.guide, gid, ticked);
    const entryOf = (n) => auto.get(n) || confirm.get(n) || null;
    const flagged = otherProcessScenes(bundle, ctx.profile, gid);
    const list = asList(getPath(ctx.profile, path));
    const declined = asList(getPath(ctx.profile, dPath));
    // What is stored, and what the ticks propose now (shown without writing: opening the step
    // changes no answer; the first tick stores them).
    const proposed = sortNum([...asList(getPath(ctx.profile, pPath)),
      ...[...auto.keys(), ...confirm.keys()].filter((n) => !list.includes(n) && !declined.includes(n))]);
    const section = el("section", { class: "gg-guide gg-guide--other", "data-guide": gid, "data-role": "proposed" },
      el("h3", { class: "gg-guide__title" }, tx(info.title), " ",
        el("span", { class: "gg-count", text: t("confirmedCount", { n: list.length, p: proposed.length }) })),
      el("p", { class: "gg-help", text: t("proposedHelp", { guide: tx(bundle.guide_info[ui.guide]?.title) || ui.guide }) }));
    const put = (p, v) => fields.commit(p, v.length ? sortNum(v) : undefined);
    // Move scene n between the three lists; a crosswalk scene taken back is declined (not proposed again).
    const move = (n, to) => {
      const cur = asList(getPath(ctx.profile, path)).filter((x) => x !== n);
      const pro = asList(getPath(ctx.profile, pPath)).filter((x) => x !== n);
      const dec = asList(getPath(ctx.profile, dPath)).filter((x) => x !== n);
      if (to === "confirmed") cur.push(n);
      else if (to === "declined") dec.push(n);
      else if (to === "proposed") pro.push(n);
      put(path, cur);
      put(pPath, pro);
      put(dPath, dec);
      saveUi();
      renderOthers();
    };
    const label = (n) => {
      const item = index.get(n);
      return `${n}. ${item ? tx(item.scene.name) : display(n)}`;
    };
    const badges = (n) => {
      const entry = entryOf(n);
      const out = [];
      if (entry) {
        const kind = CONFIRM.has(entry.relation) ? (entry.relation === "split" ? "crosswalkSplit" : "crosswalkPartly") : "fromCrosswalk";
        out.push(el("span", { class: `gg-badge ${CONFIRM.has(entry.relation) ? "gg-badge--confirm" : "gg-badge--crosswalk"}`, text: t(kind) }));
      }
      if (flagged.has(n)) out.push(el("span", { class: "gg-badge gg-badge--warn", "data-flag": "process-type", text: processFlag(n) }));
      return out;
    };
    // The badge names both types: the scene's (the guide's `process_type`) and the factory's.
    const typeWord = { discrete: "processDiscrete", process: "processProcess" };
    const processFlag = (n) => {
      const item = index.get(n);
      const kind = item && item.scene.process_type;
      const mine = getPath(ctx.profile, "application.factory_type");
      return t("otherProcessType", { kind: t(typeWord[kind]), mine: t(typeWord[mine]) });
    };
    const noteOf = (n) => {
      const entry = entryOf(n);
      return entry && entry.note ? el("span", { class: "gg-scene__desc", text: tx(entry.note) }) : null;
    };

    // 1. Proposed: not counted until confirmed.
    if (proposed.length) {
      const box = el("fieldset", { class: "gg-link gg-link--proposed", "data-list": "proposed" },
        el("legend", { text: t("proposedTitle", { n: proposed.length }) }),
        el("p", { class: "gg-help", text: t("proposedNote") }));
      const plain = proposed.filter((n) => !flagged.has(n));
      if (plain.length > 1) {
        const all = el("button", { type: "button", class: "gg-button gg-button--small", "data-action": "confirm-all", text: t("confirmAll", { n: plain.length }) });
        all.addEventListener("click", () => {
          put(path, [...asList(getPath(ctx.profile, path)), ...plain]);
          put(pPath, asList(getPath(ctx.profile, pPath)).filter((x) => !plain.includes(x)));
          saveUi();
          renderOthers();
        });
        box.append(all);
      }
      for (const n of proposed) {
        const yes = el("button", { type: "button", class: "gg-button gg-button--small", "data-action": "confirm", "data-scene": n, text: t("sceneConfirm") });
        const no = el("button", { type: "button", class: "gg-button gg-button--quiet gg-button--small", "data-action": "decline", "data-scene": n, text: t("sceneDecline") });
        yes.addEventListener("click", () => move(n, "confirmed"));
        no.addEventListener("click", () => move(n, "declined"));
        box.append(el("div", { class: `gg-scene gg-scene--proposed${flagged.has(n) ? " gg-scene--flagged" : ""}`, "data-question": `${path}.${n}`, "data-crosswalk": "proposed", "data-scene": n },
          el("span", { class: "gg-scene__name", text: label(n) }), " ", ...badges(n), " ",
          el("span", { class: "gg-scene__actions" }, yes, " ", no), noteOf(n)));
      }
      section.append(box);
    } else if (!auto.size && !confirm.size) {
      section.append(el("p", { class: "gg-muted", text: t("crosswalkNothing") }));
    }

    // 2. Confirmed or ticked: what counts. Unticking a crosswalk scene declines it.
    const check = (n, kind) => {
      const input = el("input", { type: "checkbox", "data-scene": n, checked: list.includes(n) || null });
      input.addEventListener("change", () => {
        if (input.checked) move(n, "confirmed");
        else move(n, entryOf(n) ? "declined" : "none");
      });
      return el("label", { class: `gg-scene gg-scene--${kind}${flagged.has(n) ? " gg-scene--flagged" : ""}`, "data-question": kind === "manual" ? null : `${path}.${n}`, "data-crosswalk": kind },
        input, " ", el("span", { class: "gg-scene__name", text: label(n) }), ...badges(n), kind === "confirmed" ? noteOf(n) : null);
    };
    if (list.length) {
      section.append(el("fieldset", { class: "gg-link gg-link--confirmed", "data-list": "confirmed" },
        el("legend", { text: t("confirmedTitle", { n: list.length }) }), list.map((n) => check(n, "confirmed"))));
    }

    // 3. Declined: kept out of the proposals; can be proposed again.
    if (declined.length) {
      const box = el("details", { class: "gg-declined", "data-list": "declined" },
        el("summary", { text: t("declinedTitle", { n: declined.length }) }));
      for (const n of declined) {
        const back = el("button", { type: "button", class: "gg-button gg-button--quiet gg-button--small", "data-action": "undecline", "data-scene": n, text: t("sceneUndecline") });
        back.addEventListener("click", () => move(n, entryOf(n) ? "proposed" : "none"));
        box.append(el("div", { class: "gg-scene gg-scene--declined", "data-scene": n }, el("span", { class: "gg-scene__name", text: label(n) }), " ", back));
      }
      section.append(box);
    }

    // 4. The rest, by hand.
    const shown = new Set([...list, ...proposed, ...declined]);
    const rest = [...index.keys()].filter((n) => !shown.has(n));
    const details = el("details", { class: "gg-rest" },
      el("summary", { text: t("crosswalkRest", { n: rest.length, ticked: 0 }) }),
      rest.map((n) => check(n, "manual")));
    section.append(details);
    const msg = el("p", { class: "gg-error", role: "alert", hidden: true });
    fields.register(path, { wrap: section, msg, details });
    section.append(fields.sourceLine(info.source) || "", msg);
    // Kept in line when the lists change elsewhere (an import): drawn again, once per change.
    if (!watched.has(gid)) {
      watched.add(gid);
      for (const p of [path, pPath, dPath]) fields.widget(p, { sync: redrawLater });
    }
    return section;
  }

  // Lists change only when the user ticks: opening the step (or an imported profile) shows
  // the proposals without touching the answers.
  renderPrimary();
  renderOthers();
  return root;
}
