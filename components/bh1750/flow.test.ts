/** The BH1750 in a flow: checked, run on the host, and built into firmware that runs on the simulated board. */
import { describe, expect, it } from "vitest";
import { MicroPythonDevice } from "../../targets/esp8266/simulator/board.js";
import { loadBundleIntoDevice } from "../../targets/esp8266/testing.js";
import { buildEsp8266Bundle, compile } from "../../test/support/catalogue.js";
import { boardParts } from "./board.js";

describe("bh1750 in a flow", () => {
  it("refuses an address the ADDR pin cannot select, with E405 at the value", () => {
    const text = 'bh1750 "light-1" every 10s address 0x29 -> print';
    const { diagnostics } = compile([{ path: "light.flow", text }]);
    expect(diagnostics.map((d) => [d.code, d.message, text.slice(d.span.start, d.span.end), d.hint])).toEqual([
      [
        "E405",
        "`address` of `bh1750` must be 0x23 (35) or 0x5C (92)",
        "address 0x29",
        "the ADDR pin selects one of the two: 35 when low, 92 when high",
      ],
    ]);
  });

  it("accepts both addresses and both modes", () => {
    for (const options of ["", "address 0x5C", "mode one_time", "address 35 mode continuous"]) {
      const { diagnostics } = compile([{ path: "light.flow", text: `bh1750 every 10s ${options} -> print` }]);
      expect(diagnostics, options).toEqual([]);
    }
  });

  it("prints lux from the simulated board's sensor, as flashed firmware would", async () => {
    const text = 'bh1750 "light-1" every 1s mode one_time -> print';
    const { programs, diagnostics } = compile([{ path: "light.flow", text }], { target: "esp8266" });
    expect(diagnostics).toEqual([]);
    const bundle = buildEsp8266Bundle(programs[0]!, { env: {} });
    expect(bundle.diagnostics).toEqual([]);
    expect(bundle.files.map((file) => file.path)).toContain("bh1750.py");
    const lines: string[] = [];
    const device = await MicroPythonDevice.create({
      parts: boardParts,
      sensors: { bh1750: { lux: 250 } },
      onOutput: (line) => lines.push(line),
    });
    try {
      await loadBundleIntoDevice(bundle.files, device);
      await device.setup();
      for (let i = 0; i < 3; i++) {
        device.advance(1000);
        await device.step();
      }
      device.sensors.bh1750!.present = false;
      device.advance(1000);
      await device.step();
    } finally {
      await device.close();
    }
    const readings = lines.filter((line) => line.includes("light-1"));
    expect(readings.length).toBeGreaterThanOrEqual(3);
    expect(readings[0]).toMatch(/sensor_id=.light-1., ts=[\d.]+, val=250\.0\)/);
    expect(lines.some((line) => /flowc: .*bh1750.* failed/.test(line))).toBe(true);
  });
});
