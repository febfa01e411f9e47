// Bundles built from the examples and from small flows run in real MicroPython (the WebAssembly
// port) on a simulated ESP8266: sensors on I2C, WiFi, umqtt.simple and a virtual clock.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { micropythonImplementations } from "../../components/micropython.js";
import { MicroPythonDevice } from "./simulator/board.js";
import type { Bundle, TextBundleFile } from "./bundle.js";
import { loadBundleIntoDevice } from "./testing.js";
import { buildBundle, compile } from "../../test/support/catalogue.js";
import { boardParts } from "../../components/board.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const secrets = { wifi_essid: "lab", wifi_password: "pw", mqtt_host: "127.0.0.1" };

function bundleOf(text: string, path = "flow.flow", config: Record<string, string> = secrets): Bundle<TextBundleFile> {
  const result = compile([{ path, text }], { target: "esp8266" });
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return buildBundle(result.programs[0]!, {
    implementations: micropythonImplementations,
    config: { secrets: config, env: {} },
  });
}

const pythonFiles = (bundle: Bundle) =>
  Object.fromEntries(
    bundle.files.filter((file) => file.path.endsWith(".py")).map((file) => [file.path, file.contents]),
  );

// One device for the whole file (the harness runs one per process); each test loads its bundle
// and reboots it.
let device: MicroPythonDevice;
beforeAll(async () => {
  device = await MicroPythonDevice.create({
    parts: boardParts,
    sensors: {
      tsl2591: { lux: 284.13 },
      mcp9808: { celsius: 21.5 },
      adxl345: { x: 0, y: 0, z: 9.81 },
      adc: { raw: 512 },
    },
    wifi: { ssid: "lab", password: "pw" },
  });
});
afterAll(() => device.close());

/** Loads `bundle` onto the device, boots it and runs setup(); returns what setup printed. */
async function boot(bundle: Bundle): Promise<string[]> {
  device.mqtt.brokerDown = false;
  await loadBundleIntoDevice(bundle.files, device);
  device.mqtt.published.length = 0;
  await device.setup();
  return device.takeOutput();
}

/** Advances the virtual clock by `ms` and runs one step, `times` times. */
async function steps(times: number, ms: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    device.advance(ms);
    await device.step();
  }
}

/** A device block for flows that publish: the simulated access point's credentials. */
const wifi = 'device esp8266 {\n  wifi "lab", "pw"\n}\n';

const published = () => device.mqtt.published.map((message) => [message.topic, message.text]);

describe("the tutorial client", () => {
  const text = readFileSync(`${root}examples/tutorial/client.flow`, "utf8");

  it("is a lean bundle whose secrets are all in config.py", () => {
    const bundle = bundleOf(text, "client.flow");
    expect(bundle.diagnostics).toEqual([]);
    expect(bundle.files.map((file) => file.path)).toEqual([
      "main.py",
      "flow.py",
      "config.py",
      "tsl2591.py",
      "manifest.json",
      "README.txt",
    ]);
    expect(bundle.manifest.pythonBytes).toBeLessThanOrEqual(8 * 1024);
    const files = pythonFiles(bundle);
    expect(files["config.py"]).toContain('WIFI_PASSWORD = "pw"');
    for (const [path, contents] of Object.entries(files))
      if (path !== "config.py") expect(contents).not.toMatch(/"pw"|"lab"/);
    expect(JSON.parse(bundle.files.find((file) => file.path === "manifest.json")!.contents)).toMatchObject({
      sources: ['tsl2591 "lux-1" every 5s'],
    });
  });

  it("names every missing secret", () => {
    const result = compile([{ path: "client.flow", text }], { target: "esp8266" });
    const bundle = buildBundle(result.programs[0]!, {
      implementations: micropythonImplementations,
      config: { secrets: {}, env: {} },
    });
    expect(bundle.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["E502", expect.stringContaining("wifi_essid")],
      ["E502", expect.stringContaining("wifi_password")],
      ["E502", expect.stringContaining("mqtt_host")],
    ]);
  });

  it("samples every 5 s and publishes the tutorial's JSON arrays", async () => {
    const bootLines = await boot(bundleOf(text, "client.flow"));
    expect(bootLines).toEqual(["flowc: wifi connected 192.168.1.42", "flowc: mqtt connected"]);
    await steps(3, 5000);
    const messages = published();
    expect(messages).toHaveLength(3);
    for (const [topic, payload] of messages) {
      expect(topic).toBe("sensor-data");
      expect(payload).toMatch(/^\["lux-1", \d+, 28\d\.\d+\]$/);
    }
    expect(device.takeOutput()).toEqual(
      messages.map(([, payload]) => {
        const [id, ts, val] = JSON.parse(payload!) as [string, number, number];
        return `SensorEvent(sensor_id='${id}', ts=${ts}, val=${val})`;
      }),
    );
  });

  it("keeps sampling while the broker is down and delivers the last messages when it is back", async () => {
    await boot(bundleOf(text, "client.flow"));
    device.mqtt.brokerDown = true;
    device.mqtt.dropConnections();
    await steps(4, 5000);
    expect(device.takeOutput().filter((line) => line.startsWith("SensorEvent"))).toHaveLength(4);
    const before = published().length;
    device.mqtt.brokerDown = false;
    await steps(2, 5000);
    expect(published().length - before).toBeGreaterThanOrEqual(5);
  });

  it("boots with the broker down, keeps sampling, backs off, and publishes the last 8 samples when it is up", async () => {
    device.mqtt.brokerDown = true;
    await loadBundleIntoDevice(bundleOf(text, "client.flow").files, device);
    device.mqtt.published.length = 0;
    device.takeOutput();
    const attemptsBefore = device.mqtt.connectAttempts;
    await device.setup();
    expect(device.takeOutput()).toEqual([
      "flowc: wifi connected 192.168.1.42",
      "flowc: mqtt failed: [Errno 111] ECONNREFUSED",
    ]);
    // Two minutes down: attempts back off 1, 2, 4 … 60 s instead of one per sample.
    await steps(24, 5000);
    const down = device.takeOutput();
    expect(down.filter((line) => line.startsWith("SensorEvent"))).toHaveLength(24);
    expect(down.filter((line) => line.startsWith("flowc:"))).toEqual([]);
    expect(device.mqtt.connectAttempts - attemptsBefore).toBeLessThanOrEqual(8);
    expect(published()).toEqual([]);

    device.mqtt.brokerDown = false;
    await steps(13, 5000);
    // Within 60 s of the broker's return, the 8 queued samples go out, oldest first, then new ones.
    const timestamps = published().map(([, payload]) => (JSON.parse(payload!) as [string, number, number])[1]);
    expect(timestamps.length).toBeGreaterThanOrEqual(8);
    expect(timestamps).toEqual([...timestamps].sort((a, b) => a - b));
    // Every sample is either published or counted, once, when the queue has gone out.
    const dropped = 24 + 13 - timestamps.length;
    expect(dropped).toBeGreaterThanOrEqual(16);
    expect(device.takeOutput().filter((line) => line.startsWith("flowc:"))).toEqual([
      "flowc: mqtt connected",
      `flowc: mqtt dropped while offline: ${dropped}`,
    ]);
  });

  it("keeps sampling when WiFi is lost after connecting, rejoins, and delivers what it sampled meanwhile", async () => {
    await boot(bundleOf(text, "client.flow"));
    await steps(2, 5000);
    const sessionsBefore = device.mqtt.sessions.length;
    const connectsBefore = device.wifi.connectAttempts;
    const publishedBefore = published().length;
    device.takeOutput();

    // The access point goes away for 25 s: every attempt to rejoin fails until it is back.
    device.wifi.dropLink();
    device.wifi.failNextConnects(1_000);
    await steps(5, 5000);
    const outage = device.takeOutput();
    expect(outage.filter((line) => line.startsWith("SensorEvent"))).toHaveLength(5);
    expect(outage.filter((line) => line.startsWith("flowc:"))).toEqual([
      expect.stringMatching(/^flowc: mqtt failed: /),
      "flowc: wifi failed: link lost",
      "flowc: wifi failed: connection failed",
    ]);
    expect(published().length).toBe(publishedBefore);

    device.wifi.failNextConnects(0);
    await steps(3, 5000);
    const recovery = device.takeOutput().filter((line) => line.startsWith("flowc:"));
    expect(recovery).toEqual(["flowc: wifi ok again", "flowc: mqtt connected"]);
    // Rejoining is throttled to one attempt per 10 s, not one per step.
    expect(device.wifi.connectAttempts - connectsBefore).toBeLessThanOrEqual(5);
    expect(device.mqtt.sessions.length).toBe(sessionsBefore + 1);
    // All 5 samples of the outage fit the 8-message queue, then the 3 taken since.
    const delivered = published().slice(publishedBefore);
    expect(delivered).toHaveLength(8);
    const timestamps = delivered.map(([, payload]) => (JSON.parse(payload!) as [string, number, number])[1]);
    expect(timestamps).toEqual([...timestamps].sort((a, b) => a - b));
  });

  it("does not grow its heap across WiFi outages and reconnects", async () => {
    await boot(bundleOf(text, "client.flow"));
    const outage = async () => {
      device.wifi.dropLink();
      device.wifi.failNextConnects(1_000);
      await steps(4, 5000);
      device.wifi.failNextConnects(0);
      await steps(4, 5000);
    };
    await outage();
    const early = device.heap();
    for (let i = 0; i < 10; i++) await outage();
    const late = device.heap();
    expect(device.takeOutput().filter((line) => line === "flowc: mqtt connected")).toHaveLength(11);
    expect(late.used - late.qstrBytes).toBeLessThanOrEqual(early.used - early.qstrBytes + 256);
  });

  it("survives a sensor fault, reports it once and recovers", async () => {
    await boot(bundleOf(text, "client.flow"));
    device.sensors.tsl2591!.present = false;
    await steps(3, 5000);
    const faults = device.takeOutput().filter((line) => line.includes("failed"));
    expect(faults).toHaveLength(1);
    device.sensors.tsl2591!.present = true;
    await steps(2, 5000);
    const recovery = device.takeOutput();
    expect(recovery.filter((line) => line.startsWith("SensorEvent")).length).toBeGreaterThanOrEqual(1);
    expect(recovery.filter((line) => line.startsWith("flowc:"))).toEqual([expect.stringMatching(/ ok again$/)]);
    // A second outage is reported too.
    device.sensors.tsl2591!.present = false;
    await steps(2, 5000);
    expect(device.takeOutput().filter((line) => line.includes("failed"))).toEqual(faults);
    device.sensors.tsl2591!.present = true;
  });

  // Found by targets/esp8266/fuzz-bundle.test.ts: the console printed `tsl2591 "k?che-1" ...`.
  it("names a faulty sensor as flowc graph does, non-ASCII id included", async () => {
    await boot(bundleOf('device esp8266 {\n  wifi "lab", "pw"\n}\ntsl2591 "küche-😀" every 5s -> print\n'));
    device.sensors.tsl2591!.present = false;
    await steps(1, 5000);
    expect(device.takeOutput().filter((line) => line.includes("failed"))).toEqual([
      'flowc: tsl2591 "küche-😀" every 5s failed: [Errno 19] ENODEV',
    ]);
    device.sensors.tsl2591!.present = true;
  });

  it("does not grow its heap over many samples", async () => {
    await boot(bundleOf(text, "client.flow"));
    await steps(20, 5000);
    const early = device.heap();
    await steps(200, 5000);
    const late = device.heap();
    expect(late.used - late.qstrBytes).toBeLessThanOrEqual(early.used - early.qstrBytes + 256);
  });
});

describe("the heap estimate", () => {
  /** Eight sensors, each with a long moving average and a median window. */
  const big =
    wifi +
    Array.from(
      { length: 8 },
      (_, i) => `sim "s${i}" every ${i + 1}s -> moving_avg 50 -> median over 40 -> mqtt "t${i}"\n`,
    ).join("");

  for (const [name, text] of [
    ["the tutorial client", readFileSync(`${root}examples/tutorial/client.flow`, "utf8")],
    ["a flow with many windows", big],
  ] as const) {
    it(`is close to what ${name} holds on the board`, async () => {
      const bundle = bundleOf(text);
      await boot(bundle);
      await steps(60, 1000);
      const { used } = device.heap();
      // It may err high (windows are counted full, a string written twice in the code twice) but
      // hardly low: erring high only warns sooner.
      expect(bundle.manifest.heapEstimate).toBeGreaterThanOrEqual(used - 1024);
      expect(bundle.manifest.heapEstimate).toBeLessThanOrEqual(used + 2560);
    });
  }

  it("warns past half the ESP8266's heap", () => {
    expect(bundleOf(big).diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["W703", expect.stringMatching(/^this flow needs about 2\d KB of heap, more than half of the ESP8266's 38 KB$/)],
    ]);
  });
});

describe("every device example", () => {
  const examples = [
    "examples/pull/device.flow",
    "examples/multi-sensor/node.flow",
    "examples/report-on-change/node.flow",
    "examples/calibration/node.flow",
  ];
  for (const path of examples) {
    it(`${path} builds and runs for a minute of virtual time`, async () => {
      const bundle = bundleOf(readFileSync(root + path, "utf8"), path);
      expect(bundle.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      await boot(bundle);
      await steps(60, 1000);
      expect(device.takeOutput().filter((line) => line.includes("failed"))).toEqual([]);
    });
  }

  it("answers the pull example's requests with the latest moving average", async () => {
    await boot(bundleOf(readFileSync(`${root}examples/pull/device.flow`, "utf8")));
    await steps(3, 2000);
    expect(published()).toEqual([]);
    device.mqtt.deliver("lux/request", "now");
    device.mqtt.deliver("lux/request", "again");
    await steps(1, 100);
    const response = expect.stringMatching(/^\["lux-1", \d+, 28\d\.\d+\]$/);
    expect(published()).toEqual([
      ["lux/response", response],
      ["lux/response", response],
    ]);
  });
});

/** Operators on the device, each fed by `interval 1s` (0, 1, 2, ...) or a constant simulated sensor. */
describe("node functions", () => {
  it("are folded into their one caller, except a step that may end early or change the event before others", async () => {
    const flow = 'interval 1s -> [filter it % 2 == 1 -> print "odd", map it * 10 -> print "ten", print "all"]\n';
    const result = compile([{ path: "flow.flow", text: flow }], { target: "esp8266" });
    const source = buildBundle(result.programs[0]!, {
      implementations: micropythonImplementations,
      config: { secrets, env: {} },
      minify: false,
    }).files.find((file) => file.path === "flow.py")!.contents;
    // The filter may return and the map changes `e`: both stay functions, since the branches after
    // them need the event unchanged; each one's print, and the last branch's, are folded.
    expect(source.match(/^def n\d+\(e?\):$/gm)).toEqual(["def n0():", "def n1(e):", "def n3(e):"]);
    expect(source).toMatch(/^def n0\(\):\n(?: {4}.*\n)*? {4}n1\(e\)\n {4}n3\(e\)\n {4}print\("all" \+/m);
    await boot(bundleOf(flow));
    await steps(3, 1000);
    expect(device.takeOutput()).toEqual(["ten: 0", "all: 0", "odd: 1", "ten: 10", "all: 1", "ten: 20", "all: 2"]);
  });
});

describe("device operators", () => {
  const cases: [string, string, number, string[]][] = [
    ["map", "interval 1s -> map it * 10 -> print", 3, ["0", "10", "20"]],
    ["filter", "interval 1s -> filter it % 2 == 1 -> print", 5, ["1", "3"]],
    ["take (never-ending input)", "interval 1s -> take 2 -> print", 6, ["0", "1"]],
    ["skip", "interval 1s -> skip 3 -> print", 5, ["3", "4"]],
    ["scan", "interval 1s -> scan acc = 0, acc + it -> print", 4, ["0", "1", "3", "6"]],
    ["sum over a count window", "interval 1s -> sum over 2 -> print", 6, ["1", "5", "9"]],
    ["max over a time window", "interval 1s -> max over 3s -> print", 7, ["2", "5"]],
    ["median", "interval 1s -> median over 3 -> print", 6, ["1", "4"]],
    ["moving_avg", "interval 1s -> moving_avg 2 -> print", 3, ["0.0", "0.5", "1.5"]],
    ["delta", "interval 1s -> map it % 3 * 10 -> delta 15 -> print", 6, ["0", "20", "0", "20"]],
    [
      "calibrate",
      'sim "s" every 1s shape constant value 10 -> calibrate scale 2 offset 1 -> map val -> print',
      2,
      ["21", "21"],
    ],
    ["set", 'sim "s" every 1s shape constant value 3 -> set val = val * 2 -> map val -> print', 1, ["6"]],
    ["throttle", "interval 1s -> throttle 3s -> print", 7, ["0", "3", "6"]],
    ["to_json", 'sim "s" every 1s shape constant value 1 -> to_json -> print', 1, ['["s", 1, 1]']],
    ["empty input: a window never emits", "interval 1s -> filter it < 0 -> avg over 2 -> print", 4, []],
    [
      "merge",
      "let fast = interval 1s\nlet slow = interval 2s -> map it * 100\nmerge fast, slow -> print",
      4,
      // Both streams are due together at the first and every other wake-up, the 1 s one first.
      ["0", "0", "1", "100", "2", "3", "200"],
    ],
    [
      "sample",
      "let latest = interval 1s -> map it * 10\ninterval 2s -> sample latest -> print",
      5,
      // Every 2 s, the latest of the 1 s stream, which runs first when both are due.
      ["0", "10", "30"],
    ],
  ];
  for (const [name, flow, count, expected] of cases) {
    it(name, async () => {
      await boot(bundleOf(`${flow}\n`));
      await steps(count, 1000);
      const lines = device.takeOutput();
      if (name === "to_json") expect(lines.map((line) => line.replace(/, \d+, /, ", 1, "))).toEqual(expected);
      else expect(lines).toEqual(expected);
    });
  }

  it("drops malformed JSON with one report and goes on", async () => {
    await boot(bundleOf(`${wifi}mqtt "in" -> json as SensorEvent -> map val -> print\n`));
    for (const payload of ['["a", 1, 2]', "not json", '{"sensor_id": "b", "ts": 1, "val": 3}', "[1]", '["c", 1, 4]'])
      device.mqtt.deliver("in", payload);
    await steps(1, 100);
    const lines = device.takeOutput();
    expect(lines.filter((line) => !line.includes("failed"))).toEqual(["2", "3", "4"]);
    expect(lines.filter((line) => line.includes("failed")).length).toBeGreaterThanOrEqual(1);
  });

  it("reports an untyped value a step cannot take under the step's name, and the other branches still get it", async () => {
    await boot(bundleOf(`${wifi}mqtt "in" -> json -> [delta 1 of val, print "raw"]\n`));
    for (const payload of ['{"val": 1}', '{"val": "high"}', '{"val": 5}']) device.mqtt.deliver("in", payload);
    await steps(1, 100);
    const lines = device.takeOutput();
    // As on the host: the step that failed is named, and `print` gets every event.
    expect(lines.filter((line) => line.startsWith("raw:"))).toHaveLength(3);
    expect(lines.filter((line) => line.includes("failed"))).toEqual([
      expect.stringMatching(/^flowc: delta 1 of val failed: /),
    ]);
  });

  it("refuses an untyped value that is no number before it opens a window, so closing the window divides nothing by zero", async () => {
    await boot(bundleOf(`${wifi}mqtt "in" -> json -> avg over 1s -> print\n`));
    device.mqtt.deliver("in", '"high"');
    await steps(3, 500);
    device.mqtt.deliver("in", "4");
    device.mqtt.deliver("in", "6");
    await steps(3, 500);
    const lines = device.takeOutput();
    // As on the host: the event that holds no number is reported under the step and opens no
    // window; the next window averages the numbers that came.
    expect(lines.filter((line) => line.includes("failed"))).toEqual([
      expect.stringMatching(/^flowc: avg over 1s failed: not a number: /),
    ]);
    expect(lines.filter((line) => !line.includes("failed"))).toEqual(["5.0"]);
  });
});
