/**
 * Simulated sensors, so a device flow runs on the host unchanged: a seedable PRNG and plausible
 * readings for each sensor the language knows. Everything here is a pure function of the seed and
 * the clock, which makes `flowc run --seed 42` reproducible.
 */

/**
 * A small, fast, seedable pseudo-random generator (mulberry32). Not for cryptography.
 *
 * @example
 * const random = new Random(42);
 * random.next(); // always the same first value for seed 42
 */
export class Random {
  private state: number;
  private spareNormal: number | undefined;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A uniform number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A uniform number in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** A normally distributed number (Box–Muller; the second value of each pair is kept for the next call). */
  normal(mean = 0, deviation = 1): number {
    if (this.spareNormal !== undefined) {
      const spare = this.spareNormal;
      this.spareNormal = undefined;
      return mean + deviation * spare;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - this.next()));
    const angle = 2 * Math.PI * this.next();
    this.spareNormal = radius * Math.sin(angle);
    return mean + deviation * radius * Math.cos(angle);
  }
}

/**
 * Derives an independent seed for one named stream (a node of the flow) from the run's seed, so
 * adding a sensor to a flow does not change the readings of the others.
 *
 * @example
 * new Random(seedFor(42, 'n0 tsl2591 "lux-1"'));
 */
export function seedFor(seed: number, name: string): number {
  // FNV-1a over the name, mixed with the seed through a splitmix-style finaliser.
  let hash = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}

/** One scalar reading per sample; `timeMs` is the clock's unix milliseconds. */
export type ScalarModel = (timeMs: number) => number;

const dayMs = 24 * 3600 * 1000;

/** Rounds to a number of decimals, as sensor drivers report a fixed resolution. */
const quantize = (value: number, step: number) => Math.round(value / step) * step;

/** How bright daylight is at a local time of day: 0 at night, 1 at noon. */
function daylight(timeMs: number): number {
  const date = new Date(timeMs);
  const hours = date.getHours() + date.getMinutes() / 60 + date.getSeconds() / 3600;
  return Math.max(0, Math.sin((Math.PI * (hours - 6)) / 12));
}

/** The TSL2591's saturation point per gain, in lux: more amplification, less headroom. */
const tsl2591Ceiling: Readonly<Record<string, number>> = { low: 88_000, medium: 3_500, high: 200, max: 10 };

/**
 * An indoor light level in lux: dim at night, a few hundred lux by day, with passing clouds (a
 * slow random walk) and 1% sensor noise; clipped where the chosen gain saturates.
 */
export function luxModel(random: Random, gain = "medium"): ScalarModel {
  const ceiling = tsl2591Ceiling[gain] ?? tsl2591Ceiling.medium!;
  let clouds = 0.85;
  return (timeMs) => {
    clouds = Math.min(1, Math.max(0.5, clouds + random.normal(0, 0.01)));
    const lux = (8 + 420 * daylight(timeMs) * clouds) * (1 + random.normal(0, 0.01));
    return Math.min(ceiling, Math.max(0, Math.round(lux * 10_000) / 10_000));
  };
}

/** Room temperature in °C around 21, a degree warmer in the afternoon, at the MCP9808's 0.0625 °C resolution. */
export function temperatureModel(random: Random): ScalarModel {
  return (timeMs) => {
    const phase = (2 * Math.PI * ((timeMs % dayMs) - dayMs / 4)) / dayMs;
    return quantize(21 + Math.sin(phase) * 1.2 + random.normal(0, 0.05), 0.0625);
  };
}

/** A raw 10-bit ADC reading (0..1023) wandering slowly around mid-scale, as from a soil or light probe. */
export function adcModel(random: Random): ScalarModel {
  let level = 512;
  return () => {
    level = Math.min(1023, Math.max(0, level + random.normal(0, 4)));
    return Math.round(Math.min(1023, Math.max(0, level + random.normal(0, 2))));
  };
}

/** Standard gravity, m/s². */
export const gravity = 9.80665;

/** The ADXL345's resolution in m/s² per step (10-bit output at each range). */
const adxl345Step: Readonly<Record<string, number>> = {
  "2g": (4 * gravity) / 1024,
  "4g": (8 * gravity) / 1024,
  "8g": (16 * gravity) / 1024,
  "16g": (32 * gravity) / 1024,
};

/** A board lying flat: (0, 0, g) plus vibration noise, quantized to the range's resolution. */
export function accelerationModel(
  random: Random,
  range = "2g",
): (timeMs: number) => { x: number; y: number; z: number } {
  const step = adxl345Step[range] ?? adxl345Step["2g"]!;
  const axis = (centre: number) => Math.round(quantize(centre + random.normal(0, 0.05), step) * 10_000) / 10_000;
  return () => ({ x: axis(0), y: axis(0), z: axis(gravity) });
}

/** The `sim` sensor's shapes. */
export type SimShape = "constant" | "sine" | "random_walk" | "random";

export interface SimOptions {
  readonly shape: SimShape;
  /** The centre (or constant) value. */
  readonly value: number;
  /** The swing around the centre, for `sine` and `random`. */
  readonly amplitude: number;
  /** The period of `sine`, in milliseconds. */
  readonly periodMs: number;
  /** The largest step of `random_walk`. */
  readonly step: number;
  /** When the sine starts (at its centre, rising). */
  readonly startMs: number;
}

const simShapes: Readonly<Record<SimShape, (options: SimOptions, random: Random) => ScalarModel>> = {
  constant:
    ({ value }) =>
    () =>
      value,
  sine:
    ({ value, amplitude, periodMs, startMs }) =>
    (timeMs) =>
      value + amplitude * Math.sin((2 * Math.PI * (timeMs - startMs)) / periodMs),
  random_walk: ({ value, step }, random) => {
    let current = value;
    let first = true;
    return () => {
      if (first) first = false;
      else current += random.uniform(-step, step);
      return current;
    };
  },
  random:
    ({ value, amplitude }, random) =>
    () =>
      value + random.uniform(-amplitude, amplitude),
};

/**
 * The `sim` sensor: a configurable shape.
 *
 * @example
 * const read = simModel({ shape: "sine", value: 21, amplitude: 3, periodMs: 60_000, step: 1, startMs: Date.now() }, new Random(1));
 * read(Date.now() + 15_000); // 24: a quarter period in, at the crest
 */
export function simModel(options: SimOptions, random: Random): ScalarModel {
  return simShapes[options.shape](options, random);
}
