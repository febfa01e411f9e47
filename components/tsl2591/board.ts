/** The TSL2591 light sensor at register level, for the simulated board. */
import type { BoardPart } from "../../targets/esp8266/simulator/board.js";
import type { I2cTarget, Now } from "../../targets/esp8266/simulator/i2c-bus.js";

const TSL2591_COMMAND = 0x80;
const TSL2591_TRANSACTION_NORMAL = 0x20;
const TSL2591_TRANSACTION_MASK = 0x60;
const TSL2591_REGISTER_MASK = 0x1f;
const TSL2591_ENABLE = 0x00;
const TSL2591_CONTROL = 0x01;
const TSL2591_PID = 0x11;
const TSL2591_ID = 0x12;
const TSL2591_STATUS = 0x13;
const TSL2591_C0DATAL = 0x14;
const TSL2591_C1DATAH = 0x17;
const TSL2591_PON = 0x01;
const TSL2591_AEN = 0x02;
const TSL2591_SRESET = 0x80;
const TSL2591_AVALID = 0x01;
/** Gain multipliers by AGAIN field (CONTROL bits 5:4): low, medium, high, max. */
const TSL2591_GAINS = [1, 25, 428, 9876] as const;
/** The divisor of the counts-per-lux formula the drivers use (ThingFlow/Adafruit). */
export const TSL2591_LUX_DF = 408;

/** Settings of {@link Tsl2591Model}. */
export interface Tsl2591Options {
  /** Illuminance the sensor sees. */
  lux: number;
  /** CH1/CH0: the infrared share of the full-spectrum count (default 0.25, around daylight's). */
  infraredRatio?: number;
  address?: number;
}

/**
 * The TSL2591 light-to-digital converter (ams datasheet): command byte 0xA0|register, ENABLE
 * (PON, AEN), CONTROL (AGAIN bits 5:4, ATIME bits 2:0 = 100..600 ms), ID 0x50, STATUS.AVALID
 * once an integration cycle has completed since enabling or reconfiguring, and the CH0/CH1
 * counts (little-endian) that saturate at 37888 (100 ms) or 65535.
 *
 * The counts are derived from {@link lux} by inverting the lux formula of the drivers —
 * lux = (ch0 − ch1)(1 − ch1/ch0) / (atime·again/408) — so a correct driver reads back the lux
 * configured here, at every gain and integration time, to within the counts' rounding.
 *
 * @example
 * const sensor = new Tsl2591Model(() => clock.nowUs / 1000, { lux: 284.13 });
 * sensor.lux = 40_000; // too bright for high gain: the channels saturate
 */
export class Tsl2591Model implements I2cTarget {
  readonly address: number;
  present = true;
  /** Illuminance the sensor sees; change it at any time. */
  lux: number;
  /** CH1/CH0 ratio; change it at any time. */
  infraredRatio: number;
  readonly #now: Now;
  #registers = new Uint8Array(0x20);
  #pointer = 0;
  #integrationStartMs = 0;

  constructor(now: Now, options: Tsl2591Options) {
    this.#now = now;
    this.address = options.address ?? 0x29;
    this.lux = options.lux;
    this.infraredRatio = options.infraredRatio ?? 0.25;
    this.#powerOnReset();
  }

  /** Gain multiplier currently configured. */
  get gain(): number {
    return TSL2591_GAINS[(this.#registers[TSL2591_CONTROL]! >> 4) & 0x03]!;
  }

  /** Integration time currently configured, in ms. */
  get integrationMs(): number {
    return ((this.#registers[TSL2591_CONTROL]! & 0x07) + 1) * 100;
  }

  /** The ALS is powered and integrating. */
  get enabled(): boolean {
    const enable = this.#registers[TSL2591_ENABLE]!;
    return (enable & (TSL2591_PON | TSL2591_AEN)) === (TSL2591_PON | TSL2591_AEN);
  }

  /** The channels' full scale for the configured integration time. */
  get maxCount(): number {
    return this.integrationMs === 100 ? 37_888 : 65_535;
  }

  /** The CH0 (full spectrum) and CH1 (infrared) counts the sensor reports right now. */
  counts(): { ch0: number; ch1: number } {
    if (!this.#dataValid()) return { ch0: 0, ch1: 0 };
    const countsPerLux = (this.integrationMs * this.gain) / TSL2591_LUX_DF;
    const visibleShare = 1 - this.infraredRatio;
    const ch0 = (this.lux * countsPerLux) / (visibleShare * visibleShare);
    return {
      ch0: Math.min(this.maxCount, Math.round(ch0)),
      ch1: Math.min(this.maxCount, Math.round(ch0 * this.infraredRatio)),
    };
  }

  write(bytes: readonly number[]): void {
    const [command, ...data] = bytes;
    if (command === undefined || (command & TSL2591_COMMAND) === 0) return; // not addressed to the command register
    if ((command & TSL2591_TRANSACTION_MASK) !== TSL2591_TRANSACTION_NORMAL) return; // special function: interrupt clears
    this.#pointer = command & TSL2591_REGISTER_MASK;
    for (const value of data) this.#writeRegister(this.#pointer++ & TSL2591_REGISTER_MASK, value);
  }

  read(count: number): number[] {
    const { ch0, ch1 } = this.counts();
    const bytes: number[] = [];
    for (let i = 0; i < count; i++) {
      const register = this.#pointer++ & TSL2591_REGISTER_MASK;
      if (register === TSL2591_STATUS) bytes.push(this.#dataValid() ? TSL2591_AVALID : 0);
      else if (register >= TSL2591_C0DATAL && register <= TSL2591_C1DATAH) {
        const channel = register < TSL2591_C0DATAL + 2 ? ch0 : ch1;
        bytes.push((register - TSL2591_C0DATAL) % 2 === 0 ? channel & 0xff : channel >> 8);
      } else bytes.push(this.#registers[register]!);
    }
    return bytes;
  }

  #writeRegister(register: number, value: number): void {
    if (register === TSL2591_ID || register === TSL2591_PID || register >= TSL2591_STATUS) return; // read-only
    if (register === TSL2591_CONTROL && value & TSL2591_SRESET) {
      this.#powerOnReset();
      return;
    }
    const wasEnabled = this.enabled;
    this.#registers[register] = value;
    // Enabling the ALS or changing gain/integration starts a fresh integration cycle.
    if ((register === TSL2591_ENABLE && !wasEnabled) || register === TSL2591_CONTROL)
      this.#integrationStartMs = this.#now();
  }

  #dataValid(): boolean {
    return this.enabled && this.#now() - this.#integrationStartMs >= this.integrationMs;
  }

  #powerOnReset(): void {
    this.#registers.fill(0);
    this.#registers[TSL2591_ID] = 0x50;
    this.#pointer = 0;
  }
}

declare module "../../targets/esp8266/simulator/board.js" {
  interface SensorSettings {
    tsl2591: Tsl2591Options;
  }
  interface SimulatedSensors {
    tsl2591: Tsl2591Model;
  }
}

/** The TSL2591 on the simulated board: wired by `flowc sim` with { lux: 300 }. */
export const boardParts: BoardPart<"tsl2591">[] = [
  {
    name: "tsl2591",
    create: (now, options) => new Tsl2591Model(now, options),
    demo: { lux: 300 },
    // Light drifts a little, so a flow's filters and windows have something to do.
    drift: (sensor, minutes) => (sensor.lux = 300 + 40 * Math.sin(minutes)),
  },
];
