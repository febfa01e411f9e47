import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { breathing } from "./property.js";

/** Holds the thread for `ms`, as a slow case does. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe("the breathing plugin", () => {
  it("lets the event loop run between the cases of a long property", async () => {
    let turns = 0;
    const tick = () => {
      turns++;
      if (turns < 1000) setImmediate(tick);
    };
    setImmediate(tick);
    // Twelve cases of 50 ms each: a turn is due about every fifth case.
    await fc.assert(
      fc.asyncProperty(fc.nat(), async () => busy(50)),
      { numRuns: 12, plugins: [breathing] },
    );
    expect(turns).toBeGreaterThanOrEqual(2);
  });

  it("without it, the same property holds the event loop from start to end", async () => {
    let turns = 0;
    setImmediate(() => turns++);
    await fc.assert(
      fc.asyncProperty(fc.nat(), async () => busy(50)),
      { numRuns: 12 },
    );
    expect(turns).toBe(0);
  });
});
