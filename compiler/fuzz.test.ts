/**
 * Bad input never yields an exception: random text and mutated examples go through the whole
 * front end and the formatter, and every diagnostic points inside its file.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { maxDiagnosticsPerFile } from "./index.js";
import { compile } from "../test/support/catalogue.js";
import { formattedOrRefused } from "../test/support/same-meaning.js";
import { exampleTexts } from "../test/support/examples.js";
import { breathing, propertyTimeout } from "../test/support/property.js";

const fragments = [
  "->",
  "[",
  "]",
  "{",
  "}",
  "(",
  ")",
  ",",
  "=",
  "==",
  '"',
  "\n",
  "#",
  "every",
  "2s",
  "let",
  "schema",
  "device",
  "broker",
  "mqtt",
  "json as",
  "SensorEvent",
  "set",
  "0x",
  "1e",
  "\\",
  "val",
  ".",
];

function assertWellFormed(text: string): void {
  const result = compile([{ path: "f.flow", text }]);
  for (const d of result.diagnostics) {
    expect(d.code).toMatch(/^[EW]\d{3}$/);
    expect(d.span.start).toBeGreaterThanOrEqual(0);
    expect(d.span.end).toBeLessThanOrEqual(text.length + 1);
    expect(d.message.length).toBeGreaterThan(0);
  }
}

describe("front end under random input", () => {
  const corpus = exampleTexts();

  it("never throws on random text", () => {
    fc.assert(fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), assertWellFormed), { numRuns: 3000 });
  });

  it("never throws on random sequences of language fragments", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...fragments), { maxLength: 40 }), (parts) =>
        assertWellFormed(parts.join(" ")),
      ),
      { numRuns: 3000 },
    );
  });

  const mutation = fc.record({
    file: fc.nat({ max: corpus.length - 1 }),
    at: fc.nat(),
    length: fc.nat({ max: 12 }),
    insert: fc.oneof(fc.constantFrom(...fragments), fc.string({ maxLength: 6 })),
  });
  const mutatedExample = fc.array(mutation, { minLength: 1, maxLength: 4 }).map((mutations) => {
    let text = corpus[mutations[0]!.file]!;
    for (const m of mutations) {
      const at = m.at % (text.length + 1);
      text = text.slice(0, at) + m.insert + text.slice(at + m.length);
    }
    return text;
  });

  it("never throws on mutated examples", { timeout: propertyTimeout(4000, 1) }, async () => {
    await fc.assert(
      fc.asyncProperty(mutatedExample, async (text) => assertWellFormed(text)),
      { numRuns: 4000, plugins: [breathing] },
    );
  });

  // The formatter checks its own output against the input's AST and throws a "formatter bug"
  // error when they differ, so this also proves formatting never changes what a file means.
  it(
    "formats mutated examples idempotently, or rejects them with a located syntax error",
    { timeout: propertyTimeout(Number(process.env["FUZZ_RUNS"] ?? 1000), 5) },
    async () => {
      await fc.assert(
        fc.asyncProperty(mutatedExample, async (text) => {
          await formattedOrRefused(text);
        }),
        // FUZZ_RUNS=20000 searches longer than CI has time for (the timeout scales with it).
        { numRuns: Number(process.env["FUZZ_RUNS"] ?? 1000), plugins: [breathing] },
      );
    },
  );
});

describe("front end under large, deep and binary input", () => {
  const brackets = [
    ["(", ")"],
    ["[", "]"],
    ["{ a: ", " }"],
    ["-", ""],
    ["not ", ""],
  ] as const;
  const deep = fc
    .record({ depth: fc.nat({ max: 3000 }), kind: fc.nat({ max: brackets.length - 1 }) })
    .map(({ depth, kind }) => {
      const [open, close] = brackets[kind]!;
      return `tsl2591 every 2s -> map { v: ${open.repeat(depth)}val${close.repeat(depth)} } -> print\n`;
    });
  const long = fc
    .record({
      terms: fc.integer({ min: 1, max: 6000 }),
      operators: fc.array(fc.constantFrom("+", "-", "*", "/", "and", "=="), { minLength: 1 }),
    })
    .map(({ terms, operators }) => {
      const parts = Array.from({ length: terms }, (_, i) =>
        i === 0 ? "val" : `${operators[i % operators.length]} val`,
      );
      return `tsl2591 every 2s -> filter ${parts.join(" ")} -> print\n`;
    });

  const survives = async (text: string) => {
    assertWellFormed(text);
    await formattedOrRefused(text);
  };

  it("checks and formats expressions nested to any depth, or refuses them with E205", async () => {
    await fc.assert(fc.asyncProperty(deep, survives), { numRuns: 60 });
  });

  it("checks and formats chains of thousands of operators, or refuses them with E205", async () => {
    await fc.assert(fc.asyncProperty(long, survives), { numRuns: 60 });
  });

  it("answers binary data with at most a screenful of diagnostics", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 20_000 }), (bytes) => {
        const result = compile([{ path: "f.flow", bytes }]);
        expect(result.diagnostics.length).toBeLessThanOrEqual(maxDiagnosticsPerFile + 1);
        for (const d of result.diagnostics) expect(d.code).toMatch(/^[EW]\d{3}$/);
      }),
      { numRuns: 300 },
    );
  });
});
