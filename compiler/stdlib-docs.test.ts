import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderStdlibDocs, withStdlibDocs } from "./stdlib-docs.js";
import { stdlibFunctions } from "./stdlib.js";

const path = new URL("../docs/language.md", import.meta.url).pathname;

describe("docs/language.md's standard library table", () => {
  it("matches compiler/stdlib.ts", () => {
    const committed = readFileSync(path, "utf8");
    const rendered = withStdlibDocs(committed);
    if (process.env["UPDATE_GOLDEN"]) writeFileSync(path, rendered);
    expect(committed).toBe(rendered);
  });

  it("has a row per function, pipes in a signature escaped", () => {
    const table = renderStdlibDocs();
    for (const fn of stdlibFunctions) expect(table).toContain(`| \`${fn.signature.replaceAll("|", "\\|")}\` |`);
    const piped = renderStdlibDocs([{ ...stdlibFunctions[0]!, signature: "f(x: int | string)", summary: "a|b" }]);
    expect(piped).toContain("| `f(x: int \\| string)` | a\\|b |");
  });

  it("refuses a document without the markers", () => {
    expect(() => withStdlibDocs("# no table here\n")).toThrow(/markers are missing/);
  });
});
