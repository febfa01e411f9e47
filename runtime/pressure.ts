/**
 * Flow control for a push pipeline. Sinks that cannot keep up (a file write in flight with a full
 * buffer, an MQTT connection with many unacknowledged messages) say so; sources that can wait
 * (replaying a CSV file) check before each event and pause until every sink has caught up.
 * Sources that cannot wait (a subscription, a sensor) ignore it.
 *
 * Sinks that write files also say what they have accepted but not yet written, so that a source
 * which acknowledges its input (a QoS 1 subscription) does so only once that input is on disk:
 * a process killed before then leaves the messages with the broker, which delivers them again.
 */

/** Output a sink has accepted but not yet written, such as a file writer's pending lines. */
export interface PendingOutput {
  /** True when everything accepted so far is written. */
  readonly idle: boolean;
  /** Resolves once everything accepted so far is written (or counted as lost). */
  flush(): Promise<void>;
  /** For a file: its path, and the size it will have once everything accepted so far is written. */
  watermark?(): readonly [path: string, size: number];
}

/**
 * @example
 * // in a sink
 * if (buffered > highWaterMark) pressure.block(this); else pressure.unblock(this);
 * // in a source that can pause
 * for (const row of rows) {
 *   if (pressure.blocked) await pressure.whenClear();
 *   out.next(row);
 * }
 */
export class Backpressure {
  private readonly holders = new Set<object>();
  private waiters: (() => void)[] = [];
  private readonly outputs = new Set<PendingOutput>();
  private readonly beforeWriteListeners = new Set<() => void>();

  /** True while any sink is saturated. */
  get blocked(): boolean {
    return this.holders.size > 0;
  }

  /** Marks `holder` saturated. Idempotent per holder. */
  block(holder: object): void {
    this.holders.add(holder);
  }

  /** Marks `holder` caught up; wakes waiters when no holder is left. Idempotent per holder. */
  unblock(holder: object): void {
    if (!this.holders.delete(holder) || this.holders.size > 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves once nothing is blocked (at once if nothing is). */
  whenClear(): Promise<void> {
    if (!this.blocked) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Makes {@link whenWritten} wait for `output`; returns the function that stops that (on close). */
  track(output: PendingOutput): () => void {
    this.outputs.add(output);
    return () => this.outputs.delete(output);
  }

  /**
   * Where each tracked file will end once what it has accepted so far is written. A later run
   * finding a file at least that long knows that output reached the disk.
   */
  watermarks(): (readonly [path: string, size: number])[] {
    const marks: (readonly [string, number])[] = [];
    for (const output of this.outputs) if (output.watermark) marks.push(output.watermark());
    return marks;
  }

  /**
   * Calls `listener` just before any tracked file issues a write, so that a record of what is
   * about to be written (dedupe's state) reaches the disk first. Returns the function that stops it.
   */
  onBeforeWrite(listener: () => void): () => void {
    this.beforeWriteListeners.add(listener);
    return () => this.beforeWriteListeners.delete(listener);
  }

  /** Called by a file writer just before it writes. */
  beforeWrite(): void {
    for (const listener of this.beforeWriteListeners) listener();
  }

  /**
   * When everything the tracked sinks have accepted so far is written: undefined if it already is
   * (acknowledge at once), else a promise. One call covers every event handed over before it.
   *
   * @example
   * const written = pressure.whenWritten();
   * if (written) void written.then(acknowledge);
   * else acknowledge();
   */
  whenWritten(): Promise<void> | undefined {
    let pending: Promise<void>[] | undefined;
    for (const output of this.outputs) if (!output.idle) (pending ??= []).push(output.flush());
    if (pending === undefined) return undefined;
    return pending.length === 1 ? pending[0] : Promise.all(pending).then(() => undefined);
  }
}
