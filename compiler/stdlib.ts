/**
 * The fixed standard library of expression functions. The checker types calls through this table;
 * each target translates them through its own table keyed by the same names.
 */
import { BoolType, IntType, isNumeric, NumberType, StringType, type FlowType } from "./types.js";

export interface StdlibFunction {
  readonly name: string;
  /** As shown in docs and hovers. */
  readonly signature: string;
  readonly summary: string;
  readonly minArgs: number;
  readonly maxArgs: number;
  /** The result type, or a message explaining which argument is wrong. */
  readonly resultType: (args: readonly FlowType[]) => FlowType | { readonly error: string; readonly argument: number };
  /**
   * True for `secret` and `env`: calls that name a value kept out of source. Their arguments must
   * be literals, and the checker turns them into config references.
   */
  readonly config?: "secret" | "env";
}

const numericArguments = (args: readonly FlowType[], result: FlowType) => {
  const wrong = args.findIndex((arg) => !isNumeric(arg) && arg.kind !== "any" && arg.kind !== "error");
  return wrong >= 0 ? { error: "expects a number", argument: wrong } : result;
};

const allInt = (args: readonly FlowType[]) => args.every((arg) => arg.kind === "scalar" && arg.name === "int");

const scalarArgument = (args: readonly FlowType[], result: FlowType) =>
  args[0]?.kind === "record" ? { error: "expects a number, string or bool, not a record", argument: 0 } : result;

export const stdlibFunctions: readonly StdlibFunction[] = [
  {
    name: "now",
    signature: "now(): number",
    summary: "The current time in unix seconds with a fraction, like Python's time.time().",
    minArgs: 0,
    maxArgs: 0,
    resultType: () => NumberType,
  },
  {
    name: "round",
    signature: "round(x: number, digits: int = 0): number",
    summary: "Rounds to the given number of decimal digits.",
    minArgs: 1,
    maxArgs: 2,
    resultType: (args) => numericArguments(args, args.length === 1 ? IntType : NumberType),
  },
  {
    name: "abs",
    signature: "abs(x: number): number",
    summary: "The absolute value.",
    minArgs: 1,
    maxArgs: 1,
    resultType: (args) => numericArguments(args, allInt(args) ? IntType : NumberType),
  },
  {
    name: "min",
    signature: "min(a: number, b: number, ...): number",
    summary: "The smallest argument.",
    minArgs: 2,
    maxArgs: 8,
    resultType: (args) => numericArguments(args, allInt(args) ? IntType : NumberType),
  },
  {
    name: "max",
    signature: "max(a: number, b: number, ...): number",
    summary: "The largest argument.",
    minArgs: 2,
    maxArgs: 8,
    resultType: (args) => numericArguments(args, allInt(args) ? IntType : NumberType),
  },
  {
    name: "clamp",
    signature: "clamp(x: number, low: number, high: number): number",
    summary: "x limited to the range [low, high].",
    minArgs: 3,
    maxArgs: 3,
    resultType: (args) => numericArguments(args, allInt(args) ? IntType : NumberType),
  },
  {
    name: "int",
    signature: "int(x: number | string | bool): int",
    summary: "Converts to an integer, truncating toward zero.",
    minArgs: 1,
    maxArgs: 1,
    resultType: (args) => scalarArgument(args, IntType),
  },
  {
    name: "float",
    signature: "float(x: number | string | bool): number",
    summary: "Converts to a number.",
    minArgs: 1,
    maxArgs: 1,
    resultType: (args) => scalarArgument(args, NumberType),
  },
  {
    name: "str",
    signature: "str(x): string",
    summary: "Converts to text.",
    minArgs: 1,
    maxArgs: 1,
    resultType: () => StringType,
  },
  {
    name: "secret",
    signature: 'secret("key"): string',
    summary:
      "A value kept out of source: from --secrets or FLOWC_SECRET_<KEY> when run on the host, written to config.py in device bundles.",
    minArgs: 1,
    maxArgs: 1,
    resultType: () => StringType,
    config: "secret",
  },
  {
    name: "env",
    signature: 'env("NAME", default?): string',
    summary: "An environment variable, or the default when unset. Typed like its default.",
    minArgs: 1,
    maxArgs: 2,
    resultType: (args) => args[1] ?? StringType,
    config: "env",
  },
];

export const stdlib: ReadonlyMap<string, StdlibFunction> = new Map(stdlibFunctions.map((fn) => [fn.name, fn]));

/** Names with a fixed meaning inside expressions. */
export const EventName = "it";

export { BoolType };
