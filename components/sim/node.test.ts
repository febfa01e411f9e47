import { describe, expect, it } from "vitest";
import { ManualClock } from "../../runtime/manual-clock.js";
import { compile, runProgram } from "../../test/support/catalogue.js";

/** Runs `text` (whose sink is `print`) for `ms` of simulated time and returns the printed lines. */
async function sample(text: string, ms: number, seed = 7): Promise<string[]> {
  const { programs, diagnostics } = compile([{ path: "s.flow", text }]);
  if (programs.length === 0) throw new Error(diagnostics.map((d) => d.message).join("\n"));
  let printed = "";
  const clock = new ManualClock(Date.UTC(2026, 10, 25, 12));
  const flow = await runProgram(programs, {
    clock,
    seed,
    stdout: { write: (t) => ((printed += t), true), once: () => undefined },
    stderr: () => {},
  });
  clock.advance(ms);
  await flow.stop();
  return printed.trim().split("\n");
}

const values = (lines: string[]) => lines.map((line) => Number(/val=([-\d.e]+)\)/.exec(line)![1]));

describe("sensors on the host", () => {
  it("sim: the configured shape, on the sensor's schedule", async () => {
    expect(
      values(await sample('sim "s" every 15s shape sine value 21 amplitude 3 period 1min -> print', 45_000)).map(
        (v) => Math.round(v * 1000) / 1000,
      ),
    ).toEqual([21, 24, 21, 18]);
    expect(await sample("sim every 1s shape constant value 5 -> print", 1000)).toEqual([
      "SensorEvent(sensor_id='sim', ts=1795608000, val=5)",
      "SensorEvent(sensor_id='sim', ts=1795608001, val=5)",
    ]);
  });

  it("the same seed gives the same readings; another seed others", async () => {
    const text = 'sim "r" every 1s shape random_walk value 10 step 2 -> print';
    expect(await sample(text, 5000, 1)).toEqual(await sample(text, 5000, 1));
    expect(await sample(text, 5000, 1)).not.toEqual(await sample(text, 5000, 2));
  });

  it("tsl2591, mcp9808 and adc: plausible values", async () => {
    const lux = values(await sample('tsl2591 "lux-1" every 1s -> print', 5000));
    expect(lux.every((v) => v > 50 && v < 3500)).toBe(true);
    const celsius = values(await sample('mcp9808 "t" every 1s -> print', 5000));
    expect(celsius.every((v) => v > 18 && v < 24)).toBe(true);
    const adc = values(await sample('adc "soil" every 1s scale 0.5 -> print', 5000));
    expect(adc.every((v) => Number.isInteger(v * 2) && v >= 0 && v <= 511.5)).toBe(true);
  });

  it("adxl345: AccelEvents of a board lying flat", async () => {
    const [line] = await sample('adxl345 "v" every 100ms -> print', 0);
    const match = /^AccelEvent\(sensor_id='v', ts=1795608000, x=([-\d.]+), y=([-\d.]+), z=([-\d.]+)\)$/.exec(line!);
    expect(match).not.toBeNull();
    expect(Math.abs(Number(match![1]))).toBeLessThan(0.5);
    expect(Number(match![3])).toBeCloseTo(9.8, 0);
  });

  it("interval: 0, 1, 2, ... from the start", async () => {
    expect(await sample("interval 500ms -> print", 1500)).toEqual(["0", "1", "2", "3"]);
  });
});
