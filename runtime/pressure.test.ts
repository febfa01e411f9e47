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
});
