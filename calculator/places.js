// The place picker's search over the bundle's administrative divisions
// (bundle.regions, GB/T 2260: province -> prefecture -> county), in Chinese,
// pinyin and English. It only helps the user find the row; whether a place is
// "in the city" is decided by the engine (guidegen.core.places), never here.

const LEVEL_RANK = { prefecture: 0, county: 1, province: 2 };

const fold = (s) => String(s || "").toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/[\s'’\-·.]/g, "");
// "Changzhou City", "changzhou shi", "Liyang County" find the same rows as the bare name.
const SUFFIX = /(city|shi|county|xian|district|qu|province|sheng|prefecture)$/;

/** An index of bundle.regions (null when the bundle has none). */
export function placeIndex(bundle) {
  const items = bundle && bundle.regions && Array.isArray(bundle.regions.items) ? bundle.regions.items : null;
  if (!items || !items.length) return null;
  const byCode = new Map(items.map((r) => [r.code, r]));
  // Abolished units with a successor (the catalog's overlay, issue 22) are aliases the engine reads with a
  // note; the picker offers only the units that exist (祁阳 finds 祁阳市, not also 祁阳县).
  const gone = new Set(((bundle.regions.successors) || []).filter((s) => byCode.has(s.successor)).map((s) => s.code));
  const rows = items.filter((r) => !gone.has(r.code)).map((r) => ({
    row: r,
    keys: [...new Set([r.name, r.short, r.pinyin, r.en].filter(Boolean).map(fold))],
  }));
  return { rows, byCode };
}

/** The row with its prefecture and province rows: {row, prefecture, province}. */
export function placeChain(index, row) {
  const chain = { row, prefecture: null, province: null };
  let r = row;
  for (let i = 0; r && i < 4; i++) {
    if (r.level === "prefecture") chain.prefecture = r;
    if (r.level === "province") chain.province = r;
    r = r.parent ? index.byCode.get(r.parent) : null;
  }
  return chain;
}

/** Rows matching typed text, best first: exact before prefix before substring,
 *  prefecture before county before province. */
export function searchPlaces(index, text, limit = 8) {
  if (!index) return [];
  let q = fold(text);
  if (!q) return [];
  const bare = q.length > 4 ? q.replace(SUFFIX, "") : q;
  const found = [];
  for (const { row, keys } of index.rows) {
    let best = 9;
    for (const k of keys) {
      for (const w of bare === q ? [q] : [q, bare]) {
        if (!w) continue;
        if (k === w) best = Math.min(best, 0);
        else if (k.startsWith(w)) best = Math.min(best, 1);
        else if (w.length >= 2 && k.includes(w)) best = Math.min(best, 2);
      }
    }
    if (best < 9) found.push({ row, rank: best * 10 + (LEVEL_RANK[row.level] ?? 3) });
  }
  found.sort((a, b) => a.rank - b.rank || String(a.row.code).localeCompare(String(b.row.code)));
  return found.slice(0, limit).map((f) => placeChain(index, f.row));
}

/** The one place typed text means, or null: the only match, or the only exact match
 *  ("株洲" -> 株洲市; "长沙" with many districts containing it -> 长沙市). */
export function uniquePlace(index, text) {
  const all = searchPlaces(index, text, 1000);
  if (all.length === 1) return all[0];
  const q = fold(text);
  const bare = q.length > 4 ? q.replace(SUFFIX, "") : q;
  const exact = all.filter((c) => {
    const entry = index.rows.find((r) => r.row === c.row);
    return entry && entry.keys.some((k) => k === q || k === bare || k.replace(SUFFIX, "") === q);
  });
  return exact.length === 1 ? exact[0] : null;
}

function distance(a, b, max) {
  // Levenshtein distance, given up past `max` (typos: "changzou", "zuzhou").
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      best = Math.min(best, cur[j]);
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length];
}

/** Nearest names when nothing matches (a typo): prefectures and counties within two edits. */
export function nearPlaces(index, text, limit = 5) {
  if (!index) return [];
  const q = fold(text).replace(SUFFIX, "");
  if (q.length < 3) return [];
  const max = q.length < 6 ? 1 : 2;
  const found = [];
  for (const { row, keys } of index.rows) {
    if (row.level === "province" && q.length > 6) continue;
    let d = max + 1;
    for (const k of keys) d = Math.min(d, distance(q, k, max));
    if (d <= max) found.push({ row, rank: d * 10 + (LEVEL_RANK[row.level] ?? 3) });
  }
  found.sort((a, b) => a.rank - b.rank || String(a.row.code).localeCompare(String(b.row.code)));
  return found.slice(0, limit).map((f) => placeChain(index, f.row));
}

/** The profile values for a chosen place (only the fields the question schema has). */
export function placeValues(chain, fieldPaths) {
  const { row, prefecture, province } = chain;
  const city = prefecture || (row.level === "county" && province ? province : null);
  const values = {
    "enterprise.province": province ? province.name : undefined,
    "enterprise.city": row.level === "province" ? undefined : (city ? city.name : row.name),
    "enterprise.county": row.level === "county" ? row.name : undefined,
    "enterprise.region_code": row.code,
  };
  if (row.level === "province") {
    values["enterprise.province"] = row.name;
    // A province-level city (直辖市: 北京市, 上海市 …) is its own city.
    if (row.name.endsWith("市")) values["enterprise.city"] = row.name;
  }
  const out = {};
  for (const [path, value] of Object.entries(values)) if (fieldPaths.has(path)) out[path] = value;
  return out;
}

/** The names a place goes by in Chinese (with and without suffix), for matching a scheme's region text. */
export function placeNames(profile, index) {
  const e = profile && profile.enterprise && typeof profile.enterprise === "object" ? profile.enterprise : {};
  const names = new Set();
  const provinces = new Set();
  const add = (s, province = false) => {
    if (typeof s !== "string" || !s.trim()) return;
    const t = s.trim();
    names.add(t);
    if (province) provinces.add(t);
    const short = t.replace(/(省|市|自治区|自治州|地区|盟|县|区)$/, "");
    if (short.length >= 2) {
      names.add(short);
      if (province) provinces.add(short);
    }
  };
  add(e.province, true);
  add(e.city);
  add(e.county);
  if (index && typeof e.region_code === "string" && index.byCode.has(e.region_code)) {
    const chain = placeChain(index, index.byCode.get(e.region_code));
    for (const r of [chain.row, chain.prefecture, chain.province]) if (r) { add(r.name, r === chain.province); add(r.short, r === chain.province); }
  }
  const out = [...names];
  out.provinces = provinces; // (the province's own names: they never choose a city's scheme)
  return out;
}

/** Schemes to preselect for a place — only those the enterprise most likely came for
 *  (issue 24): its city's own (municipal) schemes; where the city has none (湘潭), the
 *  provincial schemes open to the place; else the national ones. The rest are offered. */
export function schemesForPlace(bundle, names) {
  if (!names.length) return null;
  const provinces = names.provinces || new Set();
  const region = (s) => String((s.region && s.region.zh) || "");
  const all = Object.values(bundle.schemes);
  const local = names.filter((n) => !provinces.has(n));
  const municipal = all.filter((s) => s.tier === "municipal" && local.some((n) => region(s).includes(n)));
  if (municipal.length) return municipal.map((s) => s.id);
  const provincial = all.filter((s) => s.tier === "provincial" && names.some((n) => region(s).includes(n)));
  if (provincial.length) return provincial.map((s) => s.id);
  return all.filter((s) => s.tier === "national").map((s) => s.id);
}

/** A row's label: "溧阳市 · 常州市 · 江苏省" / "Liyang, Changzhou, Jiangsu". */
export function placeLabel(chain, lang) {
  const parts = [chain.row, chain.prefecture, chain.province].filter((r, i, a) => r && a.indexOf(r) === i);
  if (lang === "en") return parts.map((r) => r.en || r.pinyin || r.name).join(", ") + ` (${chain.row.name})`;
  return parts.map((r) => r.name).join(" · ");
}
