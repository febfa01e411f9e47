import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { Errno, MicroPythonDevice, type DeviceOptions } from "../../targets/esp8266/simulator/board.js";
import { micropythonErrorOf } from "../../targets/esp8266/testing.js";
import { boardParts, STANDARD_GRAVITY } from "./board.js";

const DRIVER = readFileSync(new URL("./adxl345.py", import.meta.url), "utf8");
/** One count in full-resolution mode: 1/256 g. */
const COUNT = STANDARD_GRAVITY / 256;

let device: MicroPythonDevice | undefined;

afterEach(async () => {
  await device?.close();
  device = undefined;
});

async function boot(options: DeviceOptions): Promise<MicroPythonDevice> {
  device = await MicroPythonDevice.create({ files: { "adxl345.py": DRIVER }, parts: boardParts, ...options });
  await device.run(
    "import machine\nfrom adxl345 import Adxl345\ni2c = machine.I2C(scl=machine.Pin(5), sda=machine.Pin(4))",
  );
  return device;
}

function expectAxes(actual: unknown, expected: [number, number, number]): void {
  const axes = actual as number[];
  expect(axes).toHaveLength(3);
  axes.forEach((value, i) => expect(Math.abs(value - expected[i]!)).toBeLessThanOrEqual(COUNT / 2 + 1e-9));
}

describe("Adxl345 driver against the register model", () => {
  it.each(["2g", "4g", "8g", "16g"] as const)("reads m/s² at %s range", async (range) => {
    const acceleration: [number, number, number] = [1.5, -3.2, STANDARD_GRAVITY];
    const d = await boot({ sensors: { adxl345: { x: acceleration[0], y: acceleration[1], z: acceleration[2] } } });
    await d.run(`sensor = Adxl345("accel-1", i2c, range="${range}")`);
    expectAxes(await d.evaluate("sensor.sample()"), acceleration);
  });

  it("clips at the configured range", async () => {
    const d = await boot({ sensors: { adxl345: { x: 3 * STANDARD_GRAVITY, y: -3 * STANDARD_GRAVITY, z: 0 } } });
    await d.run('narrow = Adxl345("accel-1", i2c, range="2g")');
    expectAxes(await d.evaluate("narrow.sample()"), [511 * COUNT, -512 * COUNT, 0]);
    await d.run('wide = Adxl345("accel-1", i2c, range="4g")');
    expectAxes(await d.evaluate("wide.sample()"), [3 * STANDARD_GRAVITY, -3 * STANDARD_GRAVITY, 0]);
  });

  it("waits for the first conversion before its first sample", async () => {
    const d = await boot({ sensors: { adxl345: {} } });
    await d.run('sensor = Adxl345("accel-1", i2c)');
    expect(d.clock.uptimeMs).toBeGreaterThanOrEqual(11.1);
    expectAxes(await d.evaluate("sensor.sample()"), [0, 0, STANDARD_GRAVITY]);
  });

  it("follows the motion between samples", async () => {
    const d = await boot({ sensors: { adxl345: {} } });
    await d.run('sensor = Adxl345("accel-1", i2c, range="16g")');
    Object.assign(d.sensors.adxl345!, { x: -100, y: 50, z: 0.5 });
    expectAxes(await d.evaluate("sensor.sample()"), [-100, 50, 0.5]);
  });

  it("lets OSError(ENODEV) propagate when the sensor is absent or unplugged", async () => {
    const d = await boot({ sensors: { adxl345: { address: 0x1d } } });
    expect((await micropythonErrorOf(d.run('Adxl345("accel-1", i2c)'))).errno).toBe(Errno.ENODEV);
    await d.run('sensor = Adxl345("accel-1", i2c, address=0x1d)');
    d.sensors.adxl345!.present = false;
    expect((await micropythonErrorOf(d.evaluate("sensor.sample()"))).errno).toBe(Errno.ENODEV);
  });

  it("validates the range", async () => {
    const d = await boot({ sensors: { adxl345: {} } });
    expect((await micropythonErrorOf(d.run('Adxl345("accel-1", i2c, range="3g")'))).pythonType).toBe("ValueError");
  });

  it("samples without holding on to memory", async () => {
    const d = await boot({ sensors: { adxl345: {} } });
    await d.run('sensor = Adxl345("accel-1", i2c)\nsensor.sample()');
    const before = d.heap().used;
    await d.run("[sensor.sample() for _ in range(100)]");
    expect(d.heap().used).toBe(before);
  });
});
