import { describe, expect, it } from "vitest";
import { runOperator, runUntilUpstreamError, sensorEvent, startFlow } from "../testing.js";

describe("scan", () => {
  it("completes without emitting when its input is empty", async () => {
    expect(await runOperator("feed -> scan total = 0, total + val -> capture", [])).toEqual([]);
  });

  it("emits the accumulator after a single event", async () => {
    expect(await runOperator("feed -> scan total = 100, total + val -> capture", [sensorEvent("a", 1, 5)])).toEqual([
      105,
    ]);
  });

  it("folds many events, with the accumulator and the fields in scope", async () => {
    const events = [1, 5, 3, 8, 2].map((val, i) => sensorEvent("a", i, val));
    expect(await runOperator("feed -> scan total = 0, total + val -> capture", events)).toEqual([1, 6, 9, 17, 19]);
    expect(await runOperator("feed -> scan peak = 0, max(peak, val) -> capture", events)).toEqual([1, 5, 5, 8, 8]);
    expect(await runOperator('feed -> scan ids = "", ids + sensor_id -> capture', events.slice(0, 3))).toEqual([
      "a",
      "aa",
      "aaa",
    ]);
  });

  it("starts from a `let` constant and reads the environment in its step", async () => {
    const text = 'let start = 10\nfeed type int -> scan n = start, n + it * env("STEP", 2) -> capture';
    expect(await runOperator(text, [1, 2])).toEqual([12, 16]);
  });

  it("passes an upstream error on", async () => {
    const error = new Error("sensor lost");
    const { capture, failure } = await runUntilUpstreamError(
      "feed -> scan n = 0, n + 1 -> capture",
      [sensorEvent("a", 1, 2)],
      error,
    );
    expect(capture.events).toEqual([1]);
    expect(capture.error).toBe(error);
    expect(failure).toBe(error);
  });

  it("counts an event whose step fails and keeps the accumulator as it was", async () => {
    const flow = startFlow("feed -> scan total = 0, total + val % ts -> capture");
    flow.feed().next(sensorEvent("a", 5, 7));
    flow.feed().next(sensorEvent("a", 0, 7)); // modulo by zero
    flow.feed().next(sensorEvent("a", 4, 7));
    await flow.finish();
    expect(flow.capture().events).toEqual([2, 5]);
    expect(flow.stats("scan")).toMatchObject({ in: 3, out: 2, errors: 1 });
  });

  it("holds one value however long the stream", async () => {
    const out = await runOperator(
      "feed type int -> scan n = 0, n + 1 -> capture",
      Array.from({ length: 100_000 }, () => 0),
    );
    expect(out).toHaveLength(100_000);
    expect(out[99_999]).toBe(100_000);
  });
});
