// The calculator's state, in one place: the answers (the profile), the page's own state
// (ui: step, schemes, ticked guide, crosswalk ticks) and what the page derived from the
// bundle and the engine. The profile is written here only: write() for one answer,
// replace() for a whole profile (import, saved set, share link, clearing), forget() for
// a value the engine refused. Every write is stored at once (answers are never lost)
// and then handed to the listeners (the evaluation).
import { normalise, store, storeUi, setIn, deletePath } from "./profile.js";
import { schemesForPlace, placeNames } from "./places.js";

/** The answers and the page state. `ctx.profile` is read by the form's widgets. */
export const ctx = {
  profile: { profile: 1 },
  ui: {},
  /** Set (undefined: remove) one answer: a path "group.key" or a list of keys. */
  write(path, value) {
    setIn(ctx.profile, path, value);
    changed();
  },
};

/** What the page knows besides the answers (filled by app.js and the modules). */
export const page = {
  bundle: null,
  places: null, // placeIndex(bundle) or null
  fieldsById: null,
  fields: null, // form.js createFields()
  questions: null, // the engine's list for the chosen schemes (null: not yet / none)
  questionsFor: "",
  plan: null,
  steps: [{ id: "where", fields: [] }],
  runtime: "loading", // loading | ready | failed
  lastAnswer: null, // the engine's last answer, errors included (the application step shows both)
  lastErrors: [],
  renders: 0,
  engine: null, // client.js startEngine()
  yamlWheels: [], // URLs of PyYAML and the standard-library files it needs: installed in the worker on a YAML import only
  timings: {}, // window.guidegen.timings
};

/** Late-bound actions of the other modules (set by app.js; they import this module, not each other). */
export const hooks = {
  beforeLeave: null, // the current step's check before moving on (false: stay; it says why)
  unsaved: null, // the current step's text not yet an answer (a place typed, not picked)
  replan() {},
  renderStep() {},
  schedule() {},
};

const listeners = [];
export function onWrite(fn) {
  listeners.push(fn);
}

function changed() {
  store(ctx.profile);
  for (const fn of listeners) fn();
}

export function saveUi() {
  storeUi(ctx.ui);
}

/** A whole new profile (and, when given, page state). */
export function replace(profile, newUi) {
  ctx.profile = normalise(profile);
  store(ctx.profile);
  if (newUi) {
    ctx.ui = { ...newUi };
    saveUi();
  }
  page.lastErrors = [];
  hooks.replan();
  hooks.renderStep();
  hooks.schedule(0);
}

/** Remove the value an engine error points at ("a.b", "a.b[3]"). */
export function forget(field) {
  deletePath(ctx.profile, field);
  store(ctx.profile);
  page.lastErrors = [];
  hooks.renderStep();
  hooks.schedule(0);
}

/** The profile as it came (a share link, the first load), stored without re-rendering. */
export function load(profile) {
  ctx.profile = normalise(profile);
  return ctx.profile;
}

/** The schemes being assessed: the user's (or the address's) choice, else those the place
 *  suggests, else all. */
export function chosenSchemes() {
  const bundle = page.bundle;
  if (!bundle) return [];
  const all = Object.keys(bundle.schemes);
  if (Array.isArray(ctx.ui.schemes)) {
    const list = ctx.ui.schemes.filter((s) => all.includes(s));
    if (list.length) return all.filter((s) => list.includes(s));
  }
  return schemesForPlace(bundle, placeNames(ctx.profile, page.places)) || all;
}
