import { describe, expect, it } from "vitest";
import { runOperator, runUntilUpstreamError, sensorEvent } from "../testing.js";

describe("skip", () => {
  it("completes without emitting when its input is empty", async () => {
    expect(await runOperator("feed -> skip 3 -> capture", [])).toEqual([]);
  });

  it("drops a single event within the count, and passes it with skip 0", async () => {
    const event = sensorEvent("a", 1, 2);
    expect(await runOperator("feed -> skip 1 -> capture", [event])).toEqual([]);
    expect(await runOperator("feed -> skip 0 -> capture", [event])).toEqual([event]);
  });

  it("drops the first n of many events and passes the rest in order", async () => {
    const events = Array.from({ length: 10 }, (_, i) => sensorEvent("a", i, i));
    expect(await runOperator("feed -> skip 3 -> capture", events)).toEqual(events.slice(3));
  });

  it("passes an upstream error on", async () => {
    const error = new Error("sensor lost");
    const { capture, failure } = await runUntilUpstreamError(
      "feed -> skip 1 -> capture",
      [sensorEvent("a", 1, 2)],
      error,
    );
    expect(capture.events).toEqual([]);
    expect(capture.error).toBe(error);
    expect(failure).toBe(error);
  });

  it("passes everything after the warm-up of a long stream", async () => {
    const out = await runOperator(
      "feed type int -> skip 5 -> capture",
      Array.from({ length: 100_000 }, (_, i) => i),
    );
    expect(out).toHaveLength(99_995);
    expect(out[0]).toBe(5);
  });
});
