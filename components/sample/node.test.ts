import { describe, expect, it } from "vitest";
import { sensorEvent, startFlow } from "../testing.js";

const pull = `let lux = feed "lux"
feed "requests" type string -> sample lux -> capture`;

describe("sample", () => {
  it("completes without emitting when there are no requests", async () => {
    const flow = startFlow(pull);
    flow.feed("lux").next(sensorEvent("lux-1", 1, 300));
    await flow.finish();
    expect(flow.capture().events).toEqual([]);
    expect(flow.capture().completed).toBe(true);
  });

  it("answers a single request with the latest reading, and nothing before the first", async () => {
    const flow = startFlow(pull);
    flow.feed("requests").next("too early");
    const reading = sensorEvent("lux-1", 1, 300);
    flow.feed("lux").next(reading);
    flow.feed("requests").next("now");
    await flow.finish();
    expect(flow.capture().events).toEqual([reading]);
    expect(flow.capture().events[0]).toBe(reading);
  });

  it("answers many requests with whatever is latest at each", async () => {
    const flow = startFlow(pull);
    const readings = [sensorEvent("lux-1", 1, 300), sensorEvent("lux-1", 2, 310)];
    flow.feed("lux").next(readings[0]);
    flow.feed("requests").next("a");
    flow.feed("requests").next("b");
    flow.feed("lux").next(readings[1]);
    flow.feed("requests").next("c");
    await flow.finish();
    expect(flow.capture().events).toEqual([readings[0], readings[0], readings[1]]);
  });

  // Found by compiler/fuzz-programs.test.ts: the graph refused to build, "sample s observes n0,
  // which none of its `streams` parameters names".
  it("samples the stream it reads, answering each event with that event", async () => {
    const flow = startFlow('let lux = feed "lux"\nlux -> [sample lux -> capture, capture "direct"]');
    const readings = [sensorEvent("lux-1", 1, 300), sensorEvent("lux-1", 2, 310)];
    for (const reading of readings) flow.feed("lux").next(reading);
    await flow.finish();
    expect(flow.capture().events).toEqual(readings);
    expect(flow.capture("direct").events).toEqual(readings);
  });

  it("keeps answering after the sampled stream ends", async () => {
    const flow = startFlow(pull);
    flow.feed("lux").next(sensorEvent("lux-1", 1, 300));
    flow.feed("lux").completed();
    flow.feed("requests").next("a");
    expect(flow.capture().events).toEqual([sensorEvent("lux-1", 1, 300)]);
    expect(flow.capture().completed).toBe(false);
    await flow.finish();
  });

  it("passes an error of its requests on", async () => {
    const flow = startFlow(pull);
    const error = new Error("subscription lost");
    flow.feed("requests").error(error);
    await expect(flow.graph.done).rejects.toBe(error);
    expect(flow.capture().error).toBe(error);
  });

  it("holds one event however long both streams run", async () => {
    const flow = startFlow(pull);
    for (let i = 0; i < 100_000; i++) {
      flow.feed("lux").next(sensorEvent("lux-1", i, i));
      if (i % 100 === 99) flow.feed("requests").next("?");
    }
    await flow.finish();
    const answers = flow.capture().events as { val: number }[];
    expect(answers).toHaveLength(1000);
    expect(answers.at(-1)!.val).toBe(99_999);
  });
});
