import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import {
  Errno,
  MicroPythonDevice,
  otherChip,
  type DeviceOptions,
  type SensorOptions,
} from "../../targets/esp8266/simulator/board.js";
import { micropythonErrorOf } from "../../targets/esp8266/testing.js";
import { boardParts, TSL2591_LUX_DF } from "./board.js";

const DRIVER = readFileSync(new URL("./tsl2591.py", import.meta.url), "utf8");
const GAIN_FACTORS = { low: 1, medium: 25, high: 428, max: 9876 } as const;

let device: MicroPythonDevice | undefined;

afterEach(async () => {
  await device?.close();
  device = undefined;
});

async function withSensor(sensors: SensorOptions, construction = 'Tsl2591("lux-1", i2c)', extra: DeviceOptions = {}) {
  device = await MicroPythonDevice.create({ files: { "tsl2591.py": DRIVER }, parts: boardParts, sensors, ...extra });
  await device.run(
    `import machine\nfrom tsl2591 import Tsl2591\ni2c = machine.I2C(scl=machine.Pin(5), sda=machine.Pin(4))\nsensor = ${construction}`,
  );
  return device;
}

describe("Tsl2591 driver against the register model", () => {
  it.each([
    { lux: 284.13, gain: "medium", integration: 100 },
    { lux: 20_000, gain: "low", integration: 100 },
    { lux: 1_500, gain: "low", integration: 200 },
    { lux: 5, gain: "high", integration: 300 },
    { lux: 80, gain: "medium", integration: 500 },
    { lux: 0.5, gain: "max", integration: 600 },
  ] as const)("reads $lux lux at $gain gain and $integration ms", async ({ lux, gain, integration }) => {
    const d = await withSensor(
      { tsl2591: { lux } },
      `Tsl2591("lux-1", i2c, gain="${gain}", integration=${integration})`,
    );
    const model = d.sensors.tsl2591!;
    expect([model.gain, model.integrationMs, model.enabled]).toEqual([GAIN_FACTORS[gain], integration, true]);

    const measured = (await d.evaluate("sensor.sample()")) as number;
    // The driver applies the datasheet-derived formula to exactly the counts the chip reports...
    const { ch0, ch1 } = model.counts();
    const countsPerLux = (integration * GAIN_FACTORS[gain]) / TSL2591_LUX_DF;
    expect(measured).toBeCloseTo(((ch0 - ch1) * (1 - ch1 / ch0)) / countsPerLux, 9);
    // ...which recovers the illuminance to within the counts' rounding.
    expect(Math.abs(measured - lux) / lux).toBeLessThan(0.002);
  });

  it("follows the light and the infrared share between samples", async () => {
    const d = await withSensor({ tsl2591: { lux: 100, infraredRatio: 0.1 } });
    expect(await d.evaluate("sensor.sample()")).toBeCloseTo(100, 0);
    d.sensors.tsl2591!.lux = 650;
    d.sensors.tsl2591!.infraredRatio = 0.5;
    expect(await d.evaluate("sensor.sample()")).toBeCloseTo(650, 0);
  });

  it("waits for the first integration cycle once, then samples without sleeping", async () => {
    const d = await withSensor({ tsl2591: { lux: 284.13 } }, 'Tsl2591("lux-1", i2c, integration=400)');
    expect(d.clock.uptimeMs).toBe(0);
    await d.evaluate("sensor.sample()");
    expect(d.clock.uptimeMs).toBe(400);
    await d.evaluate("sensor.sample()");
    expect(d.clock.uptimeMs).toBe(400);
  });

  it("returns 0 in the dark and raises ValueError when a channel saturates", async () => {
    const d = await withSensor({ tsl2591: { lux: 0 } });
    expect(await d.evaluate("sensor.sample()")).toBe(0);
    d.sensors.tsl2591!.lux = 100_000; // far beyond medium gain's range
    const error = await micropythonErrorOf(d.evaluate("sensor.sample()"));
    expect(error.pythonType).toBe("ValueError");
    expect(error.message).toContain("saturated");
  });

  it("lets OSError(ENODEV) propagate when the sensor is absent or unplugged", async () => {
    device = await MicroPythonDevice.create({ files: { "tsl2591.py": DRIVER } });
    await device.run(
      "import machine\nfrom tsl2591 import Tsl2591\ni2c = machine.I2C(scl=machine.Pin(5), sda=machine.Pin(4))",
    );
    expect((await micropythonErrorOf(device.run('Tsl2591("lux-1", i2c)'))).errno).toBe(Errno.ENODEV);
    await device.close();

    const d = await withSensor({ tsl2591: { lux: 10 } });
    await d.evaluate("sensor.sample()");
    d.sensors.tsl2591!.present = false;
    expect((await micropythonErrorOf(d.evaluate("sensor.sample()"))).errno).toBe(Errno.ENODEV);
    d.sensors.tsl2591!.present = true;
    expect(await d.evaluate("sensor.sample()")).toBeCloseTo(10, 0);
  });

  it("refuses another chip at its address", async () => {
    const error = await micropythonErrorOf(
      withSensor({}, 'Tsl2591("lux-1", i2c)', { i2c: { targets: [otherChip(0x29)] } }),
    );
    expect(error.errno).toBe(Errno.ENODEV);
  });

  it("validates gain and integration time", async () => {
    const d = await withSensor({ tsl2591: { lux: 10 } });
    expect((await micropythonErrorOf(d.run('Tsl2591("x", i2c, gain="huge")'))).pythonType).toBe("ValueError");
    expect((await micropythonErrorOf(d.run('Tsl2591("x", i2c, integration=150)'))).pythonType).toBe("ValueError");
    expect((await micropythonErrorOf(d.run('Tsl2591("x", i2c, integration=700)'))).pythonType).toBe("ValueError");
  });

  it("samples without holding on to memory", async () => {
    const d = await withSensor({ tsl2591: { lux: 284.13 } });
    await d.evaluate("sensor.sample()");
    const before = d.heap().used;
    await d.run("[sensor.sample() for _ in range(100)]");
    expect(d.heap().used).toBe(before);
  });
});
