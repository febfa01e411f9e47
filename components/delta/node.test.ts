import { describe, expect, it } from "vitest";
import { runOperator, runUntilUpstreamError, sensorEvent, startFlow } from "../testing.js";
import { maxTrackedKeys } from "./node.js";

const series = (values: number[], id = "lux-1") => values.map((val, i) => sensorEvent(id, i, val));

describe("delta", () => {
  it("completes without emitting when its input is empty", async () => {
    expect(await runOperator("feed -> delta 10 -> capture", [])).toEqual([]);
  });

  it("always passes the first event", async () => {
    const [event] = series([5]);
    expect(await runOperator("feed -> delta 1000 -> capture", [event])).toEqual([event]);
  });

  it("passes an event when its value moved by the threshold since the last one passed", async () => {
    const events = series([100, 105, 109, 111, 95, 99, 90]);
    // 105 and 109 are within 10 of 100; 111 is not; 95 is 16 from 111; 99 is within; 90 is 5 from 95.
    expect(await runOperator("feed -> delta 10 -> capture", events)).toEqual([events[0], events[3], events[4]]);
  });

  it("with threshold 0, passes every change and no repeat", async () => {
    expect(await runOperator("feed type number -> delta -> capture", [1, 1, 2, 2, 2, 1, 1.5])).toEqual([1, 2, 1, 1.5]);
  });

  it("tracks each key separately with `by`, and another field with `of`", async () => {
    const events = [sensorEvent("a", 0, 1), sensorEvent("b", 0, 100), sensorEvent("a", 1, 2), sensorEvent("b", 5, 101)];
    expect(await runOperator("feed -> delta 1 by sensor_id -> capture", events)).toEqual(events);
    expect(await runOperator("feed -> delta 3 of ts by sensor_id -> capture", events)).toEqual([
      events[0],
      events[1],
      events[3],
    ]);
  });

  it("passes an upstream error on", async () => {
    const error = new Error("sensor lost");
    const { capture, failure } = await runUntilUpstreamError("feed -> delta 1 -> capture", series([1, 1]), error);
    expect(capture.events).toEqual(series([1]));
    expect(capture.error).toBe(error);
    expect(failure).toBe(error);
  });

  it("counts and skips untyped JSON without a number", async () => {
    const flow = startFlow("feed type json -> delta 1 of val by id -> capture");
    for (const event of [{ id: "x", val: 1 }, { id: "x", val: "2" }, { id: "x" }, { id: "x", val: 3 }])
      flow.feed().next(event);
    await flow.finish();
    expect(flow.capture().events).toEqual([
      { id: "x", val: 1 },
      { id: "x", val: 3 },
    ]);
    expect(flow.stats("delta")).toMatchObject({ in: 4, out: 2, dropped: 2 });
  });

  it("keeps bounded state over a long stream of keys that never repeat", async () => {
    const events = Array.from({ length: 100_000 }, (_, i) => sensorEvent(`sensor-${i}`, i, 1));
    const unchanged = [`sensor-0`, `sensor-${100_000 - maxTrackedKeys - 1}`, "sensor-99999"].map((id) =>
      sensorEvent(id, 0, 1),
    );
    const out = await runOperator("feed -> delta 5 by sensor_id -> capture", [...events, ...unchanged]);
    // Every key passes once; of the repeats, only those of keys too old to be tracked pass again.
    expect(out).toHaveLength(100_002);
    expect(out.slice(100_000)).toEqual(unchanged.slice(0, 2));
  });
});
