/**
 * A real PostgreSQL server for tests: `initdb` into a temp dir, `postgres` on a free loopback
 * port with its unix socket in that dir, password authentication over TCP. PostgreSQL refuses to
 * run as root, so under root (CI) the server runs as the `postgres` system user the Debian
 * package creates. Tests use `describe.skipIf(!postgresAvailable)` and print {@link postgresMissing}.
 */
import { execFileSync, type ChildProcess } from "node:child_process";
import { chownSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./mosquitto.js";
import { findBinary, startServerProcess, stopProcess } from "./servers.js";

const binDir = ["17", "16", "15", "14", "13"].map((version) => `/usr/lib/postgresql/${version}/bin`);
const initdb = findBinary(
  "initdb",
  binDir.map((dir) => `${dir}/initdb`),
);
const postgresBinary = initdb?.replace(/initdb$/, "postgres");

/** The user the server runs as when we are root: uid and gid of `postgres`. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }));
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    return undefined;
  }
}

const user = serverUser();

/** True when initdb and postgres are installed (and, under root, there is a `postgres` user to run them). */
export const postgresAvailable = initdb !== undefined && (process.getuid?.() !== 0 || user !== undefined);

export const postgresMissing = postgresAvailable
  ? undefined
  : "PostgreSQL is not installed, so the postgres sink tests are skipped (apt-get install -y postgresql)";

export interface Postgres {
  readonly port: number;
  /** `postgres://flowc:secret@127.0.0.1:PORT/flowc` */
  readonly url: string;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /** A URL for another user or password. */
  urlWith(credentials: { user?: string; password?: string; database?: string }): string;
  /** Runs SQL through psql and returns its unaligned, tuples-only output. */
  sql(statement: string): string;
  /** Stops the server, keeping its data, for `restart`. */
  stop(): Promise<void>;
  restart(): Promise<void>;
  /** Stops it and removes its directory. */
  dispose(): Promise<void>;
}

/**
 * @example
 * const pg = await startPostgres();
 * pg.sql("CREATE TABLE readings (sensor_id text, ts double precision, val double precision)");
 * await pg.dispose();
 */
export async function startPostgres(): Promise<Postgres> {
  if (!postgresAvailable || !initdb || !postgresBinary) throw new Error(postgresMissing);
  const dir = mkdtempSync(join(tmpdir(), "flowc-postgres-"));
  const data = join(dir, "data");
  const owner = user ? { uid: user.uid, gid: user.gid } : {};
  if (user) chownSync(dir, user.uid, user.gid);
  const password = "secret";
  const passwordFile = join(dir, "password");
  writeFileSync(passwordFile, `${password}\n`);
  if (user) chownSync(passwordFile, user.uid, user.gid);
  execFileSync(
    initdb,
    [
      "-D",
      data,
      "-U",
      "flowc",
      "--pwfile",
      passwordFile,
      "--auth-local=trust",
      "--auth-host=scram-sha-256",
      "-E",
      "UTF8",
      "--no-sync",
    ],
    { stdio: "ignore", cwd: dir, ...owner },
  );
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = await startServerProcess(
      postgresBinary,
      [
        "-D",
        data,
        "-p",
        String(port),
        "-k",
        dir,
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        "fsync=off",
        "-c",
        "max_connections=40",
      ],
      { cwd: dir, ...owner, port, what: "postgres", readyWhen: /database system is ready to accept connections/ },
    );
  };
  // SIGINT is PostgreSQL's fast shutdown: clients are disconnected, nothing waits for them.
  const stop = async () => {
    const running = child;
    child = undefined;
    await stopProcess(running, "SIGINT");
  };
  await start();
  const urlWith = (credentials: { user?: string; password?: string; database?: string }) =>
    `postgres://${credentials.user ?? "flowc"}:${encodeURIComponent(credentials.password ?? password)}@127.0.0.1:${port}/${credentials.database ?? "flowc"}`;
  execFileSync(
    postgresBinary.replace(/postgres$/, "createdb"),
    ["-h", dir, "-p", String(port), "-U", "flowc", "flowc"],
    // Piped, so a failure's message says why.
    { stdio: "pipe", ...owner },
  );
  return {
    port,
    url: urlWith({}),
    user: "flowc",
    password,
    database: "flowc",
    urlWith,
    sql: (statement) =>
      execFileSync(
        postgresBinary.replace(/postgres$/, "psql"),
        [
          "-h",
          dir,
          "-p",
          String(port),
          "-U",
          "flowc",
          "-d",
          "flowc",
          "-X",
          "-q",
          "-A",
          "-t",
          "-v",
          "ON_ERROR_STOP=1",
          "-c",
          statement,
        ],
        { encoding: "utf8", ...owner },
      ).trim(),
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
