/**
 * Randomness for simulated sensors, so a device flow runs on the host unchanged: a seedable PRNG
 * and per-node seeds. The sensors' own models live in their component folders
 * (`components/<name>/simulation.ts`); each is a pure function of the seed and the clock, which
 * makes `flowc run --seed 42` reproducible.
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
