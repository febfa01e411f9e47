import { afterEach, describe, expect, it, vi } from "vitest";
import { runOperator, runUntilUpstreamError, sensorEvent, startFlow } from "../testing.js";
import { aggregates } from "./declaration.js";
import { maxKeysPerWindow, WindowAccumulator } from "./node.js";

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

describe("window aggregates per key", () => {
  const mixed = [
    sensorEvent("lux-1", 1, 10),
    sensorEvent("lux-2", 2, 1000),
    sensorEvent("lux-1", 3, 20),
    sensorEvent("lux-2", 4, 2000),
  ];

  it("keeps each sensor's window apart by default: the issue's two lux sensors", async () => {
    expect(await runOperator("feed -> avg over 2 -> capture", mixed)).toEqual([
      sensorEvent("lux-1", 3, 15),
      sensorEvent("lux-2", 4, 1500),
    ]);
  });

  it("groups by another field with `by`, and by nothing when the events have no sensor_id", async () => {
    const flow = startFlow(
      'schema Room { room: string, ts: number, val: number }\nfeed as Room -> [sum over 2 by room -> capture "by", sum over 2 -> capture "all"]',
    );
    for (const [room, val] of [
      ["a", 1],
      ["b", 10],
      ["a", 2],
      ["b", 20],
    ] as const)
      flow.feed().next({ room, ts: 0, val });
    await flow.finish();
    expect(flow.capture("by").events).toEqual([
      { room: "a", ts: 0, val: 3 },
      { room: "b", ts: 0, val: 30 },
    ]);
    expect(flow.capture("all").events).toEqual([
      { room: "b", ts: 0, val: 11 },
      { room: "b", ts: 0, val: 22 },
    ]);
  });

  it("emits each key's open window, in the order they opened, when a clock window closes", async () => {
    vi.useFakeTimers({ now: 0 });
    try {
      const flow = startFlow("feed -> max over 1s -> capture");
      vi.advanceTimersByTime(0);
      for (const event of mixed) flow.feed().next(event);
      vi.advanceTimersByTime(1000);
      expect(flow.capture().events).toEqual([sensorEvent("lux-1", 3, 20), sensorEvent("lux-2", 4, 2000)]);
      await flow.finish();
    } finally {
      vi.useRealTimers();
    }
  });

  it(`closes the oldest key's window early past ${maxKeysPerWindow} keys, losing no event`, async () => {
    const events = Array.from({ length: maxKeysPerWindow + 5 }, (_, i) => sensorEvent(`id-${i}`, i, i));
    const out = (await runOperator("feed -> count over 2 -> capture", events)) as { sensor_id: string }[];
    // Each key had one event: the first five windows close early at the cap, the rest at the end.
    expect(out).toHaveLength(maxKeysPerWindow + 5);
    expect(out.slice(0, 5).map((event) => event.sensor_id)).toEqual(["id-0", "id-1", "id-2", "id-3", "id-4"]);
  });
});

describe("window aggregates over event time (`on ts`)", () => {
  const minute = (sensor: string, seconds: number, val: number) => sensorEvent(sensor, 1_700_000_000 + seconds, val);

  it("replays 100 minutes of readings into 100 one-minute rows, however fast they come", async () => {
    const events = Array.from({ length: 100 * 12 }, (_, i) => minute("lux-1", i * 5, i % 12));
    const out = (await runOperator("feed -> avg over 1min on ts -> capture", events)) as { ts: number; val: number }[];
    // 1_700_000_000 is 20 s into a minute: the first and last minutes are partial.
    expect(out).toHaveLength(101);
    expect(out.slice(1, -1).every((event) => event.val === 5.5)).toBe(true);
    expect(out.map((event) => Math.floor(event.ts / 60))).toEqual(
      Array.from({ length: 101 }, (_, i) => Math.floor(1_700_000_000 / 60) + i),
    );
  });

  it("closes a window when an event past its end arrives, per sensor, and ends with the rest", async () => {
    const flow = startFlow("feed -> sum over 10s on ts -> capture");
    flow.feed().next(sensorEvent("a", 100, 1));
    flow.feed().next(sensorEvent("b", 105, 10));
    flow.feed().next(sensorEvent("a", 109.5, 2));
    expect(flow.capture().events).toEqual([]);
    flow.feed().next(sensorEvent("a", 110, 4));
    expect(flow.capture().events).toEqual([sensorEvent("a", 109.5, 3), sensorEvent("b", 105, 10)]);
    await flow.finish();
    expect(flow.capture().events.at(-1)).toEqual(sensorEvent("a", 110, 4));
  });

  it("drops and counts an event whose window has closed, unless within `lateness`", async () => {
    const late = [
      sensorEvent("a", 100, 1),
      sensorEvent("a", 112, 2),
      sensorEvent("a", 108, 4),
      sensorEvent("a", 125, 8),
    ];
    const strict = startFlow("feed -> sum over 10s on ts -> capture");
    for (const event of late) strict.feed().next(event);
    await strict.finish();
    expect(strict.capture().events).toEqual([
      sensorEvent("a", 100, 1),
      sensorEvent("a", 112, 2),
      sensorEvent("a", 125, 8),
    ]);
    expect(strict.stats("sum")).toMatchObject({ in: 4, out: 3, dropped: 1 });
    expect(strict.log.join("")).toContain("late");

    const lenient = await runOperator("feed -> sum over 10s on ts lateness 5s -> capture", late);
    expect(lenient).toEqual([sensorEvent("a", 108, 5), sensorEvent("a", 112, 2), sensorEvent("a", 125, 8)]);
  });

  it("completes without emitting on empty input, and emits a single event's window", async () => {
    expect(await runOperator("feed -> avg over 1min on ts -> capture", [])).toEqual([]);
    expect(await runOperator("feed -> avg over 1min on ts -> capture", [minute("a", 0, 7)])).toEqual([
      minute("a", 0, 7),
    ]);
  });

  it("passes an upstream error on without emitting open windows", async () => {
    const error = new Error("replay failed");
    const { capture, failure } = await runUntilUpstreamError(
      "feed -> avg over 10s on ts -> capture",
      [sensorEvent("a", 1, 1), sensorEvent("a", 11, 2)],
      error,
    );
    expect(capture.events).toEqual([sensorEvent("a", 1, 1)]);
    expect(failure).toBe(error);
  });

  it("counts and skips untyped events without a number time", async () => {
    const flow = startFlow("feed type json -> count over 10s on ts by id -> capture");
    for (const event of [{ id: "x", ts: 1 }, { id: "x", ts: "soon" }, { id: "x" }, { id: "x", ts: 30 }])
      flow.feed().next(event);
    await flow.finish();
    expect(flow.capture().events).toEqual([1, 1]);
    expect(flow.stats("count")).toMatchObject({ in: 4, out: 2, dropped: 2 });
  });

  it("keeps a bounded number of windows over a never-ending stream", async () => {
    const flow = startFlow("feed -> median over 1s on ts lateness 2s -> capture");
    for (let i = 0; i < 100_000; i++) flow.feed().next(sensorEvent(i % 2 ? "a" : "b", i / 10, i % 10));
    expect(flow.capture().events).toHaveLength(2 * (10_000 - 3));
    await flow.finish();
    expect(flow.capture().events).toHaveLength(20_000);
  });
});

describe("count", () => {
  it("counts a text stream, and records without a number field", async () => {
    expect(await runOperator("feed type string -> count over 2 -> capture", ["a", "b", "c"])).toEqual([2, 1]);
    const flow = startFlow("schema Alert { d: string, level: string }\nfeed as Alert -> count over 3 -> capture");
    for (const d of ["x", "y", "z"]) flow.feed().next({ d, level: "hi" });
    await flow.finish();
    expect(flow.capture().events).toEqual([3]);
  });
});
