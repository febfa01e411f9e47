/**
 * Register-level models of the I2C sensors flowc supports, written from their datasheets so the
 * drivers in components/ are tested against the chips' protocols, not against themselves: a
 * driver that forgets the TSL2591's command bit or reads the MCP9808's flag bits as temperature
 * gets wrong numbers here just as it would on a board.
 */

import { Errno } from "./errno.js";

/** Standard gravity: m/s² per g. */
export const STANDARD_GRAVITY = 9.80665;

/** A device on the I2C bus, seen as the transactions a master performs on it. */
export interface I2cTarget {
  /** Its 7-bit address. */
  readonly address: number;
  /** False when unplugged: it then acknowledges nothing and the master gets ENODEV. */
  present: boolean;
  /** A write transaction: the first byte selects a register (or is a command), the rest are data. */
  write(bytes: readonly number[]): void;
  /** A read transaction of `count` bytes, starting at the register the last write selected. */
  read(count: number): number[];
}

/** Virtual milliseconds, for sensors whose readings depend on time (integration, conversion). */
export type Now = () => number;

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

function toSigned(value: number, bits: number): number {
  return value & (1 << (bits - 1)) ? value - (1 << bits) : value;
}

/**
 * The ESP8266's (software) I2C bus: the targets wired to one SCL/SDA pin pair. Transactions on
 * other pins, to absent targets or to unknown addresses fail with ENODEV, as MicroPython's do.
 *
 * @example
 * const bus = new I2cBus({ scl: 5, sda: 4 }, [new Mcp9808Model({ celsius: 21 })]);
 * bus.readRegisters(5, 4, 0x18, 0x06, 2); // [0x00, 0x54]
 */
export class I2cBus {
  readonly scl: number;
  readonly sda: number;
  readonly targets: I2cTarget[];

  constructor(pins: { scl: number; sda: number }, targets: I2cTarget[]) {
    this.scl = pins.scl;
    this.sda = pins.sda;
    this.targets = targets;
  }

  /** Addresses that acknowledge, as `I2C.scan()` lists them. */
  scan(scl: number, sda: number): number[] {
    if (!this.#wired(scl, sda)) return [];
    return this.targets
      .filter((target) => target.present)
      .map((target) => target.address)
      .sort((a, b) => a - b);
  }

  /** Reads `count` bytes, after selecting `register` unless it is negative; an errno on failure. */
  readRegisters(scl: number, sda: number, address: number, register: number, count: number): number[] | number {
    const target = this.#target(scl, sda, address);
    if (!target) return Errno.ENODEV;
    if (register >= 0) target.write([register]);
    return target.read(count);
  }

  /** Writes `data`, after the register byte unless it is negative; 0 or an errno. */
  writeRegisters(scl: number, sda: number, address: number, register: number, data: readonly number[]): number {
    const target = this.#target(scl, sda, address);
    if (!target) return Errno.ENODEV;
    target.write(register >= 0 ? [register, ...data] : data);
    return 0;
  }

  #wired(scl: number, sda: number): boolean {
    return scl === this.scl && sda === this.sda;
  }

  #target(scl: number, sda: number, address: number): I2cTarget | undefined {
    if (!this.#wired(scl, sda)) return undefined;
    return this.targets.find((target) => target.address === address && target.present);
  }
}
