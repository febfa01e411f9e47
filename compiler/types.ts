/**
 * The types of flowc values and events. Events are either scalars or records; a record type may
 * carry a schema name, which decides its wire format (a `SensorEvent` travels as the tutorial's
 * JSON array `["lux-1", 611, 284.1312]`, other records as JSON objects).
 */

export type ScalarTypeName = "number" | "int" | "string" | "bool" | "duration";

export interface ScalarType {
  readonly kind: "scalar";
  readonly name: ScalarTypeName;
}

export interface RecordField {
  readonly name: string;
  readonly type: FlowType;
}

export interface RecordType {
  readonly kind: "record";
  /** The schema's name, or undefined for an anonymous record (from a literal or `set`). */
  readonly name?: string;
  readonly fields: readonly RecordField[];
}

/** Decoded JSON whose shape is not known until run time (`json` without `as`). */
export interface AnyType {
  readonly kind: "any";
}

/** A type the checker could not determine; suppresses follow-on errors. */
export interface ErrorType {
  readonly kind: "error";
}

export type FlowType = ScalarType | RecordType | AnyType | ErrorType;

export const NumberType: ScalarType = { kind: "scalar", name: "number" };
export const IntType: ScalarType = { kind: "scalar", name: "int" };
export const StringType: ScalarType = { kind: "scalar", name: "string" };
export const BoolType: ScalarType = { kind: "scalar", name: "bool" };
export const DurationType: ScalarType = { kind: "scalar", name: "duration" };
export const AnyType: AnyType = { kind: "any" };
export const ErrorType: ErrorType = { kind: "error" };

export const scalarTypes: ReadonlyMap<string, ScalarType> = new Map(
  [NumberType, IntType, StringType, BoolType, DurationType].map((t) => [t.name, t]),
);

/**
 * ThingFlow's `SensorEvent(sensor_id, ts, val)`, in its tuple order: the event every sensor emits
 * and the tutorial sends over MQTT.
 */
export const SensorEvent: RecordType = {
  kind: "record",
  name: "SensorEvent",
  fields: [
    { name: "sensor_id", type: StringType },
    { name: "ts", type: NumberType },
    { name: "val", type: NumberType },
  ],
};

/** Three-axis readings from an accelerometer, in m/s². */
export const AccelEvent: RecordType = {
  kind: "record",
  name: "AccelEvent",
  fields: [
    { name: "sensor_id", type: StringType },
    { name: "ts", type: NumberType },
    { name: "x", type: NumberType },
    { name: "y", type: NumberType },
    { name: "z", type: NumberType },
  ],
};

/** Schemas every program can use without declaring them. */
export const builtinSchemas: ReadonlyMap<string, RecordType> = new Map([
  ["SensorEvent", SensorEvent],
  ["AccelEvent", AccelEvent],
]);

export function isNumeric(type: FlowType): boolean {
  return type.kind === "scalar" && (type.name === "number" || type.name === "int");
}

/** True when a value of `source` may be used where `target` is expected. */
export function isAssignable(source: FlowType, target: FlowType): boolean {
  if (source.kind === "error" || target.kind === "error" || source.kind === "any" || target.kind === "any") {
    return true;
  }
  if (source.kind === "scalar" && target.kind === "scalar") {
    return source.name === target.name || (source.name === "int" && target.name === "number");
  }
  if (source.kind === "record" && target.kind === "record") {
    if (target.name && source.name && target.name !== source.name) return false;
    return target.fields.every((field) => {
      const match = source.fields.find((f) => f.name === field.name);
      return match !== undefined && isAssignable(match.type, field.type);
    });
  }
  return false;
}

export function fieldOf(type: FlowType, name: string): RecordField | undefined {
  return type.kind === "record" ? type.fields.find((f) => f.name === name) : undefined;
}

/** How a type is written in messages: `number`, `SensorEvent`, `{ a: number, b: string }`. */
export function formatType(type: FlowType): string {
  switch (type.kind) {
    case "scalar":
      return type.name;
    case "any":
      return "json";
    case "error":
      return "<unknown>";
    case "record":
      return type.name ?? `{ ${type.fields.map((f) => `${f.name}: ${formatType(f.type)}`).join(", ")} }`;
  }
}

export function sameType(a: FlowType, b: FlowType): boolean {
  return isAssignable(a, b) && isAssignable(b, a);
}
