// Rows per second and CPU per row into PostgreSQL and InfluxDB: a persistent MQTT session (QoS 1)
// on mosquitto collects a backlog of N messages while the server is stopped; the server then
// starts and stores every one. Measured for `flowc run` with the `postgres` and `influx` sinks
// and, in the same run on the same backlog, for the hand-written mqtt.js + pg / influx script
// (bench/handwritten-databases.mjs). Target: flowc's CPU per row within 1.2x the script's.
//
// flowc acknowledges a message only once its row is stored, so mosquitto's window of QoS 1
// messages in flight per client (max_inflight_messages, 20 by default) bounds how many rows one
// write can carry; the script acknowledges on receipt. INFLIGHT sets the window (default 1000).
//
//   npm run bench:databases [N=50000]    (needs mosquitto, PostgreSQL and InfluxDB 1.x installed;
//                                         DATABASES=postgres or influx measures one)
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { startInflux } from "../test/support/influxdb.js";
import { startMosquitto } from "../test/support/mosquitto.js";
import { startPostgres } from "../test/support/postgres.js";
import { build, isStale } from "../scripts/build.mjs";

const n = Number(process.argv[2] ?? 50_000);
const inflight = Number(process.env.INFLIGHT ?? 1000);
const target = 1.2;
const topic = "sensor-data";
const clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }));
const root = join(import.meta.dirname, "..");

// The figures are for the bundle flowc runs from: rebuilt when a source changed.
if (isStale()) await build({ log: (line) => process.stderr.write(`${line}\n`) });
const dir = mkdtempSync(join(tmpdir(), "flowc-bench-databases-"));
const broker = await startMosquitto({
  extraConfig: ["max_queued_messages 0", `max_inflight_messages ${inflight}`],
});
const postgres = await startPostgres();
const influx = await startInflux();

interface Server {
  readonly name: string;
  readonly database: "postgres" | "influx";
  readonly clientId: string;
  start(): ChildProcess;
  rows(): Promise<number>;
}

const flowcServer = (database: Server["database"], sink: string, rows: () => Promise<number>): Server => {
  const clientId = `flowc-${database}-bench`;
  const file = join(dir, `${database}.flow`);
  writeFileSync(
    file,
    `broker "127.0.0.1" port ${broker.port} client_id "${clientId}" clean false\n` +
      `mqtt "${topic}" qos 1 -> json as SensorEvent -> ${sink}\n`,
  );
  return {
    name: `flowc run, ${database} sink`,
    database,
    clientId,
    start: () => spawn(process.execPath, [join(root, "bin", "flowc.js"), "run", file], { cwd: dir, stdio: "ignore" }),
    rows,
  };
};

const handwritten = (
  database: Server["database"],
  env: Record<string, string>,
  rows: () => Promise<number>,
): Server => {
  const clientId = `handwritten-${database}-bench`;
  return {
    name: `hand-written mqtt.js + ${database === "postgres" ? "pg" : "influx"}`,
    database,
    clientId,
    start: () =>
      spawn(process.execPath, [join(root, "bench", "handwritten-databases.mjs")], {
        cwd: dir,
        env: { ...process.env, ...env, MQTT_URL: broker.url, TOPIC: topic, CLIENT_ID: clientId },
        stdio: ["ignore", "ignore", "inherit"],
      }),
    rows,
  };
};

const pgCount = (table: string) => async () =>
  Number(postgres.sql(`SELECT count(*) FROM ${table} WHERE sensor_id LIKE 'lux-%'`));
const influxCount = (db: string) => async () => {
  const answer = await influx.query("SELECT count(val) FROM lux WHERE sensor_id =~ /^lux-/", db);
  return Number(answer.results[0]?.series?.[0]?.values[0]?.[1] ?? 0);
};

try {
  for (const table of ["readings_flowc", "readings_handwritten"])
    postgres.sql(
      `CREATE TABLE ${table} (sensor_id text, ts double precision, val double precision, PRIMARY KEY (sensor_id, ts))`,
    );
  for (const db of ["flowc", "handwritten"]) await influx.query(`CREATE DATABASE "${db}"`);
  const influxAuth = `username "admin" password "${influx.password}"`;
  const only = process.env.DATABASES?.split(",");
  const servers: Server[] = [
    flowcServer(
      "postgres",
      `postgres "${postgres.url}" table "readings_flowc" key "sensor_id, ts"`,
      pgCount("readings_flowc"),
    ),
    handwritten("postgres", { PG_URL: postgres.url, TABLE: "readings_handwritten" }, pgCount("readings_handwritten")),
    flowcServer(
      "influx",
      `influx "${influx.url}" database "flowc" measurement "lux" ${influxAuth}`,
      influxCount("flowc"),
    ),
    handwritten(
      "influx",
      { INFLUX_URL: influx.url, INFLUX_DB: "handwritten", INFLUX_USER: "admin", INFLUX_PASSWORD: influx.password },
      influxCount("handwritten"),
    ),
  ].filter((server) => only === undefined || only.includes(server.database));

  // Each server's session subscribes once (and proves it with a warm-up message), then stops.
  const publisher = await mqtt.connectAsync(broker.url);
  for (const server of servers) {
    const child = server.start();
    const warmUp = async () => {
      await publisher.publishAsync(topic, JSON.stringify(["warm-up", Date.now() / 1000, 0]), { qos: 1 });
      return server.database === "postgres"
        ? Number(
            postgres.sql(
              `SELECT count(*) FROM ${server.name.startsWith("flowc") ? "readings_flowc" : "readings_handwritten"}`,
            ),
          ) > 0
        : (await influx.query("SELECT count(val) FROM lux", server.name.startsWith("flowc") ? "flowc" : "handwritten"))
            .results[0]?.series !== undefined;
    };
    await waitFor(warmUp, `${server.name} to subscribe`);
    await stop(child);
  }

  const lines = Array.from({ length: n }, (_, i) =>
    JSON.stringify([`lux-${i % 10}`, 1_700_000_000 + i / 1000, 284.1312 + (i % 100)]),
  );
  for (let i = 0; i < lines.length; i += 1000)
    await Promise.all(lines.slice(i, i + 1000).map((line) => publisher.publishAsync(topic, line, { qos: 1 })));
  await publisher.endAsync();
  console.log(
    `databases: ${n.toLocaleString("en")} QoS 1 messages queued for each persistent session, mosquitto max_inflight_messages ${inflight}, node ${process.version}`,
  );

  const results = new Map<string, { rate: number; cpuMicrosPerRow: number; rows: number }>();
  for (const server of servers) {
    const child = server.start();
    const started = performance.now();
    let rows = 0;
    let lastChange = started;
    for (;;) {
      await sleep(50);
      const counted = await server.rows();
      const now = performance.now();
      if (counted !== rows) lastChange = now;
      rows = counted;
      if (rows >= n || now - lastChange > 30_000) break;
    }
    const seconds = (performance.now() - started) / 1000;
    const cpuSeconds = cpuTicks(child.pid!) / clockTicks;
    await stop(child);
    const result = { rows, rate: rows / seconds, cpuMicrosPerRow: (1e6 * cpuSeconds) / Math.max(rows, 1) };
    results.set(server.name, result);
    console.log(
      `  ${server.name.padEnd(34)} rows=${rows} lost=${n - rows} ${Math.round(result.rate)} rows/s (start to last row, start-up included) cpu=${result.cpuMicrosPerRow.toFixed(1)} µs/row`,
    );
  }
  for (const database of ["postgres", "influx"] as const) {
    if (only !== undefined && !only.includes(database)) continue;
    const flowc = [...results].find(([name]) => name.startsWith("flowc") && name.includes(database))![1];
    const script = [...results].find(
      ([name]) => name.startsWith("hand") && name.includes(database === "postgres" ? "pg" : "influx"),
    )![1];
    if (flowc.rows < n || script.rows < n) {
      console.log(`${database}: not compared, a server did not store every row (see above)`);
      continue;
    }
    const ratio = flowc.cpuMicrosPerRow / script.cpuMicrosPerRow;
    console.log(
      `${database}: flowc uses ${ratio.toFixed(2)}x the hand-written script's CPU per row (target <= ${target}: ${ratio <= target ? "met" : "not met"}), at ${(flowc.rate / script.rate).toFixed(2)}x its rate`,
    );
  }
} finally {
  await broker.dispose();
  await postgres.dispose();
  await influx.dispose();
  rmSync(dir, { recursive: true, force: true });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

/** CPU time (user + system, in clock ticks) of a process. */
function cpuTicks(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

async function waitFor(condition: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
