// The shared lexer and parser skip Chevrotain's definition checks to start faster; these tests
// run those checks, so a grammar change that introduces an ambiguity or a bad pattern still fails.
import { Lexer } from "chevrotain";
import { describe, expect, it } from "vitest";
import { allTokens } from "./lexer.js";
import { FlowParser } from "./parser.js";

describe("grammar definitions", () => {
  it("has valid token patterns that the lexer can optimise by first character", () => {
    const lexer = new Lexer(allTokens, { ensureOptimizations: true, deferDefinitionErrorsHandling: true });
    expect(lexer.lexerDefinitionErrors).toEqual([]);
  });

  it("has no ambiguous alternatives, left recursion or unreachable rules", () => {
    expect(() => new FlowParser({ validate: true })).not.toThrow();
  });
});
