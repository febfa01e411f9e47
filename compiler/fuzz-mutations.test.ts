/**
 * Valid generated programs, broken a few tokens at a time (deleted, duplicated, swapped, replaced,
 * a value of the wrong type): the front end answers with located diagnostics, never an exception,
 * and the formatter formats or refuses with a located syntax error. Unlike random text, these
 * reach the checker with almost every part of the file intact.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arbitraryProgram, type GeneratedProgram } from "../test/support/arbitrary-program.js";
import { compile } from "../test/support/catalogue.js";
import { checkedMeaning, formattedOrRefused } from "../test/support/same-meaning.js";
import { breathing, propertyTimeout } from "../test/support/property.js";

/** FUZZ_RUNS=N runs N cases per property (default 500). */
const runs = Number(process.env["FUZZ_RUNS"] ?? 500);

/** Strings, durations, numbers, words, operators and line breaks, with the spaces between them. */
const tokenPattern =
  /"(?:[^"\\\n]|\\.)*"|\d+(?:\.\d+)?(?:ms|min|s|h|d)\b|0x[0-9a-fA-F]+|\d+(?:\.\d+)?(?:e-?\d+)?|[A-Za-z_]\w*|->|[=!<>]=|\n|\s+|./gu;

/** Replacements of another type or another kind of token than the one they replace. */
const wrongValues = ['"text"', "42", "-1", "2.5", "5s", "0ms", "true", "SensorEvent", "it", "now()", "{ a: 1 }", "["];

const mutation = fc.oneof(
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("duplicate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("swap" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("replace" as const), at: fc.nat(), with: fc.nat() }),
  fc.record({ kind: fc.constant("wrong-type" as const), at: fc.nat(), value: fc.constantFrom(...wrongValues) }),
);

/** Applies mutations to the significant tokens of `text`. */
function mutate(text: string, mutations: readonly Mutation[]): string {
  const tokens = text.match(tokenPattern) ?? [];
  const significant = () => tokens.flatMap((token, i) => (/^[ \t]+$/.test(token) ? [] : [i]));
  for (const m of mutations) {
    const indexes = significant();
    if (indexes.length === 0) break;
    const i = indexes[m.at % indexes.length]!;
    if (m.kind === "delete") tokens.splice(i, 1);
    else if (m.kind === "duplicate") tokens.splice(i, 0, tokens[i]!, " ");
    else if (m.kind === "swap") {
      const j = indexes[(m.at + 1) % indexes.length]!;
      [tokens[i], tokens[j]] = [tokens[j]!, tokens[i]!];
    } else if (m.kind === "replace") tokens[i] = tokens[indexes[m.with % indexes.length]!]!;
    else if (m.kind === "wrong-type") {
      // The value of a parameter or an operand: a literal or a word after a word.
      const values = indexes.filter((k) => /^(?:"|\d|true$|false$)/.test(tokens[k]!));
      const k = values.length > 0 ? values[m.at % values.length]! : i;
      tokens[k] = m.value;
    }
  }
  return tokens.join("");
}

type Mutation =
  | { readonly kind: "delete" | "duplicate" | "swap"; readonly at: number }
  | { readonly kind: "replace"; readonly at: number; readonly with: number }
  | { readonly kind: "wrong-type"; readonly at: number; readonly value: string };

const broken = fc
  .tuple(arbitraryProgram(), fc.array(mutation, { minLength: 1, maxLength: 3 }))
  .map(([program, mutations]): GeneratedProgram & { readonly original: string } => ({
    ...program,
    original: program.text,
    text: mutate(program.text, mutations),
  }));

function assertLocated(text: string, target: GeneratedProgram["target"]): void {
  const result = compile([{ path: "fuzz.flow", text }], target ? { target } : {});
  for (const d of result.diagnostics) {
    expect(d.code).toMatch(/^[EW]\d{3}$/);
    expect(d.span.file).toBe("fuzz.flow");
    expect(d.span.start).toBeGreaterThanOrEqual(0);
    expect(d.span.start).toBeLessThanOrEqual(d.span.end);
    expect(d.span.end).toBeLessThanOrEqual(text.length);
    expect(d.message.trim().length).toBeGreaterThan(0);
  }
}

describe("generated programs, broken", () => {
  it(
    "get diagnostics with a stable code, a span inside the file and a message, never an exception",
    { timeout: propertyTimeout(runs * 2, 5) },
    async () => {
      await fc.assert(
        fc.asyncProperty(broken, async (program) => {
          assertLocated(program.text, program.target);
          // The same text without its device target, as `flowc check` sees a copied fragment.
          assertLocated(program.text, undefined);
        }),
        { numRuns: runs * 2, plugins: [breathing] },
      );
    },
  );

  // The formatter prints a stage's items as written and the binder reads them the same wherever
  // the line breaks fall, so formatting a broken file never changes what it means: its "formatter
  // bug" guard (an exception that is not a FlowcSyntaxError) must never fire.
  it(
    "format idempotently to text that checks to the same IR and diagnostics, or are refused with a located syntax error",
    { timeout: propertyTimeout(runs, 10) },
    async () => {
      await fc.assert(
        fc.asyncProperty(broken, async (program) => {
          const formatted = await formattedOrRefused(program.text);
          if (formatted === undefined) return;
          expect(checkedMeaning(formatted, program.target)).toEqual(checkedMeaning(program.text, program.target));
        }),
        { numRuns: runs, plugins: [breathing] },
      );
    },
  );
});
