import { describe, expect, it } from "vitest";
import { runOperator, runUntilUpstreamError, sensorEvent, startFlow } from "../testing.js";

describe("map", () => {
  it("completes without emitting when its input is empty", async () => {
    expect(await runOperator("feed -> map val * 2 -> capture", [])).toEqual([]);
  });

  it("replaces a single event with the expression's value", async () => {
    expect(await runOperator("feed -> map val * 2 -> capture", [sensorEvent("lux-1", 611, 284.5)])).toEqual([569]);
  });

  it("maps many events, records included, in order", async () => {
    const events = [sensorEvent("a", 1, 10), sensorEvent("b", 2, 20), sensorEvent("c", 3, 30)];
    expect(await runOperator('feed -> map {id: sensor_id + "!", half: val / 2} -> capture', events)).toEqual([
      { id: "a!", half: 5 },
      { id: "b!", half: 10 },
      { id: "c!", half: 15 },
    ]);
  });

  it("runs fused with its stateless neighbours, each stage counting its own events", async () => {
    const flow = startFlow("feed -> map val -> filter it > 1 -> map it * 10 -> capture");
    for (const val of [1, 2, 3]) flow.feed().next(sensorEvent("a", 0, val));
    await flow.finish();
    expect(flow.capture().events).toEqual([20, 30]);
    expect(flow.stats("map", 0)).toMatchObject({ in: 3, out: 3 });
    expect(flow.stats("filter")).toMatchObject({ in: 3, out: 2 });
    expect(flow.stats("map", 1)).toMatchObject({ in: 2, out: 2 });
  });

  it("passes an upstream error on", async () => {
    const error = new Error("sensor lost");
    const { capture, failure } = await runUntilUpstreamError(
      "feed -> map val -> capture",
      [sensorEvent("a", 1, 2)],
      error,
    );
    expect(capture.events).toEqual([2]);
    expect(capture.error).toBe(error);
    expect(failure).toBe(error);
  });

  it("counts and skips an event whose expression fails, and goes on", async () => {
    const flow = startFlow("feed -> map val % ts -> capture");
    flow.feed().next(sensorEvent("a", 0, 1)); // modulo by zero
    flow.feed().next(sensorEvent("a", 2, 3));
    await flow.finish();
    expect(flow.capture().events).toEqual([1]);
    expect(flow.stats("map")).toMatchObject({ in: 2, out: 1, errors: 1 });
    expect(flow.log.join("")).toContain("modulo by zero");
  });

  it("keeps up with a long stream", async () => {
    const events = Array.from({ length: 100_000 }, (_, i) => sensorEvent("a", i, i));
    const out = await runOperator("feed -> map val + 1 -> capture", events);
    expect(out).toHaveLength(100_000);
    expect(out[99_999]).toBe(100_000);
  });
});
