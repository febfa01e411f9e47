/**
 * A real InfluxDB 1.x server for tests: a config in a temp dir with every listener on a free
 * loopback port (HTTP and the backup RPC), data in that dir, reporting to influxdata switched off
 * and authentication on, with an admin user and a `sensors` database. Tests use
 * `describe.skipIf(!influxAvailable)` and print {@link influxMissing}.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./mosquitto.js";
import { findBinary, startServerProcess, stopProcess } from "./servers.js";

const influxd = findBinary("influxd");

export const influxAvailable = influxd !== undefined;

export const influxMissing = influxAvailable
  ? undefined
  : "InfluxDB is not installed, so the influx sink tests are skipped (apt-get install -y influxdb)";

export interface InfluxServer {
  readonly port: number;
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly username: string;
  readonly password: string;
  /** Runs an InfluxQL statement as the admin (in `db` when given) and returns the parsed JSON answer. */
  query(statement: string, db?: string): Promise<InfluxAnswer>;
  /** The values of `SELECT * FROM measurement` in `db`, as objects keyed by column. */
  points(db: string, measurement: string): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
  restart(): Promise<void>;
  dispose(): Promise<void>;
}

export interface InfluxAnswer {
  readonly results: readonly {
    readonly error?: string;
    readonly series?: readonly { readonly columns: readonly string[]; readonly values: readonly unknown[][] }[];
  }[];
}

/**
 * @example
 * const influx = await startInflux();
 * await influx.query('CREATE DATABASE "sensors"');
 * await influx.dispose();
 */
export async function startInflux(): Promise<InfluxServer> {
  if (!influxd) throw new Error(influxMissing);
  const dir = mkdtempSync(join(tmpdir(), "flowc-influxdb-"));
  const [port, rpcPort] = [await freePort(), await freePort()];
  const config = join(dir, "influxdb.conf");
  writeFileSync(
    config,
    [
      "reporting-disabled = true",
      `bind-address = "127.0.0.1:${rpcPort}"`,
      "[meta]",
      `  dir = "${dir}/meta"`,
      "[data]",
      `  dir = "${dir}/data"`,
      `  wal-dir = "${dir}/wal"`,
      "  query-log-enabled = false",
      "[monitor]",
      "  store-enabled = false",
      "[http]",
      `  bind-address = "127.0.0.1:${port}"`,
      "  auth-enabled = true",
      "  log-enabled = false",
      "[continuous_queries]",
      "  enabled = false",
      "[subscriber]",
      "  enabled = false",
      "",
    ].join("\n"),
  );
  let child: ChildProcess | undefined;
  const start = async () => {
    child = await startServerProcess(influxd, ["-config", config], { cwd: dir, port, what: "influxd" });
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    await stopProcess(running, "SIGTERM");
  };
  const url = `http://127.0.0.1:${port}`;
  const username = "admin";
  const password = "secret";
  const query = async (statement: string, db?: string) => {
    const body = new URLSearchParams({ q: statement, ...(db ? { db } : {}) });
    const response = await fetch(`${url}/query`, {
      method: "POST",
      body,
      headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}` },
    });
    return (await response.json()) as InfluxAnswer;
  };
  await start();
  // With authentication on and no user yet, InfluxDB takes one statement: creating the admin.
  await query(`CREATE USER ${username} WITH PASSWORD '${password}' WITH ALL PRIVILEGES`);
  return {
    port,
    url,
    username,
    password,
    query,
    points: async (db, measurement) => {
      const answer = await query(`SELECT * FROM "${measurement}"`, db);
      const series = answer.results[0]?.series?.[0];
      if (!series) return [];
      return series.values.map((values) => Object.fromEntries(series.columns.map((column, i) => [column, values[i]])));
    },
    stop,
    restart: async () => {
      await stop();
      await start();
    },
    dispose: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
