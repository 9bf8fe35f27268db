// Build an application-pack draft under Node with the very modules the browser runs:
// calculator/pack.js and the docx.js bundle the site build writes (build_docx_module).
//   node build_draft.mjs PACK_JS DOCX_JS INPUT_JSON OUT_DOCX
// INPUT_JSON: {bundle, profile, result, scheme}; prints {filename, summary} as JSON.
import { readFile, writeFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";

const [packPath, docxPath, inputPath, outPath] = process.argv.slice(2);
const pack = await import(pathToFileURL(packPath).href);
const docx = await import(pathToFileURL(docxPath).href);
const input = JSON.parse(await readFile(inputPath, "utf8"));
const ctx = { bundle: input.bundle, profile: input.profile, result: input.result };
const { blob, filename, model } = await pack.buildDraft(docx, ctx, input.scheme);
await writeFile(outPath, Buffer.from(await blob.arrayBuffer()));
process.stdout.write(JSON.stringify({ filename, summary: model.summary, counts: (input.texts || []).map((t) => pack.countChars(t)) }));
