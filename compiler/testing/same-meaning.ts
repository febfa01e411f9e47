/**
 * The fuzz suites' test of the formatter's promise: formatted text checks to the same IR, with the
 * same diagnostics, as the text it came from. Spans are left out (formatting moves text); every
 * other field, labels and parameter values included, must be equal.
 */
import { compile } from "../../test/support/catalogue.js";
import type { Target } from "../registry.js";

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
