/**
 * How the Node operators that work on one number of each event (`calibrate`, the window
 * aggregates, `moving_avg`, `delta`) and those that key events (`delta by`, `dedupe`) find that
 * number or key, and how they write a new number back. Everything is generated once per node as
 * JavaScript over checked field names, so the per-event work is a property read and, for
 * replacements, one object literal with the record type's shape (V8 keeps such objects on one
 * hidden class, and every stage after sees the same shape).
 */
import type { IRNode } from "../compiler/ir.js";
import type { ParamValue } from "../compiler/registry.js";
import { isNumeric, type FlowType, type RecordType } from "../compiler/types.js";
import { propertyAccess, propertyKey } from "../runtime/compile-expression.js";
import { encoderFor } from "../runtime/wire.js";

type FieldParam = Extract<ParamValue, { kind: "field" }>;

/** The `of`/`by` parameter of a node, if given. */
function fieldParam(node: IRNode, param: string): FieldParam | undefined {
  const value = node.params[param];
  if (value === undefined) return undefined;
  if (value.kind !== "field") throw new Error(`${node.id} ${node.label}: \`${param}\` is a ${value.kind}, not a field`);
  return value;
}

/** JavaScript reading own property `name` of a decoded JSON value `e`, or undefined. */
function ownPropertyCode(e: string, name: string): string {
  const key = JSON.stringify(name);
  return `(${e} !== null && typeof ${e} === "object" && Object.hasOwn(${e}, ${key}) ? ${e}[${key}] : undefined)`;
}

/**
 * Where a node's number lives in each event: a field of a record (`of val`), or the event itself
 * for a number stream.
 *
 * @example
 * const slot = numberSlot(node); // `calibrate scale 2` over SensorEvent
 * slot.readCode("e"); // "e.val"
 * slot.replaceCode("e", "(e.val * 2)"); // "({ sensor_id: e.sensor_id, ts: e.ts, val: (e.val * 2) })"
 * slot.replace({ sensor_id: "a", ts: 1, val: 3 }, 6); // { sensor_id: "a", ts: 1, val: 6 }
 */
export interface NumberSlot {
  /**
   * True when the checker guarantees a number. False for untyped JSON (`json` without `as`): the
   * value read may be anything, and the operator must check it and report the event otherwise.
   */
  readonly typed: boolean;
  /** Why an untyped event was refused, for bad-input reports: "`val` is not a number". */
  readonly notANumber: string;
  /** The value of `event`; undefined when an untyped event has no such field. */
  readonly read: (event: unknown) => unknown;
  /** A new event: `event` with the number replaced (the number itself for number streams). */
  readonly replace: (event: unknown, value: number) => unknown;
  /** A JavaScript expression reading the value from variable `e`, for fused code. */
  readCode(e: string): string;
  /** A JavaScript expression for {@link replace}; `value` is evaluated before the new event exists. */
  replaceCode(e: string, value: string): string;
}

/**
 * The number a node reads through its `of` parameter (absent for number streams: the event is
 * the value), over the node's input type.
 */
export function numberSlot(node: IRNode, param = "of"): NumberSlot {
  const field = fieldParam(node, param);
  const input = node.input;
  let typed: boolean;
  let readCode: (e: string) => string;
  let replaceCode: (e: string, value: string) => string;
  if (field === undefined) {
    if (input?.kind === "record")
      throw new Error(`${node.id} ${node.label}: reads a record without an \`${param}\` field`);
    typed = input !== undefined && isNumeric(input);
    readCode = (e) => e;
    replaceCode = (_e, value) => value;
  } else if (input?.kind === "record" && field.index >= 0) {
    typed = isNumeric(field.type);
    readCode = (e) => `${e}${propertyAccess(field.name)}`;
    replaceCode = (e, value) => recordLiteral(input, (name) => (name === field.name ? value : undefined), e);
  } else {
    typed = false;
    readCode = (e) => ownPropertyCode(e, field.name);
    replaceCode = (e, value) => `({ ...${e}, ${propertyKey(field.name)}: ${value} })`;
  }
  return {
    typed,
    notANumber: `${field === undefined ? "the event" : `\`${field.name}\``} is not a number`,
    read: new Function(`return function read(e) { return ${readCode("e")}; };`)() as (event: unknown) => unknown,
    replace: new Function(`return function replace(e, v) { return ${replaceCode("e", "v")}; };`)() as (
      event: unknown,
      value: number,
    ) => unknown,
    readCode,
    replaceCode,
  };
}

/**
 * A record literal of `type`'s fields in declaration order: `valueOf(name)` where it gives code,
 * the field of `e` otherwise. The values are evaluated before the object exists, so they may read
 * `e` freely.
 *
 * @example
 * recordLiteral(SensorEvent, (name) => (name === "ts" ? "std.now()" : undefined), "e");
 * // "({ sensor_id: e.sensor_id, ts: std.now(), val: e.val })"
 */
export function recordLiteral(type: RecordType, valueOf: (name: string) => string | undefined, e: string): string {
  const fields = type.fields.map(
    (field) => `${propertyKey(field.name)}: ${valueOf(field.name) ?? `${e}${propertyAccess(field.name)}`}`,
  );
  return `({ ${fields.join(", ")} })`;
}

/** True when values of `type` can be Map keys as they are (equal values are the same key). */
function isPrimitiveKey(type: FlowType): boolean {
  return type.kind === "scalar";
}

/**
 * How a node keys events by its `by` field, or undefined when it has none. Scalar fields are keys
 * as they are; records and untyped JSON values are keyed by their JSON text, so that equal values
 * are equal keys.
 *
 * @example
 * const keyOf = keyReader(node)!; // `delta by sensor_id`
 * keyOf({ sensor_id: "lux-1", ts: 1, val: 2 }); // "lux-1"
 */
export function keyReader(node: IRNode, param = "by"): ((event: unknown) => unknown) | undefined {
  const field = fieldParam(node, param);
  if (field === undefined) return undefined;
  const input = node.input;
  const read =
    input?.kind === "record" && field.index >= 0 ? `e${propertyAccess(field.name)}` : ownPropertyCode("e", field.name);
  const body =
    input?.kind === "record" && field.index >= 0 && isPrimitiveKey(field.type)
      ? `return ${read};`
      : `const v = ${read}; return v !== null && typeof v === "object" ? JSON.stringify(v) : v;`;
  return new Function(`return function keyOf(e) { ${body} };`)() as (event: unknown) => unknown;
}

/**
 * The key of a whole event: scalars as they are; records as their wire encoding (fields in
 * schema order, so equal records give equal text); untyped JSON as its JSON text, so that `1` and
 * `"1"` stay different keys.
 *
 * @example
 * wholeEventKey(SensorEvent)({ sensor_id: "lux-1", ts: 611, val: 284.1 }); // '["lux-1", 611, 284.1]'
 */
export function wholeEventKey(type: FlowType | undefined): (event: unknown) => unknown {
  if (type?.kind === "scalar") return (event) => event;
  if (type?.kind === "record") return encoderFor(type);
  return (event) => JSON.stringify(event);
}
