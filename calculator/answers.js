// The answers as a whole: saved sets on this device, share links, export and import,
// printing and clearing (the toolbar), and the answers a page opens with (stored, or
// from a share link — asking first when both exist). Writes go through state.js.
import { el, clear } from "./dom.js";
import { t, tx, lang } from "./i18n.js";
import { ctx, page, replace, chosenSchemes } from "./state.js";
import {
  normalise, toJSON, withoutPersonal, withoutLongTexts, shareFragment, shareContext, decodeShare, shareFromHash, loadStored, store,
  loadUi, listSaved, saveNamed, deleteSaved, freeName, hasAnswers, isSaved,
} from "./profile.js";
import { describeProfile } from "./form.js";
import {
  fileInput, shareInput, shareMsg, shareBox, savedCount, savedName, savedList, savedSave, buttons,
  results, printHead, printProfile, dialogText, shareDialog, shareOpen, shareKeep, notice, today, stamp,
} from "./layout.js";

let shareWaiting = null; // {shared, keptAs, context}: a share link opened over saved answers

/** The name a set of answers is kept under: the enterprise's, else an automatic one. */
function setName(profile, fallbackKey) {
  const e = profile.enterprise;
  const name = e && typeof e.name === "string" ? e.name.trim() : "";
  return name || t(fallbackKey, { date: stamp() });
}

/** Save answers under a name once: the same answers are never saved twice, and a set of
 *  the enterprise's name is updated rather than piled up as "name (2)". */
function keepAs(profile, ui, fallbackKey) {
  const same = listSaved().find((x) => toJSON(x.profile) === toJSON(profile));
  if (same) return same.name;
  const name = setName(profile, fallbackKey);
  const named = profile.enterprise && typeof profile.enterprise.name === "string" && profile.enterprise.name.trim();
  return saveNamed(named ? name : freeName(name), profile, ui);
}

/** The page state a share link brings: its schemes and guide. */
function sharedUi(context) {
  const ui = {};
  if (context && context.schemes) ui.schemes = context.schemes;
  if (context && context.guide) ui.guide = context.guide;
  return ui;
}

function whose(context, shared) {
  const name = (context && context.name) || (shared.enterprise && shared.enterprise.name) || "";
  return name ? t("shareWhose", { name }) : t("shareOpened");
}

/** The answers the page opens with: a share link's (unless answers are stored here:
 *  then those, and askAboutShare() asks), else the stored ones. */
export function initialProfile() {
  const stored = normalise(loadStored() || {});
  const share = shareFromHash(window.location.hash);
  if (share === null) return stored;
  let shared;
  try {
    shared = normalise(decodeShare(share));
  } catch {
    notice(t("shareBroken"), "error");
    return stored;
  }
  const context = shareContext(window.location.hash);
  // The profile came in the fragment; keep it here and drop it from the address bar.
  window.history.replaceState(window.history.state, "", window.location.pathname + window.location.search);
  if (hasAnswers(stored) && toJSON(stored) !== toJSON(shared)) {
    // Answers are saved here already: they are kept as a saved profile whatever the user
    // chooses, and the page asks which to open.
    const keptAs = keepAs(stored, loadUi(), "beforeShareName");
    shareWaiting = { shared, keptAs, context };
    return stored;
  }
  store(shared);
  Object.assign(ctx.ui, sharedUi(context));
  notice(whose(context, shared), "shared");
  return shared;
}

export function askAboutShare() {
  if (!shareWaiting) return;
  dialogText.textContent = `${whose(shareWaiting.context, shareWaiting.shared)} ${t("shareDialogText", { name: shareWaiting.keptAs })}`;
  if (typeof shareDialog.showModal === "function") shareDialog.showModal();
  else shareDialog.setAttribute("open", "");
}

function settleShare(openShared) {
  if (!shareWaiting) return;
  const { shared, context } = shareWaiting;
  shareWaiting = null;
  if (typeof shareDialog.close === "function" && shareDialog.open) shareDialog.close();
  else shareDialog.removeAttribute("open");
  if (openShared) {
    replace(shared, sharedUi(context));
    notice(`${whose(context, shared)} ${t("shareOpenedKept")}`, "shared");
  } else {
    keepAs(shared, sharedUi(context), "sharedName");
    notice(t("shareKept"));
  }
  renderSaved();
}

/** A share link opened while this page is already open (only the fragment changed). */
function onHashChange() {
  if (!page.bundle || shareFromHash(window.location.hash) === null) return;
  const before = toJSON(ctx.profile);
  store(ctx.profile);
  const profile = initialProfile();
  if (shareWaiting) askAboutShare();
  else if (toJSON(profile) !== before) replace(profile, null);
}

function exportProfile() {
  const blob = new Blob([toJSON(ctx.profile, true) + "\n"], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const a = el("a", { href: url, download: `guidegen-profile-${today()}.json`, class: "gg-visually-hidden" });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

async function importProfile() {
  const file = fileInput.files && fileInput.files[0];
  fileInput.value = "";
  if (!file) return; // (before the questions are loaded too: they follow the profile)
  let value;
  if (page.runtime === "ready") {
    // The one profile reader (guidegen.profile_file, as `guidegen evaluate` and the desk read
    // files), in the worker: the same refusals and the same words.
    const data = await file.arrayBuffer();
    let answer = null;
    try {
      const yaml = /\.ya?ml$/i.test(file.name) ? { wheels: page.yamlWheels } : {};
      answer = JSON.parse((await page.engine.request({ type: "read-profile", name: file.name, data, ...yaml }, [data])).json);
    } catch {
      answer = null;
    }
    if (answer && answer.errors && answer.errors.length) {
      notice(t("importFailed", { detail: tx(answer.errors[0].message) }), "error");
      return;
    }
    value = answer && answer.profile;
  }
  if (value === undefined) {
    try {
      value = JSON.parse(await file.text());
    } catch {
      notice(t("importFailed", { detail: t("importBadJson") }), "error");
      return;
    }
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    notice(t("importFailed", { detail: t("importNotObject") }), "error");
    return;
  }
  keepCurrent();
  replace(value, null);
  notice(t("imported"));
}

async function makeShareLink() {
  // Personal fields (every contact field) stay on this device, long texts in the exported file.
  const personal = withoutPersonal(ctx.profile, page.bundle);
  const shared = withoutLongTexts(personal);
  const saved = listSaved().find((x) => toJSON(x.profile) === toJSON(ctx.profile));
  const name = saved ? saved.name : setName(ctx.profile, "autosaveName");
  const url = `${window.location.origin}${window.location.pathname}${shareFragment(shared, { schemes: chosenSchemes(), guide: ctx.ui.guide || null, name })}`;
  const leftOut = [toJSON(personal) !== toJSON(ctx.profile) ? t("sharePersonalLeftOut") : "",
    toJSON(shared) !== toJSON(personal) ? t("shareLongLeftOut") : ""].filter(Boolean).map((x) => ` ${x}`).join("");
  shareInput.value = url;
  shareBox.hidden = false;
  shareInput.focus();
  shareInput.select();
  try {
    await navigator.clipboard.writeText(url);
    shareMsg.textContent = t("shareCopied") + leftOut;
  } catch {
    shareMsg.textContent = t("shareCopyFailed") + leftOut;
  }
}

function clearAnswers() {
  if (!window.confirm(t("clearConfirm"))) return;
  replace({}, { step: "where" });
}

// ---- named profiles on this device

/** The current answers, if any and not saved yet, under an automatic name: never lost. */
function keepCurrent() {
  if (hasAnswers(ctx.profile) && !isSaved(ctx.profile)) keepAs(ctx.profile, ctx.ui, "autosaveName");
}

function saveCurrent() {
  const name = savedName.value.trim() || setName(ctx.profile, "autosaveName");
  saveNamed(name, ctx.profile, ctx.ui);
  savedName.value = "";
  notice(t("savedDone", { name }));
  renderSaved();
}

export function renderSaved() {
  const list = listSaved();
  savedCount.textContent = `(${list.length})`;
  clear(savedList);
  if (!list.length) savedList.append(el("li", { class: "gg-muted", text: t("savedNone") }));
  for (const item of list) {
    savedList.append(el("li", { class: "gg-saved__item", "data-name": item.name },
      el("span", { class: "gg-saved__name", text: item.name }), " ",
      el("span", { class: "gg-muted", text: String(item.saved || "").slice(0, 16).replace("T", " ") }), " ",
      el("button", { type: "button", class: "gg-button gg-button--small", "data-action": "open", text: t("savedOpen"), "aria-label": `${t("savedOpen")}: ${item.name}`, onclick: () => {
        keepCurrent();
        replace(item.profile, item.ui || {});
        notice(t("savedOpened", { name: item.name }));
        renderSaved();
      } }), " ",
      el("button", { type: "button", class: "gg-button gg-button--small gg-button--quiet", "data-action": "delete", text: t("savedDelete"), "aria-label": `${t("savedDelete")}: ${item.name}`, onclick: () => {
        if (!window.confirm(t("savedDeleteConfirm", { name: item.name }))) return;
        deleteSaved(item.name);
        renderSaved();
      } })));
  }
}

function fillPrint() {
  const bundle = page.bundle;
  if (!bundle) return;
  const name = ctx.profile.enterprise && typeof ctx.profile.enterprise.name === "string" ? ctx.profile.enterprise.name : "";
  clear(printHead).append(el("h1", { text: t("printTitle") }),
    name ? el("p", { class: "gg-printhead__name", text: name }) : null,
    el("p", { class: "gg-muted", text: t("printDate", { date: today(), version: bundle.version }) }),
    el("p", { class: "gg-muted", text: t("printSchemes", { schemes: chosenSchemes().map((id) => tx(bundle.schemes[id].name)).join(lang() === "zh" ? "、" : "; ") }) }));
  clear(printProfile).append(el("h2", { text: t("printProfile") }),
    ...describeProfile(bundle, ctx.profile).map((s) => el("section", {},
      el("h3", { text: s.title }),
      el("table", { class: "gg-profiletable" }, el("tbody", {}, s.rows.map(([k, v]) => el("tr", {}, el("th", { scope: "row", text: k }), el("td", { text: v }))))))));
  // The whole of each result prints (conditions, scores), not only what is unfolded.
  for (const d of results.querySelectorAll("details.gg-more:not([open])")) {
    d.open = true;
    d.setAttribute("data-print-opened", "");
  }
}

/** Attach the toolbar, the saved sets, the share dialog and printing. */
export function startAnswers() {
  buttons.export.addEventListener("click", exportProfile);
  buttons.share.addEventListener("click", makeShareLink);
  buttons.print.addEventListener("click", () => { fillPrint(); window.print(); });
  buttons.clear.addEventListener("click", clearAnswers);
  savedSave.addEventListener("click", saveCurrent);
  savedName.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); saveCurrent(); } });
  fileInput.addEventListener("change", importProfile);
  shareOpen.addEventListener("click", () => settleShare(true));
  shareKeep.addEventListener("click", () => settleShare(false));
  shareDialog.addEventListener("cancel", (e) => { e.preventDefault(); settleShare(false); });
  window.addEventListener("hashchange", onHashChange);
  window.addEventListener("beforeprint", fillPrint);
  window.addEventListener("afterprint", () => { for (const d of results.querySelectorAll("details[data-print-opened]")) { d.open = false; d.removeAttribute("data-print-opened"); } });
}
