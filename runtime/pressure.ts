/**
 * Flow control for a push pipeline. Sinks that cannot keep up (a file write in flight with a full
 * buffer, an MQTT connection with many unacknowledged messages) say so; sources that can wait
 * (replaying a CSV file) check before each event and pause until every sink has caught up.
 * Sources that cannot wait (a subscription, a sensor) ignore it.
 */

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
}
