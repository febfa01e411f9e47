import { describe, expect, it } from "vitest";
import { luxModel } from "./simulation.js";
import { Random } from "../../runtime/random.js";

const take = (count: number, next: () => number) => Array.from({ length: count }, next);
const noon = new Date(2026, 10, 25, 12, 0, 0).getTime();
const midnight = new Date(2026, 10, 25, 0, 0, 0).getTime();

describe("the simulated TSL2591", () => {
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
});
