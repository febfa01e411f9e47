import { describe, expect, it } from "vitest";
import {
  AccelEvent,
  AnyType,
  BoolType,
  IntType,
  NumberType,
  SensorEvent,
  StringType,
  type RecordType,
} from "../compiler/types.js";
import { decoderFor, encoderFor, encodesAsArray, utf8Text } from "./wire.js";

const reading: RecordType = {
  kind: "record",
  name: "Reading",
  fields: [
    { name: "station", type: StringType },
    { name: "count", type: IntType },
    { name: "ok", type: BoolType },
    { name: "extra", type: AnyType },
  ],
};

const located: RecordType = {
  kind: "record",
  name: "Located",
  fields: [
    { name: "event", type: SensorEvent },
    { name: "room", type: StringType },
  ],
};

describe("encoderFor", () => {
  it("writes a SensorEvent as the tutorial's JSON array", () => {
    expect(encoderFor(SensorEvent)({ sensor_id: "lux-1", ts: 611, val: 284.1312 })).toBe('["lux-1", 611, 284.1312]');
    expect(encodesAsArray(SensorEvent)).toBe(true);
  });

  it("writes other records as objects, with Python's separators", () => {
    expect(encoderFor(AccelEvent)({ sensor_id: "a", ts: 1, x: 0, y: 0.5, z: 9.8 })).toBe(
      '{"sensor_id": "a", "ts": 1, "x": 0, "y": 0.5, "z": 9.8}',
    );
    expect(encoderFor(located)({ event: { sensor_id: "lux-1", ts: 1, val: 2 }, room: "kitchen" })).toBe(
      '{"event": ["lux-1", 1, 2], "room": "kitchen"}',
    );
  });

  it("escapes text and writes non-finite numbers as null", () => {
    const encoded = encoderFor(SensorEvent)({ sensor_id: 'a"b\\c\n', ts: Number.NaN, val: Infinity });
    expect(JSON.parse(encoded)).toEqual(['a"b\\c\n', null, null]);
  });

  it("writes scalars and untyped values as JSON", () => {
    expect(encoderFor(NumberType)(2.5)).toBe("2.5");
    expect(encoderFor(StringType)("hi")).toBe('"hi"');
    expect(encoderFor(AnyType)({ a: [1] })).toBe('{"a":[1]}');
    expect(encoderFor(AnyType)(undefined)).toBe("null");
  });

  it("round-trips through the decoder", () => {
    const event = { station: "north", count: 3, ok: true, extra: { a: 1 } };
    expect(decoderFor(reading).decode(encoderFor(reading)(event))).toEqual(event);
  });
});

describe("decoderFor", () => {
  const decoder = decoderFor(SensorEvent);

  it("accepts the array form and the object form", () => {
    const expected = { sensor_id: "lux-1", ts: 611, val: 284.1312 };
    expect(decoder.decode('["lux-1", 611, 284.1312]')).toEqual(expected);
    expect(decoder.decode('{"val": 284.1312, "sensor_id": "lux-1", "ts": 611, "unit": "lux"}')).toEqual(expected);
  });

  it("emits events with the schema's fields in order (one object shape downstream)", () => {
    expect(Object.keys(decoder.decode('{"val": 1, "ts": 2, "sensor_id": "x"}') as object)).toEqual([
      "sensor_id",
      "ts",
      "val",
    ]);
  });

  it.each([
    ["{oops", "not JSON"],
    ["42", "expected a JSON array [sensor_id, ts, val] or an object"],
    ["null", "expected a JSON array [sensor_id, ts, val] or an object"],
    ['["lux-1", 611]', "expected 3 values [sensor_id, ts, val], got 2"],
    ['["lux-1", 611, "284"]', "`val` must be a finite number"],
    ['["lux-1", 611, 1e999]', "`val` must be a finite number"],
    ["[611, 611, 284]", "`sensor_id` must be text"],
    ['{"sensor_id": "lux-1", "ts": 611}', "`val` is missing"],
    ['{"sensor_id": "lux-1", "ts": null, "val": 1}', "`ts` must be a finite number"],
  ])("rejects %s: %s", (text, reason) => {
    expect(decoder.decode(text)).toBeUndefined();
    expect(decoder.reason).toBe(reason);
  });

  it("checks ints, bools and nested records; any fields take anything (missing ones become null)", () => {
    const decode = decoderFor(reading);
    expect(decode.decode('["n", 1.5, true, 0]')).toBeUndefined();
    expect(decode.reason).toBe("`count` must be an integer");
    expect(decode.decode('["n", 1, "yes", 0]')).toBeUndefined();
    expect(decode.reason).toBe("`ok` must be true or false");
    expect(decode.decode('{"station": "n", "count": 1, "ok": false}')).toEqual({
      station: "n",
      count: 1,
      ok: false,
      extra: null,
    });
    const nested = decoderFor(located);
    expect(nested.decode('[["lux-1", 1, 2], "kitchen"]')).toEqual({
      event: { sensor_id: "lux-1", ts: 1, val: 2 },
      room: "kitchen",
    });
    expect(nested.decode('[["lux-1", 1], "kitchen"]')).toBeUndefined();
    expect(nested.reason).toBe("expected 3 values [sensor_id, ts, val], got 2");
    expect(nested.decode('{"room": "kitchen"}')).toBeUndefined();
    expect(nested.reason).toBe("`event` is missing");
  });

  it("does not read inherited properties for fields", () => {
    const withConstructor: RecordType = { kind: "record", fields: [{ name: "constructor", type: AnyType }] };
    expect(decoderFor(withConstructor).decode("{}")).toEqual({ constructor: null });
  });

  it("parses any JSON without a schema", () => {
    const untyped = decoderFor();
    expect(untyped.decode('{"a": [1, 2]}')).toEqual({ a: [1, 2] });
    expect(untyped.decode("null")).toBeNull();
    expect(untyped.decode("[")).toBeUndefined();
    expect(untyped.reason).toBe("not JSON");
  });
});

describe("utf8Text", () => {
  it("decodes valid UTF-8, including a genuine U+FFFD", () => {
    expect(utf8Text(Buffer.from("héllo"))).toBe("héllo");
    expect(utf8Text(Buffer.from("bad \uFFFD char"))).toBe("bad \uFFFD char");
    expect(utf8Text(Buffer.from("xx[1]yy"), 2, 5)).toBe("[1]");
  });

  it("refuses bytes that are not UTF-8", () => {
    expect(utf8Text(Buffer.from([0x5b, 0xff, 0xfe, 0x5d]))).toBeUndefined();
    expect(utf8Text(Buffer.from([0xc3]))).toBeUndefined();
    expect(utf8Text(Buffer.from([0x41, 0xc3, 0x41]), 0, 2)).toBeUndefined();
  });
});
