// The influx sink against a real InfluxDB 1.x server (test/support/influxdb.ts starts one): line
// protocol as the tutorial's ThingFlow script wrote it, batches, and the faults (server away at
// start and mid-stream, wrong credentials, a missing database, a refused value), each one clear
// line with nothing lost. The QoS 1 chain is in test/e2e/databases.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { locatedDiagnostics } from "../../test/support/catalogue.js";
import { BoolType, IntType, NumberType, SensorEvent, StringType, type RecordType } from "../../compiler/types.js";
import { influxAvailable, influxMissing, startInflux, type InfluxServer } from "../../test/support/influxdb.js";
import { sensorEvent, startFlow } from "../testing.js";
import { pointFormat } from "./node.js";

const diagnostics = (text: string) => locatedDiagnostics(text, { target: "node" });

describe("influx declaration", () => {
  const prefix = 'mqtt "t" -> json as SensorEvent -> influx "http://127.0.0.1:8086"';

  it("needs a database or a bucket, and one API's options", () => {
    expect(diagnostics(prefix)).toEqual([
      {
        code: "E404",
        message: "`influx` needs `database` (InfluxDB 1.x) or `bucket` (InfluxDB 2.x and 3.x)",
        line: 1,
        column: 36,
      },
    ]);
    expect(diagnostics(`${prefix} database "s" token "t"`)[0]).toMatchObject({
      code: "E405",
      message: "`token` is for InfluxDB 2.x and 3.x, `database` for 1.x: give one API's options",
    });
    expect(diagnostics(`${prefix} bucket "s"`)[0]).toMatchObject({
      code: "E404",
      message: expect.stringContaining("`bucket` needs `token`"),
    });
  });

  it("checks tags and fields against the schema", () => {
    expect(diagnostics(`${prefix} database "s" tags "sensor"`)).toEqual([
      {
        code: "E302",
        message: "`tags` names `sensor`, which is not a field of `SensorEvent`",
        line: 1,
        column: 80,
      },
    ]);
    expect(diagnostics(`${prefix} database "s" tags "sensor_id" fields "val, sensor_id"`)[0]).toMatchObject({
      code: "E405",
      message: "`sensor_id` is in both `tags` and `fields`",
    });
  });

  it("takes numbers and records, not text", () => {
    expect(diagnostics('mqtt "t" -> influx "http://x" database "s"')[0]).toMatchObject({ code: "E406" });
    expect(diagnostics('sim every 1s -> map val -> influx "http://x" database "s"')).toEqual([]);
  });
});

describe("pointFormat", () => {
  it("writes SensorEvent as the tutorial did: tag sensor_id, fields val and ts, time from ts", () => {
    expect(
      pointFormat(SensorEvent, { measurement: "lux" }).line(sensorEvent("lux-1", 1484535480.613611, 371.6), 0),
    ).toBe("lux,sensor_id=lux-1 ts=1484535480.613611,val=371.6 1484535480613611");
  });

  it("escapes names and strings, types ints and bools, leaves out empty tags and NaN fields", () => {
    const type: RecordType = {
      kind: "record",
      name: "Room",
      fields: [
        { name: "room name", type: StringType },
        { name: "site", type: StringType },
        { name: "n", type: IntType },
        { name: "ok", type: BoolType },
        { name: "note", type: StringType },
        { name: "level", type: NumberType },
      ],
    };
    const format = pointFormat(type, { measurement: "my rooms,1", tags: ["room name", "site"] });
    expect(
      format.line({ "room name": "a=b, c", site: "", n: 3, ok: true, note: 'say "hi" \\', level: NaN }, 2000),
    ).toBe('my\\ rooms\\,1,room\\ name=a\\=b\\,\\ c n=3i,ok=true,note="say \\"hi\\" \\\\" 2000000');
    expect(format.line({ "room name": "a", site: "b", n: NaN, ok: undefined, level: Infinity }, 0)).toEqual({
      problem: "no field has a value InfluxDB can store (NaN, infinite or missing)",
    });
  });

  it("numbers: one `value` field at the time of writing", () => {
    expect(pointFormat(NumberType, { measurement: "lux" }).line(2.5, 1000.5)).toBe("lux value=2.5 1000500");
  });
});

describe.skipIf(!influxAvailable)("influx sink on a real server", () => {
  let influx: InfluxServer;
  let databases = 0;
  /** A fresh database per test. */
  const database = async () => {
    const name = `sensors_${++databases}`;
    await influx.query(`CREATE DATABASE "${name}"`);
    return name;
  };

  beforeAll(async () => {
    influx = await startInflux();
  }, 60_000);
  afterAll(async () => {
    await influx?.dispose();
  });

  const sink = (db: string, options = "") =>
    `feed -> influx "${influx.url}" database "${db}" measurement "lux" username "admin" password "${influx.password}" ${options}`;

  it("writes every event as a point, in batches", async () => {
    const db = await database();
    const flow = startFlow(sink(db, "batch 100"));
    for (let i = 0; i < 1000; i++) flow.feed().next(sensorEvent(`lux-${i % 3}`, 1_700_000_000 + i / 10, i));
    await flow.finish();
    const points = await influx.points(db, "lux");
    expect(points).toHaveLength(1000);
    expect(points[1]).toEqual({ time: "2023-11-14T22:13:20.1Z", sensor_id: "lux-1", ts: 1700000000.1, val: 1 });
    expect(flow.log).toEqual([]);
  });

  it("a point written twice is one point", async () => {
    const db = await database();
    for (let run = 0; run < 2; run++) {
      const flow = startFlow(sink(db));
      flow.feed().next(sensorEvent("lux-1", 1, 10));
      flow.feed().next(sensorEvent("lux-1", 2, 20));
      await flow.finish();
    }
    expect(await influx.points(db, "lux")).toHaveLength(2);
  });

  it("empty input: nothing written, no complaint", async () => {
    const db = await database();
    const flow = startFlow(sink(db));
    await flow.finish();
    expect(await influx.points(db, "lux")).toEqual([]);
    expect(flow.log).toEqual([]);
  });

  it("wrong credentials end the flow at start with one line", async () => {
    const db = await database();
    const flow = startFlow(`feed -> influx "${influx.url}" database "${db}" username "admin" password "nope"`);
    await expect(flow.graph.done).rejects.toThrow(
      /^influx database "sensors_\d+" at 127\.0\.0\.1:\d+ refused the credentials \(authorization failed\); check `username`\/`password` or `token`$/,
    );
  });

  it("a missing database ends the flow, saying to create it", async () => {
    const flow = startFlow(sink("nowhere"));
    await expect(flow.graph.done).rejects.toThrow(/database not found: "nowhere"; create it first/);
  });

  it("a value the measurement refuses: that point is reported and counted, the others written", async () => {
    const db = await database();
    // Field types hold per shard (a week of time): in the week of ts 0, `val` is text from now on.
    const response = await fetch(`${influx.url}/write?db=${db}&u=admin&p=${influx.password}`, {
      method: "POST",
      body: 'lux,sensor_id=x val="text" 0',
    });
    expect(response.status).toBe(204);
    const flow = startFlow(sink(db));
    for (const ts of [1_700_000_000, 5, 1_700_000_001, 6, 1_700_000_002]) flow.feed().next(sensorEvent("a", ts, ts));
    await flow.finish();
    const numbers = (await influx.points(db, "lux")).filter((point) => typeof point.val === "number");
    expect(numbers.map((point) => point.ts)).toEqual([1_700_000_000, 1_700_000_001, 1_700_000_002]);
    expect(flow.stats("influx").dropped).toBe(2);
    expect(flow.log.join("")).toMatch(
      /warning: dropped a point the database refused \(partial write: field type conflict: input field "val" on measurement "lux" is type float, already exists as type string dropped=1\): "lux,sensor_id=a ts=5,val=5 5000000"/,
    );
  });

  it("a server away at start and mid-stream: points wait, one line each way, none lost", async () => {
    const db = await database();
    await influx.stop();
    const flow = startFlow(sink(db));
    for (let i = 0; i < 50; i++) flow.feed().next(sensorEvent("a", i, i));
    await until(() => flow.log.some((line) => line.includes("cannot reach")));
    await influx.restart();
    await until(async () => (await influx.points(db, "lux")).length === 50, 20_000);
    await influx.stop();
    for (let i = 50; i < 100; i++) flow.feed().next(sensorEvent("a", i, i));
    await new Promise((resolve) => setTimeout(resolve, 800));
    await influx.restart();
    await flow.finish();
    expect(await influx.points(db, "lux")).toHaveLength(100);
    const log = flow.log.join("");
    expect(log.match(/warning: cannot reach influx database/g)).toHaveLength(2);
    expect(log.match(/is back; writing the rows that waited/g)).toHaveLength(2);
  }, 60_000);
});

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

if (!influxAvailable) console.warn(influxMissing);
