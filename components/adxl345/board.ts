/** The ADXL345 accelerometer at register level, for the simulated board. */
import type { BoardPart } from "../../targets/esp8266/simulator/board.js";
import type { I2cTarget, Now } from "../../targets/esp8266/simulator/i2c-bus.js";

/** Standard gravity: m/s² per g. */
export const STANDARD_GRAVITY = 9.80665;

const ADXL345_DEVID = 0x00;
const ADXL345_BW_RATE = 0x2c;
const ADXL345_POWER_CTL = 0x2d;
const ADXL345_INT_SOURCE = 0x30;
const ADXL345_DATA_FORMAT = 0x31;
const ADXL345_DATAX0 = 0x32;
const ADXL345_DATAZ1 = 0x37;
const ADXL345_ACT_TAP_STATUS = 0x2b;
const ADXL345_FIFO_STATUS = 0x39;
const ADXL345_MEASURE = 0x08;
const ADXL345_FULL_RES = 0x08;
const ADXL345_JUSTIFY = 0x04;
const ADXL345_DATA_READY = 0x80;
const ADXL345_WATERMARK = 0x02;
const ADXL345_READ_ONLY = new Set([ADXL345_DEVID, ADXL345_ACT_TAP_STATUS, ADXL345_INT_SOURCE, ADXL345_FIFO_STATUS]);
for (let register = ADXL345_DATAX0; register <= ADXL345_DATAZ1; register++) ADXL345_READ_ONLY.add(register);

/** Settings of {@link Adxl345Model}. */
export interface Adxl345Options {
  /** Acceleration along each axis in m/s² (default: lying flat, z = +1 g). */
  x?: number;
  y?: number;
  z?: number;
  address?: number;
}

/**
 * The ADXL345 accelerometer (Analog Devices datasheet): DEVID 0xE5, POWER_CTL.Measure (0x2D bit
 * 3), DATA_FORMAT (0x31: range ±2/4/8/16 g in bits 1:0, FULL_RES bit 3, left-justify bit 2) and
 * the six little-endian two's-complement data registers DATAX0..DATAZ1 (0x32–0x37), read in one
 * burst. In 10-bit mode the scale is 256 LSB/g at ±2 g and halves with each range step; in full
 * resolution it stays 256 LSB/g with up to 13 bits. Readings clip at the range, and read as 0
 * until the first conversion after measurement starts (turn-on time: 1.1 ms + 1/ODR, with the
 * output data rate from BW_RATE, 100 Hz by default).
 *
 * @example
 * const sensor = new Adxl345Model(() => clock.nowUs / 1000, { x: 0, y: 0, z: 9.80665 });
 */
export class Adxl345Model implements I2cTarget {
  readonly address: number;
  present = true;
  /** Acceleration along each axis in m/s²; change it at any time. */
  x: number;
  y: number;
  z: number;
  readonly #now: Now;
  #registers = new Uint8Array(0x40);
  #pointer = 0;
  #measuringSinceMs = 0;

  constructor(now: Now, options: Adxl345Options = {}) {
    this.#now = now;
    this.address = options.address ?? 0x53;
    this.x = options.x ?? 0;
    this.y = options.y ?? 0;
    this.z = options.z ?? STANDARD_GRAVITY;
    this.#registers[ADXL345_DEVID] = 0xe5;
    this.#registers[ADXL345_BW_RATE] = 0x0a;
  }

  /** The raw 16-bit register value of one axis as the sensor reports it now. */
  axisRegister(metresPerSecond2: number): number {
    if (!this.#dataReady()) return 0;
    const format = this.#registers[ADXL345_DATA_FORMAT]!;
    const rangeStep = format & 0x03;
    const fullResolution = (format & ADXL345_FULL_RES) !== 0;
    const bits = fullResolution ? 10 + rangeStep : 10;
    const lsbPerG = fullResolution ? 256 : 256 >> rangeStep;
    const limit = 2 ** (bits - 1);
    const counts = Math.max(-limit, Math.min(limit - 1, Math.round((metresPerSecond2 / STANDARD_GRAVITY) * lsbPerG)));
    const aligned = format & ADXL345_JUSTIFY ? counts * 2 ** (16 - bits) : counts;
    return aligned & 0xffff;
  }

  write(bytes: readonly number[]): void {
    const [register, ...data] = bytes;
    if (register === undefined) return;
    this.#pointer = register & 0x3f;
    for (const value of data) {
      const target = this.#pointer++ & 0x3f;
      if (ADXL345_READ_ONLY.has(target)) continue;
      if (target === ADXL345_POWER_CTL && value & ADXL345_MEASURE && !this.#measuring())
        this.#measuringSinceMs = this.#now();
      this.#registers[target] = value;
    }
  }

  read(count: number): number[] {
    const axes = [this.axisRegister(this.x), this.axisRegister(this.y), this.axisRegister(this.z)];
    const bytes: number[] = [];
    for (let i = 0; i < count; i++) {
      const register = this.#pointer++ & 0x3f;
      if (register >= ADXL345_DATAX0 && register <= ADXL345_DATAZ1) {
        const offset = register - ADXL345_DATAX0;
        const axis = axes[offset >> 1]!;
        bytes.push(offset % 2 === 0 ? axis & 0xff : axis >> 8);
      } else if (register === ADXL345_INT_SOURCE) {
        bytes.push(this.#dataReady() ? ADXL345_DATA_READY | ADXL345_WATERMARK : ADXL345_WATERMARK);
      } else bytes.push(this.#registers[register]!);
    }
    return bytes;
  }

  #measuring(): boolean {
    return (this.#registers[ADXL345_POWER_CTL]! & ADXL345_MEASURE) !== 0;
  }

  #dataReady(): boolean {
    const outputDataRateHz = 3200 / 2 ** (15 - (this.#registers[ADXL345_BW_RATE]! & 0x0f));
    return this.#measuring() && this.#now() - this.#measuringSinceMs >= 1.1 + 1000 / outputDataRateHz;
  }
}

declare module "../../targets/esp8266/simulator/board.js" {
  interface SensorSettings {
    adxl345: Adxl345Options;
  }
  interface SimulatedSensors {
    adxl345: Adxl345Model;
  }
}

/** The ADXL345 on the simulated board: wired by `flowc sim` with { x: 0.1, y: -0.2, z: 9.81 }. */
export const boardParts: BoardPart<"adxl345">[] = [
  {
    name: "adxl345",
    create: (now, options) => new Adxl345Model(now, options),
    demo: { x: 0.1, y: -0.2, z: 9.81 },
  },
];
