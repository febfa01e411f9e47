/**
 * The runtime's diagnostics channel: human-readable lines on stderr, so stdout stays clean for
 * `print`. Components get a logger prefixed with their stage's label.
 */

export type LogLevel = "info" | "warn" | "error" | "silent";

const levelRank: Readonly<Record<LogLevel, number>> = { info: 0, warn: 1, error: 2, silent: 3 };

/**
 * @example
 * const log = createLogger({ level: "info" });
 * log.child('csv "test.csv"').warn("disk full; rows are being dropped");
 * // stderr: flowc: [csv "test.csv"] warning: disk full; rows are being dropped
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** A logger whose lines name `scope` (a stage's label, a broker URL). */
  child(scope: string): Logger;
}

export interface LoggerOptions {
  /** Where lines go; default: process.stderr. Each call receives one line ending in "\n". */
  readonly write?: (line: string) => void;
  /** Least severe level printed; default "info". */
  readonly level?: LogLevel;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const write = options.write ?? ((line: string) => void process.stderr.write(line));
  const threshold = levelRank[options.level ?? "info"];
  const make = (scope: string): Logger => {
    const prefix = scope ? `flowc: [${scope}] ` : "flowc: ";
    const emit = (level: LogLevel, tag: string, message: string) => {
      if (levelRank[level] >= threshold) write(`${prefix}${tag}${message}\n`);
    };
    return {
      info: (message) => emit("info", "", message),
      warn: (message) => emit("warn", "warning: ", message),
      error: (message) => emit("error", "error: ", message),
      child: (child) => make(scope ? `${scope}] [${child}` : child),
    };
  };
  return make("");
}

/** A logger that drops everything, for tests and embedders that report otherwise. */
export const silentLogger: Logger = createLogger({ level: "silent", write: () => {} });
