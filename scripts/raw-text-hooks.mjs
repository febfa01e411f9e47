// Node module hooks for runs from source, doing what the esbuild bundle (scripts/build.mjs) and
// vitest do: `import text from "./file.py?raw"` loads the file's text, and
// `import modules from "flowc-catalogue:node"` the discovered component catalogue
// (scripts/catalogue.mjs). bin/flowc.js registers them only when it runs the TypeScript sources
// instead of the bundle.
import { readFile } from "node:fs/promises";
import { catalogueFacet, catalogueSourceForNode } from "./catalogue.mjs";

/** @type {import("node:module").ResolveHook} */
export async function resolve(specifier, context, nextResolve) {
  if (catalogueFacet(specifier)) return { url: specifier, shortCircuit: true };
  return nextResolve(specifier, context);
}

/** @type {import("node:module").LoadHook} */
export async function load(url, context, nextLoad) {
  const facet = catalogueFacet(url);
  if (facet) return { format: "module", source: catalogueSourceForNode(facet), shortCircuit: true };
  const parsed = new URL(url);
  if (parsed.protocol !== "file:" || !parsed.searchParams.has("raw")) return nextLoad(url, context);
  parsed.search = "";
  const text = await readFile(parsed, "utf8");
  return { format: "module", source: `export default ${JSON.stringify(text)};`, shortCircuit: true };
}
