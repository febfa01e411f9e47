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

/**
 * The key an aggregate groups by: `by sensor_id` unless told otherwise, when the events have a
 * `sensor_id` (so `avg over 10` over several sensors averages each sensor on its own).
 */
export const byKeyParam: ParamSpec = {
  name: "by",
  type: { kind: "field" },
  defaultField: "sensor_id",
  defaultFieldIfPresent: true,
  doc: "Keep a separate window for each value of this field (default `sensor_id`, when the events have one).",
};

/** Event time: the field holding each event's timestamp, in unix seconds (`on ts`). */
export const onTimeParam: ParamSpec = {
  name: "on",
  type: { kind: "field", numeric: true },
  doc: "Use each event's own time, this field in unix seconds (`on ts`), instead of the clock's when it arrives.",
};

/** How much later than the newest event an event-time event may come and still count. */
export const latenessParam: ParamSpec = {
  name: "lateness",
  type: { kind: "duration" },
  doc: "With `on`: how far behind the newest event time an event may be and still join its window (default 0).",
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
