import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../targets/esp8266/simulator/board.js";
import { Tsl2591Model, TSL2591_LUX_DF } from "./board.js";

describe("the TSL2591 register model", () => {
  const clock = new VirtualClock();
  const now = () => clock.nowUs / 1000;

  it("TSL2591: ignores writes without the command bit, as the chip does", () => {
    const sensor = new Tsl2591Model(now, { lux: 100 });
    sensor.write([0x12]); // a bare register number selects nothing
    expect(sensor.read(1)).toEqual([0x00]);
    sensor.write([0xa0 | 0x12]);
    expect(sensor.read(1)).toEqual([0x50]);
  });

  it("TSL2591: reports valid counts only after a full integration cycle", () => {
    const sensor = new Tsl2591Model(now, { lux: 100 });
    sensor.write([0xa0 | 0x01, 0x11]); // medium gain, 200 ms
    sensor.write([0xa0 | 0x00, 0x03]); // power on, ALS enable
    clock.advance(199);
    expect(sensor.counts()).toEqual({ ch0: 0, ch1: 0 });
    clock.advance(1);
    sensor.write([0xa0 | 0x13]);
    expect(sensor.read(1)).toEqual([0x01]);
    expect(sensor.counts().ch0).toBe(Math.round((100 * ((200 * 25) / TSL2591_LUX_DF)) / 0.75 ** 2));
  });
});
