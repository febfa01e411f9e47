/**
 * What every `flowc` command shares: exit codes, the streams it writes to, the colour decision
 * and reading `.flow` files. The compiler never touches the file system or the terminal; the
 * commands do, through these helpers, so they all behave alike.
 */
import { readFileSync, writeSync } from "node:fs";
import type { CompileInput } from "../compiler/index.js";

/** `flowc`'s exit codes, the same for every command. */
export const ExitCode = {
  /** Done; warnings alone do not fail a command. */
  Ok: 0,
  /** The sources have errors, or the command failed while running (broker gone, disk full). */
  Failure: 1,
  /** The command line was wrong: unknown command or option, bad option value, unreadable input file. */
  Usage: 2,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A stream a command writes to: the process's own, or a buffer in tests and embedders. */
export interface OutputStream {
  /** Text, or bytes for binary output (`flowc graph --format png > flow.png`). */
  write(text: string | Uint8Array): unknown;
  readonly isTTY?: boolean;
}

/** Where a command writes; the process's streams unless a test or an embedder says otherwise. */
export interface CommandStreams {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
}

/** The process's standard output and error, set up on first use (a command may print nothing). */
export const processStreams: CommandStreams = {
  get stdout() {
    return process.stdout;
  },
  get stderr() {
    return process.stderr;
  },
};

/**
 * Standard output and error written straight to their file descriptors, for a short command that
 * prints a few lines and exits (`flowc check`): setting up `process.stdout` and `process.stderr`
 * loads Node's stream and socket modules, a twentieth of such a command's start-up. Each write
 * is whole before the next begins, as on a blocking descriptor, even when another process left
 * it non-blocking; a reader that has gone away ends the output, not the command.
 *
 * @example
 * process.exitCode = await main(["check", "a.flow"], descriptorStreams());
 */
export function descriptorStreams(): CommandStreams {
  return { stdout: descriptorStream(1), stderr: descriptorStream(2) };
}

function descriptorStream(fd: number): OutputStream {
  let closed = false;
  return {
    // Asked only when colour is in question: node:tty loads the socket modules this avoids.
    // (Node before 20.16 lacks getBuiltinModule; its process stream answers the same.)
    get isTTY() {
      const tty = typeof process.getBuiltinModule === "function" ? process.getBuiltinModule("node:tty") : undefined;
      return tty ? tty.isatty(fd) : (fd === 1 ? process.stdout : process.stderr).isTTY === true;
    },
    write(text) {
      const bytes = typeof text === "string" ? Buffer.from(text) : text;
      for (let written = 0; written < bytes.length && !closed;) {
        try {
          written += writeSync(fd, bytes, written);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === "EAGAIN") pause(2);
          else if (code === "EPIPE") closed = true;
          else throw error;
        }
      }
      return !closed;
    },
  };
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the thread for `ms`: a full pipe's reader needs the time, and this command has nothing else to do. */
function pause(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/**
 * Whether to colour what goes to `stream`: only on a terminal, never when `--no-color` was given
 * or `NO_COLOR` is set (https://no-color.org), always when `FORCE_COLOR` asks for it.
 *
 * @example
 * const color = useColor(streams.stdout, { flag: options.color });
 * streams.stdout.write(renderDiagnostic(d, sources, { color }));
 */
export function useColor(
  stream: OutputStream,
  { flag, env = process.env }: { flag?: boolean; env?: NodeJS.ProcessEnv } = {},
): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0" && env.FORCE_COLOR !== "false") return true;
  return stream.isTTY === true;
}

const readFailureReasons: Readonly<Record<string, string>> = {
  ENOENT: "no such file",
  EISDIR: "it is a directory",
  EACCES: "permission denied",
  EPERM: "permission denied",
};

/**
 * Reads `.flow` files for the compiler. Every file that cannot be read is reported on stderr as
 * `flowc <command>: cannot read <path>: <reason>`; the result is then undefined and the command
 * should exit with {@link ExitCode.Usage}, since the command line named a file that is not there.
 *
 * @example
 * const inputs = await readSourceFiles(files, "check", streams);
 * if (!inputs) return ExitCode.Usage;
 * const result = compile(inputs);
 */
export function readSourceFiles(
  paths: readonly string[],
  commandName: string,
  streams: CommandStreams = processStreams,
): Promise<CompileInput[] | undefined> {
  const inputs: CompileInput[] = [];
  let allRead = true;
  for (const path of paths) {
    try {
      // Bytes, not text: the compiler decodes them and reports where a file stops being UTF-8.
      // Read at once: a command reads its few files before it does anything else, and the
      // first asynchronous read starts libuv's thread pool, which `flowc check` never needs.
      inputs.push({ path, bytes: readFileSync(path) });
    } catch (problem) {
      allRead = false;
      const error = problem as NodeJS.ErrnoException;
      const reason = (error.code && readFailureReasons[error.code]) ?? error.message;
      streams.stderr.write(`flowc ${commandName}: cannot read ${path}: ${reason}\n`);
    }
  }
  return Promise.resolve(allRead ? inputs : undefined);
}

/** `1 error`, `2 warnings`: a count with its noun, singular or plural. */
export function countOf(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
