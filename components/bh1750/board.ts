/** The BH1750 ambient light sensor at register level, for the simulated board. */
import type { BoardPart } from "../../targets/esp8266/simulator/board.js";
import type { I2cTarget, Now } from "../../targets/esp8266/simulator/i2c-bus.js";

const POWER_DOWN = 0x00;
const POWER_ON = 0x01;
const RESET = 0x07;
const CONTINUOUS_HIGH_RES = 0x10;
const ONE_TIME_HIGH_RES = 0x20;
/** A high-resolution measurement's typical time; the datasheet's maximum is 180 ms. */
const MEASUREMENT_MS = 120;

/** Settings of {@link Bh1750Model}. */
export interface Bh1750Options {
  /** Illuminance the sensor sees. */
  lux: number;
  address?: number;
}

/**
 * The BH1750FVI (ROHM datasheet): no registers, only one-byte opcodes written to the address —
 * power down 0x00, power on 0x01, reset 0x07 (clears the result, when powered), continuous
 * high-resolution 0x10, one-time high-resolution 0x20 — and a two-byte big-endian result read
 * back. A measurement takes 120 ms; until one completes the result keeps its previous value
 * (0 from power-up). A one-time measurement powers the sensor down once done. In high resolution
 * the count is lux × 1.2, so a driver reads lux as count / 1.2, in steps of 1/1.2 lx, up to
 * 65535 / 1.2 = 54612.5 lx. Other resolutions are not modelled: their opcodes are ignored.
 *
 * @example
 * const sensor = new Bh1750Model(() => clock.nowUs / 1000, { lux: 250 });
 */
export class Bh1750Model implements I2cTarget {
  readonly address: number;
  present = true;
  /** Illuminance the sensor sees; change it at any time. */
  lux: number;
  readonly #now: Now;
  #powered = false;
  #mode: "continuous" | "one-time" | undefined;
  #startedMs = 0;
  #result = 0;

  constructor(now: Now, options: Bh1750Options) {
    this.#now = now;
    this.address = options.address ?? 0x23;
    this.lux = options.lux;
  }

  /** The count a measurement of the current light gives. */
  count(): number {
    return Math.min(65535, Math.max(0, Math.round(this.lux * 1.2)));
  }

  write(bytes: readonly number[]): void {
    for (const opcode of bytes) {
      this.#update();
      if (opcode === POWER_DOWN) {
        this.#powered = false;
        this.#mode = undefined;
      } else if (opcode === POWER_ON) {
        this.#powered = true;
      } else if (opcode === RESET && this.#powered) {
        this.#result = 0;
      } else if ((opcode === CONTINUOUS_HIGH_RES || opcode === ONE_TIME_HIGH_RES) && this.#powered) {
        this.#mode = opcode === CONTINUOUS_HIGH_RES ? "continuous" : "one-time";
        this.#startedMs = this.#now();
      }
    }
  }

  read(count: number): number[] {
    this.#update();
    return Array.from({ length: count }, (_, i) => (i % 2 === 0 ? this.#result >> 8 : this.#result & 0xff));
  }

  /** Completes the measurement in progress, if its time has come. */
  #update(): void {
    if (this.#mode === undefined || this.#now() - this.#startedMs < MEASUREMENT_MS) return;
    this.#result = this.count();
    if (this.#mode === "one-time") {
      this.#mode = undefined;
      this.#powered = false;
    } else {
      // The next conversion is under way: a read between conversions gives this one.
      this.#startedMs += MEASUREMENT_MS * Math.floor((this.#now() - this.#startedMs) / MEASUREMENT_MS);
    }
  }
}

declare module "../../targets/esp8266/simulator/board.js" {
  interface SensorSettings {
    bh1750: Bh1750Options;
  }
  interface SimulatedSensors {
    bh1750: Bh1750Model;
  }
}

/** The BH1750 on the simulated board: wired by `flowc sim` in a lit room. */
export const boardParts: BoardPart<"bh1750">[] = [
  {
    name: "bh1750",
    create: (now, options) => new Bh1750Model(now, options),
    demo: { lux: 120 },
    drift: (sensor, minutes) => (sensor.lux = 120 + 20 * Math.sin(minutes / 3)),
  },
];
