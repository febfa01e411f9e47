/**
 * The run-time half of the expression standard library, with Python's semantics where the device
 * (MicroPython) and the host would otherwise disagree: `round` rounds half to even, `%` takes the
 * sign of the divisor, `int("3.5")` is an error, `str(True)` is "True". Compiled expressions call
 * these through one object (see {@link ./compile-expression.ts}): the `library` calls that
 * compiler/stdlib.ts names for Node, and the operators' helpers.
 */
import type { Clock } from "./scheduler.js";

/** The functions compiled expressions call; the test holds it to compiler/stdlib.ts. */
export interface RuntimeStdlib {
  /** Unix seconds with a fraction, like Python's `time.time()`. */
  now(): number;
  round(x: number, digits?: number): number;
  clamp(x: number, low: number, high: number): number;
  int(x: unknown): number;
  float(x: unknown): number;
  str(x: unknown): string;
  /** Python's `%`: the result has the divisor's sign; a zero divisor throws, as on the board. */
  mod(a: number, b: number): number;
  /** `/`, throwing on a zero divisor as the board does, so the event is dropped on both targets. */
  div(a: number, b: number): number;
  /** `value.name` on decoded JSON: the own property of an object, or null. */
  field(value: unknown, name: string): unknown;
}

/**
 * @example
 * const std = createStdlib(systemClock);
 * std.round(2.5); // 2, as in Python
 * std.mod(-7, 3); // 2
 */
export function createStdlib(clock: Clock): RuntimeStdlib {
  return {
    now: () => clock.now() / 1000,
    round: pythonRound,
    clamp: (x, low, high) => (x < low ? low : x > high ? high : x),
    int: toInt,
    float: toFloat,
    str: toStr,
    mod: pythonMod,
    div: divide,
    field: jsonField,
  };
}

function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * Python's `round`: to the nearest value with `digits` decimals, ties to even on the exact
 * decimal value of the double (so `round(2.675, 2)` is 2.67, because 2.675 is really 2.67499…).
 */
export function pythonRound(x: number, digits = 0): number {
  if (!Number.isFinite(x)) return x;
  if (digits === 0) return roundHalfEven(x);
  if (digits < 0) {
    const scale = 10 ** -digits;
    return roundHalfEven(x / scale) * scale;
  }
  if (digits > 100) return x;
  // toFixed rounds the exact binary value correctly, but ties away from zero; a tie only exists
  // when the exact expansion ends in 5 right after the last kept digit.
  const exact = Math.abs(x).toFixed(Math.min(100, digits + 60));
  const point = exact.indexOf(".");
  const rest = exact.slice(point + 1 + digits);
  if (/^50*$/.test(rest)) {
    const truncated = Number(exact.slice(0, point + 1 + digits));
    const lastDigit = Number(exact[point + digits]);
    const magnitude = lastDigit % 2 === 0 ? truncated : Number((truncated + 10 ** -digits).toFixed(digits));
    return x < 0 ? -magnitude : magnitude;
  }
  return Number(x.toFixed(digits));
}

function divide(a: number, b: number): number {
  if (b === 0) throw new RangeError("division by zero");
  return a / b;
}

export function pythonMod(a: number, b: number): number {
  if (b === 0) throw new RangeError("modulo by zero");
  const remainder = a % b;
  return remainder !== 0 && remainder < 0 !== b < 0 ? remainder + b : remainder;
}

function toInt(x: unknown): number {
  if (typeof x === "number") {
    if (!Number.isFinite(x)) throw new RangeError(`int() cannot convert ${x}`);
    return Math.trunc(x);
  }
  if (typeof x === "boolean") return x ? 1 : 0;
  if (typeof x === "string" && /^\s*[+-]?\d+\s*$/.test(x)) return Number.parseInt(x, 10);
  throw new TypeError(`int() cannot convert ${JSON.stringify(x) ?? String(x)}`);
}

const specialFloats = new Map([
  ["inf", Infinity],
  ["+inf", Infinity],
  ["-inf", -Infinity],
  ["infinity", Infinity],
  ["+infinity", Infinity],
  ["-infinity", -Infinity],
  ["nan", NaN],
  ["+nan", NaN],
  ["-nan", NaN],
]);

function toFloat(x: unknown): number {
  if (typeof x === "number") return x;
  if (typeof x === "boolean") return x ? 1 : 0;
  if (typeof x === "string") {
    const text = x.trim();
    const special = specialFloats.get(text.toLowerCase());
    if (special !== undefined) return special;
    if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return Number(text);
  }
  throw new TypeError(`float() cannot convert ${JSON.stringify(x) ?? String(x)}`);
}

function toStr(x: unknown): string {
  switch (typeof x) {
    case "string":
      return x;
    case "number":
      return formatPythonNumber(x);
    case "boolean":
      return x ? "True" : "False";
    default:
      return x === null || x === undefined ? "None" : JSON.stringify(x);
  }
}

function jsonField(value: unknown, name: string): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value) || !Object.hasOwn(value, name)) return null;
  return (value as Record<string, unknown>)[name];
}

/**
 * A number as Python prints it: integers plainly (`611`), other numbers in `repr` style, which
 * switches to exponent notation sooner than JavaScript does (`1e-05`, `1e+16`).
 *
 * @example
 * formatPythonNumber(1484535480.613611); // "1484535480.613611"
 * formatPythonNumber(0.00001); // "1e-05"
 */
export function formatPythonNumber(x: number): string {
  const magnitude = Math.abs(x);
  // Where both languages write plain decimals (the common case, and the fast path for `print`).
  if (magnitude < 1e16 && (magnitude >= 1e-4 || magnitude === 0)) return String(x);
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const exponential = x.toExponential();
  const e = exponential.indexOf("e");
  const exponent = Number(exponential.slice(e + 1));
  const digits = Math.abs(exponent) < 10 ? `0${Math.abs(exponent)}` : String(Math.abs(exponent));
  return `${exponential.slice(0, e)}e${exponent < 0 ? "-" : "+"}${digits}`;
}

/** Text Python's repr writes between single quotes unchanged: no quote, backslash or control character. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what it looks for
const plainRepr = /^[^'\\\x00-\x1f\x7f]*$/;

/** A string as Python's `repr` writes it: single quotes unless the text contains one and no double quote. */
export function pythonStringRepr(text: string): string {
  if (plainRepr.test(text)) return `'${text}'`;
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === "\\" || char === quote) out += `\\${char}`;
    else if (char === "\n") out += "\\n";
    else if (char === "\r") out += "\\r";
    else if (char === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += char;
  }
  return out + quote;
}
