// Numbers behave the same on the host and the board: a payload with a number that is not finite
// is malformed input on both, and a division or remainder by zero drops the event as a failure of
// its stage on both, with the stage named; the flow goes on with the next event.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildEsp8266Bundle, compile } from "../../test/support/catalogue.js";
import { startFlow } from "../../components/testing.js";
import { MicroPythonDevice } from "./simulator/board.js";
import { loadBundleIntoDevice } from "./testing.js";

const payloads = ['["a", 1, 5]', '["bad-inf", 611, 1e999]', '["a", 2, 0]', '["nan", 3, -1e999]', '["a", 4, 2]'];
const operators = ["map { q: 10 / val }", "map { r: 7 % val }", "filter 1 / val > 0.1"];

/** The host: `json as SensorEvent` then the operator, fed the same payload texts. */
async function onHost(operator: string) {
  const flow = startFlow(`feed type string -> json as SensorEvent -> ${operator} -> capture`);
  for (const payload of payloads) flow.feed().next(payload);
  await flow.finish();
  return {
    events: flow.capture().events,
    rejected: flow.stats("json").errors + flow.stats("json").dropped,
    failed: flow.stats(operator.split(" ")[0]!).errors,
    log: flow.log.join(""),
  };
}

let device: MicroPythonDevice;
beforeAll(async () => {
  device = await MicroPythonDevice.create({ wifi: {} });
});
afterAll(() => device.close());

async function onBoard(operator: string) {
  const text = `device esp8266 {\n  wifi "lab", "pw"\n}\nmqtt "in" -> json as SensorEvent -> ${operator} -> mqtt "out"\n`;
  const result = compile([{ path: "n.flow", text }], { target: "esp8266" });
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  await loadBundleIntoDevice(buildEsp8266Bundle(result.programs[0]!, { env: {} }).files, device);
  await device.setup();
  device.mqtt.published.length = 0;
  device.takeOutput();
  for (const payload of payloads) device.mqtt.deliver("in", payload);
  for (let i = 0; i < 10; i++) {
    device.advance(100);
    await device.step();
  }
  return {
    events: device.mqtt.published.map((message) => JSON.parse(message.text) as unknown),
    faults: device.takeOutput().filter((line) => line.includes("failed")),
  };
}

describe.each(operators)("%s", (operator) => {
  it("drops non-finite payloads and events that divide by zero, on the host", async () => {
    const host = await onHost(operator);
    expect(host.rejected).toBe(2);
    expect(host.failed).toBe(1);
    expect(host.events).toHaveLength(2);
    expect(host.log).toContain(`[${operator}]`);
    expect(host.log).toMatch(/by zero/);
  });

  it("emits on the board what the host emits, naming the stage that divided by zero", async () => {
    const host = await onHost(operator);
    const board = await onBoard(operator);
    const asObject = (event: unknown) =>
      Array.isArray(event) ? { sensor_id: event[0], ts: event[1], val: event[2] } : event;
    expect(board.events.map(asObject)).toEqual(host.events.map(asObject));
    expect(board.faults.some((line) => line.includes(operator) && /zero/.test(line))).toBe(true);
    expect(board.faults.some((line) => line.includes("json as SensorEvent"))).toBe(true);
  });
});

describe("CSV replay", () => {
  it("refuses Infinity and 1e999 like NaN", async () => {
    const { mkdtemp, writeFile, rm } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const folder = await mkdtemp(join(tmpdir(), "flowc-numbers-"));
    const path = join(folder, "in.csv");
    await writeFile(path, "sensor_id,ts,val\na,1,5\nb,2,Infinity\nc,3,1e999\nd,4,NaN\ne,5,-Infinity\nf,6,7\n");
    try {
      const flow = startFlow(`csv ${JSON.stringify(path)} as SensorEvent -> capture`);
      await flow.finish();
      expect(flow.capture().events).toEqual([
        { sensor_id: "a", ts: 1, val: 5 },
        { sensor_id: "f", ts: 6, val: 7 },
      ]);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
