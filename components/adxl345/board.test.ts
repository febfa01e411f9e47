import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../targets/esp8266/simulator/board.js";
import { Adxl345Model, STANDARD_GRAVITY } from "./board.js";

describe("the ADXL345 register model", () => {
  const clock = new VirtualClock();
  const now = () => clock.nowUs / 1000;

  it("ADXL345: scales 10-bit readings with the range and left-justifies on request", () => {
    const sensor = new Adxl345Model(now, { x: STANDARD_GRAVITY });
    sensor.write([0x2d, 0x08]);
    clock.advance(20);
    sensor.write([0x31, 0x01]); // ±4 g, 10-bit: 128 LSB/g
    expect(sensor.axisRegister(STANDARD_GRAVITY)).toBe(128);
    sensor.write([0x31, 0x05]); // ±4 g, 10-bit, left-justified
    expect(sensor.axisRegister(STANDARD_GRAVITY)).toBe(128 << 6);
    sensor.write([0x31, 0x00]);
    expect(sensor.axisRegister(-STANDARD_GRAVITY)).toBe(0x10000 - 256);
  });
});
