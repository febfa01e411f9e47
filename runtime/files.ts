/**
 * Appending lines to files for the csv and jsonl sinks: lines are gathered and written in large
 * chunks (one write per event-loop turn or per 64 KiB), the flow is slowed through backpressure
 * while a write is behind, and files can roll daily (`test.csv` → `test-2026-11-25.csv`).
 *
 * A write that fails (a full disk, a file size limit, an I/O error) is cut back to the last whole
 * line and reported by file name; the rows stay in memory (up to a limit) and are written when a
 * retry, with backoff, succeeds: a disk that fills up and is cleared loses nothing, and the flow
 * neither crashes nor restarts. Rows beyond the limit, and rows still unwritten when the flow
 * stops, are counted, and closing the writer then fails with that count, so `flowc run` exits
 * non-zero saying how many rows it could not write.
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  ftruncate,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  write,
  close,
} from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { stringify } from "csv-stringify/sync";
import type { Logger } from "./log.js";
import type { Backpressure } from "./pressure.js";
import { systemClock, type Clock, type TimerHandle } from "./scheduler.js";

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

/**
 * The first line of an existing regular file, without a byte-order mark or line break; undefined
 * when there is no such file (or not a regular one: a device, a directory) or it is empty. Reads
 * at most 64 KiB: a header is short.
 */
function firstLine(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    // Missing, or not readable: opening it for appending says why, if it matters.
    return undefined;
  }
  try {
    if (!fstatSync(fd).isFile()) return undefined;
    const buffer = Buffer.alloc(64 * 1024);
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    if (length === 0) return undefined;
    const text = buffer.toString("utf8", 0, length).replace(/^\uFEFF/, "");
    const end = text.search(/\r?\n/);
    return end < 0 ? text : text.slice(0, end);
  } finally {
    closeSync(fd);
  }
}

/** A free name beside `path` stamped with the local time: `logs/test.csv` → `logs/test.2026-11-25T10-00-00.csv`. */
function asideName(path: string, timeMs: number): string {
  const date = new Date(timeMs);
  const two = (n: number) => String(n).padStart(2, "0");
  const stamp = `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}T${two(date.getHours())}-${two(date.getMinutes())}-${two(date.getSeconds())}`;
  const extension = extname(path);
  const stem = join(dirname(path), `${basename(path, extension)}.${stamp}`);
  let aside = `${stem}${extension}`;
  for (let n = 1; existsSync(aside); n++) aside = `${stem}-${n}${extension}`;
  return aside;
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
    /** Rows that were given up on, when the writer stopped with this error. */
    readonly unwrittenRows = 0,
  ) {
    super(
      `cannot ${action} ${path}: ${describeCode(code, cause)}${unwrittenRows > 0 ? `; ${unwrittenRows} row(s) could not be written` : ""}`,
      { cause },
    );
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
  ["EFBIG", "the file is larger than this process may write"],
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
  /**
   * What to do with an existing file whose first line is not `header`: `refuse` (default) fails
   * the open with a message saying so, `rotate` renames the file aside
   * (`test.csv` → `test.2026-11-25T10-00-00.csv`) and starts a new one. Rows are never appended
   * under another header.
   */
  readonly headerMismatch?: "refuse" | "rotate";
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
  /** First wait before writing is tried again after a failure; doubles up to a minute. Default 1 s. */
  readonly retryMs?: number;
  /** Characters kept in memory while writes fail; lines beyond are dropped and counted. Default 16 Mi. */
  readonly failureBufferLimit?: number;
}

interface OpenFile {
  readonly path: string;
  readonly fd: number;
  /** Bytes known to be on disk: a failed write is cut back to here, so no partial line stays. */
  size: number;
  /** What the file's size will be once every line accepted so far is written. */
  accepted: number;
  /** Replaced by a newer file (daily rotation); closed when its last batch is written. */
  retired: boolean;
}

interface Batch {
  readonly file: OpenFile;
  text: string;
  lines: number;
  /**
   * Lines accepted up to and including this batch's last one, and any dropped after it: once it
   * is written, that many lines are finished (batches are written in the order they were made).
   */
  last: number;
}

/** A {@link LineWriter.flush} call waiting for the first `target` accepted lines to be finished. */
interface FlushWaiter {
  readonly target: number;
  readonly resolve: () => void;
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
  private readonly failureBufferLimit: number;
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
  /** Lines taken by `writeLine`, including those dropped at the failure buffer limit. */
  private accepted = 0;
  /** The first `finished` accepted lines are on disk, or dropped and counted. */
  private finished = 0;
  /** Flushes waiting, oldest first; their targets never decrease. Entries before `waitersHead` are done. */
  private waiters: FlushWaiter[] = [];
  private waitersHead = 0;
  /** `close` waiting for nothing to be gathering, queued or in flight (lines may arrive meanwhile). */
  private idleWaiters: (() => void)[] = [];
  /** The last write failure, while rows wait for a retry. */
  private failure: FileError | undefined;
  private failureBackoffMs: number;
  /** Lines dropped since writes started failing (the buffer limit, or given up on at close). */
  private droppedSinceFailure = 0;
  /** Pending retry: nothing is written until it fires. */
  private retryTimer: TimerHandle | undefined;
  /** Set by `close`: a failure now gives up instead of retrying. */
  private closing = false;
  /** The last attempt, at close, failed too. */
  private gaveUp = false;
  private closed = false;
  /** Ends {@link Backpressure.whenWritten}'s interest in this writer. */
  private readonly untrack: (() => void) | undefined;

  constructor(private readonly options: LineWriterOptions) {
    this.clock = options.clock ?? systemClock;
    this.chunkSize = options.chunkSize ?? 64 * 1024;
    this.highWaterMark = options.highWaterMark ?? 1024 * 1024;
    this.retryMs = options.retryMs ?? 1000;
    this.failureBufferLimit = options.failureBufferLimit ?? 16 * 1024 * 1024;
    this.failureBackoffMs = this.retryMs;
    this.file = this.open(this.currentPath());
    this.untrack = options.pressure?.track(this);
  }

  /** True when every line written so far is on disk (see {@link Backpressure.whenWritten}). */
  get idle(): boolean {
    return this.inFlight === undefined && this.queue.length === 0 && this.gathering === undefined;
  }

  /**
   * The file lines go to now, and the size it will have once every line accepted so far is
   * written: a size on disk that has reached it proves those lines are there.
   */
  watermark(): readonly [path: string, size: number] {
    return [this.file.path, this.file.accepted];
  }

  /** The file lines go to now. */
  get path(): string {
    return this.file.path;
  }

  /** Appends one line; `line` must not contain a line break of its own. */
  writeLine(line: string): void {
    if (this.closed) throw new Error(`${this.file.path} is closed`);
    if (this.rollAt <= this.clock.now()) this.roll();
    this.accepted++;
    if (this.failure !== undefined && this.buffered + line.length + 1 > this.failureBufferLimit) {
      // Done at once, but finished only with the lines before it: it rides on the newest batch.
      const newest = this.gathering ?? this.queue[this.queue.length - 1] ?? this.inFlight;
      if (newest === undefined) this.finish(this.accepted);
      else newest.last = this.accepted;
      this.dropped(1);
      return;
    }
    let batch = this.gathering;
    if (batch === undefined || batch.file !== this.file) {
      this.sealGathering();
      batch = this.gathering = { file: this.file, text: "", lines: 0, last: this.accepted };
    }
    batch.text += line;
    batch.text += "\n";
    batch.lines++;
    batch.last = this.accepted;
    this.file.accepted += Buffer.byteLength(line) + 1;
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

  /**
   * Resolves once every line written so far is on disk (or counted as dropped), without waiting
   * for lines written after this call. While writes fail, that is when a retry succeeds.
   */
  flush(): Promise<void> {
    this.sealGathering();
    this.pump();
    const target = this.accepted;
    if (this.finished >= target) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ target, resolve }));
  }

  /**
   * Flushes, then closes the file. Idempotent. While writes fail, tries once more at once; if
   * that fails too, the waiting rows are dropped and it rejects with a {@link FileError} that
   * names the file, the reason and how many rows could not be written.
   */
  async close(): Promise<void> {
    if (this.closed || this.closing) return;
    this.closing = true;
    if (this.retryTimer !== undefined) {
      this.clock.clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
    await this.whenIdle();
    this.closed = true;
    this.untrack?.();
    this.options.pressure?.unblock(this);
    closeSync(this.file.fd);
    const failure = this.failure;
    if (failure !== undefined && this.gaveUp) {
      throw new FileError(failure.path, failure.code, "write to", failure.cause, this.droppedSinceFailure);
    }
    this.reportRecovery();
  }

  /** Like {@link flush}, but also waits for lines written meanwhile, and for a header. */
  private whenIdle(): Promise<void> {
    this.sealGathering();
    this.pump();
    if (this.inFlight === undefined && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
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
    if (this.options.header !== undefined) this.checkHeader(path, this.options.header);
    try {
      mkdirSync(dirname(path), { recursive: true });
      fd = openSync(path, "a");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // mkdir reports a file standing where a directory should be as EEXIST.
      throw new FileError(path, code === "EEXIST" ? "ENOTDIR" : code, "open", error);
    }
    const size = fstatSync(fd).size;
    const file: OpenFile = { path, fd, size, accepted: size, retired: false };
    if (file.size === 0 && this.options.header !== undefined) {
      const header = `${this.options.header}\n`;
      file.accepted += Buffer.byteLength(header);
      this.queue.push({ file, text: header, lines: 0, last: this.accepted });
      this.pump();
    }
    return file;
  }

  /** Refuses, or renames aside, an existing file whose header is not `header`. */
  private checkHeader(path: string, header: string): void {
    const existing = firstLine(path);
    if (existing === undefined || existing === header) return;
    const problem = `its header is \`${existing}\`, but this flow writes \`${header}\``;
    if (this.options.headerMismatch !== "rotate")
      throw new FileError(
        path,
        undefined,
        "append to",
        new Error(`${problem}; move the file away, or let the flow rename it aside (csv's \`header_mismatch rotate\`)`),
      );
    const aside = asideName(path, this.clock.now());
    try {
      renameSync(path, aside);
    } catch (error) {
      throw new FileError(path, (error as NodeJS.ErrnoException).code, `rename aside (${problem})`, error);
    }
    this.options.log.warn(`${path}: ${problem}; moved it to ${aside} and started a new file`);
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
    if (this.inFlight !== undefined || this.retryTimer !== undefined) return;
    const batch = this.queue.shift();
    if (batch === undefined) {
      this.becameIdle();
      return;
    }
    this.inFlight = batch;
    this.options.pressure?.beforeWrite();
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
    this.reportRecovery();
    if (this.buffered <= this.highWaterMark / 2) this.options.pressure?.unblock(this);
    this.inFlight = undefined;
    this.finish(batch.last);
    this.closeIfDone(batch.file);
    this.pump();
  }

  private failed(batch: Batch, error: NodeJS.ErrnoException): void {
    const failure = new FileError(batch.file.path, error.code, "write to", error);
    const firstFailure = this.failure === undefined;
    this.failure = failure;
    // Cut the partial line (if any) off, so the file stays a sequence of whole lines; the whole
    // batch is written again by the next attempt.
    ftruncate(batch.file.fd, batch.file.size, () => {
      this.inFlight = undefined;
      this.queue.unshift(batch);
      if (this.closing) {
        this.giveUp();
        return;
      }
      // Sources that can wait (a CSV replay) do; the others' rows are kept up to the limit.
      this.options.pressure?.block(this);
      const seconds = Math.round(this.failureBackoffMs / 100) / 10;
      this.options.log.error(
        firstFailure
          ? `${failure.message}; keeping ${this.waitingLines()} row(s) in memory and trying again in ${seconds}s`
          : `still ${failure.message}; ${this.waitingLines()} row(s) waiting, trying again in ${seconds}s`,
      );
      this.retryTimer = this.clock.setTimeout(() => {
        this.retryTimer = undefined;
        this.sealGathering();
        this.pump();
      }, this.failureBackoffMs);
      this.failureBackoffMs = Math.min(60_000, this.failureBackoffMs * 2);
    });
  }

  /** Lines gathered or queued, not yet on disk. */
  private waitingLines(): number {
    let lines = this.gathering?.lines ?? 0;
    for (const batch of this.queue) lines += batch.lines;
    return lines;
  }

  /** At close, after the last attempt failed: drops and counts every waiting line. */
  private giveUp(): void {
    this.gaveUp = true;
    this.dropped(this.waitingLines());
    for (let batch = this.queue.shift(); batch; batch = this.queue.shift()) this.closeIfDone(batch.file);
    this.gathering = undefined;
    this.buffered = 0;
    this.finish(this.accepted);
    this.becameIdle();
  }

  private dropped(lines: number): void {
    if (lines === 0) return;
    this.droppedSinceFailure += lines;
    this.options.onDropped?.(lines);
  }

  /** After a failure, the first successful write says whether anything was lost. */
  private reportRecovery(): void {
    if (this.failure === undefined) return;
    const path = this.failure.path;
    this.failure = undefined;
    this.failureBackoffMs = this.retryMs;
    this.options.log.warn(
      this.droppedSinceFailure === 0
        ? `writing to ${path} again; no row was lost`
        : `writing to ${path} again; ${this.droppedSinceFailure} row(s) could not be kept in memory and were dropped`,
    );
    this.droppedSinceFailure = 0;
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

  /** Marks the first `lines` accepted lines finished and resolves the flushes that waited for them, in order. */
  private finish(lines: number): void {
    if (lines <= this.finished) return;
    this.finished = lines;
    const waiters = this.waiters;
    let head = this.waitersHead;
    for (let waiter = waiters[head]; waiter !== undefined && waiter.target <= lines; waiter = waiters[++head]) {
      waiter.resolve();
    }
    if (head === this.waitersHead) return;
    if (head === waiters.length) {
      this.waiters = [];
      this.waitersHead = 0;
    } else if (head > 1024 && head * 2 > waiters.length) {
      this.waiters = waiters.slice(head);
      this.waitersHead = 0;
    } else {
      this.waitersHead = head;
    }
  }
}
