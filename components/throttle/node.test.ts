import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runOperator, runUntilUpstreamError, sensorEvent, startFlow } from "../testing.js";

describe("throttle", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("completes without emitting when its input is empty", async () => {
    expect(await runOperator("feed -> throttle 1s -> capture", [])).toEqual([]);
  });

  it("passes the first event", async () => {
    const event = sensorEvent("alarm", 1, 2);
    expect(await runOperator("feed -> throttle 1min -> capture", [event])).toEqual([event]);
  });

  it("passes at most one of many events per period", async () => {
    const flow = startFlow("feed type int -> throttle 1s -> capture");
    for (const [i, wait] of [0, 500, 499, 1, 999, 2000, 0].entries()) {
      vi.advanceTimersByTime(wait);
      flow.feed().next(i);
    }
    await flow.finish();
    // Times: 0 (pass), 500, 999, 1000 (pass), 1999, 3999 (pass), 3999.
    expect(flow.capture().events).toEqual([0, 3, 5]);
    expect(flow.stats("throttle")).toMatchObject({ in: 7, out: 3, dropped: 0 });
  });

  it("passes an upstream error on", async () => {
    const error = new Error("sensor lost");
    const { capture, failure } = await runUntilUpstreamError(
      "feed -> throttle 1s -> capture",
      [sensorEvent("a", 1, 2)],
      error,
    );
    expect(capture.events).toEqual([sensorEvent("a", 1, 2)]);
    expect(capture.error).toBe(error);
    expect(failure).toBe(error);
  });

  it("keeps its rate over a long stream", async () => {
    const flow = startFlow("feed type int -> throttle 1s -> capture");
    for (let i = 0; i < 100_000; i++) {
      flow.feed().next(i);
      vi.advanceTimersByTime(10);
    }
    await flow.finish();
    // One event in every 100 (10 ms apart, 1 s period).
    expect(flow.capture().events).toHaveLength(1000);
    expect(flow.capture().events.slice(0, 3)).toEqual([0, 100, 200]);
  });
});

describe("throttle on event time (`on ts`)", () => {
  it("completes without emitting on empty input, and passes a single event", async () => {
    expect(await runOperator("feed -> throttle 1s on ts -> capture", [])).toEqual([]);
    expect(await runOperator("feed -> throttle 1s on ts -> capture", [sensorEvent("a", 5, 1)])).toEqual([
      sensorEvent("a", 5, 1),
    ]);
  });

  it("throttles a replay by the times it was recorded at, however fast it comes", async () => {
    const events = Array.from({ length: 600 }, (_, i) => sensorEvent("a", 1_700_000_000 + i * 0.5, i));
    const out = (await runOperator("feed -> throttle 1min on ts -> capture", events)) as { val: number }[];
    expect(out.map((event) => event.val)).toEqual([0, 120, 240, 360, 480]);
  });

  it("drops an event older than the last one passed", async () => {
    const events = [sensorEvent("a", 100, 1), sensorEvent("a", 50, 2), sensorEvent("a", 161, 3)];
    expect(await runOperator("feed -> throttle 1min on ts -> capture", events)).toEqual([events[0], events[2]]);
  });

  it("counts and skips untyped events without a number time", async () => {
    const flow = startFlow("feed type json -> throttle 1s on ts -> capture");
    for (const event of [{ ts: 1 }, { ts: "x" }, { ts: 3 }]) flow.feed().next(event);
    await flow.finish();
    expect(flow.capture().events).toEqual([{ ts: 1 }, { ts: 3 }]);
    expect(flow.stats("throttle")).toMatchObject({ in: 3, out: 2, dropped: 1 });
  });

  it("passes an upstream error on", async () => {
    const error = new Error("replay failed");
    const { capture, failure } = await runUntilUpstreamError("feed -> throttle 1s on ts -> capture", [], error);
    expect(capture.error).toBe(error);
    expect(failure).toBe(error);
  });
});
