import { describe, expect, it } from "vitest";
import { runOperator, runUntilUpstreamError, sensorEvent } from "../testing.js";

describe("to_json", () => {
  it("completes without emitting when its input is empty", async () => {
    expect(await runOperator("feed -> to_json -> capture", [])).toEqual([]);
  });

  it("encodes a SensorEvent as the tutorial's array, with Python's separators", async () => {
    expect(await runOperator("feed -> to_json -> capture", [sensorEvent("lux-1", 611, 284.1312)])).toEqual([
      '["lux-1", 611, 284.1312]',
    ]);
  });

  it("encodes other records as objects in field order, and scalars as JSON", async () => {
    const events = [sensorEvent("a", 1, 2), sensorEvent("b", 3, 4)];
    expect(await runOperator("feed -> set ok = val > 2 -> to_json -> capture", events)).toEqual([
      '{"sensor_id": "a", "ts": 1, "val": 2, "ok": false}',
      '{"sensor_id": "b", "ts": 3, "val": 4, "ok": true}',
    ]);
    expect(await runOperator("feed type string -> to_json -> capture", ['say "hi"'])).toEqual(['"say \\"hi\\""']);
    expect(await runOperator("feed type number -> to_json -> capture", [1.5, -2])).toEqual(["1.5", "-2"]);
  });

  it("round-trips through json as SensorEvent", async () => {
    const event = sensorEvent("lux-1", 1_484_535_480.613611, 371.6063);
    expect(await runOperator("feed -> to_json -> json as SensorEvent -> capture", [event])).toEqual([event]);
  });

  it("passes an upstream error on", async () => {
    const error = new Error("sensor lost");
    const { capture, failure } = await runUntilUpstreamError("feed -> to_json -> capture", [], error);
    expect(capture.error).toBe(error);
    expect(failure).toBe(error);
  });

  it("keeps up with a long stream", async () => {
    const events = Array.from({ length: 100_000 }, (_, i) => sensorEvent("a", i, i));
    const out = await runOperator("feed -> to_json -> capture", events);
    expect(out).toHaveLength(100_000);
    expect(out[99_999]).toBe('["a", 99999, 99999]');
  });
});
