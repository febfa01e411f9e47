import { describe, expect, it } from "vitest";
import { runOperator, runUntilUpstreamError, sensorEvent, startFlow } from "../testing.js";

describe("calibrate", () => {
  it("completes without emitting when its input is empty", async () => {
    expect(await runOperator("feed -> calibrate scale 2 -> capture", [])).toEqual([]);
  });

  it("scales and offsets the value of a record, in a new event", async () => {
    const event = sensorEvent("temp-1", 5, 20);
    const out = await runOperator("feed -> calibrate scale 1.5 offset -0.5 -> capture", [event]);
    expect(out).toEqual([sensorEvent("temp-1", 5, 29.5)]);
    expect(out[0]).not.toBe(event);
    expect(event.val).toBe(20);
  });

  it("calibrates many events, another field with `of`, and number streams", async () => {
    const events = [sensorEvent("a", 1, 10), sensorEvent("a", 2, 20)];
    expect(await runOperator("feed -> calibrate offset 100 of ts -> capture", events)).toEqual([
      sensorEvent("a", 101, 10),
      sensorEvent("a", 102, 20),
    ]);
    expect(await runOperator("feed type number -> calibrate scale 10 offset 1 -> capture", [1, 2, 3])).toEqual([
      11, 21, 31,
    ]);
  });

  it("passes an upstream error on", async () => {
    const error = new Error("sensor lost");
    const { capture, failure } = await runUntilUpstreamError(
      "feed -> calibrate scale 2 -> capture",
      [sensorEvent("a", 1, 1)],
      error,
    );
    expect(capture.events).toEqual([sensorEvent("a", 1, 2)]);
    expect(capture.error).toBe(error);
    expect(failure).toBe(error);
  });

  it("counts and skips untyped JSON without a number to calibrate", async () => {
    const flow = startFlow("feed type string -> json -> calibrate scale 2 of val -> capture");
    for (const payload of ['{"val": 1, "unit": "C"}', '{"val": "hot"}', '{"other": 1}', "[1]", '{"val": 4}'])
      flow.feed().next(payload);
    await flow.finish();
    expect(flow.capture().events).toEqual([{ val: 2, unit: "C" }, { val: 8 }]);
    expect(flow.stats("calibrate")).toMatchObject({ in: 5, out: 2, dropped: 3 });
    expect(flow.log.join("")).toContain("not a number");
  });

  it("keeps up with a long stream", async () => {
    const events = Array.from({ length: 100_000 }, (_, i) => sensorEvent("a", i, i));
    const out = await runOperator("feed -> calibrate scale 2 offset 1 -> capture", events);
    expect(out).toHaveLength(100_000);
    expect(out[99_999]).toEqual(sensorEvent("a", 99_999, 199_999));
  });
});
