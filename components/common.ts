/**
 * Parameter and type helpers shared by component declarations, so sensors and aggregates declare
 * the same parameter the same way.
 */
import type { ComponentContext, ParamSpec } from "../compiler/registry.js";
import { formatType, isNumeric, NumberType, sameType, type FlowType, type RecordType } from "../compiler/types.js";

/** The sensor id a sensor stamps on its events; ThingFlow's `Tsl2591('lux-1')`. */
export const sensorIdParam = (fallback: string): ParamSpec => ({
  name: "id",
  type: { kind: "string" },
  positional: true,
  default: { kind: "string", value: fallback },
  doc: "The sensor id written into each event's `sensor_id`.",
});

/** How often a sensor is sampled. */
export const everyParam: ParamSpec = {
  name: "every",
  type: { kind: "duration", minMs: 10 },
  required: true,
  doc: "How often to sample, as a duration such as `2s`.",
};

/** The number field an aggregate or transform reads: `val` unless `of` names another. */
export const ofFieldParam: ParamSpec = {
  name: "of",
  type: { kind: "field", numeric: true },
  defaultField: "val",
  doc: "The number field to use (default `val`); omitted for number streams.",
};

/** Accepts number streams and records (whose `of` field the binder has already checked). */
export function acceptsNumbersOrRecords(input: FlowType): string | undefined {
  if (isNumeric(input) || input.kind === "record" || input.kind === "any") return undefined;
  return `needs numbers or records with a number field, but its input is ${formatType(input)}`;
}

/**
 * The output of an operator that replaces one number field (or the number itself): the input's
 * type, with that field typed `number`. Widening an `int` field makes the events a schema's no
 * longer (the average of `Reading`s whose `val` is an int is not a `Reading`: a subscriber
 * decoding `json as Reading` would reject it), so the record then loses the schema's name.
 */
export function replacesNumber(ctx: ComponentContext): FlowType {
  const input = ctx.input ?? NumberType;
  if (input.kind !== "record") return isNumeric(input) ? NumberType : input;
  const field = ctx.params.get("of");
  if (field?.kind !== "field") return input;
  const replaced = input.fields.find((f) => f.name === field.name);
  if (!replaced || sameType(replaced.type, NumberType)) return input;
  const record: RecordType = {
    kind: "record",
    fields: input.fields.map((f) => (f === replaced ? { name: f.name, type: NumberType } : f)),
  };
  return record;
}
