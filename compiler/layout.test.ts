import { describe, expect, it } from "vitest";
import { compile } from "../test/support/catalogue.js";
import { lex } from "./layout.js";
import { SourceFile } from "./source.js";

const kinds = (text: string) => lex(new SourceFile("t.flow", text)).tokens.map((token) => token.tokenType.name);

describe("lexer and layout", () => {
  it("keeps the design's line as seven tokens", () => {
    expect(kinds('tsl2591 every 2s -> mqtt "sensor-data"')).toEqual([
      "Identifier",
      "Identifier",
      "Duration",
      "Arrow",
      "Identifier",
      "StringLiteral",
    ]);
  });

  it("ends statements at newlines but continues lines that start with ->", () => {
    expect(kinds('mqtt "a"\n  -> print\nsim every 1s -> print')).toEqual([
      "Identifier",
      "StringLiteral",
      "Arrow",
      "Identifier",
      "Newline",
      "Identifier",
      "Identifier",
      "Duration",
      "Arrow",
      "Identifier",
    ]);
  });

  it("ignores newlines inside fan-outs and after operators and commas", () => {
    expect(kinds("a -> [\n  print,\n  b\n]")).not.toContain("Newline");
    expect(kinds("let x = 1 +\n 2")).not.toContain("Newline");
    expect(kinds("set a = 1,\n b = 2")).not.toContain("Newline");
  });

  it("keeps newlines between settings in braces, and drops them next to the braces", () => {
    expect(kinds("device esp8266 {\n\n  wifi a, b\n\n  ntp\n}").filter((k) => k === "Newline")).toHaveLength(1);
  });

  it("puts comments in their own group with their text", () => {
    const lexed = lex(new SourceFile("t.flow", "# top\nsim every 1s -> print # tail"));
    expect(lexed.comments.map((c) => c.image)).toEqual(["# top", "# tail"]);
    expect(lexed.tokens.some((t) => t.image.startsWith("#"))).toBe(false);
  });

  it("lexes numbers, hex, exponents and every duration unit", () => {
    expect(kinds("0x29 2.5e-1 42 250ms 5s 1min 1h 1d 1.5s")).toEqual([
      "NumberLiteral",
      "NumberLiteral",
      "NumberLiteral",
      "Duration",
      "Duration",
      "Duration",
      "Duration",
      "Duration",
      "Duration",
    ]);
  });

  // A number glued to a unit is one literal: a value where a parameter lists it (`range 8g`, issue
  // 12 §5), so the unknown unit is reported by the checker, once, not by the lexer.
  it("reports an unknown unit once and suggests the right one", () => {
    const { diagnostics, tokens } = lex(new SourceFile("t.flow", "sim every 5sec"));
    expect(diagnostics).toEqual([]);
    expect(tokens[2]!.tokenType.name).toBe("BadUnit");
    const checked = compile([
      { path: "t.flow", text: "sim every 5sec -> print\nsim every 1s -> map val + 2x -> print" },
    ]);
    expect(checked.diagnostics.map((d) => [d.code, d.message, d.hint, d.span.start])).toEqual([
      ["E104", "unknown unit `sec`", "write `5s` (units: ms, s, min, h, d)", 11],
      ["E104", "unknown unit `x`", "durations take one of the units ms, s, min, h, d, as in `250ms` or `5s`", 51],
    ]);
  });

  it("reports an unterminated string at its opening quote", () => {
    const { diagnostics } = lex(new SourceFile("t.flow", 'mqtt "abc\nsim every 1s'));
    expect(diagnostics.map((d) => [d.code, d.span.start, d.span.end])).toEqual([["E102", 5, 9]]);
  });

  it("reports characters that belong to no token", () => {
    const { diagnostics } = lex(new SourceFile("t.flow", "sim every 1s; 'x'"));
    expect(diagnostics.map((d) => [d.code, d.span.start])).toEqual([
      ["E101", 12],
      ["E101", 14],
      ["E101", 16],
    ]);
    expect(diagnostics[1]!.hint).toBe('strings use double quotes: "text"');
  });
});
