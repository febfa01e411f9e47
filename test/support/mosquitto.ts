/**
 * A real mosquitto broker for tests: private config in a temp dir, a free loopback port, optional
 * persistence, password authentication and TLS. Tests that need it use
 * `describe.skipIf(!mosquittoAvailable)` and print {@link mosquittoMissing} so a machine without
 * the binary says why instead of failing (CI installs it: `apt-get install -y mosquitto mosquitto-clients`).
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

function hasBinary(name: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** True when the mosquitto binary is on the PATH. */
export const mosquittoAvailable = hasBinary("mosquitto");

/** Why mosquitto tests are skipped, or undefined when they run. */
export const mosquittoMissing = mosquittoAvailable
  ? undefined
  : "mosquitto is not installed, so the broker tests are skipped (apt-get install -y mosquitto mosquitto-clients)";

export interface MosquittoOptions {
  /** Keep sessions and queued messages across `restart()`. */
  readonly persistence?: boolean;
  /** Require these users (name → password); anonymous clients are refused. */
  readonly users?: Readonly<Record<string, string>>;
  /** Serve TLS with this certificate and key (PEM file paths). */
  readonly tls?: { readonly certfile: string; readonly keyfile: string };
  /** More mosquitto.conf lines, e.g. `max_queued_messages 0` so a long backlog is kept whole. */
  readonly extraConfig?: readonly string[];
}

export interface Mosquitto {
  readonly port: number;
  /** `mqtt://127.0.0.1:PORT` (`mqtts://` with TLS). */
  readonly url: string;
  /** The broker's private directory (config, log, persistence). */
  readonly dir: string;
  /** What the broker logged so far. */
  log(): string;
  /** Stops the broker, keeping its directory (and persisted sessions) for `restart`. */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  restart(): Promise<void>;
  /** Stops the broker and removes its directory. */
  dispose(): Promise<void>;
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== "object" || address === null) throw new Error("no port");
  return address.port;
}

async function acceptsConnections(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline)
      throw new Error(`mosquitto did not accept connections on port ${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * @example
 * const broker = await startMosquitto({ persistence: true });
 * const flow = await runProgram(programs, { broker: broker.url });
 * await broker.restart();
 * await broker.dispose();
 */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<Mosquitto> {
  if (!mosquittoAvailable) throw new Error(mosquittoMissing);
  const dir = mkdtempSync(join(tmpdir(), "flowc-mosquitto-"));
  const port = await freePort();
  const lines = [`listener ${port} 127.0.0.1`, `allow_anonymous ${options.users ? "false" : "true"}`];
  // Started as root, mosquitto switches to its own user, which cannot write in our temp dir.
  if (process.getuid?.() === 0) lines.push("user root");
  if (options.persistence) lines.push("persistence true", `persistence_location ${dir}/`, "autosave_interval 1");
  if (options.users) {
    const passwords = join(dir, "passwords");
    writeFileSync(
      passwords,
      Object.entries(options.users)
        .map(([user, password]) => `${user}:${password}\n`)
        .join(""),
    );
    execFileSync("mosquitto_passwd", ["-U", passwords], { stdio: "ignore" });
    lines.push(`password_file ${passwords}`);
  }
  if (options.tls) lines.push(`certfile ${options.tls.certfile}`, `keyfile ${options.tls.keyfile}`);
  if (options.extraConfig) lines.push(...options.extraConfig);
  const configFile = join(dir, "mosquitto.conf");
  writeFileSync(configFile, lines.join("\n") + "\n");

  let output = "";
  let child: ChildProcess | undefined;
  const start = async () => {
    const started = spawn("mosquitto", ["-c", configFile], { stdio: ["ignore", "pipe", "pipe"] });
    started.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    started.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child = started;
    const exited = new Promise<never>((_, reject) =>
      started.once("exit", (code) => reject(new Error(`mosquitto exited with code ${code}:\n${output}`))),
    );
    exited.catch(() => {});
    await Promise.race([acceptsConnections(port, 5000), exited]);
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once("exit", () => resolve()));
    running.kill("SIGTERM");
    await exited;
  };
  await start();
  return {
    port,
    url: `${options.tls ? "mqtts" : "mqtt"}://127.0.0.1:${port}`,
    dir,
    log: () => output,
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

/**
 * A throwaway certificate authority and a server certificate for 127.0.0.1/localhost, made with
 * the openssl command line, for TLS tests.
 */
export function createTestCertificates(dir: string): { caFile: string; certFile: string; keyFile: string } {
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });
  openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-subj",
    "/CN=flowc test CA",
    "-keyout",
    file("ca.key"),
    "-out",
    file("ca.pem"),
  );
  openssl(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    "/CN=localhost",
    "-keyout",
    file("server.key"),
    "-out",
    file("server.csr"),
  );
  writeFileSync(file("server.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  openssl(
    "x509",
    "-req",
    "-in",
    file("server.csr"),
    "-CA",
    file("ca.pem"),
    "-CAkey",
    file("ca.key"),
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    file("server.ext"),
    "-out",
    file("server.pem"),
  );
  return { caFile: file("ca.pem"), certFile: file("server.pem"), keyFile: file("server.key") };
}

/** True when openssl is available to make test certificates. */
export const opensslAvailable = hasBinary("openssl");
