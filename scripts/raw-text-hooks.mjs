// Node module hooks that load `import text from "./file.py?raw"` as the file's text, the way the
// esbuild bundle (scripts/build.mjs) and vitest do. bin/flowc.js registers them only when it runs
// the TypeScript sources instead of the bundle.
import { readFile } from "node:fs/promises";

/** @type {import("node:module").LoadHook} */
export async function load(url, context, nextLoad) {
  const parsed = new URL(url);
  if (parsed.protocol !== "file:" || !parsed.searchParams.has("raw")) return nextLoad(url, context);
  parsed.search = "";
  const text = await readFile(parsed, "utf8");
  return { format: "module", source: `export default ${JSON.stringify(text)};`, shortCircuit: true };
}
