import { describe, expect, it } from "vitest";
import { Random } from "../../runtime/random.js";
import { ambientLightModel } from "./simulation.js";

const take = (count: number, next: () => number) => Array.from({ length: count }, next);
const noon = new Date(2026, 10, 25, 12, 0, 0).getTime();
const midnight = new Date(2026, 10, 25, 0, 0, 0).getTime();

describe("the simulated BH1750", () => {
  it("is bright by day, dim by night, in the sensor's 1/1.2 lx steps", () => {
    const day = take(50, () => ambientLightModel(new Random(3))(noon));
    const night = take(
      50,
      (
        (read) => () =>
          read(midnight)
      )(ambientLightModel(new Random(3))),
    );
    expect(Math.min(...day)).toBeGreaterThan(200);
    expect(Math.max(...night)).toBeLessThan(10);
    for (const lux of [...day, ...night]) expect(Math.abs(lux * 1.2 - Math.round(lux * 1.2))).toBeLessThan(0.01);
  });

  it("repeats its readings for a seed", () => {
    const a = ambientLightModel(new Random(7));
    const b = ambientLightModel(new Random(7));
    expect(take(10, () => a(noon))).toEqual(take(10, () => b(noon)));
  });
});
