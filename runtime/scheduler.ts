/**
 * Time for the runtime: an injectable clock and a periodic scheduler with ThingFlow's aligned
 * wake-ups. Every periodic task's deadlines are multiples of its period counted from one shared
 * epoch, so sensors sampled every 1s and every 2s wake together on the even seconds, and a slow
 * callback never pushes later deadlines back (no drift).
 */

/** A timer handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = unknown;

/**
 * Where the runtime reads the time and sets timers. Tests inject a fake one (or use vitest's fake
 * timers with {@link systemClock}, which reads the globals at call time).
 */
export interface Clock {
  /** Milliseconds since the unix epoch, like `Date.now()`. */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(timer: TimerHandle): void;
}

/**
 * The real clock. Timers are unreferenced only where asked ({@link unrefTimer}); the scheduler's
 * timers keep the process alive while a flow runs.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
};

/** Lets a housekeeping timer (log throttling, stats) not keep the process alive. */
export function unrefTimer(timer: TimerHandle): void {
  const handle = timer as { unref?: () => void } | undefined;
  handle?.unref?.();
}

/** A scheduled periodic task. */
export interface PeriodicTask {
  /** Stops further runs; a run in progress completes. */
  cancel(): void;
}

export interface SchedulerOptions {
  readonly clock?: Clock;
  /** Called when a task throws; the task stays scheduled. Default: rethrown on a fresh stack. */
  readonly onError?: (error: unknown) => void;
}

interface Entry {
  readonly periodMs: number;
  readonly run: () => void;
  /** The next deadline, in clock milliseconds. */
  due: number;
  cancelled: boolean;
}

/**
 * Runs periodic tasks on aligned, drift-free deadlines with a single timer.
 *
 * The first run of a task is at the next multiple of its period since the scheduler's epoch (the
 * time the first task was scheduled), which is "now" for tasks scheduled at start-up. When the
 * process was too busy to keep up, missed deadlines are skipped rather than run in a burst.
 *
 * @example
 * const scheduler = new Scheduler();
 * const task = scheduler.schedulePeriodic(2000, () => sample());
 * // ... later
 * task.cancel();
 * scheduler.stop();
 */
export class Scheduler {
  private readonly clock: Clock;
  private readonly onError: (error: unknown) => void;
  private readonly entries: Entry[] = [];
  private epoch: number | undefined;
  private timer: TimerHandle | undefined;
  private timerDue = Infinity;
  private stopped = false;

  constructor(options: SchedulerOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.onError =
      options.onError ??
      ((error) => {
        queueMicrotask(() => {
          throw error;
        });
      });
  }

  /** Number of tasks still scheduled. */
  get size(): number {
    return this.entries.length;
  }

  /**
   * Runs `run` every `periodMs` milliseconds, first at the next aligned deadline (immediately
   * when scheduled at the epoch).
   */
  schedulePeriodic(periodMs: number, run: () => void): PeriodicTask {
    if (!(periodMs > 0) || !Number.isFinite(periodMs))
      throw new RangeError(`period must be a positive number of milliseconds, got ${periodMs}`);
    if (this.stopped) throw new Error("the scheduler is stopped");
    const now = this.clock.now();
    this.epoch ??= now;
    const entry: Entry = {
      periodMs,
      run,
      due: this.epoch + Math.ceil((now - this.epoch) / periodMs) * periodMs,
      cancelled: false,
    };
    this.entries.push(entry);
    this.arm();
    return {
      cancel: () => {
        if (entry.cancelled) return;
        entry.cancelled = true;
        this.entries.splice(this.entries.indexOf(entry), 1);
        this.arm();
      },
    };
  }

  /** Cancels every task and the timer. Idempotent. */
  stop(): void {
    this.stopped = true;
    for (const entry of this.entries) entry.cancelled = true;
    this.entries.length = 0;
    this.disarm();
  }

  private arm(): void {
    let earliest = Infinity;
    for (const entry of this.entries) if (entry.due < earliest) earliest = entry.due;
    if (earliest === this.timerDue) return;
    this.disarm();
    if (earliest === Infinity) return;
    this.timerDue = earliest;
    this.timer = this.clock.setTimeout(() => this.wake(), Math.max(0, earliest - this.clock.now()));
  }

  private disarm(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = Infinity;
  }

  private wake(): void {
    this.timer = undefined;
    this.timerDue = Infinity;
    const now = this.clock.now();
    const epoch = this.epoch ?? now;
    // A snapshot, so tasks cancelled or added by a callback do not disturb this round.
    for (const entry of [...this.entries]) {
      if (entry.cancelled || entry.due > now) continue;
      // A deadline missed by a whole period or more is skipped, not run late.
      const missed = now - entry.due >= entry.periodMs;
      entry.due += entry.periodMs;
      if (entry.due <= now) entry.due = epoch + (Math.floor((now - epoch) / entry.periodMs) + 1) * entry.periodMs;
      if (missed) continue;
      try {
        entry.run();
      } catch (error) {
        this.onError(error);
      }
    }
    if (!this.stopped) this.arm();
  }
}
