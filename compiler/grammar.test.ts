// The shared lexer and parser skip Chevrotain's definition checks to start faster, and the AST
// builder its visitor check; these tests run those checks, so a grammar change that introduces an
// ambiguity, a bad pattern or a rule the builder does not handle still fails.
import { Lexer, type IToken, type TokenType } from "chevrotain";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allTokens, flowLexer } from "./lexer.js";
import { AstBuilder } from "./cst-to-ast.js";
import { FlowParser } from "./parser.js";
import { SourceFile } from "./source.js";

describe("grammar definitions", () => {
  it("has valid token patterns that the lexer can optimise by first character", () => {
    const lexer = new Lexer(allTokens, { ensureOptimizations: true, deferDefinitionErrorsHandling: true });
    expect(lexer.lexerDefinitionErrors).toEqual([]);
  });

  it("has start hints and line-break flags that lex as a lexer working them out itself does", () => {
    // Copies without the hints, so Chevrotain analyses the patterns, and without dispatch.
    const copies = new Map<TokenType, TokenType>();
    for (const token of allTokens) {
      const { START_CHARS_HINT: _hint, LINE_BREAKS: _lineBreaks, ...rest } = token;
      copies.set(token, rest);
    }
    for (const copy of copies.values()) {
      if (copy.LONGER_ALT) copy.LONGER_ALT = copies.get(copy.LONGER_ALT as TokenType)!;
    }
    const analysing = new Lexer([...copies.values()], { positionTracking: "full", safeMode: true });
    const hinted = new Lexer(allTokens, { positionTracking: "full", skipValidations: true });
    const describeToken = (token: IToken) =>
      `${token.tokenType.name}@${token.startOffset}-${token.endOffset}` +
      ` ${token.startLine}:${token.startColumn}-${token.endLine}:${token.endColumn} ${token.image}`;
    const lexed = (lexer: Lexer, text: string) => {
      const result = lexer.tokenize(text);
      return {
        tokens: result.tokens.map(describeToken),
        comments: (result.groups["comments"] ?? []).map(describeToken),
        errors: result.errors.map((error) => [error.offset, error.length, error.line, error.column]),
      };
    };
    const ascii = Array.from({ length: 128 }, (_, code) => String.fromCharCode(code));
    const pieces = [...ascii, "->", "==", "let", "schema", "0x1F", "2.5e3", "5min", "3sec", '"a\\"b"', "é", "💡"];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 40 }), (parts) => {
        const text = parts.join("");
        const expected = lexed(analysing, text);
        expect(lexed(hinted, text)).toEqual(expected);
        // The shared lexer tracks start and end offsets only; they and the images are the same.
        const offsetsOnly = (tokens: string[]) => tokens.map((token) => token.replace(/ \S+:\S+-\S+:\S+ /, " "));
        const shared = lexed(flowLexer, text);
        expect(offsetsOnly(shared.tokens)).toEqual(offsetsOnly(expected.tokens));
        expect(offsetsOnly(shared.comments)).toEqual(offsetsOnly(expected.comments));
        expect(shared.errors.map(([offset, length]) => [offset, length])).toEqual(
          expected.errors.map(([offset, length]) => [offset, length]),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it("has no ambiguous alternatives, left recursion or unreachable rules", () => {
    expect(() => new FlowParser({ validate: true })).not.toThrow();
  });

  it("has an AST builder method for every rule", () => {
    expect(() => new AstBuilder(new SourceFile("a.flow", ""), () => []).validateVisitor()).not.toThrow();
  });
});
