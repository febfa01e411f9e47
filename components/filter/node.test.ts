import { describe, expect, it } from "vitest";
import { runOperator, runUntilUpstreamError, sensorEvent, startFlow } from "../testing.js";

describe("filter", () => {
  it("completes without emitting when its input is empty", async () => {
    expect(await runOperator("feed -> filter val > 500 -> capture", [])).toEqual([]);
  });

  it("passes a single matching event as it is, and drops one that does not match", async () => {
    const bright = sensorEvent("lux-1", 1, 611);
    expect(await runOperator("feed -> filter val > 500 -> capture", [bright])).toEqual([bright]);
    expect(await runOperator("feed -> filter val > 500 -> capture", [sensorEvent("lux-1", 1, 10)])).toEqual([]);
  });

  it("keeps the matching events of many, in order, without copying them", async () => {
    const events = [
      sensorEvent("a", 1, 600),
      sensorEvent("b", 2, 10),
      sensorEvent("a", 3, 700),
      sensorEvent("a", 4, 5),
    ];
    const out = await runOperator('feed -> filter val > 500 and sensor_id == "a" -> capture', events);
    expect(out).toEqual([events[0], events[2]]);
    expect(out[0]).toBe(events[0]);
  });

  it("passes an upstream error on", async () => {
    const error = new Error("subscription lost");
    const { capture, failure } = await runUntilUpstreamError("feed -> filter val > 0 -> capture", [], error);
    expect(capture.error).toBe(error);
    expect(failure).toBe(error);
  });

  it("counts and skips an event whose condition fails, and goes on", async () => {
    const flow = startFlow("feed -> filter val % ts == 1 -> capture");
    flow.feed().next(sensorEvent("a", 0, 1)); // modulo by zero
    flow.feed().next(sensorEvent("a", 2, 3));
    await flow.finish();
    expect(flow.capture().events).toEqual([sensorEvent("a", 2, 3)]);
    expect(flow.stats("filter")).toMatchObject({ in: 2, out: 1, errors: 1 });
  });

  it("keeps up with a long stream", async () => {
    const events = Array.from({ length: 100_000 }, (_, i) => sensorEvent("a", i, i));
    expect(await runOperator("feed -> filter val % 2 == 0 -> capture", events)).toHaveLength(50_000);
  });
});
