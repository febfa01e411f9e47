import { describe, expect, it } from "vitest";
import type { BinaryOperator } from "../compiler/ast.js";
import type { TypedExpression } from "../compiler/typed.js";
import {
  AnyType,
  BoolType,
  IntType,
  NumberType,
  SensorEvent,
  StringType,
  type FlowType,
  type RecordType,
} from "../compiler/types.js";
import { compileExpression, type ExpressionNames } from "./compile-expression.js";
import { ManualClock } from "./manual-clock.js";
import { createStdlib } from "./stdlib-js.js";

const event: TypedExpression = { kind: "event", type: SensorEvent };
const field = (name: string, type: FlowType = NumberType): TypedExpression => ({
  kind: "field",
  object: event,
  name,
  index: SensorEvent.fields.findIndex((f) => f.name === name),
  type,
});
const literal = (value: number | string | boolean, type?: FlowType): TypedExpression => ({
  kind: "literal",
  value,
  type:
    type ??
    (typeof value === "string"
      ? StringType
      : typeof value === "boolean"
        ? BoolType
        : Number.isInteger(value)
          ? IntType
          : NumberType),
});
const binary = (
  operator: BinaryOperator,
  left: TypedExpression,
  right: TypedExpression,
  type: FlowType = NumberType,
): TypedExpression => ({
  kind: "binary",
  operator,
  left,
  right,
  type,
});
const call = (fn: string, ...args: TypedExpression[]): TypedExpression => ({
  kind: "call",
  fn,
  args,
  type: NumberType,
});

const clock = new ManualClock(1_484_535_480_613);
const std = createStdlib(clock);
const names: ExpressionNames = {
  event: "e",
  std: "std",
  binding: (name) => `bindings.${name}`,
  config: (ref) => `config[${JSON.stringify(ref.key)}]`,
};

/** Compiles and runs an expression against an event. */
function evaluate(
  expr: TypedExpression,
  e: unknown = { sensor_id: "lux-1", ts: 611, val: 284.1312 },
  extra: Record<string, unknown> = {},
): unknown {
  const code = compileExpression(expr, names);
  return new Function("e", "std", "bindings", "config", `return ${code};`)(
    e,
    std,
    extra.bindings ?? {},
    extra.config ?? {},
  );
}

describe("compileExpression", () => {
  it("reads record fields as properties", () => {
    expect(compileExpression(field("val"), names)).toBe("e.val");
    expect(evaluate(binary("*", field("val"), literal(2)))).toBeCloseTo(568.2624);
  });

  it("parenthesises every compound expression, so precedence is the source's", () => {
    // (val - 1) * 2, written with explicit grouping in the tree
    const expr = binary("*", binary("-", field("val"), literal(1)), literal(2));
    expect(evaluate(expr, { val: 10 })).toBe(18);
    expect(
      evaluate({ kind: "unary", operator: "-", operand: binary("-", literal(1), literal(3)), type: IntType }),
    ).toBe(2);
  });

  it("translates and/or/not and equality to strict JavaScript", () => {
    const isLux = binary("==", field("sensor_id", StringType), literal("lux-1"), BoolType);
    const bright = binary(">", field("val"), literal(500), BoolType);
    expect(compileExpression(isLux, names)).toBe('(e.sensor_id === "lux-1")');
    expect(
      evaluate(binary("and", isLux, { kind: "unary", operator: "not", operand: bright, type: BoolType }, BoolType)),
    ).toBe(true);
    expect(evaluate(binary("or", bright, binary("!=", field("ts"), literal(611), BoolType), BoolType))).toBe(false);
    expect(evaluate(binary("==", literal(1), literal("1"), BoolType))).toBe(false);
  });

  it("uses Python's modulo", () => {
    expect(evaluate(binary("%", literal(-7), literal(3), IntType))).toBe(2);
  });

  it("emits strings so that no value can inject code", () => {
    const hostile = 'x"); globalThis.pwned = true; ("\u2028\\';
    expect(evaluate(literal(hostile))).toBe(hostile);
    expect((globalThis as { pwned?: boolean }).pwned).toBeUndefined();
  });

  it("reads fields of decoded JSON safely", () => {
    const json: TypedExpression = { kind: "event", type: AnyType };
    const reading: TypedExpression = { kind: "field", object: json, name: "lux", index: -1, type: AnyType };
    const nested: TypedExpression = { kind: "field", object: reading, name: "raw", index: -1, type: AnyType };
    expect(evaluate(reading, { lux: 12 })).toBe(12);
    expect(evaluate(nested, { lux: 12 })).toBeNull();
    expect(evaluate(nested, null)).toBeNull();
    expect(evaluate({ kind: "field", object: json, name: "constructor", index: -1, type: AnyType }, {})).toBeNull();
    expect(evaluate({ kind: "field", object: json, name: "length", index: -1, type: AnyType }, "text")).toBeNull();
  });

  it("accesses fields whose names are not identifiers through brackets", () => {
    const record: RecordType = { kind: "record", fields: [{ name: "a-b", type: NumberType }] };
    const expr: TypedExpression = {
      kind: "field",
      object: { kind: "event", type: record },
      name: "a-b",
      index: 0,
      type: NumberType,
    };
    expect(compileExpression(expr, names)).toBe('e["a-b"]');
  });

  it("builds records with the schema's fields in order, keeping __proto__ an own property", () => {
    const type: RecordType = {
      kind: "record",
      fields: [
        { name: "sensor_id", type: StringType },
        { name: "__proto__", type: NumberType },
      ],
    };
    const record = evaluate({ kind: "record", fields: [field("sensor_id", StringType), literal(1)], type }) as Record<
      string,
      unknown
    >;
    expect(Object.keys(record)).toEqual(["sensor_id", "__proto__"]);
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
  });

  it("calls the standard library through one table", () => {
    expect(evaluate(call("now"))).toBe(1_484_535_480.613);
    expect(evaluate(call("round", field("val"), literal(1)))).toBe(284.1);
    expect(evaluate(call("round", literal(2.5)))).toBe(2);
    expect(evaluate(call("abs", literal(-3)))).toBe(3);
    expect(evaluate(call("min", literal(3), literal(1), literal(2)))).toBe(1);
    expect(evaluate(call("max", literal(3), literal(1), literal(2)))).toBe(3);
    expect(evaluate(call("clamp", literal(12), literal(0), literal(10)))).toBe(10);
    expect(evaluate(call("int", literal("42")))).toBe(42);
    expect(evaluate(call("float", literal("2.5")))).toBe(2.5);
    expect(evaluate(call("str", literal(true)))).toBe("True");
    expect(() => compileExpression(call("launch"), names)).toThrow(/no JavaScript translation/);
  });

  it("skips conversions the types make unnecessary", () => {
    expect(compileExpression(call("float", field("val")), names)).toBe("e.val");
    expect(
      compileExpression({ kind: "call", fn: "str", args: [field("sensor_id", StringType)], type: StringType }, names),
    ).toBe("e.sensor_id");
  });

  it("reads config values and bindings through the caller's names", () => {
    const secret: TypedExpression = { kind: "config", source: "secret", key: "site", type: StringType };
    expect(evaluate(secret, {}, { config: { site: "lab" } })).toBe("lab");
    const acc: TypedExpression = { kind: "binding", name: "acc", type: NumberType };
    expect(evaluate(binary("+", acc, field("val")), { val: 1 }, { bindings: { acc: 41 } })).toBe(42);
    expect(() => compileExpression(acc, { ...names, binding: undefined })).toThrow(/binding/);
  });

  it("writes negative and special literals safely", () => {
    expect(evaluate(binary("-", literal(1), literal(-2)))).toBe(3);
    expect(compileExpression(literal(-0), names)).toBe("(-0)");
    expect(evaluate({ kind: "unary", operator: "-", operand: literal(-5), type: IntType })).toBe(5);
  });
});
