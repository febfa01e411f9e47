// The QoS 1 chain into a database: a server flow with a persistent session writes into PostgreSQL
// or InfluxDB while the database is away; it is killed with SIGKILL, the database comes back, and
// the flow is started again. A message is acknowledged only once the database has its row, so the
// broker delivered every message again, and the key (PostgreSQL) or the point's identity
// (InfluxDB) means the rows that did get in before the kill are not repeated.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { influxAvailable, startInflux, type InfluxServer } from "../support/influxdb.js";
import { mosquittoAvailable } from "../support/mosquitto.js";
import { postgresAvailable, startPostgres, type Postgres } from "../support/postgres.js";
import { runFlowc, startBroker, stopProcesses, waitFor, type TestBroker } from "./support.js";

const messages = 300;

interface Database {
  readonly name: string;
  readonly available: boolean;
  start(): Promise<void>;
  /** The sink, as written in the flow. */
  sink(): string;
  rows(): Promise<number>;
  stop(): Promise<void>;
  restart(): Promise<void>;
  dispose(): Promise<void>;
}

let pg: Postgres | undefined;
let influx: InfluxServer | undefined;

const databases: Database[] = [
  {
    name: "postgres",
    available: postgresAvailable,
    async start() {
      pg = await startPostgres();
      pg.sql(
        "CREATE TABLE readings (sensor_id text, ts double precision, val double precision, PRIMARY KEY (sensor_id, ts))",
      );
    },
    sink: () => `postgres "${pg!.url}" table "readings" key "sensor_id, ts"`,
    rows: async () => Number(pg!.sql("SELECT count(*) FROM readings")),
    stop: () => pg!.stop(),
    restart: () => pg!.restart(),
    dispose: async () => pg?.dispose(),
  },
  {
    name: "influx",
    available: influxAvailable,
    async start() {
      influx = await startInflux();
      await influx.query('CREATE DATABASE "sensors"');
    },
    sink: () =>
      `influx "${influx!.url}" database "sensors" measurement "lux" username "admin" password "${influx!.password}"`,
    rows: async () => (await influx!.points("sensors", "lux")).length,
    stop: () => influx!.stop(),
    restart: () => influx!.restart(),
    dispose: async () => influx?.dispose(),
  },
];

describe.each(databases)("QoS 1 into $name", (database) => {
  const runs = mosquittoAvailable && database.available;
  let broker: TestBroker;
  let folder: string;
  beforeAll(async () => {
    if (!runs) return;
    broker = await startBroker("mosquitto", { persistence: true, extraConfig: ["max_queued_messages 0"] });
    await database.start();
  }, 60_000);
  afterAll(async () => {
    await broker?.dispose();
    await database.dispose();
  });
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), "flowc-e2e-databases-"));
    await writeFile(
      join(folder, "server.flow"),
      `broker "localhost" client_id "e2e-${database.name}-writer" clean false\n` +
        `mqtt "sensor-data" qos 1 -> json as SensorEvent -> ${database.sink()}\n`,
    );
  });
  afterEach(async () => {
    await stopProcesses();
    await rm(folder, { recursive: true, force: true });
  });

  it.skipIf(!runs)(
    "acknowledges a message only once the database has its row: a kill while it is away loses nothing",
    async () => {
      const start = async () => {
        const server = runFlowc(["run", "server.flow", "--broker", broker.url], { cwd: folder });
        await server.live();
        return server;
      };
      const first = await start();
      const publisher = await mqtt.connectAsync(broker.url);
      const publish = (from: number, to: number) =>
        Promise.all(
          Array.from({ length: to - from }, (_, j) =>
            publisher.publishAsync("sensor-data", JSON.stringify([`s-${(from + j) % 3}`, from + j, j]), { qos: 1 }),
          ),
        );
      await publish(0, messages / 2);
      await waitFor(
        async () => ((await database.rows()) === messages / 2 ? true : undefined),
        () => "the first half stored",
      );
      await database.stop();
      await publish(messages / 2, messages);
      await first.waitForStderr(/cannot reach/);
      first.child.kill("SIGKILL");
      await first.finished;
      await publisher.endAsync();
      await database.restart();
      expect(await database.rows()).toBe(messages / 2);

      const second = await start();
      await waitFor(
        async () => ((await database.rows()) >= messages ? true : undefined),
        () => `all ${messages} rows stored`,
      );
      second.child.kill("SIGTERM");
      expect(await second.finished).toEqual({ code: 0, signal: null });
      expect(await database.rows()).toBe(messages);
    },
    60_000,
  );
});
