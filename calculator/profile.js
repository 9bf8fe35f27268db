// The profile (shared/design/profile.md, version 1) as the calculator keeps it:
// the same nested object `guidegen evaluate` reads. Paths are the question
// schema's: "enterprise.employees" -> profile.enterprise.employees,
// "implementation_plan" -> profile.implementation_plan (split at the first dot).

export const STORAGE_KEY = "guidegen.calculator.profile.v1";
export const PROFILE_VERSION = 1;

function split(path) {
  const i = path.indexOf(".");
  return i < 0 ? [path] : [path.slice(0, i), path.slice(i + 1)];
}

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

export function getPath(profile, path) {
  const [a, b] = split(path);
  const v = profile[a];
  if (b === undefined) return v;
  return isObject(v) ? v[b] : undefined;
}

/** Set (or with undefined, remove) a value; empty groups are dropped. */
export function setPath(profile, path, value) {
  const [a, b] = split(path);
  if (b === undefined) {
    if (value === undefined) delete profile[a];
    else profile[a] = value;
    return profile;
  }
  if (!isObject(profile[a])) {
    if (value === undefined) return profile;
    profile[a] = {};
  }
  if (value === undefined) {
    delete profile[a][b];
    if (Object.keys(profile[a]).length === 0) delete profile[a];
  } else {
    profile[a][b] = value;
  }
  return profile;
}

/** Set (undefined: remove) a value at a path ("group.key", split at the first dot as
 *  setPath does) or at a list of keys of any depth (["kpis", "ID", "value"]); groups
 *  left empty are dropped. */
export function setIn(profile, path, value) {
  if (!Array.isArray(path)) return setPath(profile, path, value);
  const [head, ...rest] = path;
  if (!rest.length) {
    if (value === undefined) delete profile[head];
    else profile[head] = value;
    return profile;
  }
  if (!isObject(profile[head])) {
    if (value === undefined) return profile;
    profile[head] = {};
  }
  setIn(profile[head], rest, value);
  if (Object.keys(profile[head]).length === 0) delete profile[head];
  return profile;
}

/** Remove whatever an engine error path ("a.b", "a.b[3]", "a") points at. */
export function deletePath(profile, field) {
  const path = field.replace(/\[\d+\]$/, "");
  const [a, b] = split(path);
  if (!(a in profile)) return profile;
  if (b !== undefined && isObject(profile[a]) && b in profile[a]) return setPath(profile, path, undefined);
  delete profile[a];
  return profile;
}

/** A fresh profile object with "profile: 1" first and no empty groups. */
export function normalise(profile) {
  const out = { profile: PROFILE_VERSION };
  if (!isObject(profile)) return out;
  for (const [key, value] of Object.entries(profile)) {
    if (value === undefined || value === null) continue;
    if (key === "profile") {
      out.profile = value;
      continue;
    }
    if (isObject(value) && Object.keys(value).length === 0) continue;
    out[key] = value;
  }
  return out;
}

export function toJSON(profile, pretty = false) {
  return JSON.stringify(normalise(profile), null, pretty ? 2 : undefined);
}

// ---- share links: #p=base64url(UTF-8 JSON), in the fragment only (never sent to a server)

/** The profile without the fields the question schema marks personal (contact
 *  person, phone: catalogs/profile.yaml `personal: true`), which share links leave out. */
export function withoutPersonal(profile, bundle) {
  const out = JSON.parse(JSON.stringify(profile));
  const sections = (bundle && bundle.profile && bundle.profile.sections) || [];
  for (const section of sections) {
    for (const f of section.fields) if (f.personal) setPath(out, f.path, undefined);
  }
  // personal columns of list entries (#25: a scene instance's supplier contact)
  const strip = (value, cols) => {
    if (Array.isArray(value)) {
      for (const e of value) {
        if (!e || typeof e !== "object") continue;
        for (const c of cols) {
          if (c.personal) delete e[c.key];
          else if (Array.isArray(c.item)) strip(e[c.key], c.item);
        }
      }
    } else if (value && typeof value === "object") for (const v of Object.values(value)) strip(v, cols);
  };
  for (const section of sections) {
    for (const f of section.fields) {
      if (!Array.isArray(f.item)) continue;
      let v = out;
      for (const k of f.path.split(".")) v = v && typeof v === "object" ? v[k] : undefined;
      strip(v, f.item);
    }
  }
  return out;
}

/** Long texts (the application form's sections, any text over LONG_TEXT characters) stay
 *  out of share links: the exported file carries the full answers. */
export const LONG_TEXT = 200;
export function withoutLongTexts(profile) {
  const out = JSON.parse(JSON.stringify(profile));
  if (isObject(out.application)) {
    delete out.application.sections;
    delete out.application.scene_sections;
    if (!Object.keys(out.application).length) delete out.application;
  }
  const walk = (v) => {
    if (Array.isArray(v)) return v.map(walk).filter((x) => x !== undefined);
    if (isObject(v)) {
      for (const k of Object.keys(v)) {
        const w = walk(v[k]);
        if (w === undefined) delete v[k];
        else v[k] = w;
      }
      return v;
    }
    return typeof v === "string" && v.length > LONG_TEXT ? undefined : v;
  };
  return walk(out);
}

/** A share link's context beside the profile: {schemes: [ids] | null, guide, name}. */
export function shareContext(hash) {
  const params = new URLSearchParams(String(hash || "").replace(/^#/, ""));
  const list = (params.get("s") || "").split(",").map((x) => x.trim()).filter(Boolean);
  let name = null;
  try {
    name = params.get("n") ? new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(atob(params.get("n").replace(/-/g, "+").replace(/_/g, "/") + "===".slice((params.get("n").length + 3) % 4)), (c) => c.charCodeAt(0))) : null;
  } catch {
    name = null;
  }
  return { schemes: list.length ? list : null, guide: params.get("g") || null, name };
}

/** The fragment of a share link: #p=PROFILE&s=SCHEMES&g=GUIDE&n=NAME. */
export function shareFragment(profile, { schemes = [], guide = null, name = null } = {}) {
  const b64 = (text) => {
    const bytes = new TextEncoder().encode(text);
    let binary = "";
    for (const b of bytes) binary += String.fromCharCode(b);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  };
  const parts = [`p=${encodeShare(profile)}`];
  if (schemes.length) parts.push(`s=${schemes.map(encodeURIComponent).join(",")}`);
  if (guide) parts.push(`g=${encodeURIComponent(guide)}`);
  if (name) parts.push(`n=${b64(name)}`);
  return `#${parts.join("&")}`;
}

export function encodeShare(profile) {
  const bytes = new TextEncoder().encode(toJSON(profile));
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function decodeShare(text) {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(b64 + "===".slice((b64.length + 3) % 4));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  const value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  if (!isObject(value)) throw new Error("not an object");
  return value;
}

/** The share payload of a location hash ("#p=..."), or null. */
export function shareFromHash(hash) {
  const m = /^#(?:.*&)?p=([A-Za-z0-9_-]*)/.exec(hash || "");
  return m ? m[1] : null;
}

// ---- local storage (same origin: both languages share it)

export function loadStored() {
  try {
    const text = window.localStorage.getItem(STORAGE_KEY);
    if (!text) return null;
    const value = JSON.parse(text);
    return isObject(value) ? value : null;
  } catch {
    return null;
  }
}

export function store(profile) {
  try {
    window.localStorage.setItem(STORAGE_KEY, toJSON(profile));
    return true;
  } catch {
    return false;
  }
}

export function storageWorks() {
  try {
    const k = STORAGE_KEY + ".probe";
    window.localStorage.setItem(k, "1");
    window.localStorage.removeItem(k);
    return true;
  } catch {
    return false;
  }
}

// ---- numbers as people type them: "38,000", "3 8000", "３８０００", "1,234.5", "12.5%"
// (input parsing only: the value goes into the profile, the engine does the rest).
// The one number reader of the calculator: the questions and the KPI worksheet alike.

const FULL_WIDTH = /[\uFF10-\uFF19\uFF0E\uFF0C\uFF0D\uFF0B\uFF05]/g;
const SPACES = /[\s\u00A0\u2000-\u200B\u202F\u3000]/g;

/** Text typed into a number field with full-width digits, spaces and thousands
 *  separators taken out: "３８，０００ " -> "38000", "12。5" -> "12.5", "−3" -> "-3".
 *  Anything else is left as typed. */
export function numberText(text) {
  let s = String(text).replace(FULL_WIDTH, (c) => String.fromCharCode(c.charCodeAt(0) - 0xFEE0)).replace(SPACES, "");
  s = s.replace(/\u2212/g, "-");
  // An ideographic full stop between digits is a decimal point.
  s = s.replace(/(\d)\u3002(?=\d)/g, "$1.");
  // A comma between digits is a thousands separator (38,000 and 3,8000 alike).
  s = s.replace(/(\d)[,，](?=\d)/g, "$1");
  return s;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?%?$/;

/** A number field's text: a number when it reads as one (a trailing "%" is the number's
 *  unit: "12.5%" -> 12.5, the fields that take shares are in per cent; "1e3" -> 1000),
 *  else the text itself (so the engine names the problem at the field); empty ->
 *  unanswered (undefined). */
export function parseNumber(text) {
  const s = numberText(text);
  if (s === "") return undefined;
  if (NUMBER.test(s)) {
    const n = Number(s.replace(/%$/, ""));
    if (Number.isFinite(n)) return n;
  }
  return String(text).trim();
}

// ---- the calculator's own state: step, schemes, scene guide (not part of the profile)

export const UI_KEY = "guidegen.calculator.ui.v1";
export const SAVED_KEY = "guidegen.calculator.saved.v1";

function readJson(key) {
  try {
    const text = window.localStorage.getItem(key);
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

function writeJson(key, value) {
  try {
    window.localStorage.setItem(key, JSON.stringify(value));
    return true;
  } catch {
    return false;
  }
}

/** {step, schemes: [ids] | null, schemesByHand, guide, crosswalk: {guide: {auto: [n], off: [n]}}} */
export function loadUi() {
  const v = readJson(UI_KEY);
  return isObject(v) ? v : {};
}

export function storeUi(ui) {
  return writeJson(UI_KEY, ui);
}

// ---- named profiles kept on this device: [{name, saved (ISO time), profile, ui}]

export function listSaved() {
  const v = readJson(SAVED_KEY);
  return Array.isArray(v) ? v.filter((x) => isObject(x) && typeof x.name === "string" && isObject(x.profile)) : [];
}

/** Save (or replace) a named profile; returns the name used. */
export function saveNamed(name, profile, ui) {
  const list = listSaved().filter((x) => x.name !== name);
  list.unshift({ name, saved: new Date().toISOString(), profile: normalise(profile), ui: isObject(ui) ? ui : {} });
  writeJson(SAVED_KEY, list);
  return name;
}

export function deleteSaved(name) {
  writeJson(SAVED_KEY, listSaved().filter((x) => x.name !== name));
}

/** A name not yet used: "base", "base (2)", … */
export function freeName(base) {
  const used = new Set(listSaved().map((x) => x.name));
  if (!used.has(base)) return base;
  for (let i = 2; ; i++) if (!used.has(`${base} (${i})`)) return `${base} (${i})`;
}

/** True when a profile holds any answer. */
export function hasAnswers(profile) {
  return Object.keys(normalise(profile)).some((k) => k !== "profile");
}

/** True when this profile is already kept under some name. */
export function isSaved(profile) {
  const text = toJSON(profile);
  return listSaved().some((x) => toJSON(x.profile) === text);
}
