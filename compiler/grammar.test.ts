// The shared lexer and parser skip Chevrotain's definition checks to start faster, and the AST
// builder its visitor check; these tests run those checks, so a grammar change that introduces an
// ambiguity, a bad pattern or a rule the builder does not handle still fails.
import { Lexer } from "chevrotain";
import { describe, expect, it } from "vitest";
import { allTokens } from "./lexer.js";
import { AstBuilder } from "./cst-to-ast.js";
import { FlowParser } from "./parser.js";
import { SourceFile } from "./source.js";

describe("grammar definitions", () => {
  it("has valid token patterns that the lexer can optimise by first character", () => {
    const lexer = new Lexer(allTokens, { ensureOptimizations: true, deferDefinitionErrorsHandling: true });
    expect(lexer.lexerDefinitionErrors).toEqual([]);
  });

  it("has no ambiguous alternatives, left recursion or unreachable rules", () => {
    expect(() => new FlowParser({ validate: true })).not.toThrow();
  });

  it("has an AST builder method for every rule", () => {
    expect(() => new AstBuilder(new SourceFile("a.flow", ""), () => []).validateVisitor()).not.toThrow();
  });
});
