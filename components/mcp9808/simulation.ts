/** The MCP9808 on the host: room temperature for `flowc run`. */
import type { Random, ScalarModel } from "../../runtime/random.js";

const dayMs = 24 * 3600 * 1000;

/** Rounds to a number of decimals, as sensor drivers report a fixed resolution. */
const quantize = (value: number, step: number) => Math.round(value / step) * step;

/** Room temperature in °C around 21, a degree warmer in the afternoon, at the MCP9808's 0.0625 °C resolution. */
export function temperatureModel(random: Random): ScalarModel {
  return (timeMs) => {
    const phase = (2 * Math.PI * ((timeMs % dayMs) - dayMs / 4)) / dayMs;
    return quantize(21 + Math.sin(phase) * 1.2 + random.normal(0, 0.05), 0.0625);
  };
}
