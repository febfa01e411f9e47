import { describe, expect, it } from "vitest";
import { Backpressure } from "./pressure.js";

describe("Backpressure", () => {
  it("is blocked while any holder is, and wakes waiters when the last lets go", async () => {
    const pressure = new Backpressure();
    const file = {};
    const broker = {};
    await pressure.whenClear();
    pressure.block(file);
    pressure.block(file);
    pressure.block(broker);
    let woken = false;
    const waiting = pressure.whenClear().then(() => (woken = true));
    pressure.unblock(file);
    await Promise.resolve();
    expect([pressure.blocked, woken]).toEqual([true, false]);
    pressure.unblock(broker);
    await waiting;
    expect([pressure.blocked, woken]).toEqual([false, true]);
    pressure.unblock(broker);
    expect(pressure.blocked).toBe(false);
  });

  it("says when everything the tracked outputs accepted is written", async () => {
    const pressure = new Backpressure();
    expect(pressure.whenWritten()).toBeUndefined();
    const flushes: (() => void)[] = [];
    const output = (idle: boolean) => ({
      idle,
      flush: () => new Promise<void>((resolve) => flushes.push(resolve)),
    });
    const idleFile = output(true);
    const busyFile = output(false);
    const busyLog = output(false);
    pressure.track(idleFile);
    expect(pressure.whenWritten()).toBeUndefined();
    const untrackFile = pressure.track(busyFile);
    const untrackLog = pressure.track(busyLog);

    let written = false;
    void pressure.whenWritten()!.then(() => (written = true));
    expect(flushes).toHaveLength(2);
    flushes[0]!();
    await Promise.resolve();
    expect(written).toBe(false);
    flushes[1]!();
    await new Promise((resolve) => setImmediate(resolve));
    expect(written).toBe(true);

    untrackFile();
    untrackLog();
    expect(pressure.whenWritten()).toBeUndefined();
  });
});
