/** The BH1750 on the host: ambient light that follows the day, for `flowc run`. */
import type { Random, ScalarModel } from "../../runtime/random.js";

/** How bright daylight is at a local time of day: 0 at night, 1 at noon. */
function daylight(timeMs: number): number {
  const date = new Date(timeMs);
  const hours = date.getHours() + date.getMinutes() / 60 + date.getSeconds() / 3600;
  return Math.max(0, Math.sin((Math.PI * (hours - 6)) / 12));
}

/**
 * A room's light in lux, in the BH1750's high-resolution steps (1/1.2 lx) up to its 54612 lx
 * ceiling: a few lux at night, some hundreds by day, with passing clouds and 1% noise.
 *
 * @example
 * const read = ambientLightModel(new Random(1));
 * read(Date.now()); // 312.5
 */
export function ambientLightModel(random: Random): ScalarModel {
  let clouds = 0.85;
  return (timeMs) => {
    clouds = Math.min(1, Math.max(0.5, clouds + random.normal(0, 0.01)));
    const lux = (5 + 500 * daylight(timeMs) * clouds) * (1 + random.normal(0, 0.01));
    const raw = Math.min(65535, Math.max(0, Math.round(lux * 1.2)));
    return Math.round((raw / 1.2) * 100) / 100;
  };
}
