import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IRProgram } from "../compiler/ir.js";
import { mosquittoAvailable, startMosquitto, type Mosquitto } from "../test/support/mosquitto.js";
import type { TextOutput } from "./component.js";
import { ManualClock } from "./manual-clock.js";
import { MqttConnection } from "./mqtt.js";
import { Backpressure } from "./pressure.js";
import { createLogger } from "./log.js";
import { handleSignals, type RunOptions } from "./run.js";
import { compile, runProgram } from "../test/support/catalogue.js";

function programs(...texts: string[]): IRProgram[] {
  const result = compile(texts.map((text, i) => ({ path: `flow${i}.flow`, text })));
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new Error(errors.map((d) => `${d.code} ${d.message}`).join("\n"));
  return result.programs;
}

/** Captures `print` output and log lines. */
function outputs() {
  let stdout = "";
  const stderr: string[] = [];
  const out: TextOutput = {
    write: (text) => {
      stdout += text;
      return true;
    },
    once: () => undefined,
  };
  return {
    out,
    stdout: () => stdout,
    stderr,
    options: { stdout: out, stderr: (line: string) => stderr.push(line) } satisfies Partial<RunOptions>,
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const directory = () => mkdtempSync(join(tmpdir(), "flowc-run-"));
const start = Date.UTC(2026, 10, 25, 12, 0, 0);

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("runProgram", () => {
  it("runs a timed flow on the injected clock and stops cleanly", async () => {
    const io = outputs();
    const clock = new ManualClock(start);
    const flow = await runProgram(programs('interval 1s -> print "tick"'), { ...io.options, clock });
    await flow.ready;
    clock.advance(2000);
    await tick();
    expect(io.stdout()).toBe("tick: 0\ntick: 1\ntick: 2\n");
    await flow.stop();
    await flow.done;
    expect(flow.stats.map((s) => [s.label, s.in, s.out])).toEqual([
      ["interval 1s", 0, 3],
      ['print "tick"', 3, 0],
    ]);
  });

  it("simulates the tutorial's sensor reproducibly with a seed, printed as ThingFlow prints it", async () => {
    const run = async () => {
      const io = outputs();
      const clock = new ManualClock(start);
      const flow = await runProgram(programs('tsl2591 "lux-1" every 2s -> print'), { ...io.options, clock, seed: 42 });
      clock.advance(4000);
      await flow.stop();
      return io;
    };
    const first = await run();
    const lines = first.stdout().trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^SensorEvent\(sensor_id='lux-1', ts=1795608000, val=\d+(\.\d+)?\)$/);
    expect(lines[1]).toMatch(/^SensorEvent\(sensor_id='lux-1', ts=1795608002, val=/);
    expect((await run()).stdout()).toBe(first.stdout());
    expect(first.stderr.join("")).toMatch(/readings are simulated/);
  });

  it("writes the tutorial's CSV columns", async () => {
    const dir = directory();
    const clock = new ManualClock(start + 613);
    const flow = await runProgram(
      programs(`sim "temp-1" every 1s shape constant value 21.5 -> csv "${join(dir, "test.csv")}"`),
      {
        ...outputs().options,
        clock,
      },
    );
    clock.advance(1000);
    await flow.stop();
    expect(readFileSync(join(dir, "test.csv"), "utf8")).toBe(
      "timestamp,datetime,sensor_id,value\n" +
        "1795608000.613,2026-11-25T12:00:00.613000,temp-1,21.5\n" +
        "1795608001.613,2026-11-25T12:00:01.613000,temp-1,21.5\n",
    );
  });

  it("replays a CSV file as fast as the sinks take it, counting rows it cannot use, and finishes by itself", async () => {
    const dir = directory();
    writeFileSync(
      join(dir, "in.csv"),
      'timestamp,datetime,sensor_id,value\n1484535480.613611,2017-01-16T02:58:00.613611,lux-1,371.6063\n1484535485.6,x,lux-1,not-a-number\n1484535490.4,x,"lux,2",1\n',
    );
    const io = outputs();
    const flow = await runProgram(
      programs(`csv "${join(dir, "in.csv")}" -> jsonl "${join(dir, "out.jsonl")}"`),
      io.options,
    );
    await flow.done;
    expect(readFileSync(join(dir, "out.jsonl"), "utf8")).toBe(
      '{"sensor_id":"lux-1","ts":1484535480.613611,"val":371.6063}\n{"sensor_id":"lux,2","ts":1484535490.4,"val":1}\n',
    );
    expect(flow.stats[0]!.dropped).toBe(1);
    expect(io.stderr.join("")).toMatch(/in\.csv row 3: `val` must be a number/);
  });

  it("paces a CSV replay with `every`", async () => {
    const dir = directory();
    writeFileSync(join(dir, "in.csv"), "sensor_id,ts,val\na,1,1\nb,2,2\nc,3,3\n");
    const io = outputs();
    const clock = new ManualClock(start);
    const flow = await runProgram(programs(`csv "${join(dir, "in.csv")}" every 10s -> print`), {
      ...io.options,
      clock,
    });
    clock.advance(0); // the first tick is due at once
    await until(() => io.stdout().split("\n").length === 2, "the first row");
    await tick();
    expect(io.stdout()).toBe("SensorEvent(sensor_id='a', ts=1, val=1)\n");
    clock.advance(10_000);
    await until(() => io.stdout().includes("'b'"), "the second row");
    expect(io.stdout()).not.toContain("'c'");
    clock.advance(10_000);
    await flow.done;
    expect(io.stdout()).toContain("'c'");
  });

  it("rejects at start, naming the problem: a missing secret", async () => {
    await expect(
      runProgram(programs('broker secret("mqtt_host")\nmqtt "x" -> print'), { ...outputs().options, env: {} }),
    ).rejects.toThrow(/secret "mqtt_host" is not set: export FLOWC_SECRET_MQTT_HOST/);
  });

  it("rejects at start, naming the problem: an output file that cannot be written", async () => {
    const dir = directory();
    writeFileSync(join(dir, "file"), "");
    await expect(
      runProgram(programs(`interval 1s -> csv "${join(dir, "file", "out.csv")}"`), outputs().options),
    ).rejects.toThrow(`cannot open ${join(dir, "file", "out.csv")}: a part of the path is not a directory (ENOTDIR)`);
  });

  it("rejects at start, naming the problem: an input file that does not exist", async () => {
    await expect(runProgram(programs('csv "/nonexistent/in.csv" -> print'), outputs().options)).rejects.toThrow(
      "cannot read /nonexistent/in.csv: no such file or directory (ENOENT)",
    );
  });

  it("prints the stats table periodically and at the end", async () => {
    const io = outputs();
    const clock = new ManualClock(start);
    const flow = await runProgram(programs("interval 1s -> print"), { ...io.options, clock, statsEveryMs: 5000 });
    clock.advance(5000);
    const periodic = io.stderr.join("");
    expect(periodic).toMatch(/stage\s+in\s+out\s+dropped\s+errors\s+out\/s\n/);
    expect(periodic).toMatch(/n0 interval 1s\s+0\s+5\s+0\s+0\s+1\n/);
    await flow.stop();
    expect(io.stderr.join("").match(/stage/g)).toHaveLength(2);
  });

  it("writes and reads files next to the .flow file, whatever the working directory", async () => {
    const dir = directory();
    writeFileSync(join(dir, "in.csv"), "sensor_id,ts,val\nlux-1,1,2\n");
    const { programs: compiled } = compile([
      { path: join(dir, "f.flow"), text: 'csv "in.csv" -> [csv "out.csv", jsonl "out.jsonl"]' },
    ]);
    const flow = await runProgram(compiled, outputs().options);
    await flow.done;
    expect(readFileSync(join(dir, "out.csv"), "utf8")).toBe(
      "timestamp,datetime,sensor_id,value\n1,1970-01-01T00:00:01,lux-1,2\n",
    );
    expect(readFileSync(join(dir, "out.jsonl"), "utf8")).toBe('{"sensor_id":"lux-1","ts":1,"val":2}\n');
  });

  it("stops on SIGINT/SIGTERM through handleSignals, and forces an exit on a second after the grace period", async () => {
    const clock = new ManualClock(start);
    const flow = await runProgram(programs("interval 1s -> print"), { ...outputs().options, clock });
    const lines: string[] = [];
    let forced = false;
    let nowMs = 0;
    const dispose = handleSignals(flow, {
      signals: ["SIGUSR2"],
      log: createLogger({ write: (line) => lines.push(line) }),
      forceExit: () => (forced = true),
      now: () => nowMs,
    });
    process.emit("SIGUSR2", "SIGUSR2");
    // Two signals a few milliseconds apart, as `timeout -s INT` sends them: the flush goes on.
    nowMs = 5;
    process.emit("SIGUSR2", "SIGUSR2");
    expect(forced).toBe(false);
    expect(lines[1]).toMatch(/SIGUSR2 again within 1s of the first: still flushing/);
    await flow.done;
    expect(lines[0]).toMatch(/SIGUSR2: stopping/);
    nowMs = 1500;
    process.emit("SIGUSR2", "SIGUSR2");
    expect(forced).toBe(true);
    dispose();
    expect(process.listenerCount("SIGUSR2")).toBe(0);
  });
});

describe.skipIf(!mosquittoAvailable)("runProgram with mosquitto", () => {
  let broker: Mosquitto;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await broker?.dispose();
  });

  const publisher = () =>
    new MqttConnection(
      { host: "127.0.0.1", port: broker.port, tls: false, keepaliveSeconds: 60, clean: true },
      { log: createLogger({ write: () => {} }), pressure: new Backpressure(), onFatal: () => {} },
    );

  it("runs the tutorial's server: every valid message becomes a CSV row, bad ones are counted", async () => {
    const dir = directory();
    const text = readFileSync(join(import.meta.dirname, "..", "examples", "tutorial", "server.flow"), "utf8").replace(
      'csv "test.csv"',
      `csv "${join(dir, "test.csv")}"`,
    );
    const io = outputs();
    const flow = await runProgram(programs(text), { ...io.options, broker: broker.url });
    await flow.ready;
    const device = publisher();
    const count = 2000;
    for (let i = 0; i < count; i++)
      device.publish("sensor-data", JSON.stringify([`lux-${i % 3}`, i, 284.1312 + i]), 0, false);
    device.publish("sensor-data", '{"sensor_id": "lux-9", "ts": 5, "val": 1.5}', 0, false);
    device.publish("sensor-data", "not json", 0, false);
    device.publish("sensor-data", '["lux-1", 611]', 0, false);
    device.publish("sensor-data", Buffer.from([0x5b, 0xff, 0x5d]), 0, false);
    await device.flush();
    await until(() => flow.stats[0]!.out + flow.stats[0]!.dropped === count + 4, "every message");
    await flow.stop();
    await device.close();
    const rows = readFileSync(join(dir, "test.csv"), "utf8").trim().split("\n");
    expect(rows[0]).toBe("timestamp,datetime,sensor_id,value");
    expect(rows).toHaveLength(count + 2);
    expect(rows[1]).toMatch(/^\d{10}\.?\d*,\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?,lux-0,284\.1312$/);
    expect(rows[count + 1]).toMatch(/,lux-9,1\.5$/);
    expect(io.stdout().split("\n")[0]).toMatch(/^SensorEvent\(sensor_id='lux-0', ts=\d+\.?\d*, val=284\.1312\)$/);
    const [source, json] = flow.stats;
    expect(source!.dropped).toBe(1);
    expect(json!.dropped).toBe(2);
    const log = io.stderr.join("");
    expect(log).toMatch(/\[mqtt "sensor-data"\] warning: dropped a malformed payload \(not UTF-8\)/);
    expect(log).toMatch(/\[json as SensorEvent\] warning: dropped a malformed payload \(not JSON\): "not json"/);
  });

  it("publishes events: SensorEvents as the tutorial's array, text as is", async () => {
    const subscriber = publisher();
    const received: string[] = [];
    await subscriber.subscribe("out/#", 1, (_topic, bytes, s, e) => received.push(bytes.toString("utf8", s, e))).ready;
    const clock = new ManualClock(start);
    const flow = await runProgram(
      programs('sim "s" every 1s shape constant value 2 -> mqtt "out/sensor" qos 1', 'mqtt "in" -> mqtt "out/text"'),
      {
        ...outputs().options,
        clock,
        broker: broker.url,
      },
    );
    await flow.ready;
    clock.advance(0); // the sensor's first sample is due at once
    const device = publisher();
    device.publish("in", "hello, world", 0, false);
    await until(() => received.length === 2, "two messages");
    await flow.stop();
    await Promise.all([device.close(), subscriber.close()]);
    expect(received.sort()).toEqual(['["s", 1795608000, 2]', "hello, world"]);
  });

  it("ends the run with a clear error when the broker refuses the credentials", async () => {
    const secured = await startMosquitto({ users: { alice: "right" } });
    try {
      const flow = await runProgram(
        programs('broker "127.0.0.1" username "alice" password secret("mqtt_password")\nmqtt "x" -> print'),
        {
          ...outputs().options,
          broker: secured.url,
          secrets: { mqtt_password: "wrong" },
        },
      );
      await expect(flow.ready).rejects.toThrow(/refused the connection/);
      await expect(flow.done).rejects.toThrow(/refused the connection: (bad user name or password|not authorized)/);
    } finally {
      await secured.dispose();
    }
  });
});

describe("runProgram with the embedded broker", () => {
  it("starts aedes, connects the flow to it, and closes it at the end", async () => {
    const io = outputs();
    const flow = await runProgram(programs('mqtt "hello" -> print'), {
      ...io.options,
      broker: "embedded",
      embeddedBroker: { port: 0, host: "127.0.0.1" },
    });
    await flow.ready;
    expect(flow.brokerUrl).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    const port = Number(new URL(flow.brokerUrl!).port);
    const client = new MqttConnection(
      { host: "127.0.0.1", port, tls: false, keepaliveSeconds: 60, clean: true },
      { log: createLogger({ write: () => {} }), pressure: new Backpressure(), onFatal: () => {} },
    );
    client.publish("hello", "from a device", 0, false);
    await until(() => io.stdout() === "from a device\n", "the message");
    await client.close();
    await flow.stop();
    expect(io.stderr.join("")).toMatch(/embedded MQTT broker listening on 127\.0\.0\.1:\d+/);
  });

  it("starts the other sources only once every subscription of the run is granted: the first reading arrives", async () => {
    const io = outputs();
    // The device's first reading goes out as soon as its source starts; the server, with its own
    // client id (its own connection), must already be subscribed.
    const flow = await runProgram(
      programs(
        'sim "lux-1" every 60s -> mqtt "sensor-data"',
        'broker "localhost" client_id "run-test-server"\nmqtt "sensor-data" -> json as SensorEvent -> print',
      ),
      { ...io.options, broker: "embedded", embeddedBroker: { port: 0, host: "127.0.0.1" } },
    );
    await flow.ready;
    // Two files run, so each print line starts with the file that printed it.
    await until(() => /: SensorEvent\(sensor_id='lux-1'/.test(io.stdout()), "the first reading");
    await flow.stop();
  });

  it("does not start the other sources when stopped before the subscriptions are granted", async () => {
    const io = outputs();
    const dir = directory();
    const flow = await runProgram(
      programs(`interval 10ms -> map 1 -> csv "${join(dir, "out.csv")}"`, 'mqtt "never" -> print'),
      { ...io.options, broker: "mqtt://127.0.0.1:1", retry: false },
    );
    await flow.stop();
    await expect(flow.ready).rejects.toThrow();
    expect(readFileSync(join(dir, "out.csv"), "utf8")).toBe("value\n");
  });
});
