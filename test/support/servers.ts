/**
 * What the database test servers share: finding their binaries, waiting for a port to accept
 * connections, and stopping a server process (and waiting for it) when the tests are done.
 */
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { existsSync } from "node:fs";
import { connect } from "node:net";

/** The first of `candidates` that exists, or the one `command -v` finds. */
export function findBinary(name: string, candidates: readonly string[] = []): string | undefined {
  for (const candidate of candidates) if (existsSync(candidate)) return candidate;
  try {
    return execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Resolves once 127.0.0.1:`port` accepts a connection; rejects after `timeoutMs` or when `exited` does. */
export async function waitForPort(
  port: number,
  timeoutMs: number,
  what: string,
  exited?: Promise<never>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const attempt = async () => {
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
        throw new Error(`${what} did not accept connections on port ${port} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  await (exited ? Promise.race([attempt(), exited]) : attempt());
}

/** Sends `signal` and waits for the process to exit (SIGKILL after `graceMs`). */
export async function stopProcess(
  child: ChildProcess | undefined,
  signal: NodeJS.Signals,
  graceMs = 10_000,
): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * Starts a server process and resolves once it accepts connections on 127.0.0.1:`port` and, with
 * `readyWhen`, once its output says it is ready: a port can accept connections before the server
 * serves them (PostgreSQL refuses logins while "the database system is starting up"). If it exits
 * first, rejects with the last of its output, which says why.
 */
export async function startServerProcess(
  command: string,
  args: readonly string[],
  options: SpawnOptions & { readonly port: number; readonly what: string; readonly readyWhen?: RegExp },
): Promise<ChildProcess> {
  const { port, what, readyWhen, ...spawnOptions } = options;
  const child = spawn(command, args, { ...spawnOptions, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code) => reject(new Error(`${what} exited with code ${code}:\n${output}`))),
  );
  exited.catch(() => {});
  const timeoutMs = 15_000;
  const deadline = Date.now() + timeoutMs;
  await waitForPort(port, timeoutMs, what, exited);
  const ready = async () => {
    while (readyWhen && !readyWhen.test(output)) {
      if (Date.now() > deadline) throw new Error(`${what} did not say it was ready within ${timeoutMs} ms:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  await Promise.race([ready(), exited]);
  return child;
}
