/**
 * What the end-to-end tests share: real brokers on free loopback ports (flowc's own aedes broker
 * run as `flowc broker`, and mosquitto), `flowc` itself as a child process, and reading the CSV
 * files it writes. Every process a test starts is stopped by {@link stopProcesses}.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { mosquittoAvailable, startMosquitto, type MosquittoOptions } from "../support/mosquitto.js";

export const root = fileURLToPath(new URL("../../", import.meta.url));
export const flowcBin = join(root, "bin", "flowc.js");
export const tutorial = join(root, "examples", "tutorial");

/** A broker a test talks to. */
export interface TestBroker {
  readonly kind: BrokerKind;
  readonly port: number;
  /** `mqtt://127.0.0.1:PORT`, for `--broker`. */
  readonly url: string;
  dispose(): Promise<void>;
}

export type BrokerKind = "aedes" | "mosquitto";

/** The brokers every end-to-end scenario runs on, and whether this machine has them. */
export const brokerKinds: readonly { readonly kind: BrokerKind; readonly available: boolean }[] = [
  { kind: "aedes", available: true },
  { kind: "mosquitto", available: mosquittoAvailable },
];

/**
 * Starts a broker: `flowc broker` (aedes, as users run it) or a private mosquitto.
 *
 * @example
 * const broker = await startBroker("aedes");
 * runFlowc(["run", "server.flow", "--broker", broker.url], { cwd });
 */
export async function startBroker(kind: BrokerKind, mosquitto: MosquittoOptions = {}): Promise<TestBroker> {
  if (kind === "mosquitto") {
    const broker = await startMosquitto(mosquitto);
    return { kind, port: broker.port, url: broker.url, dispose: () => broker.dispose() };
  }
  const process = runFlowc(["broker", "--port", "0", "--host", "127.0.0.1"], { cwd: root, keep: true });
  const port = Number(await process.waitForStderr(/listening on 127\.0\.0\.1:(\d+)/));
  return {
    kind,
    port,
    url: `mqtt://127.0.0.1:${port}`,
    dispose: async () => {
      process.child.kill("SIGINT");
      await process.finished;
    },
  };
}

export interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A running `flowc` command. */
export interface FlowcProcess {
  readonly child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited and its output is closed. */
  readonly finished: Promise<Finished>;
  /** Waits until stderr matches `pattern`; resolves with its first group (or the whole match). */
  waitForStderr(pattern: RegExp): Promise<string>;
  /** Waits for the line `flowc run` prints once every subscription is granted. */
  live(): Promise<void>;
}

const started = new Set<FlowcProcess>();

/**
 * Runs `node bin/flowc.js ARGS` in `cwd`. Unless `keep` is set, {@link stopProcesses} kills it
 * at the end of the test.
 */
export function runFlowc(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; keep?: boolean },
): FlowcProcess {
  const child = spawn(process.execPath, [flowcBin, ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: "1", ...options.env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const finished = new Promise<Finished>((resolve) => child.on("close", (code, signal) => resolve({ code, signal })));
  let exited = false;
  void finished.then(() => (exited = true));
  const waitForStderr = (pattern: RegExp) =>
    waitFor(
      () => {
        const match = pattern.exec(stderr);
        if (match) return match[1] ?? match[0];
        if (exited) throw new Error(`flowc ${args.join(" ")} exited before printing ${pattern}:\n${stderr}`);
        return undefined;
      },
      () => `${pattern} from flowc ${args.join(" ")}; stderr so far:\n${stderr}`,
    );
  const running: FlowcProcess = {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    finished,
    waitForStderr,
    live: async () => void (await waitForStderr(/^flowc run: running.*$/m)),
  };
  if (!options.keep) started.add(running);
  return running;
}

/** Kills every `flowc` process the test started and still runs; call it in `afterEach`. */
export async function stopProcesses(): Promise<void> {
  const running = [...started];
  started.clear();
  for (const process of running) if (process.child.exitCode === null) process.child.kill("SIGKILL");
  await Promise.all(running.map((process) => process.finished));
}

/**
 * Polls `probe` every 25 ms until it returns a value other than undefined. Gives up after
 * `timeoutMs` (a generous bound for a slow machine, not a speed requirement).
 */
export async function waitFor<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  what: () => string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The data rows of a CSV file with a header, split into fields (none while the file is missing). */
export async function csvRows(path: string): Promise<string[][]> {
  const text = await readFile(path, "utf8").catch(() => "");
  const lines = text.split("\n");
  // Only whole lines: the last element is the unfinished rest (empty when the file ends a line).
  return lines.slice(1, -1).map((line) => line.split(","));
}

/** Waits until the CSV file has at least `count` data rows and returns them. */
export function waitForRows(path: string, count: number, timeoutMs?: number): Promise<string[][]> {
  let seen = 0;
  return waitFor(
    async () => {
      const rows = await csvRows(path);
      seen = rows.length;
      return rows.length >= count ? rows : undefined;
    },
    () => `${count} rows in ${path} (${seen} so far)`,
    timeoutMs,
  );
}

/**
 * Publishes each payload with `mosquitto_pub`, the tutorial's own tool, one process per message
 * as a user would type them.
 */
export function mosquittoPub(port: number, topic: string, payloads: readonly string[], qos: 0 | 1 = 0): void {
  for (const payload of payloads) {
    const sent = spawnSync(
      "mosquitto_pub",
      ["-h", "127.0.0.1", "-p", String(port), "-t", topic, "-q", String(qos), "-m", payload],
      {
        encoding: "utf8",
      },
    );
    if (sent.status !== 0) throw new Error(`mosquitto_pub failed: ${sent.stderr}`);
  }
}

/** True when `mosquitto_pub` is installed (it comes with mosquitto's clients). */
export const mosquittoPubAvailable = spawnSync("sh", ["-c", "command -v mosquitto_pub"]).status === 0;
