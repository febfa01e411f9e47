import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../targets/esp8266/simulator/board.js";
import { Bh1750Model } from "./board.js";

describe("the BH1750 model", () => {
  const clock = new VirtualClock();
  const now = () => clock.nowUs / 1000;
  const value = (bytes: number[]) => (bytes[0]! << 8) | bytes[1]!;

  it("measures only when powered on and given a mode, and only after the measurement time", () => {
    const sensor = new Bh1750Model(now, { lux: 100 });
    sensor.write([0x10]); // a mode while powered down does nothing
    clock.advance(200);
    expect(value(sensor.read(2))).toBe(0);
    sensor.write([0x01, 0x10]);
    clock.advance(119);
    expect(value(sensor.read(2))).toBe(0);
    clock.advance(1);
    expect(value(sensor.read(2))).toBe(120);
  });

  it("keeps measuring in continuous mode", () => {
    const sensor = new Bh1750Model(now, { lux: 10 });
    sensor.write([0x01, 0x10]);
    clock.advance(120);
    expect(value(sensor.read(2))).toBe(12);
    sensor.lux = 1000;
    clock.advance(120);
    expect(value(sensor.read(2))).toBe(1200);
  });

  it("powers down after a one-time measurement", () => {
    const sensor = new Bh1750Model(now, { lux: 50 });
    sensor.write([0x01, 0x20]);
    clock.advance(180);
    expect(value(sensor.read(2))).toBe(60);
    sensor.lux = 500;
    clock.advance(500);
    expect(value(sensor.read(2))).toBe(60);
    sensor.write([0x20]); // powered down: needs power on first
    clock.advance(180);
    expect(value(sensor.read(2))).toBe(60);
  });

  it("saturates at 65535 and resets its result when asked", () => {
    const sensor = new Bh1750Model(now, { lux: 100_000 });
    sensor.write([0x01, 0x10]);
    clock.advance(120);
    expect(value(sensor.read(2))).toBe(65535);
    sensor.write([0x00, 0x01, 0x07]);
    expect(value(sensor.read(2))).toBe(0);
  });
});
