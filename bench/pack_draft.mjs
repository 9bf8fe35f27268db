// Times calculator/pack.js building a .docx draft under Node (the browser's code path).
//   node bench/pack_draft.mjs PACK_JS DOCX_JS INPUT_JSON REPEAT  → {ms: [..per run..], bytes}
import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";

const [packPath, docxPath, inputPath, repeat] = process.argv.slice(2);
const pack = await import(pathToFileURL(packPath).href);
const docx = await import(pathToFileURL(docxPath).href);
const input = JSON.parse(await readFile(inputPath, "utf8"));
const ctx = { bundle: input.bundle, profile: input.profile, result: input.result };
const ms = [];
let bytes = 0;
for (let i = 0; i < Number(repeat); i += 1) {
  const t0 = performance.now();
  const { blob } = await pack.buildDraft(docx, ctx, input.scheme);
  bytes = (await blob.arrayBuffer()).byteLength;
  ms.push(performance.now() - t0);
}
process.stdout.write(JSON.stringify({ ms, bytes }));
