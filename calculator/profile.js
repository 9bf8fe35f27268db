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
