/**
 * The contract between the ESP8266 bundle ({@link ./bundle.ts}) and component implementations.
 * Each `components/<name>/micropython.ts` exports `micropythonImplementations:
 * MicroPythonImplementation[]`; the bundle looks them up by {@link componentKey} and splices the
 * Python they return into one straight-line `main.py` specialised to the flow, so the device runs
 * no generic event library: a pipeline is a function of local statements over the event `e`.
 *
 * On the device an event is a tuple in its schema's field order (`('lux-1', 611, 284.1312)`), a
 * number, a string, or a dict for JSON decoded without a schema. Events are shared between
 * fan-out branches, so code must never mutate one: build a new tuple and assign it to `e`.
 *
 * Statements are lines of Python, indented relative to each other with four spaces; the bundle
 * indents them into place. Operators may assign `e` and `return` to drop the event; sinks may do
 * neither (the bundle runs sibling sinks one after the other in the same function). Temporaries
 * are plain local names (assign before use, as the next component may reuse the name); state
 * that outlives an event lives in module-level variables from {@link EmitContext.state}.
 */
import type { IRNode } from "../../compiler/ir.js";
import type { ParamValue } from "../../compiler/registry.js";
import type { TypedExpression } from "../../compiler/typed.js";
import type { FlowType } from "../../compiler/types.js";

export { componentKey } from "../../compiler/registry.js";

/** A parameter as Python: its code, and its value when written in the source rather than a secret. */
export interface PythonValue {
  /** A literal (`"lux-1"`, `41`, `True`), or a read of the config module (`config.SECRET_TOPIC`). */
  readonly code: string;
  /** The value when it is a constant of the program; undefined for `secret`/`env` values. */
  readonly value?: string | number | boolean;
}

/**
 * Where a node's number lives in each event: a field of a tuple (`of val` → `e[2]`), a key of a
 * decoded JSON dict, or the event itself for number streams.
 */
export interface PythonNumberSlot {
  /** Python reading the number from the event in `e` (a local name or expression). */
  read(e: string): string;
  /**
   * Python for a new event: `e` with the number replaced by `value`, a tuple display for records
   * (`(e[0], e[1], value)`), `value` itself for number streams. For dicts it needs statements,
   * so it is only offered as {@link replaceStatements}.
   */
  replaceStatements(e: string, value: string): string[];
  /**
   * Statements refusing (raising TypeError) a value `v` read from an event of unknown shape
   * (`json` without `as`) that is no number, as the host's slot refuses it; none when the event's
   * type guarantees a number.
   */
  check(v: string): string[];
}

/** What an implementation's hooks get to write their Python. */
export interface EmitContext {
  readonly node: IRNode;
  /** The event variable: `e`. */
  readonly event: string;
  /** Python for an expression over the event; `bindings` maps binding names (scan's `acc`) to Python. */
  expression(expr: TypedExpression, bindings?: Readonly<Record<string, string>>): string;
  /** The parameter's checked value; undefined when absent. */
  raw(name: string): ParamValue | undefined;
  /** The parameter as Python; undefined when absent. */
  param(name: string): PythonValue | undefined;
  /**
   * The parameter's value, which must be written in the source because it shapes the generated
   * code (a window size, a period). A `secret`/`env` value is reported as unsupported on this target.
   */
  constant(name: string): string | number | boolean | undefined;
  /** {@link constant} for numbers, counts and durations (in ms); throws when absent. */
  number(name: string): number;
  /** A `field` parameter (`of val`), or undefined when absent. */
  field(name: string): Extract<ParamValue, { kind: "field" }> | undefined;
  /** Where the node's number is, per its `of` parameter (or another field parameter). */
  numberSlot(param?: string): PythonNumberSlot;
  /**
   * Declares a module-level variable holding this node's state, initialised once with `initial`
   * (Python), and returns its name, unique in the bundle (`hint` plus the node number). `bytes`
   * estimates its heap use for the manifest. Functions that use the name declare it `global`.
   */
  state(hint: string, initial: string, bytes?: number): string;
  /** Imports a module once (`import json`) and returns the name to use. */
  module(name: "json" | "math" | "random" | "machine"): string;
  /** Adds a module-level helper `def` once per name and returns the name (the code defines that name). */
  helper(name: string, code: string): string;
  /**
   * Ships a driver with the bundle (once per file) and imports `symbol` from it; returns the name
   * to use. `source` is the driver's text, from `import text from "./driver.py?raw"`.
   */
  driver(file: string, source: string, symbol: string): string;
  /** The shared I2C bus, created in `setup()` from the device block's `i2c` settings. */
  i2c(): string;
  /**
   * A statement publishing `payload` (Python `str`) on `topic`: queued while the broker is
   * unreachable, never raising.
   */
  publish(topic: PythonValue, payload: string, qos: number, retain: boolean): string;
  /** Python giving the JSON text of `value` of `type`, as the host encodes it. */
  jsonText(value: string, type: FlowType): string;
  /** Python turning parsed JSON into an event of the schema (array or object form), raising ValueError otherwise. */
  decodeRecord(value: string, schema: Extract<FlowType, { kind: "record" }>): string;
  /**
   * The name of a function handing an event to the next nodes, for operators that emit several
   * events at once (a window closing for every key): call it for each, then `return`.
   */
  downstream(): string;
  /** Python reading the current time in seconds, as `now()` does. */
  readonly now: string;
  /** A safe Python string literal. */
  string(text: string): string;
  /** A Python literal of a number. */
  numberLiteral(value: number): string;
}

/**
 * How a source produces events.
 * - `periodic`: sampled on the scheduler every `periodMs`. When `open` is given, the bundle keeps
 *   its result (a driver object) in a variable, opens it in `setup()` and again after a failure,
 *   and passes the variable's name to `sample`, whose statements assign `e`.
 * - `subscription`: an MQTT subscription; each message's payload (bytes) arrives in `e`, and
 *   `statements` turn it into the event.
 * - `inputs`: events come from the node's `previous` nodes (`merge`).
 */
export type SourceCode =
  | {
      readonly kind: "periodic";
      readonly periodMs: number;
      readonly open?: string;
      /** How much heap the opened driver object holds, for the manifest. */
      readonly openBytes?: number;
      readonly sample: (device: string) => readonly string[];
    }
  | {
      readonly kind: "subscription";
      readonly topic: PythonValue;
      readonly qos: number;
      readonly statements: readonly string[];
    }
  | { readonly kind: "inputs" };

/**
 * What an operator runs per event, and optionally on a timer.
 * - `statements` run for each event; they may assign `e` or `return` to drop it.
 * - `timer` statements run every `periodMs` on the scheduler (aligned with the sources, as time
 *   windows are); they assign `e` to emit it downstream, or `return` to emit nothing.
 * - `observe` runs statements on the events of other nodes (`sample`'s side input), right after
 *   that node's own statements.
 */
export interface OperatorCode {
  readonly statements: readonly string[];
  readonly timer?: { readonly periodMs: number; readonly statements: readonly string[] };
  readonly observe?: readonly { readonly node: string; readonly statements: readonly string[] }[];
}

/** What a sink runs per event; it must neither assign `e` nor `return`. */
export interface SinkCode {
  readonly statements: readonly string[];
}

/**
 * A component's MicroPython implementation. Provide the hook matching the declaration's kind.
 *
 * @example
 * export const micropythonImplementations: MicroPythonImplementation[] = [
 *   {
 *     key: componentKey("operator", "filter"),
 *     operator: (py) => ({
 *       statements: [`if not ${py.expression(py.node.params.condition.expr)}:`, "    return"],
 *     }),
 *   },
 * ];
 */
export interface MicroPythonImplementation {
  /** `componentKey(kind, name)`: `source:tsl2591`, `operator:filter`, `sink:mqtt`. */
  readonly key: string;
  source?(py: EmitContext): SourceCode;
  operator?(py: EmitContext): OperatorCode;
  sink?(py: EmitContext): SinkCode;
}

/** Indexes implementations by key, refusing duplicates. */
export function micropythonLookup(
  implementations: Iterable<MicroPythonImplementation>,
): (key: string) => MicroPythonImplementation | undefined {
  const byKey = new Map<string, MicroPythonImplementation>();
  for (const implementation of implementations) {
    if (byKey.has(implementation.key)) throw new Error(`two MicroPython implementations for ${implementation.key}`);
    byKey.set(implementation.key, implementation);
  }
  return (key) => byKey.get(key);
}

/** The expression held by an `expression` parameter; throws if the checker left something else. */
export function expressionParam(py: EmitContext, name: string): TypedExpression {
  const value = py.raw(name);
  if (value?.kind !== "expression")
    throw new Error(`${py.node.id} ${py.node.label}: \`${name}\` is ${value?.kind ?? "absent"}, not an expression`);
  return value.expr;
}

/** Indents lines of Python by `levels` × 4 spaces. */
export function indent(lines: readonly string[], levels = 1): string[] {
  const pad = "    ".repeat(levels);
  return lines.map((line) => (line === "" ? line : pad + line));
}

/**
 * How many keys a keyed operator's heap estimate counts, of the `cap` the board keeps. Keyed by
 * its default field (`sensor_id`, `ownKey` here), a device sees its own sensors' ids: one, as
 * the estimate has always assumed. Keyed by any other field (a value, a time), as many keys as
 * the cap allows may arrive, so the estimate counts them all: a flow that fits with one key but
 * not with the cap's would run out of memory on the board the day the keys come.
 *
 * @example
 * const keys = estimatedKeys(py.field("by"), deviceMaxAveragedKeys, byKeyParam.defaultField); // 16 for `by val`
 */
export function estimatedKeys(
  by: Extract<ParamValue, { kind: "field" }> | undefined,
  cap: number,
  ownKey: string | undefined,
): number {
  return by && by.name !== ownKey ? cap : 1;
}
