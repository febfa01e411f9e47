// The postgres sink against a real PostgreSQL server (test/support/postgres.ts starts one): rows
// arrive, the table is checked and created, a key makes redelivery harmless, and every fault
// (server away at start or mid-stream, wrong password, missing table, a refused value) is one
// clear line with nothing lost. The QoS 1 chain (acknowledged only once the row is stored) is in
// test/e2e/databases.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compile, locatedDiagnostics } from "../../test/support/catalogue.js";
import { IntType, SensorEvent, StringType, type RecordType } from "../../compiler/types.js";
import { startPostgres, postgresAvailable, postgresMissing, type Postgres } from "../../test/support/postgres.js";
import { sensorEvent, startFlow } from "../testing.js";
import { createTableStatement, insertStatement, tableMismatches } from "./node.js";

describe("postgres declaration", () => {
  const diagnostics = (text: string) => locatedDiagnostics(text, { target: "node" });

  it("checks the key's fields against the schema, at the parameter", () => {
    expect(
      diagnostics('mqtt "t" -> json as SensorEvent -> postgres "postgres://x" table "r" key "sensor_id, tss"'),
    ).toEqual([
      {
        code: "E302",
        message: "`key` names `tss`, which is not a field of `SensorEvent`",
        line: 1,
        column: 70,
      },
    ]);
  });

  it("takes records only, and is not for the device", () => {
    expect(diagnostics('sim every 1s -> map val -> postgres "postgres://x" table "r"')[0]).toMatchObject({
      code: "E406",
      message: expect.stringContaining("inserts records"),
    });
    const device = compile([{ path: "d.flow", text: 'tsl2591 every 1s -> postgres "postgres://x" table "r"' }], {
      target: "esp8266",
    }).diagnostics;
    expect(device[0]).toMatchObject({ code: "E501" });
  });
});

describe("postgres statements", () => {
  const columns = [
    { name: "sensor_id", type: "text", fullType: "text", required: false },
    { name: "ts", type: "timestamp with time zone", fullType: "timestamp with time zone", required: true },
    { name: "val", type: "double precision", fullType: "double precision", required: false },
  ];

  it("inserts a batch as one statement of arrays, converting unix seconds for a timestamp column", () => {
    expect(
      insertStatement("iot.readings", SensorEvent, new Map(columns.map((c) => [c.name, c])), ["sensor_id", "ts"]),
    ).toBe(
      'INSERT INTO "iot"."readings" ("sensor_id", "ts", "val") SELECT "sensor_id", to_timestamp("ts"), "val" FROM unnest($1::text[], $2::float8[], $3::float8[]) AS t("sensor_id", "ts", "val") ON CONFLICT ("sensor_id", "ts") DO NOTHING',
    );
  });

  it("creates a column per field, the key as primary key", () => {
    expect(createTableStatement("readings", SensorEvent, ["sensor_id", "ts"])).toBe(
      'CREATE TABLE IF NOT EXISTS "readings" ("sensor_id" text NOT NULL, "ts" double precision NOT NULL, "val" double precision, PRIMARY KEY ("sensor_id", "ts"))',
    );
  });

  it("names every mismatch between the table and the schema", () => {
    const counted: RecordType = {
      kind: "record",
      name: "Count",
      fields: [
        { name: "Room", type: StringType },
        { name: "n", type: IntType },
      ],
    };
    expect(
      tableMismatches(
        '"counts"',
        counted,
        [
          { name: "room", type: "text", fullType: "text", required: false },
          { name: "n", type: "boolean", fullType: "boolean", required: false },
          { name: "site", type: "text", fullType: "text", required: true },
        ],
        ["n"],
        [["room"]],
      ),
    ).toEqual([
      'it has no column "Room" for field `Room` (there is "room": column names are case-sensitive when quoted)',
      'column "n" is boolean, which cannot take field `n` (a int; use bigint, integer, smallint)',
      'column "site" is NOT NULL without a default, and no field fills it',
      'it has no unique index on (n) for `key`: CREATE UNIQUE INDEX ON "counts" ("n")',
    ]);
    expect(tableMismatches('"r"', SensorEvent, columns, ["sensor_id", "ts"], [["ts", "sensor_id"]])).toEqual([]);
  });
});

describe.skipIf(!postgresAvailable)("postgres sink on a real server", () => {
  let pg: Postgres;
  let tables = 0;
  /** A fresh table name per test. */
  const table = () => `readings_${++tables}`;
  const count = (name: string) => Number(pg.sql(`SELECT count(*) FROM ${name}`));

  beforeAll(async () => {
    pg = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await pg?.dispose();
  });

  const sink = (name: string, options = "create") => `feed -> postgres "${pg.url}" table "${name}" ${options}`;

  it("creates the table and inserts every event, in batches", async () => {
    const name = table();
    const flow = startFlow(sink(name, 'create key "sensor_id, ts" batch 100'));
    for (let i = 0; i < 1000; i++) flow.feed().next(sensorEvent(`lux-${i % 3}`, 1_700_000_000 + i / 10, i));
    await flow.finish();
    expect(count(name)).toBe(1000);
    expect(pg.sql(`SELECT sensor_id, ts, val FROM ${name} ORDER BY ts LIMIT 2`)).toBe(
      "lux-0|1700000000|0\nlux-1|1700000000.1|1",
    );
    expect(flow.log).toEqual([]);
  });

  it("with a key, a delivery twice adds nothing", async () => {
    const name = table();
    for (let run = 0; run < 2; run++) {
      const flow = startFlow(sink(name, 'create key "sensor_id, ts"'));
      flow.feed().next(sensorEvent("lux-1", 1, 10));
      flow.feed().next(sensorEvent("lux-1", 1, 10));
      flow.feed().next(sensorEvent("lux-1", 2, 20));
      await flow.finish();
    }
    expect(count(name)).toBe(2);
  });

  it("writes into an existing table with a timestamp column and a default", async () => {
    const name = table();
    pg.sql(
      `CREATE TABLE ${name} (id serial PRIMARY KEY, sensor_id varchar(20), ts timestamptz NOT NULL, val real, note text DEFAULT 'x')`,
    );
    const flow = startFlow(sink(name, ""));
    flow.feed().next(sensorEvent("lux-1", 1484535480.5, 371.5));
    await flow.finish();
    expect(pg.sql(`SELECT sensor_id, extract(epoch FROM ts), val, note FROM ${name}`)).toBe(
      "lux-1|1484535480.500000|371.5|x",
    );
  });

  it("empty input: the table is checked, nothing written", async () => {
    const name = table();
    const flow = startFlow(sink(name));
    await flow.finish();
    expect(count(name)).toBe(0);
  });

  it("a missing table ends the flow with one line saying how to create it", async () => {
    const flow = startFlow(sink("no_such_table", ""));
    await expect(flow.graph.done).rejects.toThrow(
      /postgres table "no_such_table" at 127\.0\.0\.1:\d+\/flowc: the table does not exist; create it, or add `create` to the sink \(CREATE TABLE/,
    );
  });

  it("a table that does not fit names each mismatch", async () => {
    const name = table();
    pg.sql(`CREATE TABLE ${name} (sensor_id text, ts double precision, val text)`);
    const flow = startFlow(sink(name, 'key "sensor_id, ts"'));
    await expect(flow.graph.done).rejects.toThrow(
      `does not fit SensorEvent: column "val" is text, which cannot take field \`val\` (a number; use double precision, real, numeric); it has no unique index on (sensor_id, ts)`,
    );
  });

  it("a wrong password ends the flow at start, saying what to check, without the password", async () => {
    const flow = startFlow(`feed -> postgres "${pg.urlWith({ password: "wrong-pw" })}" table "r" create`);
    const failure = await flow.graph.done.then(
      () => undefined,
      (error: Error) => error.message,
    );
    expect(failure).toMatch(
      /password authentication failed for user "flowc"; check the user name and password in the connection URL$/,
    );
    expect(failure).not.toContain("wrong-pw");
  });

  it("a value the column refuses: that row is reported and counted, the others inserted", async () => {
    const name = table();
    pg.sql(`CREATE TABLE ${name} (sensor_id varchar(5), ts double precision, val double precision CHECK (val >= 0))`);
    const flow = startFlow(sink(name, ""));
    const events = [
      sensorEvent("a", 1, 1),
      sensorEvent("much-too-long", 2, 2),
      sensorEvent("b", 3, 3),
      sensorEvent("c", 4, -1),
      sensorEvent("d", 5, 5),
    ];
    for (const event of events) flow.feed().next(event);
    await flow.finish();
    expect(pg.sql(`SELECT sensor_id FROM ${name} ORDER BY ts`)).toBe("a\nb\nd");
    expect(flow.stats("postgres").dropped).toBe(2);
    expect(flow.log.join("")).toMatch(
      /warning: dropped a row the database refused \(value too long for type character varying\(5\)\): \{"sensor_id":"much-too-long"/,
    );
  });

  it("a server away at start and mid-stream: rows wait, one line each way, none lost", async () => {
    const name = table();
    pg.sql(`CREATE TABLE ${name} (sensor_id text, ts double precision, val double precision)`);
    await pg.stop();
    const flow = startFlow(sink(name, ""));
    for (let i = 0; i < 50; i++) flow.feed().next(sensorEvent("a", i, i));
    await until(() => flow.log.some((line) => line.includes("cannot reach")));
    await pg.restart();
    await until(() => count(name) === 50, 20_000).catch(() => {});
    expect(count(name)).toBe(50);
    await pg.stop();
    for (let i = 50; i < 100; i++) flow.feed().next(sensorEvent("a", i, i));
    await new Promise((resolve) => setTimeout(resolve, 800));
    await pg.restart();
    await flow.finish();
    expect(count(name)).toBe(100);
    const log = flow.log.join("");
    expect(log.match(/warning: cannot reach postgres table/g)).toHaveLength(2);
    expect(log).toMatch(/rows wait for it, retrying with backoff up to every 30s/);
    expect(log.match(/is back; writing the rows that waited/g)).toHaveLength(2);
  }, 60_000);

  it("stopped while the server is away: the flow fails counting the rows it could not write", async () => {
    const name = table();
    pg.sql(`CREATE TABLE ${name} (sensor_id text, ts double precision, val double precision)`);
    await pg.stop();
    try {
      const flow = startFlow(sink(name, ""), {});
      for (let i = 0; i < 7; i++) flow.feed().next(sensorEvent("a", i, i));
      await expect(flow.finish()).rejects.toThrow(
        /^7 row\(s\) could not be written to postgres table .*connection refused/,
      );
    } finally {
      await pg.restart();
    }
  }, 30_000);
});

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

if (!postgresAvailable) console.warn(postgresMissing);
