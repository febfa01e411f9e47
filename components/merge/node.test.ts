import { describe, expect, it } from "vitest";
import { sensorEvent, startFlow } from "../testing.js";

const merged = `let lux = feed "lux"
let temp = feed "temp"
merge lux, temp -> capture`;

describe("merge", () => {
  it("completes without emitting when every input is empty", async () => {
    const flow = startFlow(merged);
    await flow.finish();
    expect(flow.capture().events).toEqual([]);
    expect(flow.capture().completed).toBe(true);
  });

  it("passes a single event of one input as it is", async () => {
    const flow = startFlow(merged);
    const event = sensorEvent("lux-1", 1, 300);
    flow.feed("temp").next(event);
    await flow.finish();
    expect(flow.capture().events).toEqual([event]);
    expect(flow.capture().events[0]).toBe(event);
  });

  it("interleaves many events in arrival order, and completes when every input has", async () => {
    const flow = startFlow(merged);
    const events = [sensorEvent("lux-1", 1, 300), sensorEvent("temp-1", 2, 21), sensorEvent("lux-1", 3, 310)];
    flow.feed("lux").next(events[0]);
    flow.feed("temp").next(events[1]);
    flow.feed("lux").next(events[2]);
    flow.feed("lux").completed();
    expect(flow.capture().completed).toBe(false);
    flow.feed("temp").completed();
    expect(flow.capture().completed).toBe(true);
    await flow.graph.done;
    expect(flow.capture().events).toEqual(events);
  });

  it("runs fused with the stateless stages after it", async () => {
    const flow = startFlow(`let a = feed "a"
let b = feed "b"
merge a, b -> filter val > 1 -> map val -> capture`);
    flow.feed("a").next(sensorEvent("a", 1, 1));
    flow.feed("b").next(sensorEvent("b", 1, 2));
    await flow.finish();
    expect(flow.capture().events).toEqual([2]);
    expect(flow.stats("merge")).toMatchObject({ in: 2, out: 2 });
  });

  it("passes an input's error on once every input has ended", async () => {
    const flow = startFlow(merged);
    const error = new Error("sensor lost");
    flow.feed("lux").error(error);
    flow.feed("temp").next(sensorEvent("temp-1", 1, 20));
    flow.feed("temp").completed();
    await expect(flow.graph.done).rejects.toBe(error);
    expect(flow.capture().events).toEqual([sensorEvent("temp-1", 1, 20)]);
    expect(flow.capture().error).toBe(error);
  });

  it("keeps up with long inputs", async () => {
    const flow = startFlow(merged);
    for (let i = 0; i < 50_000; i++) {
      flow.feed("lux").next(i);
      flow.feed("temp").next(i);
    }
    await flow.finish();
    expect(flow.capture().events).toHaveLength(100_000);
  });
});
