// The mqtt source and sink on the host, through a flow run in process on the embedded broker, with
// an MQTT.js client on the other side: empty, single, many, malformed and never-ending input.
import mqtt, { type MqttClient } from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import { startEmbeddedBroker, type EmbeddedBroker } from "../../runtime/broker.js";
import { type RunningFlow } from "../../runtime/run.js";
import { compile, runProgram } from "../../test/support/catalogue.js";

interface TestRun {
  readonly flow: RunningFlow;
  /** What `print` wrote, split into lines. */
  printed(): string[];
  readonly log: string[];
  /** A client of the flow's broker, connected before the flow started. */
  readonly client: MqttClient;
  readonly broker: EmbeddedBroker;
}

const running: TestRun[] = [];
afterEach(async () => {
  for (const run of running.splice(0)) {
    await run.flow.stop();
    await run.client.endAsync();
    await run.broker.close();
  }
});

/**
 * Runs `text` on an embedded broker of its own, with a client that connects (and, through
 * `beforeFlow`, subscribes) before the flow starts.
 */
async function start(text: string, { beforeFlow }: { beforeFlow?: (client: MqttClient) => Promise<void> } = {}) {
  const { programs, diagnostics } = compile([{ path: "mqtt.flow", text }], { target: "node" });
  if (programs.length === 0) throw new Error(diagnostics.map((d) => d.message).join("\n"));
  const broker = await startEmbeddedBroker({ host: "127.0.0.1", port: 0 });
  const client = await mqtt.connectAsync(broker.url, { log: () => {} });
  await beforeFlow?.(client);
  let stdout = "";
  const log: string[] = [];
  const flow = await runProgram(programs, {
    broker: broker.url,
    stdout: { write: (chunk) => ((stdout += chunk), true), once: () => undefined },
    stderr: (line) => void log.push(line),
  });
  const run: TestRun = {
    flow,
    printed: () => (stdout === "" ? [] : stdout.trimEnd().split("\n")),
    log,
    client,
    broker,
  };
  running.push(run);
  await flow.ready;
  return run;
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const stage = (flow: RunningFlow, prefix: string) => flow.stats.find((s) => s.label.startsWith(prefix))!;

describe("mqtt source", () => {
  it("emits nothing, and stops cleanly, when nothing is published", async () => {
    const { flow, printed } = await start('mqtt "quiet" -> print');
    await flow.stop();
    await flow.done;
    expect(printed()).toEqual([]);
    expect(stage(flow, 'mqtt "quiet"')).toMatchObject({ out: 0, dropped: 0 });
  });

  it("emits a payload as its text", async () => {
    const { client, printed } = await start('mqtt "one" -> print');
    await client.publishAsync("one", '["lux-1", 611, 284.1312]');
    await until(() => printed().length === 1, "the message");
    expect(printed()).toEqual(['["lux-1", 611, 284.1312]']);
  });

  it("emits many payloads in the order they were published, on every topic its filter matches", async () => {
    const { client, printed } = await start('mqtt "sensors/+/lux" qos 1 -> print');
    const sent = Array.from({ length: 2000 }, (_, i) => `${i}`);
    for (const [i, text] of sent.entries()) void client.publish(`sensors/${i % 3}/lux`, text, { qos: 1 });
    await client.publishAsync("sensors/kitchen/temperature", "not for this filter", { qos: 1 });
    await until(() => printed().length === sent.length, "every message");
    expect(printed()).toEqual(sent);
  });

  it("counts and reports a payload that is not UTF-8, and goes on", async () => {
    const { client, flow, printed, log } = await start('mqtt "raw" -> print');
    await client.publishAsync("raw", Buffer.from([0x5b, 0xff, 0x5d]));
    await client.publishAsync("raw", "after");
    await until(() => printed().length === 1, "the good message");
    expect(printed()).toEqual(["after"]);
    expect(stage(flow, 'mqtt "raw"')).toMatchObject({ out: 1, dropped: 1 });
    expect(log.join("")).toMatch(/warning: dropped a malformed payload \(not UTF-8\): <3 bytes: 5bff5d>/);
  });

  it("stops while messages keep coming, with every line it printed whole", async () => {
    const { client, flow, printed } = await start('mqtt "endless" -> print');
    let sent = 0;
    const publisher = setInterval(() => {
      for (let i = 0; i < 50; i++) client.publish("endless", `message ${sent++}`);
    }, 1);
    await until(() => printed().length > 500, "a stream of messages");
    await flow.stop();
    clearInterval(publisher);
    await flow.done;
    const lines = printed();
    expect(lines).toEqual(lines.map((_, i) => `message ${i}`));
  });
});

describe("mqtt sink", () => {
  /** Subscribes a client to `topic` before the flow starts; returns what it receives. */
  const collecting = (topic: string) => {
    const received: string[] = [];
    return {
      received,
      beforeFlow: async (client: MqttClient) => {
        client.on("message", (_topic, payload) => received.push(payload.toString()));
        await client.subscribeAsync(topic, { qos: 1 });
      },
    };
  };

  it("publishes nothing when its input is empty", async () => {
    const out = collecting("nothing");
    const { flow } = await start('interval 10ms -> take 0 -> mqtt "nothing"', out);
    await flow.done;
    expect(out.received).toEqual([]);
    expect(stage(flow, 'mqtt "nothing"')).toMatchObject({ in: 0, dropped: 0 });
  });

  it("publishes a SensorEvent as the tutorial's JSON array", async () => {
    const out = collecting("sensor-data");
    const { flow } = await start(
      'sim "lux-1" every 10ms shape constant value 284.1312 -> take 1 -> set ts = 611 -> mqtt "sensor-data"',
      out,
    );
    await flow.done;
    await until(() => out.received.length === 1, "the event");
    expect(out.received).toEqual(['["lux-1", 611, 284.1312]']);
  });

  it("publishes text as it is and records as JSON objects, many of them in order", async () => {
    const ticks = 100;
    const received = new Map<string, string[]>([
      ["text", []],
      ["records", []],
    ]);
    const { flow } = await start(
      `interval 10ms -> take ${ticks} -> [map "tick " + str(it) -> mqtt "text" qos 1, map { n: it, even: it % 2 == 0 } -> mqtt "records" qos 1]`,
      {
        beforeFlow: async (client) => {
          client.on("message", (topic, payload) => received.get(topic)!.push(payload.toString()));
          await client.subscribeAsync(["text", "records"], { qos: 1 });
        },
      },
    );
    await flow.done;
    await until(() => received.get("records")!.length === ticks, "every record");
    expect(received.get("text")).toEqual(Array.from({ length: ticks }, (_, i) => `tick ${i}`));
    expect(received.get("records")!.map((payload) => JSON.parse(payload) as unknown)).toEqual(
      Array.from({ length: ticks }, (_, n) => ({ n, even: n % 2 === 0 })),
    );
  });

  it("asks the broker to keep the last message with retain", async () => {
    const { flow, broker } = await start(
      'interval 10ms -> take 3 -> map "last " + str(it) -> mqtt "status" retain true',
    );
    await flow.done;
    const late = await mqtt.connectAsync(broker.url, { log: () => {} });
    try {
      const retained = new Promise<string>((resolve) => late.on("message", (_topic, payload) => resolve(`${payload}`)));
      await late.subscribeAsync("status");
      expect(await retained).toBe("last 2");
    } finally {
      await late.endAsync();
    }
  });

  it("keeps publishing a never-ending input until stopped, and confirms everything it published", async () => {
    const out = collecting("ticks");
    const { flow } = await start('interval 10ms -> mqtt "ticks" qos 1', out);
    await until(() => out.received.length > 200, "a stream of ticks");
    await flow.stop();
    await flow.done;
    const published = stage(flow, 'mqtt "ticks"').in;
    await until(() => out.received.length === published, "every tick the sink took");
    expect(out.received).toEqual(out.received.map((_, i) => String(i)));
  });
});
