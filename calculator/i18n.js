// UI strings of the calculator, every one in Chinese and English. Catalog text
// ({zh, en} objects from the bundle) goes through tx(); these through t().

export const STRINGS = {
  // toolbar
  export: { zh: "导出答案（JSON）", en: "Export answers (JSON)" },
  import: { zh: "导入答案…", en: "Import answers…" },
  share: { zh: "生成分享链接", en: "Make a share link" },
  print: { zh: "打印 / 存为 PDF", en: "Print / save as PDF" },
  clear: { zh: "清空答案", en: "Clear answers" },
  clearConfirm: { zh: "清空全部答案？此操作不能撤销。", en: "Clear all answers? This cannot be undone." },
  shareLabel: { zh: "分享链接（档案只在 # 之后，不会发送到服务器）", en: "Share link (the profile is only after the #, never sent to the server)" },
  shareCopied: { zh: "已复制到剪贴板。", en: "Copied to the clipboard." },
  shareCopyFailed: { zh: "请手动复制上面的链接。", en: "Copy the link above by hand." },
  imported: { zh: "已导入档案。", en: "Profile imported." },
  importFailed: { zh: "无法导入：{detail}。当前答案未改变。", en: "Cannot import: {detail}. Your answers are unchanged." },
  importNotObject: { zh: "文件内容不是 JSON 对象", en: "the file is not a JSON object" },
  importBadJson: { zh: "文件不是有效的 JSON", en: "the file is not valid JSON" },
  shareOpened: { zh: "已打开分享链接中的档案，并保存在本机。", en: "Opened the profile from the share link and saved it on this device." },
  shareBroken: { zh: "分享链接已损坏，未能读取档案；保留了本机原有答案。", en: "The share link is damaged and could not be read; your saved answers are kept." },
  storageUnavailable: { zh: "浏览器不允许本地存储：刷新页面后答案不会保留，请用“导出答案”保存。", en: "This browser blocks local storage: answers will not survive a reload; use “Export answers” to keep them." },
  // runtime status
  loadingQuestions: { zh: "正在加载问题…", en: "Loading the questions…" },
  step1: { zh: "正在下载 Python 运行环境（约 6 MB，仅首次）…", en: "Downloading the Python runtime (about 6 MB, first visit only)…" },
  step2: { zh: "正在安装评估引擎…", en: "Installing the assessment engine…" },
  step3: { zh: "正在读取政策目录…", en: "Reading the policy catalog…" },
  step4: { zh: "计算引擎已就绪。", en: "The engine is ready." },
  restarting: { zh: "计算引擎出错，正在重新启动…", en: "The engine failed; restarting it…" },
  resultsAnnounce: { zh: "结果已更新：{eligible} 项符合，{ineligible} 项不符合，{unknown} 项尚待确认。", en: "Results updated: {eligible} eligible, {ineligible} not eligible, {unknown} undecided." },
  staleResults: { zh: "下面是修改前的结果：请先修正标出的问题，结果随即更新。", en: "The results below are from before your last change: fix the problems marked, and they update at once." },
  computing: { zh: "正在计算…", en: "Computing…" },
  waiting: { zh: "结果将在计算引擎就绪后显示；现在即可填写。", en: "Results appear once the engine is ready; you can fill in the form now." },
  failed: { zh: "计算引擎未能加载：{detail}。您的答案已保存在本机，不会丢失；{advice}", en: "The calculation engine could not be loaded: {detail}. Your answers are kept on this device; {advice}" },
  adviceRetry: { zh: "请检查网络后刷新页面重试。", en: "check the connection and reload the page to retry." },
  adviceSite: { zh: "这是网站文件的问题，请告知网站管理员，修复后刷新页面即可继续。", en: "this is a fault in the website's files: please tell the site's administrator, and reload the page once it is fixed." },
  file_missing: { zh: "运行文件 {file} 在服务器上不存在（{detail}）", en: "the runtime file {file} is missing on the server ({detail})" },
  file_damaged: { zh: "运行文件 {file} 已损坏，与发布的文件不一致（{detail}）", en: "the runtime file {file} is damaged: it differs from the released file ({detail})" },
  file_unavailable: { zh: "运行文件 {file} 无法下载（{detail}）", en: "the runtime file {file} could not be downloaded ({detail})" },
  file_type: { zh: "运行文件 {file} 的类型设置有误（{detail}）", en: "the runtime file {file} is served with the wrong type ({detail})" },
  bundleFailed: { zh: "问题清单未能加载：{detail}。您的答案仍保存在本机；请刷新页面重试。", en: "The questions could not be loaded: {detail}. Your answers are still kept on this device; reload the page to retry." },
  // form
  formTitle: { zh: "企业情况", en: "Your enterprise" },
  unanswered: { zh: "— 未选择 —", en: "— not chosen —" },
  yes: { zh: "是", en: "Yes" },
  no: { zh: "否", en: "No" },
  notSure: { zh: "不确定", en: "Not sure" },
  source: { zh: "来源：", en: "Source: " },
  scenesTitle: { zh: "已实施的智能制造场景", en: "Smart-manufacturing scenes implemented" },
  scenesHelp: { zh: "按各指引的环节勾选已经实施的场景。三份指引编号不同，请分别勾选。", en: "Tick the scenes already implemented, link by link, in each guide; the three guides number their scenes differently, so tick each one." },
  link: { zh: "环节{n}", en: "Link {n}" },
  keyLink: { zh: "本行业重点环节", en: "key link of your sector" },
  keyLinksNote: { zh: "已按行业“{sector}”标出其 {n} 个重点环节。", en: "The {n} key links of the sector “{sector}” are marked." },
  keyLinksNone: { zh: "选择行业或国民经济行业大类后，将标出该行业的重点环节。", en: "Choose a sector or industry division to mark its key links." },
  unknownValue: { zh: "无法识别的值：{value}", en: "unrecognised value: {value}" },
  declarationsTitle: { zh: "声明与确认事项", en: "Declarations" },
  declarationsHelp: { zh: "以下事项无法从数据判断，需由企业自行确认；同一事项在多项申报中出现时答案同步。", en: "These cannot be judged from data; the enterprise confirms them itself. A statement asked by several schemes shares one answer." },
  otherDeclarations: { zh: "其他声明", en: "Other declarations" },
  // errors
  errorsTitle: { zh: "请先修正以下问题", en: "Please fix these first" },
  removeValue: { zh: "删除此项", en: "Remove" },
  internalError: { zh: "计算出错：{detail}", en: "evaluation failed: {detail}" },
  tooDeep: { zh: "无法读取档案：嵌套层级过深", en: "cannot read the profile: nested too deeply" },
  // results
  resultsTitle: { zh: "自评估结果", en: "Self-assessment" },
  summary: { zh: "总览", en: "Overview" },
  scheme: { zh: "申报类别", en: "Scheme" },
  verdict: { zh: "结论", en: "Verdict" },
  scoreOrLevel: { zh: "评分 / 等级", en: "Score / level" },
  eligible: { zh: "符合申报条件", en: "Eligible" },
  ineligible: { zh: "不符合申报条件", en: "Not eligible" },
  unknown: { zh: "尚待确认", en: "Not yet decided" },
  eligibilityNote: { zh: "结论：任一硬性条件不符合即不符合；尚有未填写或未声明的条件时为“尚待确认”。“原则上”条件只作提示。", en: "Verdict: any hard condition failed makes it not eligible; any still unknown leaves it undecided. ‘In principle’ (原则上) conditions are shown but never decide." },
  pass: { zh: "符合", en: "pass" },
  fail: { zh: "不符合", en: "fail" },
  unknownStatus: { zh: "待确认", en: "unknown" },
  soft: { zh: "原则上", en: "in principle" },
  interpretation: { zh: "本站的理解", en: "Our reading" },
  conditions: { zh: "申报条件", en: "Conditions" },
  score: { zh: "评分（株洲认定标准）", en: "Score (Zhuzhou rubric)" },
  total: { zh: "总分 {total} / {max}（{pass_mark} 分及以上通过）", en: "Total {total} / {max} (pass mark {pass_mark})" },
  baseBonus: { zh: "基础指标 {base} 分，加分项 {bonus} 分", en: "Base {base}, bonus {bonus}" },
  passed: { zh: "达到通过分数", en: "reaches the pass mark" },
  short: { zh: "距通过还差 {n} 分", en: "{n} points short of the pass mark" },
  item: { zh: "评价项", en: "Item" },
  points: { zh: "得分 / 满分", en: "Points / max" },
  reason: { zh: "依据", en: "Reason" },
  group_base: { zh: "基础指标", en: "Base" },
  group_bonus: { zh: "加分项", en: "Bonus" },
  review: { zh: "以专家评审为准", en: "subject to expert review" },
  ladder: { zh: "梯度等级", en: "Level ladder" },
  reached: { zh: "已达到", en: "reached" },
  notReached: { zh: "未达到", en: "not reached" },
  currentLevel: { zh: "当前可达等级：{level}", en: "Level reached: {level}" },
  noLevel: { zh: "尚未达到任何等级", en: "No level reached yet" },
  nextLevel: { zh: "达到“{level}”还需要：", en: "For “{level}” you still need:" },
  gaps: { zh: "怎样改变结论（按影响排序）", en: "What would change the verdict (by effect)" },
  noGaps: { zh: "没有可列出的差距。", en: "No gaps to list." },
  gapPoints: { zh: "+{n} 分", en: "+{n} points" },
  derived: { zh: "推算出的事实", en: "Facts worked out" },
  printTitle: { zh: "智能制造申报自评估报告", en: "Smart-manufacturing self-assessment report" },
  printDate: { zh: "生成日期：{date}；目录版本 {version}", en: "Generated {date}; catalog version {version}" },
  printProfile: { zh: "填写的企业情况", en: "Profile as entered" },
  noResults: { zh: "无法计算结果。", en: "No results can be computed." },
  trueText: { zh: "是", en: "yes" },
  falseText: { zh: "否", en: "no" },
};

let LANG = "zh";

export function setLang(lang) {
  LANG = lang === "en" ? "en" : "zh";
}

export function lang() {
  return LANG;
}

function fill(text, vars) {
  return text.replace(/\{(\w+)\}/g, (m, k) => (vars && k in vars ? String(vars[k]) : m));
}

/** A UI string in the page language. */
export function t(key, vars) {
  const s = STRINGS[key];
  if (!s) return key;
  return fill(s[LANG] ?? s.zh, vars);
}

/** A UI string in the given language. */
export function tIn(language, key, vars) {
  const s = STRINGS[key];
  return s ? fill(s[language] ?? s.zh, vars) : key;
}

/** "label：" / "label: " */
export function colon(text) {
  return LANG === "zh" ? `${text}：` : `${text}: `;
}

/** "（note）" / " (note)" */
export function paren(text) {
  return LANG === "zh" ? `（${text}）` : ` (${text})`;
}

/** A bilingual catalog text ({zh, en}) in the page language. */
export function tx(text) {
  if (text == null) return "";
  if (typeof text === "string") return text;
  return String(text[LANG] ?? text.zh ?? text.en ?? "");
}
