/**
 * A clock that moves only when told to, for tests and simulations of long runs: timers fire in
 * deadline order as `advance` passes them, with `now()` reading each timer's deadline while it
 * runs.
 */
import type { Clock, TimerHandle } from "./scheduler.js";

interface ManualTimer {
  readonly due: number;
  readonly order: number;
  readonly callback: () => void;
}

/**
 * @example
 * const clock = new ManualClock(Date.UTC(2026, 10, 25));
 * const scheduler = new Scheduler({ clock });
 * scheduler.schedulePeriodic(1000, tick);
 * clock.advance(3000); // tick runs at +0, +1000, +2000 and +3000
 */
export class ManualClock implements Clock {
  private time: number;
  private readonly timers = new Set<ManualTimer>();
  private created = 0;

  constructor(startMs = 0) {
    this.time = startMs;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer: ManualTimer = { due: this.time + Math.max(0, ms), order: this.created++, callback };
    this.timers.add(timer);
    return timer;
  }

  clearTimeout(timer: TimerHandle): void {
    this.timers.delete(timer as ManualTimer);
  }

  /** Timers not yet fired. */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way (including ones they set). */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let next: ManualTimer | undefined;
      for (const timer of this.timers) {
        if (timer.due <= end && (!next || timer.due < next.due || (timer.due === next.due && timer.order < next.order)))
          next = timer;
      }
      if (!next) break;
      this.timers.delete(next);
      this.time = Math.max(this.time, next.due);
      next.callback();
    }
    this.time = end;
  }

  /** Jumps the time without firing anything, as a process that was busy (or a wall clock that was set) would see it. */
  jump(ms: number): void {
    this.time += ms;
  }
}
