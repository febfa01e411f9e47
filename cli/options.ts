/**
 * Option values every command reads the same way. Each parser throws commander's
 * `InvalidArgumentError`, which commander reports as `error: option '--port <port>' argument
 * 'abc' is invalid. --port must be ...` and cli/program.ts turns into exit code 2, before the
 * command runs: a bad value never reaches a command half-started (a broker listening, a flow
 * connecting) and never exits 1 as if the flow had failed.
 *
 * @example
 * new Option("--port <port>", "port to listen on").argParser(portNumber).default(1883);
 */
import { accessSync, constants, statSync } from "node:fs";
import { InvalidArgumentError } from "commander";
import { loadSecretsFile } from "../shared/config.js";

/**
 * A parser of whole numbers from `min` to `max`.
 *
 * @example
 * new Option("--samples <n>").argParser(wholeNumber(0));
 */
export function wholeNumber(min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (text.trim() === "" || !Number.isInteger(value) || value < min || value > max) {
      const range =
        max === Number.MAX_SAFE_INTEGER
          ? `${min} or more`
          : min === Number.MIN_SAFE_INTEGER
            ? `at most ${max}`
            : `from ${min} to ${max}`;
      throw new InvalidArgumentError(`It must be a whole number ${range}.`);
    }
    return value;
  };
}

/** A TCP port, 0 meaning any free one. */
export const portNumber = wholeNumber(0, 65535);

/**
 * `PORT` or `HOST:PORT` (`[::1]:PORT` for IPv6); the host is `defaultHost` unless given.
 *
 * @example
 * listenAddress("8080"); // { host: "127.0.0.1", port: 8080 }
 * listenAddress("0.0.0.0:8080"); // { host: "0.0.0.0", port: 8080 }
 */
export function listenAddress(text: string, defaultHost = "127.0.0.1"): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]:|([^:[\]]+):)?(\d+)$/.exec(text.trim());
  const port = Number(match?.[3]);
  if (!match || !Number.isInteger(port) || port > 65535)
    throw new InvalidArgumentError("It must be PORT or HOST:PORT, with PORT from 0 to 65535.");
  return { host: match[1] ?? match[2] ?? defaultHost, port };
}

/**
 * A file the command will read: it must exist and be readable now, so that a typo is a usage
 * error and not a failure halfway through.
 */
export function readableFile(path: string): string {
  try {
    accessSync(path, constants.R_OK);
    if (statSync(path).isDirectory()) throw new InvalidArgumentError(`${path} is a directory.`);
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new InvalidArgumentError(
      `Cannot read ${path}: ${code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : (error as Error).message}.`,
    );
  }
  return path;
}

/**
 * A secrets file (a JSON object or `key=value` lines), checked whole: readable and well formed.
 * Returns the path; the command loads it when it needs the values.
 */
export function secretsFile(path: string): string {
  readableFile(path);
  try {
    loadSecretsFile(path);
  } catch (error) {
    throw new InvalidArgumentError(`${(error as Error).message}.`);
  }
  return path;
}
