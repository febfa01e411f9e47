import { afterEach, describe, expect, it, vi } from "vitest";
import { runOperator, runUntilUpstreamError, sensorEvent, startFlow } from "../testing.js";

describe("set", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("completes without emitting when its input is empty", async () => {
    expect(await runOperator("feed -> set val = 0 -> capture", [])).toEqual([]);
  });

  it("overwrites the timestamp with host time, as the tutorial's server does", async () => {
    vi.useFakeTimers({ now: 1_484_535_480_613 });
    const out = await runOperator("feed -> set ts = now() -> capture", [sensorEvent("lux-1", 611, 284.1312)]);
    expect(out).toEqual([{ sensor_id: "lux-1", ts: 1_484_535_480.613, val: 284.1312 }]);
  });

  it("makes new objects with the record type's field order, computed from the old event", async () => {
    const events = [sensorEvent("a", 1, 10), sensorEvent("b", 2, 20)];
    const out = await runOperator(
      'feed -> set extra = val + ts, sensor_id = sensor_id + "-x", val = ts -> capture',
      events,
    );
    expect(out).toEqual([
      { sensor_id: "a-x", ts: 1, val: 1, extra: 11 },
      { sensor_id: "b-x", ts: 2, val: 2, extra: 22 },
    ]);
    expect(Object.keys(out[0]!)).toEqual(["sensor_id", "ts", "val", "extra"]);
    expect(events[0]).toEqual(sensorEvent("a", 1, 10));
  });

  it("leaves the event other fan-out branches see untouched", async () => {
    const flow = startFlow('feed -> [set val = 0 -> capture "changed", capture "original"]');
    const event = sensorEvent("a", 1, 10);
    flow.feed().next(event);
    await flow.finish();
    expect(flow.capture("changed").events).toEqual([sensorEvent("a", 1, 0)]);
    expect(flow.capture("original").events[0]).toBe(event);
    expect(event.val).toBe(10);
  });

  it("passes an upstream error on", async () => {
    const error = new Error("file unreadable");
    const { capture, failure } = await runUntilUpstreamError(
      "feed -> set val = 1 -> capture",
      [sensorEvent("a", 1, 2)],
      error,
    );
    expect(capture.events).toEqual([sensorEvent("a", 1, 1)]);
    expect(capture.error).toBe(error);
    expect(failure).toBe(error);
  });

  it("counts and skips an event whose new value fails", async () => {
    const flow = startFlow("feed -> set val = val % ts -> capture");
    flow.feed().next(sensorEvent("a", 0, 1));
    flow.feed().next(sensorEvent("a", 2, 3));
    await flow.finish();
    expect(flow.capture().events).toEqual([sensorEvent("a", 2, 1)]);
    expect(flow.stats("set")).toMatchObject({ in: 2, out: 1, errors: 1 });
  });

  it("keeps up with a long stream", async () => {
    const events = Array.from({ length: 100_000 }, (_, i) => sensorEvent("a", i, i));
    const out = await runOperator("feed -> set val = val * 2 -> capture", events);
    expect(out).toHaveLength(100_000);
    expect(out[99_999]).toEqual(sensorEvent("a", 99_999, 199_998));
  });
});
