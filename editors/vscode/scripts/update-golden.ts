/**
 * Writes the golden scope files `editors/vscode/test/golden/<example>.flow.scopes`: how the
 * committed grammar tokenizes every example in examples/. The grammar test compares against them,
 * so a grammar change shows up in review as a readable diff of scopes.
 *
 * Run after changing the grammar or the examples: `npm run editors:golden` from the repository root (or
 * `npx tsx editors/vscode/scripts/update-golden.ts`).
 */
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { loadFlowGrammar, scopeListing, tokenizeFlow } from "./textmate.js";

export const examplesRoot = fileURLToPath(new URL("../../../examples/", import.meta.url));
export const goldenRoot = fileURLToPath(new URL("../test/golden/", import.meta.url));

/** Every `.flow` file under examples/, as paths relative to it, sorted. */
export async function listExamples(): Promise<string[]> {
  const entries = await readdir(examplesRoot, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(".flow"))
    .map((entry) => relative(examplesRoot, join(entry.parentPath, entry.name)).split("\\").join("/"))
    .sort();
}

/** `tutorial/server.flow` → `<goldenRoot>/tutorial/server.flow.scopes`. */
export const goldenPathFor = (example: string): string => join(goldenRoot, `${example}.scopes`);

/**
 * The golden listing of one example with the committed grammar.
 *
 * @example
 * await renderGolden("tutorial/server.flow"); // "#\tcomment.line.number-sign.flowc ...\n..."
 */
export async function renderGolden(example: string): Promise<string> {
  const grammar = await loadFlowGrammar();
  const text = await readFile(join(examplesRoot, example), "utf8");
  return scopeListing(tokenizeFlow(grammar, text).tokens);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // Start clean so goldens of deleted or renamed examples do not linger.
  await rm(goldenRoot, { recursive: true, force: true });
  for (const example of await listExamples()) {
    const path = goldenPathFor(example);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, await renderGolden(example));
    console.log(`wrote ${relative(process.cwd(), path)}`);
  }
}
