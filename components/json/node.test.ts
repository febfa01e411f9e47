import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../runtime/log.js";
import { MqttConnection, parseBrokerUrl } from "../../runtime/mqtt.js";
import { Backpressure } from "../../runtime/pressure.js";
import { runOperator, runUntilUpstreamError, sensorEvent, startFlow } from "../testing.js";
import { compile, runProgram } from "../../test/support/catalogue.js";

const decode = "feed type string -> json as SensorEvent -> capture";

describe("json", () => {
  it("completes without emitting when its input is empty", async () => {
    expect(await runOperator(decode, [])).toEqual([]);
  });

  it("decodes the tutorial's array form", async () => {
    expect(await runOperator(decode, ['["lux-1", 611, 284.1312]'])).toEqual([sensorEvent("lux-1", 611, 284.1312)]);
  });

  it("decodes many payloads in array and object form, in order", async () => {
    const payloads = ['["a", 1, 2.5]', '{"sensor_id": "b", "ts": 2, "val": 3, "extra": true}', '["c", 3, 4]'];
    expect(await runOperator(decode, payloads)).toEqual([
      sensorEvent("a", 1, 2.5),
      sensorEvent("b", 2, 3),
      sensorEvent("c", 3, 4),
    ]);
  });

  it("without a schema, parses any JSON", async () => {
    expect(await runOperator("feed type string -> json -> capture", ['{"a": [1, 2]}', "null", '"text"', "3"])).toEqual([
      { a: [1, 2] },
      null,
      "text",
      3,
    ]);
  });

  it("passes an upstream error on", async () => {
    const error = new Error("subscription lost");
    const { capture, failure } = await runUntilUpstreamError(decode, ['["a", 1, 2]'], error);
    expect(capture.events).toEqual([sensorEvent("a", 1, 2)]);
    expect(capture.error).toBe(error);
    expect(failure).toBe(error);
  });

  it("counts, reports and skips malformed payloads, and goes on", async () => {
    const flow = startFlow(decode);
    for (const payload of ["{oops", '["a", 1]', '["a", "one", 2]', "42", '["ok", 1, 2]']) flow.feed().next(payload);
    await flow.finish();
    expect(flow.capture().events).toEqual([sensorEvent("ok", 1, 2)]);
    expect(flow.stats("json")).toMatchObject({ in: 5, out: 1, dropped: 4, errors: 0 });
    const log = flow.log.join("");
    expect(log).toContain("not JSON");
    expect(log).toContain('"{oops"');
    expect(log).toMatch(/dropped 3 malformed payloads/);
  });

  it("without a schema, counts text that is not JSON", async () => {
    const flow = startFlow("feed type string -> json -> capture");
    flow.feed().next("{oops");
    flow.feed().next("[1]");
    await flow.finish();
    expect(flow.capture().events).toEqual([[1]]);
    expect(flow.stats("json").dropped).toBe(1);
  });

  it("keeps up with a long stream of mixed payloads, with a bounded log", async () => {
    const flow = startFlow(decode);
    for (let i = 0; i < 100_000; i++) flow.feed().next(i % 10 === 0 ? `["broken", ${i}` : `["a", ${i}, ${i / 2}]`);
    await flow.finish();
    expect(flow.capture().events).toHaveLength(90_000);
    expect(flow.stats("json").dropped).toBe(10_000);
    // The first bad payload is logged at once, the rest as one summary line.
    expect(flow.log.length).toBeLessThanOrEqual(2);
  });
});

describe("json errors", () => {
  it("publishes each rejected payload, unchanged, to the errors topic, where another pipeline keeps it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flowc-json-errors-"));
    const good = join(dir, "good.jsonl");
    const rejected = join(dir, "rejected.jsonl");
    const { programs, diagnostics } = compile([
      {
        path: "server.flow",
        text:
          `mqtt "in" qos 1 -> json as SensorEvent errors "in/rejected" -> jsonl "${good}"\n` +
          `mqtt "in/rejected" qos 1 -> jsonl "${rejected}"\n`,
      },
    ]);
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const log: string[] = [];
    const flow = await runProgram(programs, {
      broker: "embedded",
      embeddedBroker: { host: "127.0.0.1", port: 0 },
      stderr: (line) => log.push(line),
    });
    await flow.ready;
    const { host, port } = parseBrokerUrl(flow.brokerUrl!);
    const publisher = new MqttConnection(
      { host, port, tls: false, keepaliveSeconds: 60, clean: true },
      { log: createLogger({ level: "silent" }), pressure: new Backpressure(), onFatal: () => {} },
    );
    const payloads = ['["lux-1", 611, 284.1312]', "{oops", '["a", 1]', '{"sensor_id": "b", "ts": 2, "val": 3}', ""];
    for (const payload of payloads) publisher.publish("in", payload, 1, false);
    await publisher.flush();
    await publisher.close();
    const lines = (path: string) => {
      try {
        return readFileSync(path, "utf8").split("\n").filter(Boolean);
      } catch {
        return [];
      }
    };
    for (let waited = 0; lines(rejected).length < 3 || lines(good).length < 2; waited += 10) {
      if (waited > 10_000) throw new Error("timed out waiting for the rows");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await flow.stop();
    await flow.done;
    expect(lines(good).map((line) => JSON.parse(line) as unknown)).toEqual([
      sensorEvent("lux-1", 611, 284.1312),
      sensorEvent("b", 2, 3),
    ]);
    expect(lines(rejected).map((line) => JSON.parse(line) as unknown)).toEqual(["{oops", '["a", 1]', ""]);
    expect(flow.stats.find((stage) => stage.label.startsWith("json"))).toMatchObject({ in: 5, out: 2, dropped: 3 });
    expect(log.join("")).toMatch(/dropped a malformed payload \(not JSON\): "\{oops"/);
  });
});
