import { describe, expect, it } from "vitest";
import { Random } from "../../runtime/random.js";
import { simModel, type SimOptions } from "./simulation.js";

const take = (count: number, next: () => number) => Array.from({ length: count }, next);
const noon = new Date(2026, 10, 25, 12, 0, 0).getTime();

describe("sim shapes", () => {
  const base: SimOptions = { shape: "sine", value: 21, amplitude: 3, periodMs: 60_000, step: 0.5, startMs: noon };

  it("constant", () => {
    const read = simModel({ ...base, shape: "constant" }, new Random(1));
    expect([read(noon), read(noon + 5000)]).toEqual([21, 21]);
  });

  it("sine: starts at the centre, peaks a quarter period in", () => {
    const read = simModel(base, new Random(1));
    expect(read(noon)).toBeCloseTo(21);
    expect(read(noon + 15_000)).toBeCloseTo(24);
    expect(read(noon + 45_000)).toBeCloseTo(18);
  });

  it("random: within value ± amplitude", () => {
    const read = simModel({ ...base, shape: "random" }, new Random(1));
    for (const value of take(500, () => read(noon))) {
      expect(value).toBeGreaterThanOrEqual(18);
      expect(value).toBeLessThan(24);
    }
  });

  it("random walk: starts at the value and moves at most `step` at a time", () => {
    const read = simModel({ ...base, shape: "random_walk" }, new Random(1));
    const values = take(200, () => read(noon));
    expect(values[0]).toBe(21);
    for (let i = 1; i < values.length; i++) expect(Math.abs(values[i]! - values[i - 1]!)).toBeLessThanOrEqual(0.5);
    expect(new Set(values).size).toBeGreaterThan(100);
  });
});
