import { describe, expect, it } from "vitest";
import {
  accelerationModel,
  adcModel,
  gravity,
  luxModel,
  Random,
  seedFor,
  simModel,
  temperatureModel,
  type SimOptions,
} from "./simulated-sensors.js";

const take = (count: number, next: () => number) => Array.from({ length: count }, next);
const noon = new Date(2026, 10, 25, 12, 0, 0).getTime();
const midnight = new Date(2026, 10, 25, 0, 0, 0).getTime();

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

describe("sensor models", () => {
  it("lux: bright by day, dim by night, never beyond the gain's ceiling", () => {
    const day = luxModel(new Random(3));
    const night = luxModel(new Random(3));
    const dayValues = take(50, () => day(noon));
    const nightValues = take(50, () => night(midnight));
    expect(Math.min(...dayValues)).toBeGreaterThan(100);
    expect(Math.max(...nightValues)).toBeLessThan(20);
    const saturated = luxModel(new Random(3), "max");
    expect(Math.max(...take(20, () => saturated(noon)))).toBeLessThanOrEqual(10);
  });

  it("temperature: around 21 °C at the MCP9808's resolution", () => {
    const read = temperatureModel(new Random(5));
    for (const value of take(100, () => read(noon))) {
      expect(value).toBeGreaterThan(18);
      expect(value).toBeLessThan(24);
      expect(Number.isInteger(value / 0.0625)).toBe(true);
    }
  });

  it("adc: integers within 0..1023", () => {
    const read = adcModel(new Random(9));
    for (const value of take(1000, () => read(noon))) {
      expect(Number.isInteger(value)).toBe(true);
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThanOrEqual(1023);
    }
  });

  it("acceleration: a board lying flat", () => {
    const read = accelerationModel(new Random(11), "2g");
    const samples = Array.from({ length: 200 }, () => read(noon));
    const mean = (axis: "x" | "y" | "z") => samples.reduce((sum, s) => sum + s[axis], 0) / samples.length;
    expect(mean("x")).toBeCloseTo(0, 1);
    expect(mean("y")).toBeCloseTo(0, 1);
    expect(mean("z")).toBeCloseTo(gravity, 1);
  });
});

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
