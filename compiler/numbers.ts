/**
 * Number literals the target that runs them can hold exactly: a count or a threshold that the
 * board or the host silently rounds is refused where it is written.
 */
import type * as A from "./ast.js";
import { diagnostic, DiagnosticCodes, type Diagnostic } from "./diagnostics.js";
import type { Target } from "./registry.js";

interface NumberLimits {
  /** The largest integer held exactly. */
  readonly maxInteger: number;
  readonly integerReason: string;
  /** The largest magnitude of any number. */
  readonly maxMagnitude: number;
  readonly magnitudeReason: string;
}

const hostLimits: NumberLimits = {
  maxInteger: Number.MAX_SAFE_INTEGER,
  integerReason: "the host's numbers hold integers exactly up to 9007199254740991 (2^53 − 1)",
  maxMagnitude: Number.MAX_VALUE,
  magnitudeReason: "it is beyond the largest number, about 1.8e308",
};

/** What each target can hold; a file without a target is held to the host's limits. */
const limits: Readonly<Record<Target, NumberLimits>> = {
  node: hostLimits,
  esp8266: {
    maxInteger: 2 ** 30 - 1,
    integerReason:
      "MicroPython on the ESP8266 keeps integers up to 1073741823 (2^30 − 1) in a word; larger ones are heap objects that lose digits next to its single-precision floats",
    maxMagnitude: 3.4028234663852886e38,
    magnitudeReason: "the ESP8266's single-precision floats reach about 3.4e38",
  },
};

/** Nodes with no number literal inside, the most numerous of a file: the walk need not open them. */
const holdsNoNumber = new Set(["identifier", "string", "boolean", "duration", "name"]);

/**
 * One diagnostic per number literal the target cannot hold. Walks any AST shape (everything with
 * `kind: "number"` is a literal); expressions are at most `maxNestingDepth` deep, so recursion is safe.
 *
 * @example
 * numberRangeDiagnostics(program.statements, "esp8266"); // E405 for `take 99999999999`
 */
export function numberRangeDiagnostics(statements: readonly A.Statement[], target: Target | undefined): Diagnostic[] {
  const limit = target ? limits[target] : hostLimits;
  const diagnostics: Diagnostic[] = [];
  const visit = (value: unknown): void => {
    if (value === null || typeof value !== "object") return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    const node = value as { kind?: unknown };
    if (typeof node.kind === "string" && holdsNoNumber.has(node.kind)) return;
    if (node.kind === "number") {
      const problem = rangeProblem(node as A.NumberLiteral, limit, target ? `on ${target}` : "on the host");
      if (problem) diagnostics.push(problem);
      return;
    }
    // A walk over every field, with no array of entries per node: large files have many nodes.
    for (const key in value) if (key !== "span") visit((value as Record<string, unknown>)[key]);
  };
  visit(statements);
  return diagnostics;
}

function rangeProblem(literal: A.NumberLiteral, limit: NumberLimits, on: string): Diagnostic | undefined {
  const value = Math.abs(literal.value);
  if (!Number.isFinite(value) || value > limit.maxMagnitude)
    return diagnostic(
      DiagnosticCodes.InvalidValue,
      literal.span,
      `this number is too large ${on}`,
      limit.magnitudeReason,
    );
  if (literal.isInteger && value > limit.maxInteger)
    return diagnostic(
      DiagnosticCodes.InvalidValue,
      literal.span,
      `this integer cannot be held exactly ${on}`,
      limit.integerReason,
    );
  return undefined;
}
