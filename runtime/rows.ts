/**
 * Writing rows to a database server, for the `influx` and `postgres` sinks: rows are gathered and
 * written in batches (one write in flight; a batch goes when it is full, when it has waited
 * `lingerMs`, or at once when a QoS 1 acknowledgement waits for it), and the writer is a
 * {@link PendingOutput}, so an MQTT message is acknowledged only once the database has its row.
 *
 * While the server is away (not started yet, restarting, the network down) the batch is retried
 * with backoff and nothing is lost: rows wait in memory, the flow is slowed through backpressure
 * beyond `highWaterRows`, and beyond `limitRows` new rows are dropped and counted. A QoS 1
 * subscription sees no drop: its acknowledgements are held, so the broker stops sending once its
 * in-flight window is full and keeps the rest. Problems that waiting cannot fix (bad credentials,
 * a missing table) end the flow with one line that says what to change; a row the database
 * rejects (a value out of the column's range) is reported and counted, and the rest are written.
 */
import type { Logger } from "./log.js";
import type { Backpressure, PendingOutput } from "./pressure.js";
import { systemClock, type Clock, type TimerHandle } from "./scheduler.js";

/** A failed write. `retry`: the server may come back (connection refused, shutting down, overloaded). */
export class RowStoreError extends Error {
  override readonly name = "RowStoreError";

  constructor(
    message: string,
    readonly retry: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A row the database would not take, and why. */
export interface RejectedRow<Row> {
  readonly row: Row;
  readonly reason: string;
}

/** One database table or measurement, as a sink writes to it. */
export interface RowStore<Row> {
  /**
   * Stores `rows`, connecting (and checking the table) first when needed. Resolves once the
   * database has them, with the rows it refused (each counted and reported, never retried);
   * rejects with a {@link RowStoreError} saying whether retrying may help.
   */
  write(rows: readonly Row[]): Promise<readonly RejectedRow<Row>[]>;
  /** Disconnects. */
  close(): Promise<void>;
}

export interface RowWriterOptions<Row> {
  readonly store: RowStore<Row>;
  /** What log lines call the destination: `postgres table "readings"`. */
  readonly name: string;
  readonly log: Logger;
  readonly pressure: Backpressure;
  readonly clock?: Clock;
  /** Most rows per write. Default 5000. */
  readonly batchRows?: number;
  /** Longest a row waits for more to join its batch, unless an acknowledgement waits for it. Default 200 ms. */
  readonly lingerMs?: number;
  /** Rows waiting beyond which sources that can pause are paused. Default 10,000. */
  readonly highWaterRows?: number;
  /** Rows kept in memory while the server is away; further rows are dropped and counted. Default 100,000. */
  readonly limitRows?: number;
  /** First wait before a failed write is tried again; doubles up to `longestRetryMs`. Default 500 ms. */
  readonly retryMs?: number;
  /** Default 30 s. */
  readonly longestRetryMs?: number;
  /** How long `close` keeps retrying while the server is away before giving up. Default 5 s. */
  readonly closeGraceMs?: number;
  /** A row the database refused. */
  readonly onRejected: (rejected: RejectedRow<Row>) => void;
  /** Rows dropped at `limitRows`. */
  readonly onDropped: (rows: number) => void;
  /** A failure retrying cannot fix: the flow should end with it. */
  readonly onFatal: (error: Error) => void;
}

interface FlushWaiter {
  readonly target: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * @example
 * const writer = new RowWriter({ store, name: 'postgres table "readings"', log, pressure, onRejected, onDropped, onFatal: ctx.fail });
 * writer.add({ sensor_id: "lux-1", ts: 1484535480.61, val: 371.6 });
 * await writer.close();
 */
export class RowWriter<Row> implements PendingOutput {
  private readonly clock: Clock;
  private readonly batchRows: number;
  private readonly lingerMs: number;
  private readonly highWaterRows: number;
  private readonly limitRows: number;
  private readonly retryMs: number;
  private readonly longestRetryMs: number;
  private readonly closeGraceMs: number;
  /** Rows not yet written, oldest first from `head`. */
  private rows: Row[] = [];
  private head = 0;
  /** Rows taken so far; the first `finished` are written (or rejected, or given up). */
  private accepted = 0;
  private finished = 0;
  private waiters: FlushWaiter[] = [];
  private writing = false;
  /** The linger or retry timer; nothing is written until it fires. */
  private timer: TimerHandle | undefined;
  private timerIsRetry = false;
  private backoffMs: number;
  /** The failure of the outage in progress, reported once. */
  private outage: Error | undefined;
  private droppedInOutage = 0;
  private fatal: Error | undefined;
  private closing = false;
  private closeDeadline = Infinity;
  private drained: (() => void) | undefined;
  /** The start-up check, which `close` lets finish before disconnecting. */
  private probing: Promise<void> | undefined;
  private readonly untrack: () => void;

  constructor(private readonly options: RowWriterOptions<Row>) {
    this.clock = options.clock ?? systemClock;
    this.batchRows = options.batchRows ?? 5000;
    this.lingerMs = options.lingerMs ?? 200;
    this.highWaterRows = options.highWaterRows ?? 10_000;
    this.limitRows = options.limitRows ?? 100_000;
    this.retryMs = options.retryMs ?? 500;
    this.longestRetryMs = options.longestRetryMs ?? 30_000;
    this.closeGraceMs = options.closeGraceMs ?? 5000;
    this.backoffMs = this.retryMs;
    this.untrack = options.pressure.track(this);
  }

  private get waiting(): number {
    return this.rows.length - this.head;
  }

  /** True when every row taken so far is written. */
  get idle(): boolean {
    return this.finished === this.accepted;
  }

  /** Takes a row; it is written with the next batch. */
  add(row: Row): void {
    if (this.fatal || this.waiting >= this.limitRows) {
      this.options.onDropped(1);
      if (!this.fatal && this.droppedInOutage++ === 0)
        this.options.log.warn(
          `${this.limitRows} rows are waiting for ${this.options.name}: dropping new rows until it is back`,
        );
      return;
    }
    this.rows.push(row);
    this.accepted++;
    const waiting = this.waiting;
    if (waiting === this.highWaterRows) this.options.pressure.block(this);
    if (this.writing || (this.timer !== undefined && this.timerIsRetry)) return;
    if (waiting >= this.batchRows) this.writeSoon(0);
    else if (this.timer === undefined) this.writeSoon(this.lingerMs);
  }

  /**
   * Runs `connect` now, so that credentials and the table are checked at start rather than at
   * the first row: a failure retrying cannot fix ends the flow, a server that is away is reported
   * once, and rows wait for it.
   */
  probe(connect: () => Promise<unknown>): void {
    this.probing = connect().then(
      () => {},
      (error: unknown) => {
        const failure = error instanceof Error ? error : new Error(String(error));
        if (failure instanceof RowStoreError && failure.retry) this.reportOutage(failure);
        else this.failFatally(failure);
      },
    );
  }

  /**
   * Resolves once every row taken before the call is written; rejects if they never will be (the
   * flow failed, or it stopped while the server was away), so their messages stay unacknowledged.
   * Asking starts the write without lingering.
   */
  flush(): Promise<void> {
    if (this.fatal) return Promise.reject(this.fatal);
    if (this.idle) return Promise.resolve();
    if (!this.writing && !this.timerIsRetry) this.writeSoon(0);
    const target = this.accepted;
    return new Promise((resolve, reject) => this.waiters.push({ target, resolve, reject }));
  }

  /**
   * Writes what is waiting and disconnects. While the server is away it keeps trying for
   * `closeGraceMs`, then gives up: rejects counting the rows that could not be written.
   */
  async close(): Promise<void> {
    this.closing = true;
    this.closeDeadline = this.clock.now() + this.closeGraceMs;
    await this.probing;
    try {
      if (!this.fatal && this.waiting > 0) {
        await new Promise<void>((resolve) => {
          this.drained = resolve;
          if (!this.writing) this.writeSoon(0);
        });
      }
    } finally {
      this.cancelTimer();
      this.options.pressure.unblock(this);
      this.untrack();
      await this.options.store.close().catch(() => {});
    }
    if (this.fatal) throw this.fatal;
    const lost = this.accepted - this.finished;
    if (lost > 0) {
      const error = new Error(
        `${lost} row(s) could not be written to ${this.options.name}: ${this.outage?.message ?? "the flow stopped"}`,
      );
      this.giveUp(error);
      throw error;
    }
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerIsRetry = false;
  }

  private writeSoon(ms: number): void {
    this.cancelTimer();
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.timerIsRetry = false;
      this.writeBatch();
    }, ms);
  }

  private writeBatch(): void {
    if (this.writing || this.fatal) return;
    const count = Math.min(this.waiting, this.batchRows);
    if (count === 0) return this.settleDrained();
    this.writing = true;
    const batch = this.rows.slice(this.head, this.head + count);
    this.options.store.write(batch).then(
      (rejected) => this.written(count, rejected),
      (error: unknown) => this.failed(error instanceof Error ? error : new Error(String(error))),
    );
  }

  private written(count: number, rejected: readonly RejectedRow<Row>[]): void {
    this.writing = false;
    this.head += count;
    this.finished += count;
    for (const row of rejected) this.options.onRejected(row);
    if (this.outage) {
      this.options.log.info(`${this.options.name} is back; writing the rows that waited`);
      this.outage = undefined;
      this.droppedInOutage = 0;
    }
    this.backoffMs = this.retryMs;
    // Compact now and then, so a backlog that never quite drains stays bounded.
    if (this.head > 4096 && this.head * 2 > this.rows.length) {
      this.rows = this.rows.slice(this.head);
      this.head = 0;
    }
    if (this.waiting < this.highWaterRows / 2) this.options.pressure.unblock(this);
    this.releaseWaiters();
    const waiting = this.waiting;
    if (waiting === 0) return this.settleDrained();
    // Rows that came during the write go at once when full, asked for or closing; else they linger.
    const asked = this.waiters.length > 0 || this.closing;
    if (waiting >= this.batchRows || asked) this.writeBatch();
    else if (this.timer === undefined) this.writeSoon(this.lingerMs);
  }

  private failed(error: Error): void {
    this.writing = false;
    if (!(error instanceof RowStoreError && error.retry)) return this.failFatally(error);
    this.reportOutage(error);
    if (this.closing && this.clock.now() + this.backoffMs > this.closeDeadline) return this.settleDrained();
    this.cancelTimer();
    this.timerIsRetry = true;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.timerIsRetry = false;
      this.writeBatch();
    }, this.backoffMs);
    this.backoffMs = Math.min(this.longestRetryMs, this.backoffMs * 2);
  }

  private failFatally(error: Error): void {
    if (this.fatal) return;
    this.fatal = error;
    this.giveUp(error);
    this.settleDrained();
    this.options.onFatal(error);
  }

  /** One line per outage, however many writes fail during it. */
  private reportOutage(error: Error): void {
    if (!this.outage) {
      const waiting = this.waiting > 0 ? ` (${this.waiting} row(s) waiting)` : "";
      this.options.log.warn(
        `${error.message}; rows wait for it, retrying with backoff up to every ${this.longestRetryMs / 1000}s${waiting}`,
      );
    }
    this.outage = error;
  }

  private releaseWaiters(): void {
    let released = 0;
    while (released < this.waiters.length && this.waiters[released]!.target <= this.finished) {
      this.waiters[released++]!.resolve();
    }
    if (released > 0) this.waiters = this.waiters.slice(released);
  }

  /** Rows that will never be written: whoever waits for them learns it (and does not acknowledge). */
  private giveUp(error: Error): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.reject(error);
    this.options.pressure.unblock(this);
  }

  private settleDrained(): void {
    const drained = this.drained;
    this.drained = undefined;
    drained?.();
  }
}
