/** The TSL2591 on the host: indoor light that follows the day, for `flowc run`. */
import type { Random, ScalarModel } from "../../runtime/random.js";

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
