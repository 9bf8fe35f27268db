// The calculator's steps: which questions each step asks. The list of questions
// comes from the engine (guidegen.core.questions: only what the chosen schemes'
// conditions and rubrics read, in form order); this module only groups them into
// the steps a person goes through: where & what -> enterprise -> spend -> scenes ->
// honours and results -> declarations.

// Schema sections (catalogs/profile.yaml) by step: each section's `step` (catalog data), in
// this order. A section with no step gets a step of its own, before the declarations.
const STEP_ORDER = ["enterprise", "spend", "scenes", "honours"];
// Asked by the place picker of the first step.
export const PLACE_PATHS = ["enterprise.province", "enterprise.city", "enterprise.county", "enterprise.region_code"];
// Asked whatever the schemes read: the name heads the printed report and the saved answers.
const ALWAYS = ["enterprise.name"];

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

/** Declarations a scheme's conditions name, with the citing condition's source
 *  (to show where a declaration comes from; also the list used while the engine loads). */
export function declarationSources(bundle, schemeIds) {
  const out = new Map(); // id -> {source, schemes: []}
  const walk = (rule, source, scheme) => {
    if (!isObject(rule)) return;
    if (typeof rule.declaration === "string" && bundle.declarations[rule.declaration]) {
      const d = out.get(rule.declaration) || { source, schemes: [] };
      if (!d.schemes.includes(scheme)) d.schemes.push(scheme);
      out.set(rule.declaration, d);
    }
    for (const k of ["all", "any"]) for (const part of rule[k] || []) walk(part, source, scheme);
    if (rule.not) walk(rule.not, source, scheme);
  };
  for (const id of schemeIds) {
    const scheme = bundle.schemes[id];
    if (!scheme) continue;
    const conds = [...(scheme.conditions || [])];
    for (const level of scheme.levels || []) conds.push(...(level.conditions || []));
    for (const c of conds) walk(c.rule, c.source, id);
  }
  return out;
}

/**
 * What to ask for the chosen schemes: {exact, fields: Set(path), declarations: [{id, schemes, source}],
 * guides: [guide ids]}. `questions` is the engine's answer (null while it loads or when the
 * engine has none: then every question of the schema, the chosen schemes' declarations and
 * every guide, as before the engine could say).
 */
export function questionPlan(bundle, schemeIds, questions) {
  const sources = declarationSources(bundle, schemeIds);
  if (!Array.isArray(questions)) {
    const fields = new Set();
    for (const s of bundle.profile.sections) for (const f of s.fields) fields.add(f.path);
    return {
      exact: false,
      fields,
      declarations: [...sources].map(([id, d]) => ({ id, schemes: d.schemes, source: d.source })),
      guides: Object.keys(bundle.guides),
    };
  }
  const plan = { exact: true, fields: new Set(ALWAYS), declarations: [], guides: [] };
  for (const q of questions) {
    if (q.kind === "field") plan.fields.add(q.path);
    else if (q.kind === "support_elements") plan.fields.add("support_elements");
    else if (q.kind === "scenes" && bundle.guides[q.guide] && !plan.guides.includes(q.guide)) plan.guides.push(q.guide);
    else if (q.kind === "declaration" && bundle.declarations[q.id]) {
      const d = sources.get(q.id);
      plan.declarations.push({ id: q.id, schemes: q.schemes || (d ? d.schemes : []), source: d ? d.source : null });
    }
  }
  return plan;
}

/** The steps for a plan: [{id, title?, fields: [field], scenes?: bool}], empty ones left out
 *  ("where" always first). */
export function stepsFor(bundle, plan) {
  const bySection = new Map();
  for (const section of bundle.profile.sections) {
    // itemized lists (#25) have no editor here yet: the draft and the engine read them from saved or imported answers
    bySection.set(section.id, section.fields.filter((f) => plan.fields.has(f.path) && !PLACE_PATHS.includes(f.path) && f.type !== "items"));
  }
  const steps = [{ id: "where", fields: [] }];
  const named = new Set();
  const grouping = STEP_ORDER.map((id) => [id, bundle.profile.sections.filter((s) => s.step === id).map((s) => s.id)]);
  for (const [id, sections] of grouping) {
    sections.forEach((s) => named.add(s));
    const fields = sections.flatMap((s) => bySection.get(s) || []);
    if (id === "scenes") {
      if (plan.guides.length || fields.length) steps.push({ id, fields, guides: plan.guides });
    } else if (fields.length) steps.push({ id, fields });
  }
  for (const section of bundle.profile.sections) {
    if (named.has(section.id)) continue;
    const fields = bySection.get(section.id) || [];
    if (fields.length) steps.push({ id: `section-${section.id}`, title: section.title, fields });
  }
  if (plan.declarations.length) steps.push({ id: "declarations", fields: [], declarations: plan.declarations });
  return steps;
}

/** The step that asks a profile path (a field, "declarations.X", "scenes.G", a derived fact). */
/** The gates of the schema (catalog data): [{id, question, help, paths, section}]. */
export function schemaGates(bundle) {
  return bundle.profile.sections.flatMap((s) => (s.gates || []).map((g) => ({ ...g, section: s.id })));
}

export function stepOfPath(steps, path) {
  const p = String(path || "");
  if (p.startsWith("declarations.")) return steps.find((s) => s.id === "declarations") || null;
  if (p.startsWith("kpis.") || p.startsWith("application.sections")) return steps.find((s) => s.id === "application") || null;
  if (p.startsWith("scenes.") || p.startsWith("coverage.") || p === "support_elements") return steps.find((s) => s.id === "scenes") || null;
  if (PLACE_PATHS.includes(p)) return steps[0];
  if (p.startsWith("derived.investment") || p.startsWith("derived.local_")) return steps.find((s) => s.id === "spend") || null;
  if (p.startsWith("derived.")) return steps.find((s) => s.id === "enterprise") || null;
  return steps.find((s) => s.fields.some((f) => f.path === p)) || null;
}

/** Profile paths a condition's rule reads (compare facts and declarations), for "answer this" links. */
export function rulePaths(rule) {
  const out = [];
  const walk = (r) => {
    if (!isObject(r)) return;
    if (typeof r.compare === "string") out.push(r.compare);
    if (typeof r.fact === "string") out.push(r.fact);
    if (typeof r.declaration === "string") out.push(`declarations.${r.declaration}`);
    for (const k of ["all", "any"]) for (const part of r[k] || []) walk(part);
    if (r.not) walk(r.not);
  };
  walk(rule);
  return out;
}
