/**
 * The parser's precomputed lookahead ({@link ./lookahead.ts}): the committed table is the
 * grammar's, a stale or missing entry is refused, and the parser decides with it exactly as with
 * Chevrotain's own lookahead, on valid programs, examples and random token soup alike.
 */
import { readFileSync } from "node:fs";
import { LLkLookaheadStrategy } from "chevrotain";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lookaheadTable, lookaheadTablePath, lookaheadTableSource } from "../scripts/generate-grammar.js";
import { exampleTexts } from "../test/support/examples.js";
import { parsedBy as parsed, programsAndSoup } from "../test/support/parse-trees.js";
import { breathing, propertyTimeout } from "../test/support/property.js";
import { allTokens, tokensByName } from "./lexer.js";
import { lookaheadPaths } from "./lookahead.generated.js";
import { PrecomputedLookahead, type NamedPaths } from "./lookahead.js";
import { FlowParser, maxLookahead } from "./parser.js";

const runs = Number(process.env["FUZZ_RUNS"] ?? 500);

function precomputed(verify: boolean, table: Readonly<Record<string, NamedPaths>> = lookaheadPaths): FlowParser {
  return new FlowParser({
    lookahead: new PrecomputedLookahead({ maxLookahead, tokens: tokensByName(allTokens), table, verify }),
  });
}

/** As the bundles run it: the committed table, not checked against the grammar. */
const bundled = precomputed(false);
const chevrotains = new FlowParser({ lookahead: new LLkLookaheadStrategy({ maxLookahead }) });

describe("compiler/lookahead.generated.ts", () => {
  it("matches the grammar in compiler/parser.ts (regenerate with `npm run grammar:generate`)", async () => {
    expect(readFileSync(lookaheadTablePath, "utf8")).toBe(await lookaheadTableSource());
  });

  it("holds every decision of the grammar, at most three tokens deep", () => {
    const table = lookaheadTable();
    expect(Object.keys(table)).toContain("invocationTail:Option:0");
    expect(Object.keys(table)).toContain("operand:Alternation:2");
    const depths = Object.values(table).flatMap((alternatives) => alternatives.flat().map((path) => path.length));
    expect(Math.max(...depths)).toBe(maxLookahead);
  });
});

describe("PrecomputedLookahead", () => {
  it("refuses a table the grammar has moved away from, naming the decision and the fix", () => {
    const stale = { ...lookaheadTable(), "statement:Alternation:0": [[["Let"]], [["Use"]]] };
    expect(() => parsed(precomputed(true, stale), "let x = 1\n")).toThrow(
      "compiler/lookahead.generated.ts is stale at statement:Alternation:0 (the grammar changed): run `npm run grammar:generate`",
    );
  });

  it("refuses a decision the table lacks, unchecked as in the bundles", () => {
    expect(() => parsed(precomputed(false, {}), "sim every 1s -> print\n")).toThrow(
      "compiler/lookahead.generated.ts has no entry program:Repetition:0: run `npm run grammar:generate`",
    );
  });

  it("parses every example as Chevrotain's own lookahead does", () => {
    const texts = exampleTexts();
    expect(texts.length).toBeGreaterThan(5);
    for (const text of texts) expect(parsed(bundled, text)).toEqual(parsed(chevrotains, text));
  });

  it(
    "parses generated programs and random token soup as Chevrotain's own lookahead does",
    async () => {
      await fc.assert(
        fc.asyncProperty(programsAndSoup(), async (text) => {
          expect(parsed(bundled, text)).toEqual(parsed(chevrotains, text));
        }),
        { numRuns: runs, plugins: [breathing] },
      );
    },
    propertyTimeout(runs, 20),
  );
});
