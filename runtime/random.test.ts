import { describe, expect, it } from "vitest";
import { Random, seedFor } from "./random.js";

const take = (count: number, next: () => number) => Array.from({ length: count }, next);

describe("Random", () => {
  it("repeats its sequence for a seed and differs between seeds", () => {
    const a = new Random(42);
    const b = new Random(42);
    const c = new Random(43);
    const first = take(5, () => a.next());
    expect(take(5, () => b.next())).toEqual(first);
    expect(take(5, () => c.next())).not.toEqual(first);
  });

  it("stays in [0, 1) and covers it evenly", () => {
    const random = new Random(7);
    const values = take(10_000, () => random.next());
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const lowHalf = values.filter((v) => v < 0.5).length;
    expect(lowHalf).toBeGreaterThan(4800);
    expect(lowHalf).toBeLessThan(5200);
  });

  it("draws normal numbers with the asked mean and deviation", () => {
    const random = new Random(1);
    const values = take(20_000, () => random.normal(10, 2));
    const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
    const deviation = Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length);
    expect(mean).toBeCloseTo(10, 1);
    expect(deviation).toBeCloseTo(2, 1);
  });

  it("derives independent seeds per name", () => {
    expect(seedFor(42, "n0")).toBe(seedFor(42, "n0"));
    expect(seedFor(42, "n0")).not.toBe(seedFor(42, "n1"));
    expect(seedFor(42, "n0")).not.toBe(seedFor(43, "n0"));
  });
});
