import { describe, expect, it } from "vitest";
import { runOperator, runUntilUpstreamError, sensorEvent, startFlow } from "../testing.js";
import { maxAveragedKeys, MovingMean } from "./node.js";

describe("moving_avg", () => {
  it("completes without emitting when its input is empty", async () => {
    expect(await runOperator("feed -> moving_avg 3 -> capture", [])).toEqual([]);
  });

  it("passes a single event's value as its own mean, in a new event", async () => {
    const event = sensorEvent("a", 1, 4);
    const out = await runOperator("feed -> moving_avg 3 -> capture", [event]);
    expect(out).toEqual([event]);
    expect(out[0]).not.toBe(event);
  });

  it("averages the last n values of many events, fewer at the start", async () => {
    const events = [3, 6, 9, 12, 0].map((val, i) => sensorEvent("a", i, val));
    expect(await runOperator("feed -> moving_avg 3 -> capture", events)).toEqual(
      [3, 4.5, 6, 9, 7].map((val, i) => sensorEvent("a", i, val)),
    );
    expect(await runOperator("feed type int -> moving_avg 2 -> capture", [1, 2, 3])).toEqual([1, 1.5, 2.5]);
  });

  it("passes an upstream error on", async () => {
    const error = new Error("sensor lost");
    const { capture, failure } = await runUntilUpstreamError(
      "feed -> moving_avg 2 -> capture",
      [sensorEvent("a", 1, 2)],
      error,
    );
    expect(capture.events).toEqual([sensorEvent("a", 1, 2)]);
    expect(capture.error).toBe(error);
    expect(failure).toBe(error);
  });

  it("counts and skips untyped JSON without a number", async () => {
    const flow = startFlow("feed type json -> moving_avg 2 of val -> capture");
    for (const event of [{ val: 2 }, { val: null }, { val: 4 }]) flow.feed().next(event);
    await flow.finish();
    expect(flow.capture().events).toEqual([{ val: 2 }, { val: 3 }]);
    expect(flow.stats("moving_avg")).toMatchObject({ in: 3, out: 2, dropped: 1 });
  });

  it("stays exact and bounded over a long stream", async () => {
    const values = Array.from({ length: 100_000 }, (_, i) => Math.sin(i) * 1e6 + 1e-3 * i);
    const out = (await runOperator("feed type number -> moving_avg 7 -> capture", values)) as number[];
    expect(out).toHaveLength(100_000);
    const exact = values.slice(-7).reduce((sum, value) => sum + value, 0) / 7;
    expect(out.at(-1)).toBeCloseTo(exact, 6);
  });
});

describe("moving_avg per key", () => {
  it("averages each sensor on its own by default, and every event together without a sensor_id", async () => {
    const events = [
      sensorEvent("a", 0, 10),
      sensorEvent("b", 0, 1000),
      sensorEvent("a", 1, 20),
      sensorEvent("b", 1, 3000),
    ];
    expect(await runOperator("feed -> moving_avg 2 -> capture", events)).toEqual([
      sensorEvent("a", 0, 10),
      sensorEvent("b", 0, 1000),
      sensorEvent("a", 1, 15),
      sensorEvent("b", 1, 2000),
    ]);
    expect(await runOperator("feed type number -> moving_avg 2 -> capture", [10, 1000, 20])).toEqual([10, 505, 510]);
  });

  it(`forgets the key seen first past ${maxAveragedKeys} keys`, async () => {
    const events = Array.from({ length: maxAveragedKeys + 1 }, (_, i) => sensorEvent(`id-${i}`, i, 1));
    const out = (await runOperator("feed -> moving_avg 2 -> capture", [
      ...events,
      sensorEvent("id-0", 0, 3),
      sensorEvent("id-2", 0, 3),
    ])) as { val: number }[];
    // id-0 starts afresh; id-2 (not yet forgotten: id-1 went when id-0 came back) averages 1 and 3.
    expect(out.slice(-2).map((event) => event.val)).toEqual([3, 2]);
  });
});

describe("MovingMean", () => {
  it("holds at most `size` values", () => {
    const mean = new MovingMean(4);
    for (let i = 0; i < 100_000; i++) mean.push(i);
    expect(mean.count).toBe(4);
    expect(mean.push(100_000)).toBe(99_998.5);
  });

  it("recovers from a huge value once it leaves the window, without drift", () => {
    const mean = new MovingMean(3);
    mean.push(1e300);
    for (let i = 0; i < 3; i++) mean.push(1);
    expect(mean.push(1)).toBe(1);
  });

  it("refuses a size below 1", () => {
    expect(() => new MovingMean(0)).toThrow(RangeError);
  });
});
