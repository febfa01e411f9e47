// Every operator that runs on the board, fed the same SensorEvents on the board (real MicroPython,
// through MQTT and `json as SensorEvent`) and on the host (the Node implementation): the two must
// emit the same events, for an empty input, a single event, many, many mixed with bad payloads,
// and a stream that never ends (with the heap measured while it runs).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sensorEvent, startFlow } from "../../components/testing.js";
import { deviceMaxKeysPerWindow } from "../../components/window/micropython.js";
import { MicroPythonDevice } from "./simulator/board.js";
import { loadBundleIntoDevice } from "./testing.js";
import { buildEsp8266Bundle, compile } from "../../test/support/catalogue.js";

type Event = ReturnType<typeof sensorEvent>;

/** Operators whose output depends on events alone (throttle and clock windows are in bundle.test.ts). */
const operators = [
  "map val * 2 - ts",
  'filter val > 40 and sensor_id == "a"',
  "set val = val * 2 + 1, ts = ts + 1",
  "take 3",
  "skip 3",
  "scan acc = 0, acc + val",
  "avg over 3",
  "min over 3",
  "max over 3",
  "sum over 3",
  "count over 3",
  "median over 4",
  "count over 3 of ts",
  "avg over 10s on ts",
  "max over 4s on ts lateness 3s",
  "median over 5s on ts",
  "count over 7s on ts",
  "moving_avg 3",
  "moving_avg 2 by val",
  "throttle 3s on ts",
  "delta 10",
  "delta 10 by sensor_id",
  "calibrate scale 2 offset -1",
  "to_json",
];

/** Values with repeats, negatives, integers and fractions, so deltas and windows have work. */
function events(count: number): Event[] {
  return Array.from({ length: count }, (_, i) =>
    sensorEvent(i % 3 === 2 ? "b" : "a", 100 + i, i % 5 === 0 ? 42 : Math.round(((i * 37) % 101) * 25 - 900) / 10),
  );
}

/** Payloads `json as SensorEvent` rejects on both sides: the flow must drop them and go on. */
const badPayloads = ["not json", '["x", 1]', '{"sensor_id": 5, "ts": 1, "val": 2}', '["x", 1, "high"]', ""];

const shapes: { name: string; events: Event[]; bad?: boolean }[] = [
  { name: "empty input", events: [] },
  { name: "a single event", events: events(1) },
  { name: "many events", events: events(24) },
  { name: "events mixed with bad payloads", events: events(12), bad: true },
];

/** What the host's implementation emits for `events`, before the stream ends (the board's never does). */
function onHost(operator: string, input: readonly Event[]): unknown[] {
  const flow = startFlow(`feed -> ${operator} -> capture`);
  for (const event of input) flow.feed().next(event);
  const emitted = [...flow.capture().events];
  void flow.finish();
  return emitted;
}

/** Numbers to 10 significant digits, SensorEvent arrays as objects: both sides' events alike. */
function normalise(value: unknown): unknown {
  if (typeof value === "number") return Number(value.toPrecision(10));
  if (Array.isArray(value) && value.length === 3 && typeof value[0] === "string")
    return normalise({ sensor_id: value[0], ts: value[1], val: value[2] });
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, normalise(item)]));
  return value;
}

let device: MicroPythonDevice;
beforeAll(async () => {
  device = await MicroPythonDevice.create({ wifi: {} });
});
afterAll(() => device.close());

async function boot(operator: string): Promise<void> {
  const text = `device esp8266 {\n  wifi "lab", "pw"\n}\nmqtt "in" -> json as SensorEvent -> ${operator} -> mqtt "out"\n`;
  const result = compile([{ path: "op.flow", text }], { target: "esp8266" });
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const bundle = buildEsp8266Bundle(result.programs[0]!, { env: {} });
  // W705 marks `scan acc = 0, acc + val` as a float running sum: a fact about the board, not a fault.
  expect(bundle.diagnostics.filter((d) => d.code !== "W705")).toEqual([]);
  await loadBundleIntoDevice(bundle.files, device);
  await device.setup();
  device.mqtt.published.length = 0;
  device.takeOutput();
}

const tuple = (event: Event) => JSON.stringify([event.sensor_id, event.ts, event.val]);

/** Steps until every delivered message was read (the board reads a few per step). */
async function drain(): Promise<void> {
  for (let i = 0; i < 10; i++) {
    device.advance(100);
    await device.step();
  }
}

/** The board's output: text for `to_json` (compared byte for byte), parsed JSON otherwise. */
function onBoard(operator: string): unknown[] {
  return device.mqtt.published.map((message) => (operator === "to_json" ? message.text : JSON.parse(message.text)));
}

describe.each(operators)("%s on the board", (operator) => {
  it.each(shapes)("emits what the host emits for $name", async ({ events: input, bad }) => {
    await boot(operator);
    input.forEach((event, i) => {
      device.mqtt.deliver("in", tuple(event));
      if (bad) device.mqtt.deliver("in", badPayloads[i % badPayloads.length]!);
    });
    await drain();
    expect(normalise(onBoard(operator))).toEqual(normalise(onHost(operator, input)));
    const faults = device.takeOutput().filter((line) => line.includes("failed"));
    if (bad) expect(faults.length).toBeGreaterThanOrEqual(1);
    else expect(faults).toEqual([]);
  });

  it("keeps up with a stream that never ends, in constant heap", async () => {
    await boot(operator);
    const input = events(300);
    const heapAfter: number[] = [];
    for (const [i, event] of input.entries()) {
      device.mqtt.deliver("in", tuple(event));
      device.advance(1_000);
      await device.step();
      if (i === 99 || i === 299) {
        const reading = device.heap();
        heapAfter.push(reading.used - reading.qstrBytes);
      }
    }
    expect(normalise(onBoard(operator))).toEqual(normalise(onHost(operator, input)));
    expect(heapAfter[1]! - heapAfter[0]!).toBeLessThanOrEqual(256);
  });
});

describe("windows on the board, beyond what the host's shapes reach", () => {
  it("drops a late event (its window closed) and says so, as the host does", async () => {
    const operator = "sum over 10s on ts lateness 2s";
    await boot(operator);
    const input = [100, 105, 113, 104, 111, 109, 125, 90].map((ts, i) => sensorEvent(i % 2 ? "a" : "b", ts, i + 1));
    for (const event of input) device.mqtt.deliver("in", tuple(event));
    await drain();
    const host = onHost(operator, input);
    expect(host).toHaveLength(3);
    expect(normalise(onBoard(operator))).toEqual(normalise(host));
    expect(device.takeOutput().filter((line) => line.includes("late event"))).toHaveLength(1);
  });

  it(`closes the oldest key's window early past ${deviceMaxKeysPerWindow} keys`, async () => {
    await boot("count over 2");
    const input = Array.from({ length: deviceMaxKeysPerWindow + 3 }, (_, i) => sensorEvent(`id-${i}`, i, 1));
    for (const event of input) device.mqtt.deliver("in", tuple(event));
    await drain();
    expect(onBoard("count over 2")).toEqual(["id-0", "id-1", "id-2"].map((id, i) => [id, i, 1]));
  });
});
