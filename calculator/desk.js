// The bureau desk page (/desk/, /en/desk/): a county or district bureau drops the
// profiles enterprises exported from the calculator, chooses the scheme, and
// downloads the scheme's 推荐汇总表 with the 初审 and problems sheets. The workbook is
// made by guidegen.desk.batch_folder (the CLI's `guidegen batch`) in the calculator's
// own worker, which on this page only also installs openpyxl, et_xmlfile and PyYAML
// (init option extraWheels). Nothing leaves the machine: the files are read here and
// the workbook is handed to the browser as a download.

import { el, clear } from "./dom.js";
import { setLang, t, tx } from "./i18n.js";
import { startEngine } from "./client.js";

const ASSETS = { worker: "worker.js", bundle: "catalog.json", wheel: "guidegen.whl", pyodide: "pyodide/", files: {}, deskWheels: [] }; // @assets
const PROFILE_SUFFIXES = [".json", ".yaml", ".yml"];
// guidegen.profile_file.MAX_BYTES + 1: a bigger file is refused by its size (the same words as
// the CLI's), so no more than this is read and handed to the worker (a 50 MB file costs 2 MB).
const READ_LIMIT = 2_000_001;

const rootEl = document.getElementById("gg-root");
const LANG = (rootEl && rootEl.dataset.lang) || (document.documentElement.lang.startsWith("en") ? "en" : "zh");
setLang(LANG);

let engine = null; // client.js startEngine(): the calculator's worker client
let bundle = null;
let chosen = []; // [{name, file}] in the order chosen; names made unique
const reviewed = new Set(); // files whose materials the bureau ticked as reviewed and passed
let downloadUrl = null;

// ---------------------------------------------------------------- the page
const schemeSelect = el("select", { id: "gg-desk-scheme", name: "scheme" });
const dateInput = el("input", { id: "gg-desk-date", type: "date", name: "today" });
dateInput.value = localDate();
const fileInput = el("input", { id: "gg-desk-files", type: "file", multiple: true, accept: PROFILE_SUFFIXES.join(","), class: "gg-visually-hidden" });
const dropZone = el("div", { class: "gg-desk__drop", id: "gg-desk-drop" },
  el("p", { class: "gg-desk__drop-text", text: t("deskDrop") }),
  el("label", { for: "gg-desk-files", class: "gg-button gg-button--quiet", text: t("deskPick") }));
const fileCount = el("p", { class: "gg-desk__count", id: "gg-desk-count", "aria-live": "polite" });
const fileList = el("ul", { class: "gg-desk__files", id: "gg-desk-list" });
const clearButton = el("button", { type: "button", class: "gg-button gg-button--quiet gg-button--small", id: "gg-desk-clear", text: t("deskClear"), onclick: () => setFiles([]) });
const runButton = el("button", { type: "button", class: "gg-button", id: "gg-desk-run", text: t("deskRun"), onclick: run });
// The table lists the applicants that qualify; pending ones only when the bureau asks (marked).
const pendingBox = el("input", { id: "gg-desk-pending", type: "checkbox", name: "include_pending" });
const pendingOption = el("div", { class: "gg-desk__field" },
  el("label", { for: "gg-desk-pending" }, pendingBox, " ", t("deskIncludePending")),
  el("p", { class: "gg-muted gg-desk__help", text: t("deskIncludePendingHelp") }));
const status = el("p", { class: "gg-desk__status", id: "gg-desk-status", role: "status", "aria-live": "polite", text: t("deskLoading") });
const result = el("div", { class: "gg-desk__result", id: "gg-desk-result", hidden: true });
const sheetsNote = el("p", { class: "gg-muted gg-desk__sheets" });

clear(rootEl).append(el("div", { class: "gg-desk" },
  el("div", { class: "gg-desk__row" },
    el("div", { class: "gg-desk__field" }, el("label", { for: "gg-desk-scheme", text: t("deskScheme") }), schemeSelect),
    el("div", { class: "gg-desk__field" }, el("label", { for: "gg-desk-date", text: t("deskDate") }), dateInput,
      el("p", { class: "gg-muted gg-desk__help", text: t("deskDateHelp") }))),
  fileInput, dropZone,
  el("div", { class: "gg-desk__chosen" }, fileCount, clearButton),
  fileList,
  pendingOption,
  el("div", { class: "gg-desk__actions" }, runButton),
  status, result, sheetsNote,
  el("p", { class: "gg-muted", text: t("deskPrivacy") })));
renderFiles();

fileInput.addEventListener("change", () => {
  addFiles([...fileInput.files]);
  fileInput.value = "";
});
for (const type of ["dragenter", "dragover"]) {
  dropZone.addEventListener(type, (event) => {
    event.preventDefault();
    dropZone.classList.add("gg-desk__drop--over");
  });
}
for (const type of ["dragleave", "drop"]) {
  dropZone.addEventListener(type, () => dropZone.classList.remove("gg-desk__drop--over"));
}
dropZone.addEventListener("drop", (event) => {
  event.preventDefault();
  addFiles([...(event.dataTransfer ? event.dataTransfer.files : [])]);
});
schemeSelect.addEventListener("change", describeSheets);

function localDate() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

// Every chosen file goes to the batch (a file that is not a profile is listed on the
// problems sheet, as the CLI does); two files of one name get " (2)" before the suffix.
function addFiles(files) {
  const next = [...chosen];
  for (const file of files) {
    let name = file.name;
    for (let n = 2; next.some((c) => c.name === name); n++) {
      const dot = file.name.lastIndexOf(".");
      name = dot > 0 ? `${file.name.slice(0, dot)} (${n})${file.name.slice(dot)}` : `${file.name} (${n})`;
    }
    next.push({ name, file });
  }
  setFiles(next);
}

function setFiles(files) {
  chosen = files;
  for (const name of [...reviewed]) if (!chosen.some((c) => c.name === name)) reviewed.delete(name);
  renderFiles();
}

function renderFiles() {
  fileCount.textContent = t("deskFiles", { n: chosen.length });
  clearButton.hidden = chosen.length === 0;
  clear(fileList).append(...chosen.map((c, i) => el("li", {},
    el("span", { class: "gg-desk__file", text: c.name }), " ",
    el("button", { type: "button", class: "gg-button gg-button--quiet gg-button--small", text: t("deskRemove"),
      "aria-label": `${t("deskRemove")} ${c.name}`, onclick: () => setFiles(chosen.filter((_, j) => j !== i)) }))));
}

function describeSheets() {
  const scheme = bundle && bundle.schemes[schemeSelect.value];
  // A table the documents prescribe (columns as in the notice) or this project's reading of one
  // (Zhuzhou 第六条 prescribes no table): the page says which.
  const own = scheme && scheme.summary_table.interpretation;
  sheetsNote.textContent = scheme ? t(own ? "deskSheetsOwn" : "deskSheets", { table: scheme.summary_table.title.zh }) : "";
}

function showStatus(text, state) {
  status.textContent = text;
  status.dataset.state = state || "";
}

// ---------------------------------------------------------------- the worker
function startWorker() {
  engine = startEngine({ assets: ASSETS, base: import.meta.url, name: "guidegen-desk", extraWheels: ASSETS.deskWheels || [] });
}

async function loadBundle() {
  const response = await fetch(new URL(ASSETS.bundle, import.meta.url));
  if (!response.ok) throw new Error(`${ASSETS.bundle}: HTTP ${response.status}`);
  const text = await response.text();
  engine.post({ type: "bundle", text });
  bundle = JSON.parse(text);
  const wanted = new URLSearchParams(window.location.search).get("scheme");
  const ids = Object.keys(bundle.schemes).filter((id) => bundle.schemes[id].summary_table);
  clear(schemeSelect).append(...ids.map((id) => el("option", { value: id, text: tx(bundle.schemes[id].name) })));
  if (ids.includes(wanted)) schemeSelect.value = wanted;
  describeSheets();
}

function request(message) {
  return engine.request(message, (message.files || []).map((f) => f.data));
}

async function run() {
  if (chosen.length === 0) {
    showStatus(t("deskNoFiles"), "error");
    return;
  }
  runButton.disabled = true;
  result.hidden = true;
  showStatus(t("deskWorking"), "busy");
  try {
    const files = await Promise.all(chosen.map(async (c) => ({ name: c.name, data: await c.file.slice(0, READ_LIMIT).arrayBuffer() })));
    const scheme = schemeSelect.value;
    const today = dateInput.value || localDate();
    const answer = await request({ type: "desk", files, scheme, today, lang: LANG,
      include_pending: pendingBox.checked, reviewed: [...reviewed] });
    const data = JSON.parse(answer.json);
    if (data.errors) {
      showStatus(t("deskError", { message: tx(data.errors[0].message) }), "error");
      return;
    }
    const title = bundle.schemes[scheme].summary_table.title.zh;
    const fileName = `${title}-${data.today}.xlsx`;
    if (downloadUrl) URL.revokeObjectURL(downloadUrl);
    downloadUrl = URL.createObjectURL(new Blob([answer.workbook],
      { type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" }));
    const v = data.verdicts;
    clear(result).append(
      el("p", { class: "gg-desk__verdicts", text: ["qualifies", "short-of-pass-mark", "pending", "not-eligible"]
        .map((k) => t("deskVerdictCount", { verdict: t(`verdict_${k}`), n: v[k] })).join(" · ") }),
      el("a", { class: "gg-button", id: "gg-desk-download", href: downloadUrl, download: fileName, text: t("deskDownload", { file: fileName }) }),
      orderTable(data.order),
      leftOutList(data.left_out || []),
      issueList(data.issues));
    result.hidden = false;
    showStatus(t("deskDone", { rows: data.rows, problems: data.problems }), "done");
  } catch (err) {
    showStatus(t("deskError", { message: err && err.message ? err.message : String(err) }), "error");
  } finally {
    runButton.disabled = false;
  }
}

// What the workbook holds, at a glance: the recommendation order and the problems.
function orderTable(order) {
  if (!order.length) return null;
  // The heading stays outside the sideways-scrolling box (a caption would scroll away on phones).
  return el("div", {},
    el("p", { class: "gg-desk__caption", id: "gg-desk-order-title", text: t("deskOrder") }),
    el("div", { class: "gg-desk__table" }, el("table", { class: "gg-desk__order", id: "gg-desk-order", "aria-labelledby": "gg-desk-order-title" },
      el("thead", {}, el("tr", {}, [t("deskColRow"), t("deskColName"), t("deskColVerdict"), t("deskColScore"), t("deskColFile"), t("deskColReviewed")]
        .map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, order.map((r) => el("tr", {},
        el("td", { text: r.pending ? t("deskPendingRow", { row: r.row }) : r.row }), el("td", { text: r.name || "" }), el("td", { text: r.verdict }),
        el("td", { text: r.score == null ? "" : r.score }), el("td", { class: "gg-desk__file", text: r.file }),
        el("td", {}, reviewBox(r))))))));
}

// The material review no profile can know: the bureau ticks it, and the workbook is made
// again with the 备注/推荐意见 column saying 材料审核通过 instead of 材料待审核.
function reviewBox(r) {
  return el("input", {
    type: "checkbox", class: "gg-desk__reviewed", "data-file": r.file, checked: reviewed.has(r.file),
    "aria-label": t("deskReviewedLabel", { name: r.name || r.file }),
    onchange: async (event) => {
      if (event.target.checked) reviewed.add(r.file);
      else reviewed.delete(r.file);
      await run();
      const again = [...result.querySelectorAll(".gg-desk__reviewed")].find((box) => box.dataset.file === r.file);
      if (again) again.focus();
    },
  });
}

// Everyone the table does not list, with the reason (the 初审 sheet has them all).
function leftOutList(rows) {
  if (!rows.length) return null;
  return el("div", { class: "gg-desk__issues", id: "gg-desk-left-out" },
    el("h2", { class: "gg-desk__subtitle", text: t("deskLeftOut", { n: rows.length }) }),
    el("ul", {}, rows.map((r) => el("li", {},
      el("span", { class: "gg-desk__file", text: r.file }), ` · ${r.name || ""} · `, r.reason))));
}

function issueList(issues) {
  if (!issues.length) return null;
  return el("div", { class: "gg-desk__issues", id: "gg-desk-issues" },
    el("h2", { class: "gg-desk__subtitle", text: t("deskIssues", { n: issues.length }) }),
    el("ul", {}, issues.map((p) => el("li", {},
      el("span", { class: "gg-desk__file", text: p.file }), p.field ? ` · ${p.field}` : "", ` · ${p.kind}${LANG === "zh" ? "：" : ": "}`, p.message))));
}

startWorker();
const ready = engine.ready;
loadBundle().catch((err) => showStatus(t("deskFailed", { detail: err.message }), "error"));
ready.then((m) => {
  if (status.dataset.state !== "busy") showStatus(t("deskReady", { pyodide: m.pyodide }), "ready");
  document.documentElement.dataset.deskReady = "1";
}, (err) => showStatus(t("deskFailed", { detail: err.message }), "error"));
