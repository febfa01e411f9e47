import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { Errno, MicroPythonDevice, type DeviceOptions } from "../../targets/esp8266/simulator/board.js";
import { micropythonErrorOf } from "../../targets/esp8266/testing.js";
import { boardParts } from "./board.js";

const DRIVER = readFileSync(new URL("./bh1750.py", import.meta.url), "utf8");

let device: MicroPythonDevice | undefined;

afterEach(async () => {
  await device?.close();
  device = undefined;
});

async function boot(options: DeviceOptions): Promise<MicroPythonDevice> {
  device = await MicroPythonDevice.create({ files: { "bh1750.py": DRIVER }, parts: boardParts, ...options });
  await device.run(
    "import machine\nfrom bh1750 import Bh1750\ni2c = machine.I2C(scl=machine.Pin(5), sda=machine.Pin(4))",
  );
  return device;
}

describe("Bh1750 driver against the sensor model", () => {
  it.each([
    ["continuous", 250, 250],
    ["continuous", 0, 0],
    ["one_time", 250, 250],
    ["one_time", 0.5, 0.8333],
    ["continuous", 100_000, 54612.5], // beyond the sensor's range: its largest count
  ])("reads %s %f lx as %f", async (mode, lux, expected) => {
    const d = await boot({ sensors: { bh1750: { lux } } });
    await d.run(`sensor = Bh1750("light-1", i2c, mode="${mode}")`);
    expect(await d.evaluate("sensor.sample()")).toBeCloseTo(expected, 3);
  });

  it("follows the light in both modes", async () => {
    const d = await boot({ sensors: { bh1750: { lux: 10 } } });
    await d.run('steady = Bh1750("a", i2c)\nonce = Bh1750("b", i2c, mode="one_time")');
    d.sensors.bh1750!.lux = 600;
    expect(await d.evaluate("once.sample()")).toBe(600);
    d.advance(200);
    expect(await d.evaluate("steady.sample()")).toBe(600);
  });

  it("waits for the first measurement, and for each one-time measurement", async () => {
    const d = await boot({ sensors: { bh1750: { lux: 300 } } });
    const started = d.clock.uptimeMs;
    await d.run('sensor = Bh1750("light-1", i2c)');
    expect(d.clock.uptimeMs - started).toBeGreaterThanOrEqual(120);
    await d.run('sensor = Bh1750("light-1", i2c, mode="one_time")');
    const before = d.clock.uptimeMs;
    expect(await d.evaluate("sensor.sample()")).toBe(300);
    expect(d.clock.uptimeMs - before).toBeGreaterThanOrEqual(120);
  });

  it("answers at 0x5C with ADDR high", async () => {
    const d = await boot({ sensors: { bh1750: { lux: 45, address: 0x5c } } });
    expect((await micropythonErrorOf(d.run('Bh1750("light-1", i2c)'))).errno).toBe(Errno.ENODEV);
    await d.run('sensor = Bh1750("light-1", i2c, address=0x5c)');
    expect(await d.evaluate("sensor.sample()")).toBe(45);
  });

  it("lets OSError(ENODEV) propagate when the sensor is unplugged", async () => {
    const d = await boot({ sensors: { bh1750: { lux: 42 } } });
    await d.run('sensor = Bh1750("light-1", i2c)');
    d.sensors.bh1750!.present = false;
    expect((await micropythonErrorOf(d.evaluate("sensor.sample()"))).errno).toBe(Errno.ENODEV);
  });

  it("samples without holding on to memory", async () => {
    const d = await boot({ sensors: { bh1750: { lux: 20 } } });
    await d.run('sensor = Bh1750("light-1", i2c)\nsensor.sample()');
    const before = d.heap().used;
    await d.run("[sensor.sample() for _ in range(100)]");
    expect(d.heap().used).toBe(before);
  });
});
