/**
 * What the reliability tests share: flows compiled from text and run in this process with their
 * output captured, `flowc` run as users run it (the real executable in a child process), and
 * polling for a condition without timing assertions.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { IRProgram } from "../../compiler/ir.js";
import type { TextOutput } from "../../runtime/component.js";
import type { RunOptions } from "../../runtime/run.js";
import { compile } from "../support/catalogue.js";

export const root = fileURLToPath(new URL("../../", import.meta.url));
const flowcBin = join(root, "bin", "flowc.js");

/** Compiles flow texts (as files `flow0.flow`, `flow1.flow`, …) for the Node target, failing on any error. */
export function compileFlows(...texts: string[]): IRProgram[] {
  const result = compile(
    texts.map((text, i) => ({ path: `flow${i}.flow`, text })),
    { target: "node" },
  );
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new Error(errors.map((d) => `${d.code} ${d.message}`).join("\n"));
  return result.programs;
}

/** `print` output and log lines of an in-process run, and the options that capture them. */
export function capturedOutput() {
  let stdout = "";
  const stderr: string[] = [];
  const out: TextOutput = {
    write: (text) => {
      stdout += text;
      return true;
    },
    once: () => undefined,
  };
  return {
    stdout: () => stdout,
    stderr,
    options: { stdout: out, stderr: (line: string) => stderr.push(line) } satisfies Partial<RunOptions>,
  };
}

/** A fresh temporary folder; `dispose` removes it. */
export function temporaryFolder(prefix = "flowc-reliability-"): { path: string; dispose(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, dispose: () => rmSync(path, { recursive: true, force: true }) };
}

/** Polls `condition` every 20 ms until it holds; fails naming `what` after `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The lines of a text file without the final newline's empty tail; [] when it does not exist. */
export function fileLines(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return [];
  }
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

export interface FinishedCommand {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface FlowcProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** What it printed so far. */
  output(): { stdout: string; stderr: string };
  /** Settles when the process has exited and its output is closed. */
  readonly finished: Promise<FinishedCommand>;
}

export interface StartOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Runs flowc under another program, e.g. `["prlimit", "--fsize=65536", "--"]`. */
  readonly wrapper?: readonly string[];
}

const started = new Set<ChildProcessWithoutNullStreams>();

/**
 * Starts `flowc ARGS` as a child process. Call {@link killStartedProcesses} in `afterEach` so a
 * failed test leaves nothing running.
 *
 * @example
 * const run = startFlowc(["run", "server.flow", "--broker", broker.url], { cwd: folder });
 * await until(() => run.output().stderr.includes("connected"), "the connection");
 * run.child.kill("SIGTERM");
 * expect((await run.finished).code).toBe(0);
 */
export function startFlowc(args: readonly string[], options: StartOptions): FlowcProcess {
  const command = [...(options.wrapper ?? []), process.execPath, flowcBin, ...args];
  const child = spawn(command[0]!, command.slice(1), {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: "1", ...options.env },
  });
  started.add(child);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const finished = new Promise<FinishedCommand>((resolve) =>
    child.on("close", (code, signal) => {
      started.delete(child);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return { child, finished, output: () => ({ stdout, stderr }) };
}

/** Runs `flowc ARGS` to completion. */
export function flowc(args: readonly string[], options: StartOptions): Promise<FinishedCommand> {
  return startFlowc(args, options).finished;
}

/** Kills (SIGKILL) every flowc process a test started and has not seen exit. */
export function killStartedProcesses(): void {
  for (const child of started) child.kill("SIGKILL");
  started.clear();
}
