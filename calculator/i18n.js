// UI strings of the calculator, every one in Chinese and English. Catalog text
// ({zh, en} objects from the bundle) goes through tx(); these through t().

// The words live in src/guidegen/site/messages.yaml (group "calculator"), one file
// with the site's own words; the build writes them here, on the marked line.
export const STRINGS = {}; // @messages

let LANG = "zh";

export function setLang(lang) {
  LANG = lang === "en" ? "en" : "zh";
}

export function lang() {
  return LANG;
}

/** "{n}" -> the value; "{n|step|steps}" -> the word for that count (English plurals). */
function fill(text, vars) {
  return text.replace(/\{(\w+)(?:\|([^|}]*)\|([^}]*))?\}/g, (m, k, one, many) => {
    if (!vars || !(k in vars)) return m;
    if (one !== undefined) return Number(vars[k]) === 1 ? one : many;
    return String(vars[k]);
  });
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
