/**
 * The wire format between device and host, as in the tutorial: a SensorEvent travels as a JSON
 * array in field order, `["lux-1", 611, 284.1312]`, other records as JSON objects, scalars as
 * JSON. Encoders and decoders are generated once per type (with `new Function` over field names
 * that are escaped or checked), so the per-message work is a JSON.parse and a few type checks.
 */
import { isUtf8 } from "node:buffer";
import type { FlowType, RecordType } from "../compiler/types.js";
import { propertyAccess, propertyKey } from "./compile-expression.js";

/** Schemas whose events travel as JSON arrays in field order (ThingFlow's namedtuples). */
const arraySchemas: ReadonlySet<string> = new Set(["SensorEvent"]);

/** True when events of `type` are encoded as JSON arrays rather than objects. */
export function encodesAsArray(type: FlowType): boolean {
  return type.kind === "record" && type.name !== undefined && arraySchemas.has(type.name);
}

const encodeJson = (value: unknown): string => JSON.stringify(value) ?? "null";

/**
 * An encoder for events of `type`, writing the separators Python's `json.dumps` writes (`", "`
 * and `": "`), so host and device produce the same bytes for the same event.
 *
 * @example
 * encoderFor(SensorEvent)({ sensor_id: "lux-1", ts: 611, val: 284.1312 });
 * // '["lux-1", 611, 284.1312]'
 */
export function encoderFor(type: FlowType): (value: unknown) => string {
  if (type.kind !== "record") return encodeJson;
  const constants: unknown[] = [encodeJson];
  const parts = type.fields.map((field, i) => {
    const value = `e${propertyAccess(field.name)}`;
    let encoded: string;
    if (field.type.kind === "record") {
      constants.push(encoderFor(field.type));
      encoded = `c${constants.length - 1}(${value})`;
    } else encoded = `c0(${value})`;
    const separator = i === 0 ? "" : ", ";
    return encodesAsArray(type)
      ? `${JSON.stringify(separator)} + ${encoded}`
      : `${JSON.stringify(`${separator}${JSON.stringify(field.name)}: `)} + ${encoded}`;
  });
  const [open, close] = encodesAsArray(type) ? ['"["', '"]"'] : ['"{"', '"}"'];
  const body = `return function encode(e) { return ${[open, ...parts, close].join(" + ")}; };`;
  const names = constants.map((_, i) => `c${i}`);
  return new Function(...names, body)(...constants) as (value: unknown) => string;
}

/**
 * Turns payload text into events of a schema. `decode` returns undefined for anything it cannot
 * use (never a valid event) and leaves the reason in `reason`, so a flood of bad payloads costs
 * no exceptions past JSON.parse's own.
 */
export interface Decoder<T = unknown> {
  decode(text: string): T | undefined;
  /** Why the last failed decode failed, e.g. "`val` must be a number". */
  readonly reason: string;
}

interface MutableDecoder<T> extends Decoder<T> {
  reason: string;
}

/** How a value of a field type is checked, as a JavaScript condition over `v`. */
function typeCheck(type: FlowType): string | undefined {
  if (type.kind !== "scalar") return undefined;
  switch (type.name) {
    case "string":
      return 'typeof v === "string"';
    case "number":
    case "duration":
      return 'typeof v === "number"';
    case "int":
      return "Number.isInteger(v)";
    case "bool":
      return 'typeof v === "boolean"';
  }
}

const typeNames: Readonly<Record<string, string>> = {
  string: "text",
  number: "a number",
  duration: "a number",
  int: "an integer",
  bool: "true or false",
};

/**
 * Builds a converter from parsed JSON to a record of `schema`, accepting the array form (fields
 * in schema order) and the object form (fields by name; extra keys ignored).
 */
function converterFor(schema: RecordType, decoder: MutableDecoder<unknown>): (value: unknown) => unknown {
  const fields = schema.fields;
  const constants: unknown[] = [decoder];
  const lines: string[] = [];
  const locals = fields.map((_, i) => `f${i}`);
  const listing = `[${fields.map((f) => f.name).join(", ")}]`;
  lines.push(`let ${locals.join(", ")};`);
  lines.push(`if (Array.isArray(value)) {`);
  lines.push(
    `  if (value.length !== ${fields.length}) { d.reason = ${JSON.stringify(`expected ${fields.length} values ${listing}, got `)} + value.length; return undefined; }`,
  );
  fields.forEach((_, i) => lines.push(`  f${i} = value[${i}];`));
  lines.push(`} else if (value !== null && typeof value === "object") {`);
  fields.forEach((field, i) =>
    lines.push(
      `  f${i} = Object.hasOwn(value, ${JSON.stringify(field.name)}) ? value${propertyAccess(field.name)} : undefined;`,
    ),
  );
  lines.push(
    `} else { d.reason = ${JSON.stringify(`expected a JSON array ${listing} or an object`)}; return undefined; }`,
  );
  fields.forEach((field, i) => {
    const check = typeCheck(field.type);
    const missing = JSON.stringify(`\`${field.name}\` is missing`);
    if (field.type.kind === "record") {
      constants.push(converterFor(field.type, decoder));
      lines.push(`if (f${i} === undefined) { d.reason = ${missing}; return undefined; }`);
      lines.push(`f${i} = c${constants.length - 1}(f${i}); if (f${i} === undefined) return undefined;`);
    } else if (check) {
      const wrong = JSON.stringify(`\`${field.name}\` must be ${typeNames[(field.type as { name: string }).name]}`);
      lines.push(
        `{ const v = f${i}; if (!(${check})) { d.reason = v === undefined ? ${missing} : ${wrong}; return undefined; } }`,
      );
    } else {
      lines.push(`if (f${i} === undefined) f${i} = null;`);
    }
  });
  lines.push(`return { ${fields.map((field, i) => `${propertyKey(field.name)}: f${i}`).join(", ")} };`);
  const names = ["d", ...constants.slice(1).map((_, i) => `c${i + 1}`)];
  const body = `return function convert(value) {\n${lines.join("\n")}\n};`;
  return new Function(...names, body)(...constants) as (value: unknown) => unknown;
}

/**
 * A decoder for payloads of `schema` (array or object form), or for any JSON when `schema` is
 * undefined (`json` without `as`).
 *
 * @example
 * const decoder = decoderFor(SensorEvent);
 * decoder.decode('["lux-1", 611, 284.1312]'); // { sensor_id: "lux-1", ts: 611, val: 284.1312 }
 * decoder.decode('{"sensor_id": "lux-1", "ts": 611, "val": 284.1312}'); // the same
 * decoder.decode('["lux-1", 611]'); // undefined; decoder.reason: "expected 3 values [sensor_id, ts, val], got 2"
 */
export function decoderFor<T = unknown>(schema?: RecordType): Decoder<T> {
  const decoder: MutableDecoder<T> = {
    reason: "",
    decode(text: string): T | undefined {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        decoder.reason = "not JSON";
        return undefined;
      }
      return convert(value) as T | undefined;
    },
  };
  const convert = schema ? converterFor(schema, decoder as MutableDecoder<unknown>) : (value: unknown) => value;
  return decoder;
}

/**
 * Payload bytes as text, or undefined when they are not valid UTF-8. The common case costs one
 * native decode and a scan for U+FFFD; only payloads containing that character are validated
 * strictly (it may be a genuine U+FFFD or a replacement for broken bytes). As fast as a fatal
 * TextDecoder (bench/runtime-codecs.ts), and it reads a window of a buffer without a view object.
 *
 * @example
 * utf8Text(Buffer.from("héllo")); // "héllo"
 * utf8Text(Buffer.from([0xff, 0xfe])); // undefined
 */
export function utf8Text(bytes: Buffer, start = 0, end = bytes.length): string | undefined {
  const text = bytes.toString("utf8", start, end);
  if (text.indexOf("\uFFFD") !== -1 && !isUtf8(bytes.subarray(start, end))) return undefined;
  return text;
}
