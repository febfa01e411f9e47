/**
 * Starts a simulated MicroPython board (board.ts) in a child process and talks to it: its serial
 * port (a pseudo-terminal) and WebREPL URL, what it printed, and power cycles.
 *
 * @example
 * const board = await startSimulatedBoard({ timeScale: 0.05, mqtt: broker.url });
 * try {
 *   await deployCommand(["client.flow"], { port: board.port });
 *   await board.waitForOutput(/lux-1/);
 * } finally {
 *   await board.stop();
 * }
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { BoardOptions } from "./board.js";

export type { BoardOptions };

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** Whether this machine has socat (CI installs it). */
export const socatAvailable = spawnSync("socat", ["-V"]).status === 0;

export interface SimulatedBoard {
  /** The host's end of the serial link, to open like /dev/ttyUSB0. */
  readonly port: string;
  /** ws://127.0.0.1:PORT when started with `webreplPassword`. */
  readonly webrepl: string | undefined;
  /** Everything the board printed so far. */
  output(): string;
  /** Forgets the output so far. */
  clearOutput(): void;
  /** Resolves with the output once it matches, or rejects after `timeoutMs`. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Power off and on: the program stops mid-way, the files stay, main.py runs again. */
  powerCycle(): Promise<void>;
  /** The files in flash with their SHA-256. */
  files(): Promise<Record<string, string>>;
  /**
   * The files of the image in the ROMFS partition (`romfsBytes`) with their SHA-256: `null` when
   * the partition holds no image the board would mount.
   */
  romfs(): Promise<Record<string, string> | null>;
  /** Connects or disconnects a sensor (`present: false` makes reading it fail with ENODEV). */
  setSensor(sensor: "tsl2591" | "mcp9808", present: boolean): Promise<void>;
  stop(): Promise<void>;
}

export async function startSimulatedBoard(options: BoardOptions = {}): Promise<SimulatedBoard> {
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    [
      join(root, "node_modules/tsx/dist/cli.mjs"),
      "--import",
      join(root, "scripts/register-raw-text.mjs"),
      join(root, "test/support/serial-board/board.ts"),
      JSON.stringify(options),
    ],
    { cwd: root, stdio: "pipe" },
  );
  let output = "";
  let stderr = "";
  const outputWaiters = new Set<() => void>();
  const replies: ((message: Record<string, unknown>) => void)[] = [];
  let onReady: ((ready: { port: string; webrepl?: string }) => void) | undefined;
  child.stderr.on("data", (data: Buffer) => (stderr += data.toString()));
  createInterface({ input: child.stdout }).on("line", (line) => {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    if (typeof message.out === "string") {
      output += message.out;
      for (const waiter of outputWaiters) waiter();
    } else if (message.ready) onReady?.(message.ready as { port: string; webrepl?: string });
    else if (message.reply) replies.shift()?.(message);
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const ready = await Promise.race([
    new Promise<{ port: string; webrepl?: string }>((resolve) => (onReady = resolve)),
    exited.then((code) => {
      throw new Error(`the simulated board exited (${code}) before it was ready:\n${stderr}`);
    }),
  ]);
  const command = (message: object) =>
    new Promise<Record<string, unknown>>((resolve) => {
      replies.push(resolve);
      child.stdin.write(`${JSON.stringify(message)}\n`);
    });
  return {
    port: ready.port,
    webrepl: ready.webrepl,
    output: () => output,
    clearOutput: () => void (output = ""),
    waitForOutput: (pattern, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (!pattern.test(output)) return;
          clearTimeout(timer);
          outputWaiters.delete(check);
          resolve(output);
        };
        const timer = setTimeout(() => {
          outputWaiters.delete(check);
          reject(
            new Error(`the board did not print ${pattern} within ${timeoutMs} ms; it printed:\n${output.slice(-2000)}`),
          );
        }, timeoutMs);
        outputWaiters.add(check);
        check();
      }),
    powerCycle: async () => {
      await command({ cmd: "power-cycle" });
    },
    files: async () => (await command({ cmd: "files" })).files as Record<string, string>,
    romfs: async () => (await command({ cmd: "romfs" })).files as Record<string, string> | null,
    setSensor: async (sensor, present) => {
      await command({ cmd: "sensor", sensor, present });
    },
    stop: async () => {
      child.stdin.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
