/**
 * Appending lines to files for the csv and jsonl sinks: lines are gathered and written in large
 * chunks (one write per event-loop turn or per 64 KiB), the flow is slowed through backpressure
 * while a write is behind, files can roll daily (`test.csv` → `test-2026-11-25.csv`), and a file
 * that cannot be written (permissions, a full disk) is reported once, by name, while the rows are
 * counted and dropped until a retry succeeds: no crash, no crash loop, no partial line.
 */
import { closeSync, fstatSync, ftruncate, mkdirSync, openSync, write, close } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { stringify } from "csv-stringify/sync";
import type { Logger } from "./log.js";
import type { Backpressure } from "./pressure.js";
import { systemClock, unrefTimer, type Clock, type TimerHandle } from "./scheduler.js";

/** Characters that make csv-stringify (with its default options) quote a field. */
const needsQuoting = /[",\r\n]/;

/**
 * One CSV field. Plain text (the common case) is used as is; anything csv-stringify would quote
 * is handed to it, so quoting follows its rules exactly while plain fields cost one regex test.
 *
 * @example
 * csvField("lux-1"); // "lux-1"
 * csvField('say "hi", then go'); // '"say ""hi"", then go"'
 */
export function csvField(text: string): string {
  if (!needsQuoting.test(text)) return text;
  const line = stringify([[text]]);
  return line.slice(0, -1);
}

/** The name of the file for the day of `timeMs` (local time): `logs/test.csv` → `logs/test-2026-11-25.csv`. */
export function dailyFileName(path: string, timeMs: number): string {
  const date = new Date(timeMs);
  const day = `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;
  const extension = extname(path);
  return join(dirname(path), `${basename(path, extension)}-${day}${extension}`);
}

/** The first millisecond of the local day after the one containing `timeMs`. */
function nextMidnight(timeMs: number): number {
  const date = new Date(timeMs);
  return new Date(date.getFullYear(), date.getMonth(), date.getDate() + 1).getTime();
}

/** An error naming the file, with the system's reason in words. */
export class FileError extends Error {
  override readonly name = "FileError";

  constructor(
    readonly path: string,
    readonly code: string | undefined,
    action: string,
    cause: unknown,
  ) {
    super(`cannot ${action} ${path}: ${describeCode(code, cause)}`, { cause });
  }
}

const reasons: ReadonlyMap<string, string> = new Map([
  ["EACCES", "permission denied"],
  ["EPERM", "operation not permitted"],
  ["ENOSPC", "no space left on the device"],
  ["EDQUOT", "disk quota exceeded"],
  ["EROFS", "the file system is read-only"],
  ["EISDIR", "it is a directory"],
  ["ENOENT", "no such file or directory"],
  ["ENOTDIR", "a part of the path is not a directory"],
  ["EIO", "input/output error"],
]);

function describeCode(code: string | undefined, cause: unknown): string {
  const reason = code ? reasons.get(code) : undefined;
  return reason ? `${reason} (${code})` : cause instanceof Error ? cause.message : String(cause);
}

export interface LineWriterOptions {
  /** The file to append to; with daily rotation, the pattern of the daily names. */
  readonly path: string;
  readonly rotate?: "none" | "daily";
  /** A first line for files that are empty when opened (a CSV header). */
  readonly header?: string;
  readonly log: Logger;
  readonly clock?: Clock;
  /** Blocked while more than `highWaterMark` characters wait to be written. */
  readonly pressure?: Backpressure;
  /** Characters gathered before a write starts without waiting for the event-loop turn to end. Default 64 Ki. */
  readonly chunkSize?: number;
  /** Default 1 Mi. */
  readonly highWaterMark?: number;
  /** Called with the number of lines dropped because the file could not be written. */
  readonly onDropped?: (lines: number) => void;
  /** First wait before writing is tried again after a failure; doubles up to a minute. Default 5 s. */
  readonly retryMs?: number;
}

interface OpenFile {
  readonly path: string;
  readonly fd: number;
  /** Bytes known to be on disk: a failed write is cut back to here, so no partial line stays. */
  size: number;
  /** Replaced by a newer file (daily rotation); closed when its last batch is written. */
  retired: boolean;
}

interface Batch {
  readonly file: OpenFile;
  text: string;
  lines: number;
}

/**
 * @example
 * const writer = new LineWriter({ path: "test.csv", header: "timestamp,datetime,sensor_id,value", log, pressure });
 * writer.writeLine("1484535480.613611,2017-01-16T02:58:00.613611,lux-1,371.6063");
 * await writer.close();
 */
export class LineWriter {
  private readonly clock: Clock;
  private readonly chunkSize: number;
  private readonly highWaterMark: number;
  private readonly retryMs: number;
  private file: OpenFile;
  private rollAt = Infinity;
  /** The batch gathering lines. */
  private gathering: Batch | undefined;
  /** Batches waiting for the write in progress. */
  private readonly queue: Batch[] = [];
  /** The batch being written, if any. */
  private inFlight: Batch | undefined;
  private tickScheduled = false;
  private buffered = 0;
  private idleWaiters: (() => void)[] = [];
  private failedUntil: number | undefined;
  private failureBackoffMs: number;
  private droppedSinceFailure = 0;
  private retryTimer: TimerHandle | undefined;
  private closed = false;

  constructor(private readonly options: LineWriterOptions) {
    this.clock = options.clock ?? systemClock;
    this.chunkSize = options.chunkSize ?? 64 * 1024;
    this.highWaterMark = options.highWaterMark ?? 1024 * 1024;
    this.retryMs = options.retryMs ?? 5000;
    this.failureBackoffMs = this.retryMs;
    this.file = this.open(this.currentPath());
  }

  /** The file lines go to now. */
  get path(): string {
    return this.file.path;
  }

  /** Appends one line; `line` must not contain a line break of its own. */
  writeLine(line: string): void {
    if (this.closed) throw new Error(`${this.file.path} is closed`);
    if (this.rollAt <= this.clock.now()) this.roll();
    if (this.failedUntil !== undefined) {
      this.dropped(1);
      return;
    }
    let batch = this.gathering;
    if (batch === undefined || batch.file !== this.file) {
      this.sealGathering();
      batch = this.gathering = { file: this.file, text: "", lines: 0 };
    }
    batch.text += line;
    batch.text += "\n";
    batch.lines++;
    this.buffered += line.length + 1;
    if (this.buffered > this.highWaterMark) this.options.pressure?.block(this);
    if (batch.text.length >= this.chunkSize) {
      this.sealGathering();
      this.pump();
    } else if (!this.tickScheduled) {
      this.tickScheduled = true;
      setImmediate(this.onTick);
    }
  }

  /** Resolves when every line written so far is on disk (or counted as dropped). */
  flush(): Promise<void> {
    this.sealGathering();
    this.pump();
    if (this.inFlight === undefined && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Flushes, then closes the file. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    if (this.retryTimer !== undefined) this.clock.clearTimeout(this.retryTimer);
    this.options.pressure?.unblock(this);
    closeSync(this.file.fd);
    this.reportRecovery();
  }

  private readonly onTick = () => {
    this.tickScheduled = false;
    this.sealGathering();
    this.pump();
  };

  private currentPath(): string {
    if (this.options.rotate !== "daily") return this.options.path;
    const now = this.clock.now();
    this.rollAt = nextMidnight(now);
    return dailyFileName(this.options.path, now);
  }

  private open(path: string): OpenFile {
    let fd: number;
    try {
      mkdirSync(dirname(path), { recursive: true });
      fd = openSync(path, "a");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // mkdir reports a file standing where a directory should be as EEXIST.
      throw new FileError(path, code === "EEXIST" ? "ENOTDIR" : code, "open", error);
    }
    const file: OpenFile = { path, fd, size: fstatSync(fd).size, retired: false };
    if (file.size === 0 && this.options.header !== undefined) {
      this.queue.push({ file, text: `${this.options.header}\n`, lines: 0 });
      this.pump();
    }
    return file;
  }

  private roll(): void {
    const previous = this.file;
    this.sealGathering();
    try {
      this.file = this.open(this.currentPath());
    } catch (error) {
      this.options.log.error(`${(error as Error).message}; still writing to ${previous.path}`);
      this.rollAt = this.clock.now() + this.retryMs;
      return;
    }
    previous.retired = true;
    this.closeIfDone(previous);
    this.pump();
  }

  private sealGathering(): void {
    if (this.gathering === undefined) return;
    this.queue.push(this.gathering);
    this.gathering = undefined;
  }

  private pump(): void {
    if (this.inFlight !== undefined) return;
    const batch = this.queue.shift();
    if (batch === undefined) {
      this.becameIdle();
      return;
    }
    this.inFlight = batch;
    // A string goes to the kernel without an intermediate Buffer; the rare short write is
    // finished from bytes.
    write(batch.file.fd, batch.text, null, "utf8", (error, written) => {
      if (error) return this.failed(batch, error);
      const length = Buffer.byteLength(batch.text);
      if (written < length) this.writeRest(batch, Buffer.from(batch.text).subarray(written), written);
      else this.written(batch, length);
    });
  }

  private writeRest(batch: Batch, rest: Buffer, done: number): void {
    write(batch.file.fd, rest, 0, rest.length, null, (error, written) => {
      if (error) this.failed(batch, error);
      else if (written < rest.length) this.writeRest(batch, rest.subarray(written), done + written);
      else this.written(batch, done + written);
    });
  }

  private written(batch: Batch, bytes: number): void {
    batch.file.size += bytes;
    this.buffered -= batch.text.length;
    if (this.buffered <= this.highWaterMark / 2) this.options.pressure?.unblock(this);
    this.reportRecovery();
    this.inFlight = undefined;
    this.closeIfDone(batch.file);
    this.pump();
  }

  private failed(batch: Batch, error: NodeJS.ErrnoException): void {
    const failure = new FileError(batch.file.path, error.code, "write to", error);
    // Cut the partial line (if any) off, so the file stays a sequence of whole lines.
    ftruncate(batch.file.fd, batch.file.size, () => {
      this.buffered -= batch.text.length;
      let lost = batch.lines;
      for (let queued = this.queue.shift(); queued; queued = this.queue.shift()) {
        this.buffered -= queued.text.length;
        lost += queued.lines;
      }
      if (this.gathering) {
        this.buffered -= this.gathering.text.length;
        lost += this.gathering.lines;
        this.gathering = undefined;
      }
      this.options.log.error(
        `${failure.message}; dropping rows, trying again in ${Math.round(this.failureBackoffMs / 1000)}s`,
      );
      this.dropped(lost);
      this.failedUntil = this.clock.now() + this.failureBackoffMs;
      this.retryTimer = this.clock.setTimeout(() => {
        this.retryTimer = undefined;
        this.failedUntil = undefined;
      }, this.failureBackoffMs);
      unrefTimer(this.retryTimer);
      this.failureBackoffMs = Math.min(60_000, this.failureBackoffMs * 2);
      this.inFlight = undefined;
      this.closeIfDone(batch.file);
      this.pump();
    });
  }

  private dropped(lines: number): void {
    if (lines === 0) return;
    this.droppedSinceFailure += lines;
    this.options.onDropped?.(lines);
  }

  /** After a failure, the first successful write says how much was lost. */
  private reportRecovery(): void {
    if (this.droppedSinceFailure === 0 || this.failedUntil !== undefined) return;
    this.options.log.warn(
      `writing to ${this.file.path} again; ${this.droppedSinceFailure} row(s) could not be written and were dropped`,
    );
    this.droppedSinceFailure = 0;
    this.failureBackoffMs = this.retryMs;
  }

  private closeIfDone(file: OpenFile): void {
    if (
      !file.retired ||
      this.inFlight?.file === file ||
      this.gathering?.file === file ||
      this.queue.some((batch) => batch.file === file)
    )
      return;
    close(file.fd, () => {});
  }

  private becameIdle(): void {
    this.options.pressure?.unblock(this);
    if (this.gathering !== undefined) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
