/**
 * The fuzz suites' tests of the formatter's promises: formatted text checks to the same IR, with the
 * same diagnostics, as the text it came from; what it refuses, it refuses with a location. Spans are left out (formatting moves text); every
 * other field, labels and parameter values included, must be equal.
 */
import { expect } from "vitest";
import { compile } from "./catalogue.js";
import { formatFlow } from "../../compiler/prettier/format.js";
import { FlowcSyntaxError } from "../../compiler/prettier/parse.js";
import type { Target } from "../../compiler/registry.js";

const withoutSpans = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value, (key, inner: unknown) => (key === "span" || key === "spans" ? undefined : inner)));

/**
 * What `text` compiles to, location aside: the IR programs and each diagnostic's code and message.
 *
 * @example
 * expect(checkedMeaning(await formatFlow(text))).toEqual(checkedMeaning(text));
 */
export function checkedMeaning(text: string, target?: Target): unknown {
  const result = compile([{ path: "fuzz.flow", text }], target ? { target } : {});
  return {
    programs: withoutSpans(result.programs),
    diagnostics: result.diagnostics.map((d) => `${d.code} ${d.message}`).sort(),
  };
}

/**
 * `text` formatted, after checking that formatting it again changes nothing; or undefined when the
 * formatter refuses it, after checking that it says where: a syntax error (never the formatter's
 * own "formatter bug" guard) on a line and column of the text.
 *
 * @example
 * const formatted = await formattedOrRefused(text);
 * if (formatted !== undefined) expect(checkedMeaning(formatted)).toEqual(checkedMeaning(text));
 */
export async function formattedOrRefused(text: string): Promise<string | undefined> {
  let formatted: string;
  try {
    formatted = await formatFlow(text);
  } catch (error) {
    expect(error).toBeInstanceOf(FlowcSyntaxError);
    const { line, column } = (error as FlowcSyntaxError).loc.start;
    expect(line).toBeGreaterThanOrEqual(1);
    expect(line).toBeLessThanOrEqual(text.split("\n").length);
    expect(column).toBeGreaterThanOrEqual(1);
    return undefined;
  }
  expect(await formatFlow(formatted)).toBe(formatted);
  return formatted;
}
