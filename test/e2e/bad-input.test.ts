// Malformed payloads mixed into a stream of good ones, on aedes and mosquitto: `flowc run` with
// the tutorial's server writes every good message as a row, in order, counts each bad one in the
// stats of the stage that rejected it, reports them on stderr, and exits 0.
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  brokerKinds,
  runFlowc,
  startBroker,
  stopProcesses,
  tutorial,
  waitForRows,
  type TestBroker,
} from "./support.js";

/** Payloads `json as SensorEvent` must refuse, each for a different reason. */
const badPayloads: readonly (string | Buffer)[] = [
  Buffer.from([0xff, 0xfe, 0x5b, 0x22]), // not UTF-8
  Buffer.from('["lux-\xc3", 1, 2]', "latin1"), // a truncated UTF-8 sequence inside otherwise good JSON
  "hi, there", // the tutorial's first test message
  '["lux-1", 611, 284.1312', // cut short
  "",
  "null",
  "42",
  '["lux-1", 611]', // too few values
  '["lux-1", 611, 284.1312, 9]', // too many
  '["lux-1", "611", 284.1312]', // a string where a number belongs
  "[7, 611, 284.1312]", // a number where the id belongs
  '{"sensor_id": "lux-1", "ts": 611}', // a field missing
  '{"sensor_id": "lux-1", "ts": 611, "val": "bright"}',
];

/** The good events: both wire forms, ids and values that CSV must quote or keep exactly. */
function goodPayload(i: number): { payload: string; id: string; value: string } {
  const id = i % 7 === 3 ? `lux, "${i}"` : `lux-${i}`;
  const value = i % 5 === 0 ? -i / 8 : i + 0.25;
  const payload =
    i % 2 === 0 ? JSON.stringify([id, 600 + i, value]) : JSON.stringify({ sensor_id: id, ts: 600 + i, val: value });
  const quoted = /[",]/.test(id) ? `"${id.replace(/"/g, '""')}"` : id;
  return { payload, id: quoted, value: String(value) };
}

describe.each(brokerKinds)("bad input on $kind", ({ kind, available }) => {
  let broker: TestBroker;
  let folder: string;
  beforeAll(async () => {
    if (available) broker = await startBroker(kind);
  });
  afterAll(() => broker?.dispose());
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), "flowc-e2e-bad-"));
    // Paths in a flow are relative to its file: the server's test.csv goes next to this copy.
    await copyFile(join(tutorial, "server.flow"), join(folder, "server.flow"));
  });
  afterEach(async () => {
    await stopProcesses();
    await rm(folder, { recursive: true, force: true });
  });

  it.skipIf(!available)("loses no good row among malformed payloads, and counts every bad one", async () => {
    const server = runFlowc(["run", "server.flow", "--broker", broker.url, "--stats"], {
      cwd: folder,
    });
    await server.live();

    const good = Array.from({ length: 400 }, (_, i) => goodPayload(i));
    const publisher = await mqtt.connectAsync(broker.url);
    let bad = 0;
    for (const [i, { payload }] of good.entries()) {
      // Several bad payloads between good ones, every kind many times over.
      if (i % 3 === 0) {
        await publisher.publishAsync("sensor-data", badPayloads[bad % badPayloads.length]!, { qos: 1 });
        bad++;
      }
      await publisher.publishAsync("sensor-data", payload, { qos: 1 });
    }
    await publisher.endAsync();

    const rows = await waitForRows(join(folder, "test.csv"), good.length);
    server.child.kill("SIGINT");
    expect(await server.finished).toEqual({ code: 0, signal: null });

    // Quoted ids hold a comma: compare whole lines' ends instead of split fields.
    expect(rows.map((fields) => fields.slice(2).join(","))).toEqual(good.map(({ id, value }) => `${id},${value}`));

    // The stats printed at the end: bytes that are not UTF-8 never become text, so the mqtt
    // source drops them; the json stage drops the rest of the bad payloads.
    const notText = Array.from({ length: bad }, (_, i) => i % badPayloads.length).filter((kind) => kind < 2).length;
    const table = server
      .stderr()
      .split(/^stage +in +out +dropped +errors +out\/s$/m)
      .at(-1)!;
    const counts = (stage: string) =>
      new RegExp(`^n\\d ${stage.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} +(\\d+) +(\\d+) +(\\d+) +(\\d+)`, "m")
        .exec(table)
        ?.slice(1)
        .map(Number);
    expect(counts('mqtt "sensor-data"')).toEqual([0, good.length + bad - notText, notText, 0]);
    expect(counts("json as SensorEvent")).toEqual([good.length + bad - notText, good.length, bad - notText, 0]);
    expect(counts('csv "test.csv"')).toEqual([good.length, 0, 0, 0]);
    // Reported, rate-limited, each with a sample: the first of each kind at once.
    expect(server.stderr()).toMatch(/\[mqtt "sensor-data"\] warning: dropped a malformed payload \(not UTF-8\)/);
    expect(server.stderr()).toMatch(
      /\[json as SensorEvent\] warning: dropped a malformed payload \(not JSON\): "hi, there"/,
    );
  });
});
