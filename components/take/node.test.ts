import { describe, expect, it } from "vitest";
import { runOperator, runUntilUpstreamError, sensorEvent, startFlow } from "../testing.js";

describe("take", () => {
  it("completes without emitting when its input is empty", async () => {
    expect(await runOperator("feed -> take 3 -> capture", [])).toEqual([]);
  });

  it("passes a single event and completes at once when that is all it takes", async () => {
    const flow = startFlow("feed -> take 1 -> capture");
    const event = sensorEvent("a", 1, 2);
    flow.feed().next(event);
    expect(flow.capture().events).toEqual([event]);
    expect(flow.capture().completed).toBe(true);
    // The flow ends with its only sink, though the source never completed.
    await flow.graph.done;
  });

  it("passes the first n of many events and ignores the rest", async () => {
    const events = Array.from({ length: 10 }, (_, i) => sensorEvent("a", i, i));
    expect(await runOperator("feed -> take 3 -> capture", events)).toEqual(events.slice(0, 3));
    expect(await runOperator("feed -> take 0 -> capture", events)).toEqual([]);
  });

  it("passes an upstream error on before it has taken enough", async () => {
    const error = new Error("sensor lost");
    const { capture, failure } = await runUntilUpstreamError(
      "feed -> take 3 -> capture",
      [sensorEvent("a", 1, 2)],
      error,
    );
    expect(capture.events).toEqual([sensorEvent("a", 1, 2)]);
    expect(capture.error).toBe(error);
    expect(failure).toBe(error);
  });

  it("ignores an upstream error after it has completed", async () => {
    const { capture, failure } = await runUntilUpstreamError(
      "feed -> take 1 -> capture",
      [sensorEvent("a", 1, 2)],
      new Error("late"),
    );
    expect(capture.completed).toBe(true);
    expect(capture.error).toBeUndefined();
    expect(failure).toBeUndefined();
  });

  it("stays finished however long its input goes on", async () => {
    const flow = startFlow('feed -> [take 2 -> capture "first", capture "all"]');
    for (let i = 0; i < 100_000; i++) flow.feed().next(i);
    await flow.finish();
    expect(flow.capture("first").events).toEqual([0, 1]);
    expect(flow.capture("all").events).toHaveLength(100_000);
    expect(flow.stats("take").out).toBe(2);
  });
});
