/**
 * The simulated board's I2C bus and what a chip on it must do. The chips themselves are modelled
 * in their component folders (`components/<name>/board.ts`), at register level from their
 * datasheets, so the drivers are tested against the chips' protocols, not against themselves.
 */

import { Errno } from "./errno.js";

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

/** Reads `value` as a `bits`-wide two's complement number. */
export function toSigned(value: number, bits: number): number {
  return value & (1 << (bits - 1)) ? value - (1 << bits) : value;
}

/**
 * The ESP8266's (software) I2C bus: the targets wired to one SCL/SDA pin pair. Transactions on
 * other pins, to absent targets or to unknown addresses fail with ENODEV, as MicroPython's do.
 *
 * @example
 * // `thermometer`: a register model from a sensor's folder, answering at address 0x18
 * const bus = new I2cBus({ scl: 5, sda: 4 }, [thermometer]);
 * bus.readRegisters(5, 4, 0x18, 0x06, 2); // the two bytes of its register 6
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

/**
 * A chip of some other kind at `address`: it acknowledges, ignores writes and reads as `fill`,
 * so a driver that checks the chip's identity must refuse it.
 *
 * @example
 * MicroPythonDevice.create({ i2c: { targets: [otherChip(0x18)] } });
 */
export function otherChip(address: number, fill = 0): I2cTarget {
  return { address, present: true, write: () => {}, read: (count) => Array<number>(count).fill(fill) };
}
