// The device side of a bundle that is not a component's: the forever loop, deep sleep, the
// watchdog, NTP, WiFi without credentials and persistent MQTT sessions, in real MicroPython on
// the simulated board.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MicroPythonDevice } from "./simulator/board.js";
import type { Bundle } from "./bundle.js";
import { loadBundleIntoDevice } from "./testing.js";
import { buildEsp8266Bundle, compile } from "../../test/support/catalogue.js";

function bundleOf(text: string): Bundle {
  const result = compile([{ path: "flow.flow", text }], { target: "esp8266" });
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return buildEsp8266Bundle(result.programs[0]!, { env: {} });
}

const ntpUnixTime = 1_700_000_000;
let device: MicroPythonDevice;
beforeAll(async () => {
  // Any access point name and password is accepted, so flows without credentials connect too.
  device = await MicroPythonDevice.create({ wifi: {}, ntp: { unixTime: ntpUnixTime } });
});
afterAll(() => device.close());

async function boot(bundle: Bundle): Promise<void> {
  device.mqtt.brokerDown = false;
  device.ntp.fail = false;
  await loadBundleIntoDevice(bundle.files, device);
  device.mqtt.published.length = 0;
  device.takeOutput();
}

const published = () => device.mqtt.published.map((message) => message.text);

describe("run()", () => {
  it("loops forever on step()'s waits: a minute of virtual time samples 12 times at 5 s", async () => {
    await boot(bundleOf('sim "s" every 5s shape constant value 2 -> print\n'));
    const outcome = await device.run("import main\nmain.run()", { forMs: 59_000 });
    expect(outcome).toEqual({ kind: "time-limit" });
    expect(device.takeOutput()).toHaveLength(12);
  });
});

describe("deep sleep", () => {
  const flow =
    'device esp8266 {\n  wifi "lab", "pw"\n  deep_sleep\n}\nsim "s" every 10s shape constant value 1 -> mqtt "t"\n';

  it("publishes, disconnects cleanly and sleeps until the next sample, at every wake-up", async () => {
    await boot(bundleOf(flow));
    for (let wakeUp = 0; wakeUp < 3; wakeUp++) {
      const outcome = await device.run("import main\nmain.run()", { forMs: 60_000 });
      expect(outcome).toMatchObject({ kind: "halted", halt: { reason: "deepsleep" } });
      const sleepMs = outcome.kind === "halted" && outcome.halt.reason === "deepsleep" ? outcome.halt.sleepMs : null;
      // The WiFi association (1.5 s of virtual time) came out of the 10 s period.
      expect(sleepMs).toBeGreaterThan(8_000);
      expect(sleepMs).toBeLessThanOrEqual(10_000);
      expect(published()).toHaveLength(wakeUp + 1);
      // Closed, not lost: the broker would publish a last will for a vanished client.
      expect(device.mqtt.sessions.at(-1)!.state).toBe("closed");
      await device.reboot();
    }
    expect(await device.evaluate("__import__('machine').reset_cause()")).toBe(5);
  });

  it("says how many messages it could not send before each sleep while the broker is down", async () => {
    await boot(bundleOf(flow));
    device.mqtt.brokerDown = true;
    for (let wakeUp = 0; wakeUp < 2; wakeUp++) {
      const outcome = await device.run("import main\nmain.run()", { forMs: 60_000 });
      expect(outcome).toMatchObject({ kind: "halted", halt: { reason: "deepsleep" } });
      expect(device.takeOutput().filter((line) => line.startsWith("flowc:"))).toEqual([
        "flowc: wifi connected 192.168.1.42",
        "flowc: mqtt failed: [Errno 111] ECONNREFUSED",
        "flowc: mqtt not sent before sleeping: 1",
      ]);
      await device.reboot();
    }
    expect(published()).toEqual([]);
    device.mqtt.brokerDown = false;
  });

  it("warns that subscriptions see nothing while it sleeps (state is kept: deep-sleep.test.ts)", () => {
    const bundle = bundleOf(
      'device esp8266 {\n  wifi "lab", "pw"\n  deep_sleep\n}\nsim "s" every 10s -> avg over 6 -> mqtt "t"\nmqtt "cmd" -> print\n',
    );
    expect(bundle.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["W704", expect.stringContaining("receives no MQTT messages")],
    ]);
  });
});

describe("the watchdog", () => {
  const flow = (every: string) => `device esp8266 {\n  watchdog 5s\n}\ninterval ${every} -> print\n`;

  it("lets a flow that keeps cycling run, including waits longer than the timeout", async () => {
    for (const every of ["1s", "1min"]) {
      await boot(bundleOf(flow(every)));
      expect(await device.run("import main\nmain.run()", { forMs: 180_000 })).toEqual({ kind: "time-limit" });
      expect(device.halt).toBeNull();
      expect(device.takeOutput().length).toBeGreaterThanOrEqual(3);
    }
  });

  it("resets the board when step() has not run for longer than the timeout", async () => {
    await boot(bundleOf(flow("1s")));
    await device.setup();
    await device.step();
    // Stuck somewhere for 20 s: the check runs when the program next yields.
    const outcome = await device.run("import time\ntime.sleep_ms(20000)");
    expect(outcome).toMatchObject({ kind: "halted", halt: { reason: "reset" } });
    expect(device.takeOutput()).toContain("flowc: no progress for 5 s; resetting");
  });
});

describe("the clock", () => {
  const flow =
    'device esp8266 {\n  wifi "lab", "pw"\n  ntp "pool.ntp.org"\n}\nsim "s" every 10s shape constant value 1 -> mqtt "t"\n';
  const unixNow = () => ntpUnixTime + device.clock.nowUs / 1e6;
  const lastTimestamp = () => (JSON.parse(published().at(-1)!) as [string, number, number])[1];

  // The RTC keeps its time across resets, as on the board, so the failing case comes first.
  it("keeps sampling with seconds since boot while NTP fails, and retries it every minute", async () => {
    await boot(bundleOf(flow));
    device.ntp.fail = true;
    await device.setup();
    await device.step();
    // The RTC's own seconds (since 2000, counted from power-on here), not unix time.
    expect(lastTimestamp()).toBeCloseTo(device.clock.rtcSeconds(), -1);
    expect(lastTimestamp()).toBeLessThan(ntpUnixTime / 2);
    expect(device.takeOutput().some((line) => line.startsWith("flowc: ntp failed"))).toBe(true);
    device.ntp.fail = false;
    for (let i = 0; i < 7; i++) {
      device.advance(10_000);
      await device.step();
    }
    expect(lastTimestamp()).toBeCloseTo(unixNow(), -1);
    expect(device.takeOutput()).toContain("flowc: ntp ok again");
  });

  it("stamps events with unix seconds once NTP has set it", async () => {
    await boot(bundleOf(flow));
    await device.setup();
    await device.step();
    expect(lastTimestamp()).toBeCloseTo(unixNow(), -1);
  });
});

describe("WiFi and the broker session", () => {
  it("joins the saved network when the flow names none, with a warning at build time", async () => {
    const bundle = bundleOf('broker "10.0.0.2"\nsim "s" every 1s shape constant value 1 -> mqtt "t"\n');
    expect(bundle.diagnostics.map((d) => d.code)).toEqual(["W704"]);
    await boot(bundle);
    await device.setup();
    await device.step();
    expect(published()).toHaveLength(1);
  });

  it("runs the threshold-alerts example, which has no device block, on the board's saved network", async () => {
    const text = readFileSync(new URL("../../examples/threshold-alerts/alerts.flow", import.meta.url), "utf8");
    await boot(bundleOf(text));
    await device.setup();
    for (const [val, ts] of [
      [611, 1],
      [1500.5, 2],
      [1700, 3],
    ])
      device.mqtt.deliver("sensor-data", JSON.stringify(["lux-1", ts, val]));
    device.advance(100);
    await device.step();
    // 1500.5 is over the threshold; 1700 too, but within the throttle's minute.
    expect(device.mqtt.published.map((message) => [message.topic, message.qos])).toEqual([["alerts/lux", 1]]);
    expect(JSON.parse(published()[0]!)).toEqual({
      sensor_id: "lux-1",
      ts: expect.any(Number),
      level: "bright",
      lux: 1500.5,
    });
    expect(published()[0]).toMatch(/^\{"sensor_id": "lux-1", "ts": \d+, "level": "bright", "lux": 1500\.5\}$/);
  });

  it("says why WiFi failed, keeps sampling, and connects on a later try", async () => {
    await boot(
      bundleOf(
        'device esp8266 {\n  wifi "lab", "pw"\n}\nsim "s" every 5s shape constant value 1 -> [mqtt "t", print]\n',
      ),
    );
    device.wifi.failNextConnects(2);
    await device.setup();
    for (let i = 0; i < 6; i++) {
      device.advance(5_000);
      await device.step();
    }
    const lines = device.takeOutput();
    expect(lines).toContain("flowc: wifi failed: connection failed");
    expect(lines.filter((line) => line.startsWith("SensorEvent"))).toHaveLength(6);
    expect(published().length).toBeGreaterThanOrEqual(1);
  });

  it("wakes up in time to keep a short keepalive, however rarely it publishes", async () => {
    await boot(
      bundleOf('broker "h" keepalive 10s\ndevice esp8266 {\n  wifi "lab", "pw"\n}\ninterval 1min -> mqtt "t"\n'),
    );
    const earlier = device.mqtt.sessions.length;
    expect(await device.run("import main\nmain.run()", { forMs: 300_000 })).toEqual({ kind: "time-limit" });
    expect(device.mqtt.sessions.slice(earlier).map((session) => session.state)).toEqual(["open"]);
    expect(published()).toHaveLength(5);
  });

  it("reads subscribed messages within a fraction of a second, whatever the schedule", async () => {
    await boot(
      bundleOf('device esp8266 {\n  wifi "lab", "pw"\n}\nmqtt "cmd" -> print\nsim "s" every 10min -> print\n'),
    );
    await device.setup();
    for (let i = 0; i < 3; i++) {
      const outcome = await device.step();
      expect(outcome).toEqual({ kind: "returned", value: 200 });
      device.advance(200);
    }
    device.mqtt.deliver("cmd", "hello");
    await device.step();
    expect(device.takeOutput()).toContain("hello");
  });

  it("asks for a persistent session with `clean false`, and passes the last will", async () => {
    await boot(
      bundleOf(
        'broker "h" client_id "node-7" clean false will_topic "status/node-7" will_message "gone" will_qos 1 will_retain\n' +
          'device esp8266 {\n  wifi "lab", "pw"\n}\nsim "s" every 1s -> mqtt "t" qos 1\n',
      ),
    );
    await device.setup();
    const session = device.mqtt.sessions.at(-1)!;
    expect(session).toMatchObject({ clientId: "node-7", cleanSession: false });
    expect(session.will).toMatchObject({ topic: "status/node-7", qos: 1, retain: true });
  });
});
