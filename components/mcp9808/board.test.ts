import { describe, expect, it } from "vitest";
import { Mcp9808Model } from "./board.js";

describe("the MCP9808 register model", () => {
  it("MCP9808: truncates to the configured resolution", () => {
    const sensor = new Mcp9808Model({ celsius: 21.3 });
    sensor.write([0x08, 0x00]); // 0.5 °C
    expect(sensor.ambientRegister() & 0x1fff).toBe(21 * 16);
    sensor.write([0x08, 0x03]); // 0.0625 °C
    expect(sensor.ambientRegister() & 0x1fff).toBe(340);
  });
});
