/** The ADXL345 on the host: a board lying flat, for `flowc run`. */
import type { Random } from "../../runtime/random.js";

/** Rounds to a number of decimals, as sensor drivers report a fixed resolution. */
const quantize = (value: number, step: number) => Math.round(value / step) * step;

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
