import { describe, expect, it } from "vitest";
import { temperatureModel } from "./simulation.js";
import { Random } from "../../runtime/random.js";

const take = (count: number, next: () => number) => Array.from({ length: count }, next);
const noon = new Date(2026, 10, 25, 12, 0, 0).getTime();

describe("the simulated MCP9808", () => {
  it("temperature: around 21 °C at the MCP9808's resolution", () => {
    const read = temperatureModel(new Random(5));
    for (const value of take(100, () => read(noon))) {
      expect(value).toBeGreaterThan(18);
      expect(value).toBeLessThan(24);
      expect(Number.isInteger(value / 0.0625)).toBe(true);
    }
  });
});
