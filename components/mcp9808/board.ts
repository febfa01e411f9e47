/** The MCP9808 temperature sensor at register level, for the simulated board. */
import type { BoardPart } from "../../targets/esp8266/simulator/board.js";
import { toSigned, type I2cTarget } from "../../targets/esp8266/simulator/i2c-bus.js";

const MCP9808_POINTER_MASK = 0x0f;
const MCP9808_CONFIG = 0x01;
const MCP9808_UPPER = 0x02;
const MCP9808_LOWER = 0x03;
const MCP9808_CRITICAL = 0x04;
const MCP9808_AMBIENT = 0x05;
const MCP9808_MANUFACTURER = 0x06;
const MCP9808_DEVICE = 0x07;
const MCP9808_RESOLUTION = 0x08;

/** Settings of {@link Mcp9808Model}. */
export interface Mcp9808Options {
  /** Temperature the sensor sees, in °C. */
  celsius: number;
  address?: number;
}

/**
 * The MCP9808 digital temperature sensor (Microchip datasheet): a pointer byte selects one of the
 * 16-bit big-endian registers — CONFIG, the alert limits T_UPPER/T_LOWER/T_CRIT, the ambient
 * temperature T_A (0x05), manufacturer id 0x0054 (0x06), device id/revision 0x0400 (0x07) — or
 * the 8-bit resolution register (0x08, default 0.0625 °C).
 *
 * T_A holds the temperature as 13-bit two's complement in 1/16 °C (bit 12 is the sign), truncated
 * to the configured resolution, with the alert flags in bits 15–13 (T_A ≥ T_CRIT, > T_UPPER,
 * < T_LOWER). The limits power up as 0 °C, so any positive reading carries flags a driver must mask.
 *
 * @example
 * const sensor = new Mcp9808Model({ celsius: -12.5 });
 */
export class Mcp9808Model implements I2cTarget {
  readonly address: number;
  present = true;
  /** Temperature the sensor sees; change it at any time. */
  celsius: number;
  #registers = new Uint16Array(9);
  #pointer = MCP9808_AMBIENT;

  constructor(options: Mcp9808Options) {
    this.address = options.address ?? 0x18;
    this.celsius = options.celsius;
    this.#registers[MCP9808_MANUFACTURER] = 0x0054;
    this.#registers[MCP9808_DEVICE] = 0x0400;
    this.#registers[MCP9808_RESOLUTION] = 0x03;
  }

  /** The T_A register as the sensor reports it now. */
  ambientRegister(): number {
    const stepSixteenths = 8 >> (this.#registers[MCP9808_RESOLUTION]! & 0x03); // 0.5 °C .. 0.0625 °C
    const sixteenths = Math.max(
      -4096,
      Math.min(4095, Math.floor((this.celsius * 16) / stepSixteenths) * stepSixteenths),
    );
    const limit = (register: number) => toSigned(this.#registers[register]! & 0x1ffc, 13);
    let flags = 0;
    if (sixteenths >= limit(MCP9808_CRITICAL)) flags |= 0x8000;
    if (sixteenths > limit(MCP9808_UPPER)) flags |= 0x4000;
    if (sixteenths < limit(MCP9808_LOWER)) flags |= 0x2000;
    return flags | (sixteenths & 0x1fff);
  }

  write(bytes: readonly number[]): void {
    const [pointer, ...data] = bytes;
    if (pointer === undefined) return;
    this.#pointer = pointer & MCP9808_POINTER_MASK;
    if (data.length === 0) return;
    if (this.#pointer === MCP9808_RESOLUTION) this.#registers[MCP9808_RESOLUTION] = data[0]! & 0x03;
    else if (
      data.length >= 2 &&
      [MCP9808_CONFIG, MCP9808_UPPER, MCP9808_LOWER, MCP9808_CRITICAL].includes(this.#pointer)
    ) {
      this.#registers[this.#pointer] = (data[0]! << 8) | data[1]!;
    }
  }

  read(count: number): number[] {
    if (this.#pointer === MCP9808_RESOLUTION)
      return Array.from({ length: count }, () => this.#registers[MCP9808_RESOLUTION]!);
    const value = this.#pointer === MCP9808_AMBIENT ? this.ambientRegister() : (this.#registers[this.#pointer] ?? 0);
    // The register pointer does not advance: further bytes repeat the register.
    return Array.from({ length: count }, (_, i) => (i % 2 === 0 ? value >> 8 : value & 0xff));
  }
}

declare module "../../targets/esp8266/simulator/board.js" {
  interface SensorSettings {
    mcp9808: Mcp9808Options;
  }
  interface SimulatedSensors {
    mcp9808: Mcp9808Model;
  }
}

/** The MCP9808 on the simulated board: wired by `flowc sim` with { celsius: 21.5 }. */
export const boardParts: BoardPart<"mcp9808">[] = [
  {
    name: "mcp9808",
    create: (_now, options) => new Mcp9808Model(options),
    demo: { celsius: 21.5 },
    drift: (sensor, minutes) => (sensor.celsius = 21.5 + Math.sin(minutes / 7)),
  },
];
