/** The `sim` sensor's shapes, for `flowc run` and for the board. */
import type { Random, ScalarModel } from "../../runtime/random.js";

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
