import { describe, expect, it } from "vitest";
import { runOperator, runUntilUpstreamError, sensorEvent } from "../testing.js";

describe("dedupe", () => {
  it("completes without emitting when its input is empty", async () => {
    expect(await runOperator("feed -> dedupe -> capture", [])).toEqual([]);
  });

  it("passes a single event", async () => {
    const event = sensorEvent("a", 1, 2);
    expect(await runOperator("feed -> dedupe -> capture", [event])).toEqual([event]);
  });

  it("drops redeliveries of whole events, equal by value", async () => {
    const events = [
      sensorEvent("a", 1, 2),
      sensorEvent("a", 1, 2),
      sensorEvent("a", 2, 2),
      sensorEvent("b", 1, 2),
      sensorEvent("a", 1, 2),
    ];
    expect(await runOperator("feed -> dedupe -> capture", events)).toEqual([events[0], events[2], events[3]]);
    expect(await runOperator("feed type json -> dedupe -> capture", [1, "1", 1, { a: [1] }, { a: [1] }])).toEqual([
      1,
      "1",
      { a: [1] },
    ]);
  });

  it("compares one field with `by`", async () => {
    const events = [sensorEvent("a", 1, 2), sensorEvent("a", 1, 3), sensorEvent("b", 1, 2)];
    expect(await runOperator("feed -> dedupe by ts -> capture", events)).toEqual([events[0]]);
    expect(await runOperator("feed -> dedupe by sensor_id -> capture", events)).toEqual([events[0], events[2]]);
  });

  it("forgets keys older than the last `within`", async () => {
    expect(await runOperator("feed type int -> dedupe within 2 -> capture", [1, 2, 1, 3, 1, 2])).toEqual([
      1, 2, 3, 1, 2,
    ]);
  });

  it("passes an upstream error on", async () => {
    const error = new Error("subscription lost");
    const { capture, failure } = await runUntilUpstreamError(
      "feed -> dedupe -> capture",
      [sensorEvent("a", 1, 2)],
      error,
    );
    expect(capture.events).toEqual([sensorEvent("a", 1, 2)]);
    expect(capture.error).toBe(error);
    expect(failure).toBe(error);
  });

  it("remembers at most `within` keys over a long stream", async () => {
    const values = Array.from({ length: 100_000 }, (_, i) => i % 1000);
    // Within 1000 every repeat is caught; within 999 the key 1000 events back is always forgotten.
    expect(await runOperator("feed type int -> dedupe within 1000 -> capture", values)).toHaveLength(1000);
    expect(await runOperator("feed type int -> dedupe within 999 -> capture", values)).toHaveLength(100_000);
  });
});
