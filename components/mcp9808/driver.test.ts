import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { Errno, MicroPythonDevice, otherChip, type DeviceOptions } from "../../targets/esp8266/simulator/board.js";
import { micropythonErrorOf } from "../../targets/esp8266/testing.js";
import { boardParts } from "./board.js";

const DRIVER = readFileSync(new URL("./mcp9808.py", import.meta.url), "utf8");

let device: MicroPythonDevice | undefined;

afterEach(async () => {
  await device?.close();
  device = undefined;
});

async function boot(options: DeviceOptions): Promise<MicroPythonDevice> {
  device = await MicroPythonDevice.create({ files: { "mcp9808.py": DRIVER }, parts: boardParts, ...options });
  await device.run(
    "import machine\nfrom mcp9808 import Mcp9808\ni2c = machine.I2C(scl=machine.Pin(5), sda=machine.Pin(4))",
  );
  return device;
}

describe("Mcp9808 driver against the register model", () => {
  it.each([
    [21.25, 21.25],
    [21.3, 21.25], // the sensor truncates to 0.0625 °C
    [0, 0],
    [0.0625, 0.0625],
    [-0.0625, -0.0625],
    [-12.5, -12.5],
    [-40.03, -40.0625],
    [124.9375, 124.9375],
  ])("reads %f °C as %f", async (celsius, expected) => {
    const d = await boot({ sensors: { mcp9808: { celsius } } });
    await d.run('sensor = Mcp9808("temp-1", i2c)');
    expect(await d.evaluate("sensor.sample()")).toBe(expected);
  });

  it("masks the alert flags the chip sets in the temperature register", async () => {
    const d = await boot({ sensors: { mcp9808: { celsius: 30 } } });
    await d.run('sensor = Mcp9808("temp-1", i2c)');
    // The limits power up as 0 °C, so 30 °C raises T_CRIT and T_UPPER flags (bits 15 and 14).
    expect(d.sensors.mcp9808!.ambientRegister() >> 13).toBe(0b110);
    expect(await d.evaluate("sensor.sample()")).toBe(30);
    d.sensors.mcp9808!.celsius = -5; // below T_LOWER: bit 13
    expect(d.sensors.mcp9808!.ambientRegister() >> 13).toBe(0b001);
    expect(await d.evaluate("sensor.sample()")).toBe(-5);
  });

  it("lets OSError(ENODEV) propagate when the sensor is absent or unplugged", async () => {
    const d = await boot({ sensors: { mcp9808: { celsius: 20, address: 0x1c } } });
    expect((await micropythonErrorOf(d.run('Mcp9808("temp-1", i2c)'))).errno).toBe(Errno.ENODEV);
    await d.run('sensor = Mcp9808("temp-1", i2c, address=0x1c)');
    d.sensors.mcp9808!.present = false;
    expect((await micropythonErrorOf(d.evaluate("sensor.sample()"))).errno).toBe(Errno.ENODEV);
  });

  it("refuses another chip at its address", async () => {
    const d = await boot({ i2c: { targets: [otherChip(0x18)] } });
    expect((await micropythonErrorOf(d.run('Mcp9808("temp-1", i2c)'))).errno).toBe(Errno.ENODEV);
  });

  it("samples without holding on to memory", async () => {
    const d = await boot({ sensors: { mcp9808: { celsius: 20 } } });
    await d.run('sensor = Mcp9808("temp-1", i2c)\nsensor.sample()');
    const before = d.heap().used;
    await d.run("[sensor.sample() for _ in range(100)]");
    expect(d.heap().used).toBe(before);
  });
});
