// `ticks_ms()` wraps (every 2**30 ms, 12.4 days, on the ESP8266), and a tick count kept for more
// than half that period compares as in the future. This board's counter wraps every 65.5 s, so a
// run of a few virtual minutes goes through both many times.
import { afterAll, beforeAll, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";
import { MicroPythonDevice } from "./simulator/board.js";
import { buildEsp8266Bundle } from "./build.js";
import { loadBundleIntoDevice } from "./testing.js";

const ticksPeriod = 2 ** 16;
let device: MicroPythonDevice;
beforeAll(async () => {
  device = await MicroPythonDevice.create({
    wifi: { ssid: "lab", password: "pw" },
    clock: { ticksPeriod, ticksStartMs: ticksPeriod - 3_000 },
  });
});
afterAll(() => device.close());

async function boot(text: string): Promise<void> {
  const result = compile([{ path: "wrap.flow", text }], { target: "esp8266" });
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const bundle = buildEsp8266Bundle(result.programs[0]!, { env: {} });
  await loadBundleIntoDevice(bundle.files, device);
  device.mqtt.published.length = 0;
  await device.setup();
  device.takeOutput();
}

/** Runs steps as the forever loop would: each after the wait the previous one asked for. */
async function runFor(ms: number): Promise<void> {
  for (let elapsed = 0; elapsed < ms;) {
    const outcome = await device.step();
    const wait = outcome.kind === "returned" ? Number(outcome.value) : 0;
    expect(wait).toBeGreaterThanOrEqual(0);
    device.advance(Math.max(wait, 1));
    elapsed += Math.max(wait, 1);
  }
}

const wifi = 'device esp8266 {\n  wifi "lab", "pw"\n}\n';

it("keeps the schedule aligned across wraps: every sample, 5 s apart", async () => {
  await boot(`${wifi}sim "s" every 5s shape constant value 1 -> mqtt "t"\n`);
  await runFor(600_000);
  const times = device.mqtt.published.map((message) => message.atMs);
  expect(times.length).toBeGreaterThanOrEqual(119);
  expect(new Set(times.slice(1).map((t, i) => t - times[i]!))).toEqual(new Set([5_000]));
});

it("reconnects promptly to a broker lost after a connection older than half the period", async () => {
  await boot(`${wifi}sim "s" every 5s shape constant value 1 -> mqtt "t"\n`);
  await runFor(120_000);
  device.mqtt.dropConnections();
  const before = device.mqtt.published.length;
  // The tick count is now 14 s short of wrapping: waiting for the wrap would publish nothing.
  await runFor(10_000);
  expect(device.mqtt.published.length - before).toBeGreaterThanOrEqual(2);
});

it("lets a throttled stream through after a silence longer than half the period", async () => {
  // 0 and 2 pass, 10 s apart; then nothing until 10, 40 s after 2: past half the period.
  await boot(`interval 5s -> filter it < 3 or it > 9 -> throttle 10s -> print\n`);
  await runFor(75_000);
  expect(device.takeOutput()).toEqual(["0", "2", "10", "12", "14"]);
});
