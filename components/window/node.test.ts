import { afterEach, describe, expect, it, vi } from "vitest";
import { runOperator, runUntilUpstreamError, sensorEvent, startFlow } from "../testing.js";
import { aggregates } from "./declaration.js";
import { WindowAccumulator } from "./node.js";

const readings = [3, 1, 4, 1, 5, 9].map((val, i) => sensorEvent("lux-1", i, val));

describe("window aggregates over a number of events", () => {
  it.each(aggregates)("%s completes without emitting when its input is empty", async (aggregate) => {
    expect(await runOperator(`feed -> ${aggregate} over 3 -> capture`, [])).toEqual([]);
  });

  it.each([
    ["avg", [8 / 3, 5]],
    ["min", [1, 1]],
    ["max", [4, 9]],
    ["sum", [8, 15]],
    ["count", [3, 3]],
    ["median", [3, 5]],
  ] as const)("%s emits each window's last event with the value replaced", async (aggregate, values) => {
    const out = await runOperator(`feed -> ${aggregate} over 3 -> capture`, readings);
    expect(out).toEqual([sensorEvent("lux-1", 2, values[0]), sensorEvent("lux-1", 5, values[1])]);
  });

  it("emits a single event's window of one", async () => {
    expect(await runOperator("feed -> avg over 1 -> capture", [sensorEvent("a", 7, 2.5)])).toEqual([
      sensorEvent("a", 7, 2.5),
    ]);
  });

  it("emits the window in progress when the input ends", async () => {
    expect(await runOperator("feed -> sum over 4 -> capture", readings)).toEqual([
      sensorEvent("lux-1", 3, 9),
      sensorEvent("lux-1", 5, 14),
    ]);
  });

  it("aggregates bare numbers of a number stream, and another field with `of`", async () => {
    expect(await runOperator("feed type number -> median over 4 -> capture", [1, 10, 2, 3])).toEqual([2.5]);
    expect(await runOperator("feed -> max over 3 of ts -> capture", readings)).toEqual([
      sensorEvent("lux-1", 2, 4),
      sensorEvent("lux-1", 5, 9),
    ]);
  });

  it("passes an upstream error on without emitting the unfinished window", async () => {
    const error = new Error("sensor lost");
    const { capture, failure } = await runUntilUpstreamError(
      "feed -> avg over 2 -> capture",
      readings.slice(0, 3),
      error,
    );
    expect(capture.events).toEqual([sensorEvent("lux-1", 1, 2)]);
    expect(capture.error).toBe(error);
    expect(failure).toBe(error);
  });

  it("counts and skips untyped JSON without a number, except where it only counts", async () => {
    const flow = startFlow(
      `feed type json -> [max over 2 of val -> capture "max", count over 2 of val -> capture "count"]`,
    );
    for (const event of [{ val: 1 }, { val: "high" }, { other: 2 }, { val: 5 }]) flow.feed().next(event);
    await flow.finish();
    expect(flow.capture("max").events).toEqual([{ val: 5 }]);
    expect(flow.stats("max")).toMatchObject({ in: 4, out: 1, dropped: 2 });
    expect(flow.capture("count").events).toEqual([{ val: 2 }, { val: 2 }]);
  });

  it("keeps the same state however long the stream", async () => {
    const events = Array.from({ length: 100_000 }, (_, i) => sensorEvent("a", i, i % 10));
    const out = (await runOperator("feed -> median over 10 -> capture", events)) as { val: number }[];
    expect(out).toHaveLength(10_000);
    expect(out.every((event) => event.val === 4.5)).toBe(true);
  });
});

describe("window aggregates over time", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("completes without emitting when its input is empty, whatever the time", async () => {
    vi.useFakeTimers({ now: 0 });
    const flow = startFlow("feed -> avg over 1s -> capture");
    vi.advanceTimersByTime(5000);
    await flow.finish();
    expect(flow.capture().events).toEqual([]);
    expect(flow.capture().completed).toBe(true);
    expect(flow.scheduler.size).toBe(0);
  });

  it("emits when the window closes, without waiting for another event", async () => {
    vi.useFakeTimers({ now: 0 });
    const flow = startFlow("feed -> avg over 1s -> capture");
    vi.advanceTimersByTime(0);
    flow.feed().next(sensorEvent("a", 0, 1));
    vi.advanceTimersByTime(500);
    flow.feed().next(sensorEvent("a", 0.5, 3));
    vi.advanceTimersByTime(499);
    expect(flow.capture().events).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(flow.capture().events).toEqual([sensorEvent("a", 0.5, 2)]);
    // An empty window emits nothing.
    vi.advanceTimersByTime(1000);
    expect(flow.capture().events).toHaveLength(1);
    flow.feed().next(sensorEvent("a", 2.5, 7));
    vi.advanceTimersByTime(1000);
    expect(flow.capture().events).toEqual([sensorEvent("a", 0.5, 2), sensorEvent("a", 2.5, 7)]);
    await flow.finish();
  });

  it("emits a single event's window, and the window in progress when the input ends", async () => {
    vi.useFakeTimers({ now: 0 });
    const flow = startFlow("feed type number -> count over 10s -> capture");
    vi.advanceTimersByTime(0);
    flow.feed().next(42);
    vi.advanceTimersByTime(10_000);
    flow.feed().next(1);
    flow.feed().next(2);
    await flow.finish();
    expect(flow.capture().events).toEqual([1, 2]);
  });

  it("passes an upstream error on and stops its timer", async () => {
    vi.useFakeTimers({ now: 0 });
    const error = new Error("sensor lost");
    const flow = startFlow("feed -> max over 1s -> capture");
    flow.feed().error(error);
    await expect(flow.graph.done).rejects.toBe(error);
    expect(flow.capture().error).toBe(error);
    expect(flow.scheduler.size).toBe(0);
  });

  it("keeps emitting, window after window, with one task and a median buffer reused", async () => {
    vi.useFakeTimers({ now: 0 });
    const flow = startFlow('feed -> [median over 1s -> capture "median", sum over 1s -> capture "sum"]');
    vi.advanceTimersByTime(0);
    for (let second = 0; second < 1000; second++) {
      for (let i = 0; i < 50; i++) flow.feed().next(sensorEvent("a", second, i));
      vi.advanceTimersByTime(1000);
      expect(flow.scheduler.size).toBe(2);
    }
    await flow.finish();
    const medians = flow.capture("median").events as { val: number }[];
    expect(medians).toHaveLength(1000);
    expect(medians.every((event) => event.val === 24.5)).toBe(true);
    expect(flow.capture("sum").events.at(-1)).toEqual(sensorEvent("a", 999, 1225));
    expect(flow.scheduler.size).toBe(0);
  });
});

describe("WindowAccumulator", () => {
  it("computes the median of odd and even counts, past its initial capacity", () => {
    const window = new WindowAccumulator("median", 2);
    for (const value of [5, 1, 3]) window.add(value);
    expect(window.result()).toBe(3);
    window.reset();
    for (let value = 100; value > 0; value--) window.add(value);
    expect(window.count).toBe(100);
    expect(window.result()).toBe(50.5);
  });

  it("starts afresh after a reset", () => {
    const window = new WindowAccumulator("min");
    window.add(-5);
    window.reset();
    window.add(7);
    expect(window.result()).toBe(7);
  });
});
