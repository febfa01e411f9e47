/**
 * Bad input never yields an exception: random text and mutated examples go through the whole
 * front end, and every diagnostic points inside its file.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compile } from "./index.js";

const root = new URL("..", import.meta.url).pathname;

function examples(dir = join(root, "examples")): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? examples(join(dir, entry.name))
      : entry.name.endsWith(".flow")
        ? [readFileSync(join(dir, entry.name), "utf8")]
        : [],
  );
}

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
  const corpus = examples();

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

  it("never throws on mutated examples", () => {
    const mutation = fc.record({
      file: fc.nat({ max: corpus.length - 1 }),
      at: fc.nat(),
      length: fc.nat({ max: 12 }),
      insert: fc.oneof(fc.constantFrom(...fragments), fc.string({ maxLength: 6 })),
    });
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => {
        let text = corpus[mutations[0]!.file]!;
        for (const m of mutations) {
          const at = m.at % (text.length + 1);
          text = text.slice(0, at) + m.insert + text.slice(at + m.length);
        }
        assertWellFormed(text);
      }),
      { numRuns: 4000 },
    );
  });
});
