import { describe, expect, it } from "vitest";
import { adcModel } from "./simulation.js";
import { Random } from "../../runtime/random.js";

const take = (count: number, next: () => number) => Array.from({ length: count }, next);
const noon = new Date(2026, 10, 25, 12, 0, 0).getTime();

describe("the simulated ADC", () => {
  it("adc: integers within 0..1023", () => {
    const read = adcModel(new Random(9));
    for (const value of take(1000, () => read(noon))) {
      expect(Number.isInteger(value)).toBe(true);
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThanOrEqual(1023);
    }
  });
});
