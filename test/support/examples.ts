/** The example programs under examples/, for tests that run every one of them through a stage. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const examplesFolder = fileURLToPath(new URL("../../examples", import.meta.url));

/**
 * The text of every `.flow` file under examples/, folders included, in directory order.
 *
 * @example
 * for (const text of exampleTexts()) expect(parseSource(new SourceFile("x.flow", text)).diagnostics).toEqual([]);
 */
export function exampleTexts(folder = examplesFolder): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? exampleTexts(join(folder, entry.name))
      : entry.name.endsWith(".flow")
        ? [readFileSync(join(folder, entry.name), "utf8")]
        : [],
  );
}
