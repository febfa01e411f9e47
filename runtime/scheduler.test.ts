import { afterEach, describe, expect, it, vi } from "vitest";
import { ManualClock } from "./manual-clock.js";
import { Scheduler, systemClock } from "./scheduler.js";

const start = Date.UTC(2026, 10, 25, 12, 0, 0);

describe("Scheduler", () => {
  it("runs a task at once, then on every multiple of its period", () => {
    const clock = new ManualClock(start);
    const scheduler = new Scheduler({ clock });
    const runs: number[] = [];
    scheduler.schedulePeriodic(1000, () => runs.push(clock.now() - start));
    clock.advance(3500);
    expect(runs).toEqual([0, 1000, 2000, 3000]);
  });

  it("wakes tasks whose periods divide each other together, in the order they were scheduled", () => {
    const clock = new ManualClock(start);
    const scheduler = new Scheduler({ clock });
    const runs: string[] = [];
    scheduler.schedulePeriodic(2000, () => runs.push(`slow@${clock.now() - start}`));
    scheduler.schedulePeriodic(1000, () => runs.push(`fast@${clock.now() - start}`));
    clock.advance(4000);
    expect(runs).toEqual([
      "slow@0",
      "fast@0",
      "fast@1000",
      "slow@2000",
      "fast@2000",
      "fast@3000",
      "slow@4000",
      "fast@4000",
    ]);
  });

  it("does not drift when a task takes time: deadlines count from the start", () => {
    const clock = new ManualClock(start);
    const scheduler = new Scheduler({ clock });
    const runs: number[] = [];
    scheduler.schedulePeriodic(1000, () => {
      runs.push(clock.now() - start);
      clock.jump(300); // a slow sample
    });
    clock.advance(3100);
    expect(runs).toEqual([0, 1000, 2000, 3000]);
  });

  it("skips deadlines missed while the process was busy instead of running them in a burst", () => {
    const clock = new ManualClock(start);
    const scheduler = new Scheduler({ clock });
    const runs: number[] = [];
    scheduler.schedulePeriodic(1000, () => {
      runs.push(clock.now() - start);
      if (runs.length === 1) clock.jump(3500);
    });
    clock.advance(5000);
    expect(runs).toEqual([0, 4000, 5000]);
  });

  it("aligns a task scheduled later to the scheduler's epoch", () => {
    const clock = new ManualClock(start);
    const scheduler = new Scheduler({ clock });
    const runs: string[] = [];
    scheduler.schedulePeriodic(1000, () => runs.push(`a@${clock.now() - start}`));
    clock.advance(1500);
    scheduler.schedulePeriodic(1000, () => runs.push(`b@${clock.now() - start}`));
    clock.advance(600);
    expect(runs).toEqual(["a@0", "a@1000", "a@2000", "b@2000"]);
  });

  it("stops a cancelled task and everything on stop()", () => {
    const clock = new ManualClock(start);
    const scheduler = new Scheduler({ clock });
    let a = 0;
    let b = 0;
    const task = scheduler.schedulePeriodic(1000, () => a++);
    scheduler.schedulePeriodic(1000, () => b++);
    clock.advance(1000);
    task.cancel();
    task.cancel();
    clock.advance(2000);
    expect([a, b]).toEqual([2, 4]);
    scheduler.stop();
    clock.advance(5000);
    expect(b).toBe(4);
    expect(scheduler.size).toBe(0);
    expect(clock.pending).toBe(0);
    expect(() => scheduler.schedulePeriodic(1000, () => {})).toThrow(/stopped/);
  });

  it("keeps a failing task scheduled and reports its errors", () => {
    const clock = new ManualClock(start);
    const errors: unknown[] = [];
    const scheduler = new Scheduler({ clock, onError: (error) => errors.push(error) });
    let runs = 0;
    scheduler.schedulePeriodic(1000, () => {
      runs++;
      throw new Error(`boom ${runs}`);
    });
    clock.advance(2000);
    expect(runs).toBe(3);
    expect(errors.map((error) => (error as Error).message)).toEqual(["boom 1", "boom 2", "boom 3"]);
  });

  it("rejects periods that are not positive", () => {
    const scheduler = new Scheduler({ clock: new ManualClock() });
    expect(() => scheduler.schedulePeriodic(0, () => {})).toThrow(RangeError);
    expect(() => scheduler.schedulePeriodic(Number.NaN, () => {})).toThrow(RangeError);
  });

  describe("with the system clock", () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it("works under fake timers, since it reads the timer globals when called", () => {
      vi.useFakeTimers({ now: start });
      const scheduler = new Scheduler({ clock: systemClock });
      const runs: number[] = [];
      scheduler.schedulePeriodic(250, () => runs.push(Date.now() - start));
      vi.advanceTimersByTime(1000);
      scheduler.stop();
      expect(runs).toEqual([0, 250, 500, 750, 1000]);
    });
  });
});
