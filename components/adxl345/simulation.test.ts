import { describe, expect, it } from "vitest";
import { accelerationModel, gravity } from "./simulation.js";
import { Random } from "../../runtime/random.js";

const noon = new Date(2026, 10, 25, 12, 0, 0).getTime();

describe("the simulated ADXL345", () => {
  it("acceleration: a board lying flat", () => {
    const read = accelerationModel(new Random(11), "2g");
    const samples = Array.from({ length: 200 }, () => read(noon));
    const mean = (axis: "x" | "y" | "z") => samples.reduce((sum, s) => sum + s[axis], 0) / samples.length;
    expect(mean("x")).toBeCloseTo(0, 1);
    expect(mean("y")).toBeCloseTo(0, 1);
    expect(mean("z")).toBeCloseTo(gravity, 1);
  });
});
