// The bundle as the page gets it (guidegen.runtime.bundle): in hashed parts fetched side by
// side, the place step's rows from the compact all-China name index instead of the full
// `regions` part, which only the engine reads (the worker fetches that part itself).
//
//   const { bundle, post } = await loadBundle(assets, base)
//   bundle   the bundle object the page draws from (regions.items rebuilt from the index)
//   post     the message for the worker: {type: "bundle", parts: [JSON text], fetch: [URL]}
//
// Built without parts (an older build: assets.bundleParts missing), the whole bundle is
// fetched and passed on as before ({type: "bundle", text}).

async function text(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${new URL(url).pathname.split("/").pop()}: HTTP ${response.status}`);
  return response.text();
}

const LEVELS = { province: "province", prefecture: "prefecture", county: "county" };

/** Rows {code, name, short, pinyin, en, level, parent} from the index's [code, name, short, pinyin, en?]. */
export function placeRows(index) {
  const codes = new Set(index.rows.map((r) => r[0]));
  return index.rows.map(([code, name, short, pinyin, en]) => {
    const province = `${code.slice(0, 2)}0000`;
    const prefecture = `${code.slice(0, 4)}00`;
    let level = LEVELS.county;
    let parent = codes.has(prefecture) ? prefecture : province;
    if (code === province) {
      level = LEVELS.province;
      parent = null;
    } else if (code === prefecture) {
      level = LEVELS.prefecture;
      parent = province;
    }
    return { code, name, short, pinyin, en: en || pinyin.charAt(0).toUpperCase() + pinyin.slice(1), level, parent };
  });
}

export async function loadBundle(assets, base) {
  const url = (name) => new URL(name, base).href;
  if (!Array.isArray(assets.bundleParts) || !assets.bundleParts.length) {
    const whole = await text(url(assets.bundle));
    return { bundle: JSON.parse(whole), post: { type: "bundle", text: whole } };
  }
  const regions = assets.bundleParts.find((name) => name.startsWith("catalog-regions."));
  const others = assets.bundleParts.filter((name) => name !== regions);
  const useIndex = Boolean(regions && assets.places);
  const [texts, index] = await Promise.all([
    Promise.all((useIndex ? others : assets.bundleParts).map((name) => text(url(name)))),
    useIndex ? text(url(assets.places)).then(JSON.parse) : null,
  ]);
  const bundle = Object.assign({}, ...texts.map((t) => JSON.parse(t)));
  if (index) bundle.regions = { source: index.source, items: placeRows(index) };
  return { bundle, post: { type: "bundle", parts: texts, fetch: useIndex ? [url(regions)] : [] } };
}
